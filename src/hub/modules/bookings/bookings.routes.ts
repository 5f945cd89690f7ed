import Router from '@koa/router';
import type { Context } from 'koa';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { EMSP_SIDE } from '../../routing/agreements';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { readPageRequest, setPageHeaders } from '../../ocpi/pagination';
import type { RoleAddress } from '../../ocpi/party-address';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles } from '../caller-roles';
import { idParam, respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import type { HubEndpoint } from '../versions/hub-versions';
import { versionPrefix } from '../versions/hub-versions';
import { BOOKING_LOCATIONS_SUBPATH, BOOKINGS_PAGE_LIMIT, type BookingsService } from './bookings.service';

/** The hub's Sender interface (it stands for the CPOs; eMSPs request and read) and Receiver interface (it stands for the eMSPs; CPOs push). */
export const BOOKINGS_SENDER_PATH = '/sender/bookings';
export const BOOKINGS_RECEIVER_PATH = '/receiver/bookings';

/** The Bookings module exists only in OCPI 2.3.0 with the bookings extension (VERSION_FORM): listed in the 2.3.0 version details alone. */
export const BOOKINGS_ENDPOINTS: HubEndpoint[] = [
  { identifier: 'bookings', role: 'SENDER', path: BOOKINGS_SENDER_PATH },
  { identifier: 'bookings', role: 'RECEIVER', path: BOOKINGS_RECEIVER_PATH },
];

/** A push acts in one role: the one in OCPI-from-*, or the caller's only CPO role. */
function cpoOf(ctx: Context): RoleAddress {
  const roles = actingRoles(ctx, ctx.state.caller!, ['CPO']);
  if (roles.length > 1) throw ocpiErrors.invalidParameters('You hold several CPO roles: name the one you act in with OCPI-from-*');
  return roles[0];
}
const emspsOf = (ctx: Context) => actingRoles(ctx, ctx.state.caller!, EMSP_SIDE);
const objectUrl = (ctx: Context, name: string) => ({
  countryCode: idParam(ctx.params.country_code, 'country_code', 2),
  partyId: idParam(ctx.params.party_id, 'party_id', 3),
  id: idParam(ctx.params[name], name),
});

/**
 * Bookings (OCPI tag v2.3.0-bookings, mod_bookings.asciidoc), OCPI 2.3.0 only; bodies are read and passed
 * on as 2.3.0, never translated (the hub form has no Bookings module).
 *
 * Sender interface, for eMSPs: GET/POST {sender} (Bookings; POST a BookingRequest),
 *   GET {sender}/booking_locations (paginated), GET {sender}/booking_locations/{id}[/{calendar_id}].
 * Receiver interface, for CPOs: GET/PUT/PATCH {receiver}/{country_code}/{party_id}/{booking_id},
 *   GET/PUT/PATCH {receiver}/{country_code}/{party_id}/booking_locations/{booking_location_id}.
 */
export function bookingsRouter(deps: ModuleDeps & { bookings: BookingsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  const auth = authenticate(deps.parties, { allowTokenA: false });
  const bookings = deps.bookings;
  const sender = (sub: string) => `${BOOKINGS_SENDER_PATH}${sub}`;
  const receiver = (sub: string) => `${BOOKINGS_RECEIVER_PATH}${sub}`;

  router.get(BOOKINGS_SENDER_PATH, auth, async (ctx) => {
    const page = readPageRequest(ctx, BOOKINGS_PAGE_LIMIT);
    const { items, total } = await bookings.listBookings(emspsOf(ctx), page);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respond(ctx, items);
  });
  router.post(BOOKINGS_SENDER_PATH, auth, async (ctx) => {
    const { booking, message } = await bookings.request(emspsOf(ctx), readRoutingHeaders(ctx).to, ctx.request.body, ctx.state.correlationId);
    // A refused request is still a success of the call: the Booking says REJECTED, the message why.
    respond(ctx, booking, 200, message ?? 'Success');
  });
  router.get(sender(BOOKING_LOCATIONS_SUBPATH), auth, async (ctx) => {
    const page = readPageRequest(ctx, BOOKINGS_PAGE_LIMIT);
    const { items, total } = await bookings.listBookingLocations(emspsOf(ctx), page);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respond(ctx, items);
  });
  router.get(sender(`${BOOKING_LOCATIONS_SUBPATH}/:booking_location_id`), auth, async (ctx) => {
    respond(ctx, await bookings.getBookingLocation(emspsOf(ctx), readRoutingHeaders(ctx).to, idParam(ctx.params.booking_location_id, 'booking_location_id')));
  });
  router.get(sender(`${BOOKING_LOCATIONS_SUBPATH}/:booking_location_id/:calendar_id`), auth, async (ctx) => {
    respond(
      ctx,
      await bookings.getBookingLocation(emspsOf(ctx), readRoutingHeaders(ctx).to, idParam(ctx.params.booking_location_id, 'booking_location_id'), idParam(ctx.params.calendar_id, 'calendar_id')),
    );
  });

  const location = receiver(`/:country_code/:party_id${BOOKING_LOCATIONS_SUBPATH}/:booking_location_id`);
  router.get(location, auth, async (ctx) => {
    respond(ctx, await bookings.getOwnBookingLocation(cpoOf(ctx), objectUrl(ctx, 'booking_location_id')));
  });
  router.put(location, auth, async (ctx) => {
    respondStored(ctx, await bookings.putBookingLocation(cpoOf(ctx), objectUrl(ctx, 'booking_location_id'), ctx.request.body, ctx.state.correlationId));
  });
  router.patch(location, auth, async (ctx) => {
    await bookings.patchBookingLocation(cpoOf(ctx), objectUrl(ctx, 'booking_location_id'), ctx.request.body, ctx.state.correlationId);
    respond(ctx);
  });

  const one = receiver('/:country_code/:party_id/:booking_id');
  router.get(one, auth, async (ctx) => {
    respond(ctx, await bookings.getOwnBooking(cpoOf(ctx), objectUrl(ctx, 'booking_id')));
  });
  router.put(one, auth, async (ctx) => {
    respondStored(ctx, await bookings.putBooking(cpoOf(ctx), readRoutingHeaders(ctx).to, objectUrl(ctx, 'booking_id'), ctx.request.body, ctx.state.correlationId));
  });
  router.patch(one, auth, async (ctx) => {
    await bookings.patchBooking(cpoOf(ctx), objectUrl(ctx, 'booking_id'), ctx.request.body, ctx.state.correlationId);
    respond(ctx);
  });

  return router;
}
