import Router from '@koa/router';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { OwnBooking, OwnBookings } from '../bookings/own-bookings';
import type { FleetCaller } from '../fleets/fleets';

const Instant = z.iso.datetime({ offset: true });
const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,35}$/, 'must be 1 to 36 letters, digits or _ . : -');

const BookingBody = z
  .strictObject({
    id: Id.optional(),
    location_id: z.string().min(1).max(36),
    evse_uid: z.string().min(1).max(36).optional(),
    from: Instant,
    until: Instant,
    power_kw: z.number().finite().positive().max(10_000).optional(),
    energy_kwh: z.number().finite().positive().max(100_000).optional(),
    /** The token the charger holds a booked EVSE for (its idTag / IdToken). */
    id_token: z.string().min(1).max(36).optional(),
  })
  .refine((b) => (b.power_kw === undefined) !== (b.energy_kwh === undefined), { message: 'give power_kw or energy_kwh (one of them)' });

const ListQuery = z.strictObject({
  location: z.string().min(1).max(36).optional(),
  status: z.enum(['RESERVED', 'CANCELED', 'NO_SHOW', 'FULFILLED']).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
});

const Kw = z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of kW').transform(Number);

const AvailabilityQuery = z.strictObject({
  location: z.string().min(1).max(36),
  evse: z.string().min(1).max(36).optional(),
  from: Instant,
  to: Instant,
  power_kw: Kw.optional(),
  minimum_minutes: z.string().regex(/^[1-9]\d{0,4}$/, 'must be a whole number of minutes').transform(Number).optional(),
});

const CancelQuery = z.strictObject({
  reason: z.enum(['POWER_OUTAGE', 'BROKEN_CHARGER', 'FULL', 'BLOCKED', 'UNKNOWN']).optional(),
});

export const bookingView = (b: OwnBooking) => ({
  id: b.id,
  location_id: b.locationId,
  evse_uid: b.evseUid,
  from: b.from.toISOString(),
  until: b.until.toISOString(),
  power_w: b.powerW,
  status: b.status,
  requester: b.requester,
  id_token: b.idToken,
  no_show_at: b.noShowAt.toISOString(),
  reserved_on_charger: b.reservationId !== null,
  canceled: b.canceled,
  created_at: b.createdAt.toISOString(),
  updated_at: b.updatedAt.toISOString(),
});

const bookingIdParam = (value: string | undefined): string => {
  if (!value || !Id.safeParse(value).success) throw new AdminError(404, 'not_found', `No booking with id ${value}`);
  return value;
};

/**
 * Bookings at the own CPO's locations (docs/scheduling.md): `/admin/bookings`. The operator books a
 * window (for a fleet, a customer on the phone), lists and cancels bookings, and searches the free
 * windows of a location's EVSEs. With `fleet`, the same routes for a caller with a fleet key
 * (ctx.state.fleetCaller, set by requireFleetKey): it books only for its own tokens and sees only
 * bookings of its own tokens (any other is a 404, whether it exists or not).
 */
export function bookingsAdminRouter(deps: { ownBookings: OwnBookings }, scope: { fleet?: boolean } = {}): Router {
  const { ownBookings } = deps;
  const router = new Router({ prefix: '/admin/bookings' });
  const fleetOf = (ctx: { state: Record<string, unknown> }): FleetCaller | undefined => (scope.fleet ? (ctx.state.fleetCaller as FleetCaller) : undefined);
  /** A booking the caller may see: any for the operator, one of its tokens for a fleet. */
  const visible = async (ctx: { state: Record<string, unknown> }, id: string): Promise<OwnBooking> => {
    const booking = await ownBookings.require(id);
    const fleet = fleetOf(ctx);
    if (fleet && !(booking.idToken !== null && fleet.tokens.includes(booking.idToken))) throw new AdminError(404, 'not_found', `No booking with id ${id}`);
    return booking;
  };

  router.post('/', async (ctx) => {
    const body = parseAdminBody(BookingBody, ctx.request.body);
    const fleet = fleetOf(ctx);
    if (fleet && !body.id_token) throw new AdminError(400, 'invalid', 'id_token: a fleet books for one of its tokens');
    if (fleet && !fleet.tokens.includes(body.id_token!)) {
      throw new AdminError(403, 'forbidden', `Token ${body.id_token} is not a token of fleet ${fleet.fleetId}`);
    }
    const outcome = await ownBookings.book({
      ...(body.id && { id: body.id }),
      locationId: body.location_id,
      ...(body.evse_uid && { evseUid: body.evse_uid }),
      from: new Date(body.from),
      until: new Date(body.until),
      ...(body.power_kw !== undefined && { powerW: body.power_kw * 1000 }),
      ...(body.energy_kwh !== undefined && { energyWh: body.energy_kwh * 1000 }),
      ...(body.id_token && { idToken: body.id_token }),
      requester: fleet ? { fleet_id: fleet.fleetId, fleet_key_id: fleet.keyId } : { operator: true },
    });
    if (!outcome.accepted) {
      // Refused: the reasons in the error shape, with the structured list (which slots, by how much).
      ctx.status = 409;
      ctx.body = { error: { code: 'booking_refused', message: outcome.message }, refusals: outcome.refusals };
      return;
    }
    ctx.status = 201;
    ctx.set('Location', `/admin/bookings/${encodeURIComponent(outcome.booking.id)}`);
    ctx.body = bookingView(outcome.booking);
  });

  router.get('/', async (ctx) => {
    const query = parseAdminBody(ListQuery, { ...ctx.query });
    const fleet = fleetOf(ctx);
    const bookings = await ownBookings.list({
      ...(query.location && { locationId: query.location }),
      ...(query.status && { status: query.status }),
      ...(query.from && { from: new Date(query.from) }),
      ...(query.to && { to: new Date(query.to) }),
      ...(fleet && { idTokens: fleet.tokens }),
    });
    ctx.body = bookings.map(bookingView);
  });

  router.get('/availability', async (ctx) => {
    const query = parseAdminBody(AvailabilityQuery, { ...ctx.query });
    const result = await ownBookings.availability({
      locationId: query.location,
      ...(query.evse && { evseUid: query.evse }),
      from: new Date(query.from),
      to: new Date(query.to),
      powerW: (query.power_kw ?? 11) * 1000,
      minimumMinutes: query.minimum_minutes ?? 30,
    });
    ctx.body = {
      location_id: query.location,
      time_zone: result.timeZone,
      windows: result.windows.map((w) => ({ evse_uid: w.evseUid, from: w.from, until: w.until, free_w: w.freeW })),
    };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = bookingView(await visible(ctx, bookingIdParam(ctx.params.id)));
  });

  router.delete('/:id', async (ctx) => {
    const query = parseAdminBody(CancelQuery, { ...ctx.query });
    const booking = await visible(ctx, bookingIdParam(ctx.params.id));
    ctx.body = bookingView(await ownBookings.cancel(booking.id, { reason: query.reason ?? 'UNKNOWN', who: 'CPO' }));
  });

  return router;
}
