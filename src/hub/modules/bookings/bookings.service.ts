import { BookingLocationPatchV230, BookingLocationV230, BookingPatchV230, BookingRequestV230, BookingV230, type BookingV230 as Booking } from '../../../core/ocpi-versions/v2.3.0/bookings.v230.schema';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { RoutingError } from '../../../foundation/hub-errors';
import { EMSP_SIDE, type RoutedRole } from '../../routing/agreements';
import type { ObjectChange, Route } from '../../routing/router';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { toDate } from '../../ocpi/ocpi-types';
import type { PageRequest } from '../../ocpi/pagination';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { idParam, requireSameIds } from '../client-owned';
import { cpoRoutes, routeByObject, routeTo, same, type CpoRoute } from '../commands/result-relay';
import { OcpiError, OcpiStatus } from '../../ocpi/ocpi-errors';
import type { ModuleDeps } from '../module-deps';

/**
 * The module's identifier in version details and the outbox. The text's heading says "Module
 * Identifier: `Booking`", but its URLs are `{bookings_endpoint_url}` and every other module's identifier
 * is its plural, lower-case URL segment: the hub lists and looks for `bookings` (docs/versions.md).
 */
export const BOOKINGS_MODULE = 'bookings';
/** The only version that has the module (the v2.3.0-bookings extension of 2.3.0): never translated. */
export const BOOKINGS_VERSION: OcpiVersion = '2.3.0';
/** Object store modules: Bookings (kept under their CPO, typed by the eMSP that booked) and BookingLocations. */
export const BOOKINGS = 'bookings';
export const BOOKING_LOCATIONS = 'bookings/booking_locations';
export const BOOKINGS_PAGE_LIMIT = 100;
export const BOOKING_LOCATIONS_SUBPATH = '/booking_locations';

type Json = Record<string, unknown>;
const addressKey = (a: PartyAddress) => `${a.countryCode}/${a.partyId}`;
const upper = (a: PartyAddress): PartyAddress => ({ countryCode: a.countryCode.toUpperCase(), partyId: a.partyId.toUpperCase() });

/** A CPO the hub answers for itself (the own CPO): it decides booking requests in-process. */
export interface InProcessBookingsCpo {
  cpo: RoleAddress;
  /** The Booking that answers a BookingRequest (RESERVED, REJECTED, CANCELED…), and a sentence on why when refused. */
  request(emsp: RoleAddress, request: BookingRequestV230): Promise<{ booking: Booking; message?: string }>;
}

/**
 * The Bookings module (OCPI v2.3.0-bookings, mod_bookings.asciidoc) between CPOs and eMSPs that speak
 * it: OCPI 2.3.0 with a `bookings` endpoint in their version details (SENDER for a CPO, RECEIVER for an
 * eMSP). "Data owner: CPO".
 *
 * eMSP side (the hub's Sender interface, standing for the CPOs): POST a BookingRequest, forwarded at once
 * to the CPO owning the location (OCPI-to-*, else the CPO whose Location with that id the hub holds) or
 * answered in-process by the own CPO; the CPO's Booking is stored and answered. GET the Bookings and
 * BookingLocations the hub holds for it.
 *
 * CPO side (the hub's Receiver interface, standing for the eMSPs): PUT/PATCH Bookings (stored, pushed
 * through the outbox to the eMSP that booked) and BookingLocations (stored, pushed to every eMSP with an
 * agreement that has the module).
 */
export class BookingsService {
  private inProcess?: InProcessBookingsCpo;

  constructor(private readonly deps: ModuleDeps) {}

  serveInProcess(cpo: InProcessBookingsCpo): void {
    this.inProcess = cpo;
  }

  // ---- The hub's Sender interface: eMSPs request and read ----

  /** POST {bookings}: the CPO's answer (a Booking), forwarded or decided in-process; stored so the eMSP can read it again. */
  async request(emsps: RoleAddress[], to: PartyAddress | undefined, rawBody: unknown, correlationId?: string): Promise<{ booking: Booking; message?: string }> {
    const request = parseOcpiBody(BookingRequestV230, rawBody, 'BookingRequest');
    const requester = emsps.find((e) => same(e, upper({ countryCode: request.country_code, partyId: request.party_id })));
    if (!requester) throw ocpiErrors.invalidParameters(`The BookingRequest names ${request.country_code}/${request.party_id}, which is not you`);
    const route = await this.cpoRoute(requester, to, request.location_id);
    let answer: { booking: Booking; message?: string };
    if (this.inProcess && same(route.cpo, this.inProcess.cpo)) {
      answer = await this.inProcess.request(requester, request);
    } else {
      await this.requireBookings(route.cpo);
      const reply = await this.deps.router.forward<unknown>({
        target: route.cpo,
        from: requester,
        module: BOOKINGS_MODULE,
        interfaceRole: 'SENDER',
        method: 'POST',
        path: '',
        body: rawBody,
        bodyVersion: BOOKINGS_VERSION,
        correlationId,
      });
      const parsed = BookingV230.safeParse(reply.data);
      if (!parsed.success) throw new RoutingError('receiver_unusable', `The CPO's answer is not a Booking: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      answer = { booking: parsed.data };
    }
    await this.deps.store.put(this.bookingKey(route.cpo, answer.booking.id, requester), answer.booking, toDate(answer.booking.last_updated));
    return answer;
  }

  /** GET {bookings}: the Bookings of the eMSP's roles, at the CPOs they have agreements with. */
  async listBookings(emsps: RoleAddress[], page: PageRequest): Promise<{ items: unknown[]; total: number }> {
    const owners = (await cpoRoutes(this.deps.router, emsps)).map((r) => r.cpo);
    const { items, total } = await this.deps.store.list({ module: BOOKINGS, owners, objectTypes: emsps.map(addressKey), ...page });
    return { items: items.map((o) => o.data), total };
  }

  /** GET {bookings}/booking_locations: the BookingLocations of the CPOs the eMSP's roles have agreements with. */
  async listBookingLocations(emsps: RoleAddress[], page: PageRequest): Promise<{ items: unknown[]; total: number }> {
    const owners = (await cpoRoutes(this.deps.router, emsps)).map((r) => r.cpo);
    const { items, total } = await this.deps.store.list({ module: BOOKING_LOCATIONS, owners, ...page });
    return { items: items.map((o) => o.data), total };
  }

  /** GET {bookings}/booking_locations/{id}[/{calendar_id}]: one BookingLocation, or one of its Calendars. */
  async getBookingLocation(emsps: RoleAddress[], to: PartyAddress | undefined, id: string, calendarId?: string): Promise<unknown> {
    const routes = await cpoRoutes(this.deps.router, emsps);
    const owners = (to && !this.deps.router.isHub(to) ? routes.filter((r) => same(r.cpo, to)) : routes).map((r) => r.cpo);
    const found = await this.deps.store.findById<Json>(BOOKING_LOCATIONS, id, owners);
    if (found.length === 0) throw ocpiErrors.notFound(`Unknown BookingLocation ${id}`);
    if (found.length > 1) throw ocpiErrors.invalidParameters(`BookingLocation ${id} exists at several CPOs; name one with OCPI-to-country-code/party-id`);
    if (calendarId === undefined) return found[0].data;
    const calendar = ((found[0].data.calendars as Json[] | undefined) ?? []).find((c) => c.id === calendarId);
    if (!calendar) throw ocpiErrors.notFound(`BookingLocation ${id} has no Calendar ${calendarId}`);
    return calendar;
  }

  // ---- The hub's Receiver interface: CPOs push ----

  /**
   * PUT {bookings}/{country_code}/{party_id}/{booking_id}: the CPO's whole Booking, stored and pushed to
   * the eMSP that booked: the one in OCPI-to-*, else the party of its booking requests (or tokens).
   */
  async putBooking(cpo: RoleAddress, to: PartyAddress | undefined, url: { countryCode: string; partyId: string; id: string }, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    this.requireOwner(cpo, url);
    const booking = parseOcpiBody(BookingV230, rawBody, 'Booking');
    requireSameIds(booking, { country_code: url.countryCode, party_id: url.partyId, id: url.id });
    const emsp = await this.emspOf(cpo, to, booking, url.id);
    const route = await this.emspRoute(cpo, emsp);
    const { router, store } = this.deps;
    return router.transaction(async (tx) => {
      const outcome = await store.put(this.bookingKey(cpo, url.id, emsp), booking, toDate(booking.last_updated), tx);
      await router.send(route, this.change('PUT', `/${cpo.countryCode}/${cpo.partyId}/${encodeURIComponent(url.id)}`, `${BOOKINGS}/${addressKey(cpo)}/${url.id}`, `PUT ${booking.last_updated}`, rawBody, correlationId), tx);
      return outcome;
    });
  }

  /** PATCH of a Booking (a status change, an EVSE assigned): merged into the stored one and passed on. */
  async patchBooking(cpo: RoleAddress, url: { countryCode: string; partyId: string; id: string }, rawBody: unknown, correlationId?: string): Promise<void> {
    this.requireOwner(cpo, url);
    const patch = parseOcpiBody(BookingPatchV230, rawBody, 'Booking PATCH');
    requireSameIds(patch, { country_code: url.countryCode, party_id: url.partyId, id: url.id });
    const stored = await this.storedBooking(cpo, url.id);
    const emsp = this.emspOfKey(stored.key.objectType);
    const route = await this.emspRoute(cpo, emsp);
    const { router, store } = this.deps;
    await router.transaction(async (tx) => {
      await store.update<Json, void>(
        stored.key,
        (current) => {
          if (!current) throw ocpiErrors.notFound(`Unknown Booking ${url.id}`);
          return { data: { ...current.data, ...patch }, lastUpdated: toDate(patch.last_updated), result: undefined };
        },
        tx,
      );
      await router.send(route, this.change('PATCH', `/${cpo.countryCode}/${cpo.partyId}/${encodeURIComponent(url.id)}`, `${BOOKINGS}/${addressKey(cpo)}/${url.id}`, `PATCH ${patch.last_updated}`, rawBody, correlationId), tx);
    });
  }

  /** GET {bookings}/{country_code}/{party_id}/{booking_id} on the Receiver side: the CPO reads back its own. */
  async getOwnBooking(cpo: RoleAddress, url: { countryCode: string; partyId: string; id: string }): Promise<unknown> {
    this.requireOwner(cpo, url);
    return (await this.storedBooking(cpo, url.id)).data;
  }

  /** PUT {bookings}/{country_code}/{party_id}/booking_locations/{id}: stored, pushed to every eMSP with an agreement that has the module. */
  async putBookingLocation(cpo: RoleAddress, url: { countryCode: string; partyId: string; id: string }, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    this.requireOwner(cpo, url);
    const location = parseOcpiBody(BookingLocationV230, rawBody, 'BookingLocation');
    requireSameIds(location, { country_code: url.countryCode, party_id: url.partyId, id: url.id });
    const route = await this.broadcastRoute(cpo);
    const { router, store } = this.deps;
    return router.transaction(async (tx) => {
      const outcome = await store.put(this.locationKey(cpo, url.id), location, toDate(location.last_updated), tx);
      await router.send(route, this.change('PUT', this.locationPath(cpo, url.id), `${BOOKING_LOCATIONS}/${addressKey(cpo)}/${url.id}`, `PUT ${location.last_updated}`, rawBody, correlationId), tx);
      return outcome;
    });
  }

  /** PATCH of a BookingLocation (terms, calendars): merged and passed on. */
  async patchBookingLocation(cpo: RoleAddress, url: { countryCode: string; partyId: string; id: string }, rawBody: unknown, correlationId?: string): Promise<void> {
    this.requireOwner(cpo, url);
    const patch = parseOcpiBody(BookingLocationPatchV230, rawBody, 'BookingLocation PATCH');
    requireSameIds(patch, { country_code: url.countryCode, party_id: url.partyId, id: url.id });
    const route = await this.broadcastRoute(cpo);
    const { router, store } = this.deps;
    await router.transaction(async (tx) => {
      await store.update<Json, void>(
        this.locationKey(cpo, url.id),
        (current) => {
          if (!current) throw ocpiErrors.notFound(`Unknown BookingLocation ${url.id}`);
          return { data: { ...current.data, ...patch }, lastUpdated: toDate(patch.last_updated as string), result: undefined };
        },
        tx,
      );
      await router.send(route, this.change('PATCH', this.locationPath(cpo, url.id), `${BOOKING_LOCATIONS}/${addressKey(cpo)}/${url.id}`, `PATCH ${String(patch.last_updated)}`, rawBody, correlationId), tx);
    });
  }

  async getOwnBookingLocation(cpo: RoleAddress, url: { countryCode: string; partyId: string; id: string }): Promise<unknown> {
    this.requireOwner(cpo, url);
    const stored = await this.deps.store.get(this.locationKey(cpo, url.id));
    if (!stored) throw ocpiErrors.notFound(`Unknown BookingLocation ${url.id}`);
    return stored.data;
  }

  /**
   * A Booking of an in-process CPO changed (a no-show, a session, a cancellation): stored and pushed to
   * the eMSP that booked, as if the CPO had PUT it.
   */
  async pushInProcess(emsp: PartyAddress, booking: Booking): Promise<void> {
    const cpo = this.inProcess!.cpo;
    const counterpart = await this.deps.router.counterpart(cpo, emsp, EMSP_SIDE).catch(() => undefined);
    const route = counterpart && (await this.speaksBookings(counterpart)) ? await this.deps.router.routeTo([counterpart], cpo, BOOKINGS_MODULE) : undefined;
    const { router, store } = this.deps;
    await router.transaction(async (tx) => {
      await store.put(this.bookingKey(cpo, booking.id, emsp), booking, toDate(booking.last_updated), tx);
      if (route) await router.send(route, this.change('PUT', `/${cpo.countryCode}/${cpo.partyId}/${encodeURIComponent(booking.id)}`, `${BOOKINGS}/${addressKey(cpo)}/${booking.id}`, `PUT ${booking.last_updated}`, booking), tx);
    });
  }

  // ---- Routing ----

  /** The CPO of a request: the one in OCPI-to-*, else the one whose Location with this id the hub holds. */
  private async cpoRoute(requester: RoleAddress, to: PartyAddress | undefined, locationId: string): Promise<CpoRoute> {
    const routes = await cpoRoutes(this.deps.router, [requester]);
    if (to && !this.deps.router.isHub(to)) return routeTo(routes, to);
    return routeByObject(this.deps.store, routes, 'locations', idParam(locationId, 'location_id'), () =>
      new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown location ${locationId} at the CPOs you have agreements with; name the CPO with OCPI-to-country-code/party-id`),
    );
  }

  /** The eMSP a pushed Booking is for. */
  private async emspOf(cpo: RoleAddress, to: PartyAddress | undefined, booking: Booking, id: string): Promise<PartyAddress> {
    if (to && !this.deps.router.isHub(to)) return to;
    const request = booking.booking_requests[0]?.booking_request;
    if (request) return upper({ countryCode: request.country_code, partyId: request.party_id });
    const stored = (await this.deps.store.findById(BOOKINGS, id, [cpo]))[0];
    if (stored?.key.objectType) return this.emspOfKey(stored.key.objectType);
    const token = booking.booking_tokens?.[0];
    if (token) return upper({ countryCode: token.country_code, partyId: token.party_id });
    throw ocpiErrors.invalidParameters('The Booking names no eMSP (booking_requests, booking_tokens): name it with OCPI-to-country-code/party-id');
  }

  private emspOfKey(objectType: string): PartyAddress {
    const [countryCode, partyId] = objectType.split('/');
    return { countryCode, partyId };
  }

  /** The eMSP's Receiver interface: 4001 without an agreement or when it does not speak the module. */
  private async emspRoute(cpo: RoleAddress, emsp: PartyAddress): Promise<Route> {
    const counterpart = await this.deps.router.counterpart(cpo, emsp, EMSP_SIDE);
    await this.requireBookings(counterpart);
    return this.deps.router.routeTo([counterpart], cpo, BOOKINGS_MODULE);
  }

  /** Every eMSP-side counterpart that speaks the module (others are left out, not queued to fail). */
  private async broadcastRoute(cpo: RoleAddress): Promise<Route> {
    const targets: RoutedRole[] = [];
    for (const c of await this.deps.router.counterparts(cpo)) if (EMSP_SIDE.includes(c.role) && (await this.speaksBookings(c))) targets.push(c);
    return this.deps.router.routeTo(targets, cpo, BOOKINGS_MODULE, true);
  }

  private async speaksBookings(target: RoutedRole): Promise<boolean> {
    return (await this.deps.parties.get(target.partyUuid))?.version === BOOKINGS_VERSION;
  }

  private async requireBookings(target: RoutedRole): Promise<void> {
    if (!(await this.speaksBookings(target))) {
      throw new RoutingError('unknown_receiver', `${addressKey(target)} does not speak OCPI ${BOOKINGS_VERSION}, the only version with the Bookings module`);
    }
  }

  private requireOwner(cpo: RoleAddress, url: { countryCode: string; partyId: string }): void {
    if (!same(upper(url), cpo)) throw ocpiErrors.invalidParameters(`You push as ${addressKey(cpo)}, not ${url.countryCode}/${url.partyId}`);
  }

  private async storedBooking(cpo: RoleAddress, id: string) {
    const stored = (await this.deps.store.findById<Json>(BOOKINGS, id, [cpo]))[0];
    if (!stored) throw ocpiErrors.notFound(`Unknown Booking ${id}`);
    return stored;
  }

  private bookingKey(cpo: PartyAddress, id: string, emsp: PartyAddress) {
    return { module: BOOKINGS, countryCode: cpo.countryCode, partyId: cpo.partyId, objectId: id, objectType: addressKey(upper(emsp)) };
  }

  private locationKey(cpo: PartyAddress, id: string) {
    return { module: BOOKING_LOCATIONS, countryCode: cpo.countryCode, partyId: cpo.partyId, objectId: id };
  }

  private locationPath(cpo: PartyAddress, id: string): string {
    return `/${cpo.countryCode}/${cpo.partyId}${BOOKING_LOCATIONS_SUBPATH}/${encodeURIComponent(id)}`;
  }

  private change(method: ObjectChange['method'], path: string, objectKey: string, version: string, body: unknown, correlationId?: string): ObjectChange {
    // The body as sent, in 2.3.0: receivers speak 2.3.0, so the outbox passes it on unchanged.
    return { method, path, body, bodyVersion: BOOKINGS_VERSION, objectKey, objectVersion: version, correlationId };
  }
}
