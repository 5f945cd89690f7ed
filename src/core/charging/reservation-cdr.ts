/**
 * The OCPI CDR of a booking that was not used: a no-show, or a cancellation after the free
 * cancellation deadline. OCPI 2.2.1 prices reservations through Tariff Elements with a `reservation`
 * restriction (mod_tariffs, ReservationRestrictionType: RESERVATION "costs for a reservation",
 * RESERVATION_EXPIRES "costs for a reservation that expires (i.e. driver does not start a charging
 * session before expiry_date of the reservation)") and carries the reserved time as a RESERVATION_TIME
 * dimension (mod_cdrs, CdrDimensionType). A CDR "of a reservation that never became a charging session"
 * has no session_id, and its start_date_time is "the start of the reservation".
 *
 * Our reading where OCPI is silent: a late cancellation is charged as an expired reservation over the
 * same time as a no-show (the booked start to the no-show deadline), since the EVSE was held for the
 * driver until it could no longer be booked by others; an eMSP re-rating the CDR infers "expired" from a
 * CDR with reserved time only (pricing/input.ts), and gets the same totals.
 */
import { priceSession, pricingPolicyFor, toPricingInput, type CdrTotals } from '../pricing/pricing-core';
import type { Tariff } from '../pricing/tariff.schema';
import type { CdrToken } from './ocpi-records';

export interface UnusedBooking {
  owner: { countryCode: string; partyId: string };
  /** The CDR id (unique per owner). */
  cdrId: string;
  cdrToken: CdrToken;
  authorizationReference?: string;
  /** The booked start: the reservation's start. */
  reservedFrom: Date;
  /** The no-show deadline: until when the EVSE was held. */
  reservedUntil: Date;
  /** The booking's tariff for the token's eMSP, as it is when the fee is charged. */
  tariff: Tariff;
  timeZone: string;
  /** cdrLocation() of the booked EVSE and connector. */
  location: Record<string, unknown>;
  lastUpdated: Date;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What an unused booking costs under its tariff (reservation elements only; nothing when it has none). */
export function unusedBookingCost(booking: Pick<UnusedBooking, 'reservedFrom' | 'reservedUntil' | 'tariff' | 'timeZone'>): CdrTotals {
  return priceSession(
    toPricingInput(booking.tariff, cdrPart(booking), booking.timeZone, { reservationExpired: true }),
    pricingPolicyFor(booking.tariff.currency),
  );
}

function cdrPart(booking: Pick<UnusedBooking, 'reservedFrom' | 'reservedUntil'>) {
  const hours = Math.max(0, booking.reservedUntil.getTime() - booking.reservedFrom.getTime()) / 3_600_000;
  return {
    start_date_time: iso(booking.reservedFrom),
    end_date_time: iso(booking.reservedUntil),
    charging_periods: [{ start_date_time: iso(booking.reservedFrom), dimensions: [{ type: 'RESERVATION_TIME' as const, volume: Math.round(hours * 1e6) / 1e6 }] }],
  };
}

/** The CDR of an unused booking, or undefined when it costs nothing (a tariff without reservation prices). */
export function unusedBookingCdr(booking: UnusedBooking): Record<string, unknown> | undefined {
  const totals = unusedBookingCost(booking);
  if (!totals.total_cost.excl_vat) return undefined;
  const part = cdrPart(booking);
  return {
    country_code: booking.owner.countryCode,
    party_id: booking.owner.partyId,
    id: booking.cdrId,
    ...part,
    cdr_token: booking.cdrToken,
    // The EVSE was held by a reservation the CPO made for the eMSP's booking (ReserveNow: COMMAND).
    auth_method: 'COMMAND',
    ...(booking.authorizationReference ? { authorization_reference: booking.authorizationReference } : {}),
    cdr_location: booking.location,
    currency: booking.tariff.currency,
    tariffs: [booking.tariff],
    total_cost: totals.total_cost,
    total_fixed_cost: totals.total_fixed_cost,
    total_energy: 0,
    total_time: 0,
    total_reservation_cost: totals.total_reservation_cost,
    last_updated: iso(booking.lastUpdated),
  };
}
