import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { DEFAULT_NOMINAL_VOLTAGE } from '../../core/allocation/site';
import {
  decideBooking,
  findAvailability,
  noShowDeadline,
  reservedPowerW,
  cancellationTerms,
  type Booking as CoreBooking,
  type BookingCapacity,
  type BookingRefusal,
  type BookingRules,
  type FreeWindow,
  type OcpiHours,
  type PeakWindow,
} from '../../core/planning/planning-core';
import type { Location } from '../../hub/modules/locations/locations.schema';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import { updatedRows } from '../../db/updated-rows';
import type { ChargersService } from '../chargers/chargers.service';
import type { Transaction } from '../charging/transactions.service';
import type { EvseStatusPublisher } from '../charging/evse-status';
import type { ChargerCalls } from '../ocpp/charger-calls';
import { answerStatus, CHARGER_PROTOCOLS } from '../ocpp/charger-protocols';
import type { SiteBody } from '../load/site-config';

/** A booking's status, in the OCPI Bookings vocabulary (ReservationStatus); a refused request is never stored. */
export type OwnBookingStatus = 'RESERVED' | 'CANCELED' | 'NO_SHOW' | 'FULFILLED';

/** Who booked: an eMSP through OCPI (with its request_id), the operator, or a fleet with its key. */
export interface BookingRequester {
  country_code?: string;
  party_id?: string;
  request_id?: string;
  /** The eMSP's authorization_reference and BookingRequest, as received (for the Booking it is shown as). */
  authorization_reference?: string;
  request?: unknown;
  received_at?: string;
  operator?: boolean;
  /** A fleet booking with a fleet key (docs/scheduling.md, "Bookings by a fleet"): the fleet and the key's id. */
  fleet_id?: string;
  fleet_key_id?: string;
}

export interface OwnBooking {
  id: string;
  locationId: string;
  evseUid: string | null;
  from: Date;
  until: Date;
  powerW: number;
  status: OwnBookingStatus;
  requester: BookingRequester;
  idToken: string | null;
  /** The ocpp_reservations row once the charger holds the EVSE. */
  reservationId: number | null;
  canceled: { cancellation_reason: string; who_canceled: string; late?: boolean } | null;
  noShowAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface BookingInput {
  id?: string;
  locationId: string;
  evseUid?: string;
  from: Date;
  until: Date;
  powerW?: number;
  energyWh?: number;
  idToken?: string;
  requester: BookingRequester;
}

export type BookingOutcome = { accepted: true; booking: OwnBooking } | { accepted: false; refusals: BookingRefusal[]; message: string };

export interface OwnBookingsConfig {
  /** How long after the booked start the EVSE is held for a driver who has not arrived (BOOKING_NO_SHOW_GRACE_MINUTES). */
  noShowGraceMinutes: number;
  /** Share of the site limit bookings may hold, 0..1 (BOOKING_BOOKABLE_SHARE); the rest stays for drivers without one. */
  bookableShare: number;
  /** Free cancellation until this many minutes before the start (BOOKING_FREE_CANCEL_MINUTES). */
  freeCancelMinutes: number;
}

interface BookingRow {
  id: string;
  location_id: string;
  evse_uid: string | null;
  window_from: Date;
  window_until: Date;
  power_w: number;
  status: OwnBookingStatus;
  requester: BookingRequester;
  id_token: string | null;
  reservation_id: number | null;
  canceled: OwnBooking['canceled'];
  created_at: Date;
  updated_at: Date;
}

const BOOKING_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,35}$/;

/** The OCPI connector's power, W: max_electric_power, else voltage × amperage × phases. */
function connectorPowerW(connector: { max_electric_power?: number; max_voltage: number; max_amperage: number; power_type: string }): number {
  if (connector.max_electric_power) return connector.max_electric_power;
  return connector.max_voltage * connector.max_amperage * (connector.power_type === 'AC_3_PHASE' ? 3 : 1);
}

/** A site limit (amps per phase or kW for the whole node) in watts. */
function limitW(limit: { amps: number } | { kilowatts: number }, voltage: number): number {
  return 'amps' in limit ? limit.amps * 3 * voltage : limit.kilowatts * 1000;
}

/**
 * Bookings at the own CPO's locations (docs/scheduling.md): accepted against the location's other
 * bookings, its opening times and its site's bookable capacity over the window (the planning core's
 * booking rules); at the window's start the booked EVSE is reserved on its charger (OCPP ReserveNow)
 * and shown RESERVED; a driver who has not started by the no-show deadline frees it (NO_SHOW).
 */
export class OwnBookings {
  private readonly listeners: ((booking: OwnBooking) => Promise<void> | void)[] = [];

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: ChargersService;
      calls: ChargerCalls;
      locations: LocationsService;
      evseStatus: EvseStatusPublisher;
      ownCpo: RoleAddress;
      config: OwnBookingsConfig;
      /** Charges an unused booking (no-show, late cancellation) once: booking-fees.ts; answers the CDR id or ''. */
      chargeFee?: (booking: OwnBooking, now: Date) => Promise<string>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  private get rules(): BookingRules {
    return { noShowGraceMinutes: this.deps.config.noShowGraceMinutes, freeCancellation: { minutesBefore: this.deps.config.freeCancelMinutes } };
  }

  /** Called after every change of a booking (the OCPI module pushes it to the eMSP that booked). */
  onChanged(listener: (booking: OwnBooking) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  private async changed(booking: OwnBooking): Promise<void> {
    for (const listener of this.listeners) {
      await Promise.resolve(listener(booking)).catch((error) => this.deps.log.error({ err: error, booking: booking.id }, 'a booking listener failed'));
    }
  }

  private toBooking(row: BookingRow): OwnBooking {
    return {
      id: row.id,
      locationId: row.location_id,
      evseUid: row.evse_uid,
      from: row.window_from,
      until: row.window_until,
      powerW: row.power_w,
      status: row.status,
      requester: row.requester,
      idToken: row.id_token,
      reservationId: row.reservation_id,
      canceled: row.canceled,
      noShowAt: new Date(Math.min(noShowDeadline(this.core(row), this.rules).getTime(), row.window_until.getTime())),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private core(row: BookingRow): CoreBooking {
    return {
      id: row.id,
      locationId: row.location_id,
      ...(row.evse_uid && { evseUid: row.evse_uid }),
      from: row.window_from,
      until: row.window_until,
      powerW: row.power_w,
      status: row.status === 'RESERVED' ? 'accepted' : row.status === 'CANCELED' ? 'cancelled' : row.status === 'NO_SHOW' ? 'no-show' : 'completed',
    };
  }

  async location(locationId: string): Promise<Location> {
    const location = await this.deps.locations.storedOf(this.deps.ownCpo, locationId);
    if (!location) throw new HubError('not_found', `No own location with id ${locationId}`);
    return location;
  }

  /**
   * What the location can give bookings: the limit of the load-management site its chargers belong to
   * (grid connection, minus its safety margin, lowered by its time windows), else the sum of its EVSEs'
   * maximum power; the bookable share of it; its opening times.
   */
  async capacityOf(location: Location): Promise<BookingCapacity> {
    const rows: { config: SiteBody }[] = await this.deps.db.query(
      `SELECT s.config FROM sites s JOIN site_chargers sc ON sc.site_id = s.id JOIN chargers c ON c.id = sc.charger_id
        WHERE c.location_id = $1 ORDER BY s.id LIMIT 1`,
      [location.id],
    );
    const site = rows[0]?.config;
    let baseLimitW: number;
    let peakWindows: PeakWindow[] = [];
    const timeZone = location.time_zone;
    if (site) {
      const voltage = site.nominal_voltage ?? DEFAULT_NOMINAL_VOLTAGE;
      const margin = site.safety_margin;
      const less = (w: number) => Math.max(0, w * (1 - (margin?.percent ?? 0) / 100) - (margin?.amps ?? 0) * 3 * voltage);
      baseLimitW = less(limitW(site.limit, voltage));
      peakWindows = (site.time_windows ?? []).map((w) => ({
        start: w.start,
        end: w.end,
        ...(w.days && { days: w.days as PeakWindow['days'] }),
        limitW: less(limitW(w.limit, voltage)),
      }));
    } else {
      baseLimitW = (location.evses ?? []).reduce((sum, evse) => sum + Math.max(0, ...evse.connectors.map(connectorPowerW)), 0);
    }
    return {
      site: { baseLimitW, timeZone, peakWindows },
      bookableShare: this.deps.config.bookableShare,
      ...(location.opening_times && { openingTimes: location.opening_times as unknown as OcpiHours }),
    };
  }

  private async holding(locationId: string, db: Pick<DataSource, 'query'> = this.deps.db): Promise<BookingRow[]> {
    return db.query(`SELECT * FROM own_bookings WHERE location_id = $1 AND status = 'RESERVED'`, [locationId]);
  }

  /**
   * Accepts or refuses a booking. Refused: nothing is stored and the refusals say why (the EVSE is
   * taken, the location is closed, which slots would be over the site's capacity and by how much).
   * Bookings of one location are decided one at a time (an advisory lock), so two at once cannot
   * together overbook.
   */
  async book(input: BookingInput): Promise<BookingOutcome> {
    const problems: string[] = [];
    if (input.id !== undefined && !BOOKING_ID.test(input.id)) problems.push('id must be 1 to 36 letters, digits or _ . : -');
    if (input.from.getTime() <= this.now().getTime()) problems.push('the booking must start in the future');
    if (input.evseUid && !input.idToken) problems.push('a booking of an EVSE needs the token the charger will hold it for');
    if (problems.length) throw new HubError('invalid', problems.join('; '));
    const location = await this.location(input.locationId);
    if (input.evseUid && !(location.evses ?? []).some((e) => e.uid === input.evseUid)) {
      throw new HubError('not_found', `Location ${location.id} has no EVSE ${input.evseUid}`);
    }
    const capacity = await this.capacityOf(location);
    const id = input.id ?? randomUUID();
    const request: CoreBooking = {
      id,
      locationId: location.id,
      ...(input.evseUid && { evseUid: input.evseUid }),
      from: input.from,
      until: input.until,
      ...(input.powerW !== undefined && { powerW: input.powerW }),
      ...(input.energyWh !== undefined && { energyWh: input.energyWh }),
    };
    const outcome = await this.deps.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`own-bookings:${location.id}`]);
      const existing = (await this.holding(location.id, tx)).map((r) => this.core(r));
      const decision = decideBooking(request, existing, capacity);
      if (!decision.accepted) return { accepted: false as const, refusals: decision.refusals };
      const [known]: { id: string }[] = await tx.query(`SELECT id FROM own_bookings WHERE id = $1`, [id]);
      if (known) throw new HubError('conflict', `A booking with id ${id} exists`);
      const rows: BookingRow[] = await tx.query(
        `INSERT INTO own_bookings (id, location_id, evse_uid, window_from, window_until, power_w, requester, id_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [id, location.id, input.evseUid ?? null, input.from, input.until, reservedPowerW(request), JSON.stringify(input.requester), input.idToken ?? null],
      );
      return { accepted: true as const, row: rows[0] };
    });
    if (!outcome.accepted) return { accepted: false, refusals: outcome.refusals, message: refusalMessage(outcome.refusals) };
    const booking = this.toBooking(outcome.row);
    await this.changed(booking);
    return { accepted: true, booking };
  }

  async get(id: string): Promise<OwnBooking | undefined> {
    const rows: BookingRow[] = await this.deps.db.query(`SELECT * FROM own_bookings WHERE id = $1`, [id]);
    return rows[0] && this.toBooking(rows[0]);
  }

  async require(id: string): Promise<OwnBooking> {
    const booking = await this.get(id);
    if (!booking) throw new HubError('not_found', `No booking with id ${id}`);
    return booking;
  }

  /** The booking an eMSP made with `request_id`, if any. */
  async byRequest(requester: { country_code: string; party_id: string }, requestId: string): Promise<OwnBooking | undefined> {
    const rows: BookingRow[] = await this.deps.db.query(
      `SELECT * FROM own_bookings WHERE requester->>'country_code' = $1 AND requester->>'party_id' = $2 AND requester->>'request_id' = $3`,
      [requester.country_code, requester.party_id, requestId],
    );
    return rows[0] && this.toBooking(rows[0]);
  }

  /** Bookings overlapping [from, to), of a location and in a status when given, earliest first. */
  async list(
    filter: { locationId?: string; status?: OwnBookingStatus; from?: Date; to?: Date; requester?: { country_code: string; party_id: string }; idTokens?: string[] } = {},
  ): Promise<OwnBooking[]> {
    const rows: BookingRow[] = await this.deps.db.query(
      `SELECT * FROM own_bookings
        WHERE ($1::text IS NULL OR location_id = $1) AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR window_until > $3) AND ($4::timestamptz IS NULL OR window_from < $4)
          AND ($5::text IS NULL OR (requester->>'country_code' = $5 AND requester->>'party_id' = $6))
          AND ($7::text[] IS NULL OR id_token = ANY($7))
        ORDER BY window_from, id LIMIT 10000`,
      [
        filter.locationId ?? null,
        filter.status ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.requester?.country_code ?? null,
        filter.requester?.party_id ?? null,
        filter.idTokens ?? null,
      ],
    );
    return rows.map((r) => this.toBooking(r));
  }

  /**
   * Cancels a booking that still holds capacity: its capacity is free at once, a reservation on the
   * charger is cancelled and the EVSE shown AVAILABLE. `late` says whether it came after the free
   * cancellation deadline; the bookings job charges a late one at its no-show deadline (booking-fees.ts).
   */
  async cancel(id: string, canceled: { reason: string; who: 'CPO' | 'EMSP' }): Promise<OwnBooking> {
    const booking = await this.require(id);
    if (booking.status !== 'RESERVED') throw new HubError('conflict', `Booking ${id} is ${booking.status} and cannot be cancelled`);
    const location = await this.location(booking.locationId);
    const terms = cancellationTerms(this.core(rowOf(booking)), this.now(), this.rules, location.time_zone);
    const rows = await updatedRows<BookingRow>(
      this.deps.db,
      `UPDATE own_bookings SET status = 'CANCELED', canceled = $2, updated_at = now() WHERE id = $1 AND status = 'RESERVED' RETURNING *`,
      [id, JSON.stringify({ cancellation_reason: canceled.reason, who_canceled: canceled.who, late: terms.late })],
    );
    if (!rows.length) throw new HubError('conflict', `Booking ${id} changed meanwhile and cannot be cancelled`);
    if (booking.reservationId !== null) await this.releaseOnCharger(booking, 'CANCELLED', true);
    const result = this.toBooking(rows[0]);
    await this.changed(result);
    return result;
  }

  /** Free windows per EVSE of a location over [from, to), given its bookings, capacity and opening times. */
  async availability(query: { locationId: string; evseUid?: string; from: Date; to: Date; powerW: number; minimumMinutes: number }): Promise<{ timeZone: string; windows: FreeWindow[] }> {
    const location = await this.location(query.locationId);
    const evseUids = (location.evses ?? []).map((e) => e.uid).filter((uid) => !query.evseUid || uid === query.evseUid);
    if (query.evseUid && !evseUids.length) throw new HubError('not_found', `Location ${location.id} has no EVSE ${query.evseUid}`);
    if (!evseUids.length) return { timeZone: location.time_zone, windows: [] };
    const days = (query.to.getTime() - query.from.getTime()) / 86_400_000;
    if (!(days > 0 && days <= 31)) throw new HubError('invalid', 'to must be after from, at most 31 days later');
    const windows = findAvailability({
      locationId: location.id,
      evseUids,
      from: query.from,
      days,
      minimumMinutes: query.minimumMinutes,
      powerW: query.powerW,
      bookings: (await this.holding(location.id)).map((r) => this.core(r)),
      capacity: await this.capacityOf(location),
    });
    return { timeZone: location.time_zone, windows };
  }

  /**
   * The scheduled job (every few seconds): bookings whose window has started get their EVSE reserved on
   * the charger, held until the no-show deadline; bookings past it without a session become NO_SHOW
   * and free the EVSE. Returns what it did.
   */
  async tick(now = this.now()): Promise<{ reserved: string[]; noShows: string[]; fees: string[] }> {
    const reserved: string[] = [];
    const noShows: string[] = [];
    const due: BookingRow[] = await this.deps.db.query(
      `SELECT * FROM own_bookings WHERE status = 'RESERVED' AND window_from <= $1 AND (id_token IS NOT NULL OR window_until > $1) ORDER BY window_from, id`,
      [now],
    );
    for (const row of due) {
      const booking = this.toBooking(row);
      // A booking without a token cannot be matched to a session: it holds its capacity for its whole window.
      if (booking.noShowAt.getTime() <= now.getTime() && booking.idToken !== null) {
        if (await this.markNoShow(booking)) noShows.push(booking.id);
      } else if (booking.evseUid && booking.reservationId === null) {
        const ok = await this.reserveOnCharger(booking).catch((error: Error) => {
          this.deps.log.warn({ err: error, booking: booking.id }, 'could not reserve a booked EVSE on its charger');
          return false;
        });
        if (ok) reserved.push(booking.id);
      }
    }
    return { reserved, noShows, fees: await this.chargeFees(now) };
  }

  /**
   * Unused bookings past their no-show deadline and not yet charged: a no-show, or a cancellation after
   * the free cancellation deadline (one cancelled in time is never charged). Answers the CDR ids sent.
   */
  private async chargeFees(now: Date): Promise<string[]> {
    if (!this.deps.chargeFee) return [];
    const rows: BookingRow[] = await this.deps.db.query(
      `SELECT * FROM own_bookings
        WHERE fee_cdr_id IS NULL AND id_token IS NOT NULL AND window_from <= $1
          AND (status = 'NO_SHOW' OR (status = 'CANCELED' AND canceled->>'late' = 'true'))
        ORDER BY window_from, id LIMIT 100`,
      [now],
    );
    const sent: string[] = [];
    for (const booking of rows.map((row) => this.toBooking(row)).filter((b) => b.noShowAt.getTime() <= now.getTime())) {
      const cdrId = await this.deps.chargeFee(booking, now).catch((error: Error) => {
        this.deps.log.error({ err: error, booking: booking.id }, 'could not charge an unused booking');
        return '';
      });
      if (cdrId) sent.push(cdrId);
    }
    return sent;
  }

  /** ReserveNow on the booked EVSE's charger, until the no-show deadline; the EVSE shows RESERVED. */
  private async reserveOnCharger(booking: OwnBooking): Promise<boolean> {
    const charger = (await this.deps.chargers.list()).find((c) => c.locationId === booking.locationId && c.evses.some((m) => m.evseUid === booking.evseUid));
    const mapping = charger?.evses.find((m) => m.evseUid === booking.evseUid);
    if (!charger || !mapping) throw new Error(`No charger is mapped to EVSE ${booking.evseUid} of location ${booking.locationId}`);
    const protocol = await this.deps.calls.protocolOf(charger.id);
    if (!protocol) throw new Error(`The charger ${charger.id} of EVSE ${booking.evseUid} is offline`);
    const [{ id }]: { id: number }[] = await this.deps.db.query(`SELECT nextval('ocpp_reservation_ids')::int AS id`);
    await this.deps.db.query(
      `INSERT INTO ocpp_reservations (id, charger_id, ocpp_connector, location_id, evse_uid, ocpi_reservation_id, requester, id_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, charger.id, mapping.ocppConnector, booking.locationId, booking.evseUid, `booking:${booking.id}`, JSON.stringify(booking.requester), booking.idToken, booking.noShowAt],
    );
    const call = CHARGER_PROTOCOLS[protocol].reserveNow({ reservationId: id, ocppConnector: mapping.ocppConnector, idToken: booking.idToken!, expiresAt: booking.noShowAt });
    const status = answerStatus(await this.deps.calls.call(charger.id, call.action, call.params));
    if (status !== 'Accepted') {
      await this.deps.db.query(`UPDATE ocpp_reservations SET status = 'REFUSED' WHERE id = $1`, [id]);
      throw new Error(`Charger ${charger.id} answered ${String(status)} to ReserveNow`);
    }
    await this.deps.db.query(`UPDATE ocpp_reservations SET status = 'ACTIVE' WHERE id = $1`, [id]);
    await this.deps.db.query(`UPDATE own_bookings SET reservation_id = $2, updated_at = now() WHERE id = $1`, [booking.id, id]);
    await this.deps.evseStatus.show(booking.locationId, booking.evseUid!, 'RESERVED');
    return true;
  }

  /** Ends the charger's reservation of a booking (asked to cancel it, or it expires by itself) and shows the EVSE AVAILABLE. */
  private async releaseOnCharger(booking: OwnBooking, status: 'CANCELLED' | 'EXPIRED', askCharger: boolean): Promise<void> {
    const rows = await updatedRows<{ charger_id: string }>(
      this.deps.db,
      `UPDATE ocpp_reservations SET status = $2 WHERE id = $1 AND status = 'ACTIVE' RETURNING charger_id`,
      [booking.reservationId, status],
    );
    if (!rows.length) return;
    if (askCharger) {
      const protocol = await this.deps.calls.protocolOf(rows[0].charger_id);
      if (protocol) {
        const call = CHARGER_PROTOCOLS[protocol].cancelReservation(booking.reservationId!);
        await this.deps.calls.call(rows[0].charger_id, call.action, call.params).catch((error) => this.deps.log.warn({ err: error, booking: booking.id }, 'the charger did not cancel a booked reservation'));
      }
    }
    if (booking.evseUid) await this.deps.evseStatus.show(booking.locationId, booking.evseUid, 'AVAILABLE');
  }

  private async markNoShow(booking: OwnBooking): Promise<boolean> {
    const rows = await updatedRows<BookingRow>(
      this.deps.db,
      `UPDATE own_bookings SET status = 'NO_SHOW', updated_at = now() WHERE id = $1 AND status = 'RESERVED' RETURNING *`,
      [booking.id],
    );
    if (!rows.length) return false;
    // The charger drops its reservation at the deadline by itself (its expiryDate); the hub's record follows.
    if (booking.reservationId !== null) await this.releaseOnCharger(booking, 'EXPIRED', false);
    await this.changed(this.toBooking(rows[0]));
    return true;
  }

  /**
   * A transaction started: the booking it uses is FULFILLED — the charger's reservation it names, or a
   * booking of the same EVSE (or location, for a capacity booking) and token whose window has begun
   * (an early start counts from the window's start minus its grace).
   */
  async transactionStarted(transaction: Transaction): Promise<void> {
    const at = this.now();
    const rows = await updatedRows<BookingRow>(
      this.deps.db,
      `UPDATE own_bookings SET status = 'FULFILLED', transaction_pk = $5, updated_at = now()
        WHERE id = (SELECT id FROM own_bookings WHERE status = 'RESERVED'
                     AND ((reservation_id IS NOT NULL AND reservation_id = $1)
                          OR (id_token = $2 AND location_id = $3 AND (evse_uid IS NULL OR evse_uid = $4)
                              AND window_from - make_interval(mins => $6) <= $7 AND window_until > $7))
                     ORDER BY window_from LIMIT 1)
        RETURNING *`,
      [transaction.reservationId ?? -1, transaction.idToken ?? '', transaction.locationId ?? '', transaction.evseUid ?? '', transaction.pk, this.deps.config.noShowGraceMinutes, at],
    );
    if (!rows.length) return;
    const booking = this.toBooking(rows[0]);
    if (booking.reservationId !== null) await this.deps.db.query(`UPDATE ocpp_reservations SET status = 'USED' WHERE id = $1 AND status = 'ACTIVE'`, [booking.reservationId]);
    await this.changed(booking);
  }
}

function rowOf(booking: OwnBooking): BookingRow {
  return {
    id: booking.id,
    location_id: booking.locationId,
    evse_uid: booking.evseUid,
    window_from: booking.from,
    window_until: booking.until,
    power_w: booking.powerW,
    status: booking.status,
    requester: booking.requester,
    id_token: booking.idToken,
    reservation_id: booking.reservationId,
    canceled: booking.canceled,
    created_at: booking.createdAt,
    updated_at: booking.updatedAt,
  };
}

/** The refusals in one sentence, for people (the structured list goes with it). */
export function refusalMessage(refusals: BookingRefusal[]): string {
  return refusals
    .map((r) => {
      switch (r.reason) {
        case 'invalid':
          return `invalid: ${r.problems.join('; ')}`;
        case 'evse-taken':
          return `EVSE ${r.evseUid} is booked by ${r.bookingIds.join(', ')} in an overlapping window`;
        case 'closed':
          return `the location is closed ${r.periods.map((p) => `${p.from}–${p.until}`).join(', ')}`;
        case 'over-capacity': {
          const worst = r.slots.reduce((a, b) => (b.overByW > a.overByW ? b : a));
          return `over the site's bookable capacity in ${r.slots.length} slot(s), at most by ${worst.overByW} W (from ${worst.start}: ${worst.capacityW} W, ${worst.bookedW} W booked)`;
        }
      }
    })
    .join('; ');
}
