/**
 * The OCPI Session and CDR the hub publishes for a transaction at one of its own charge points, built
 * from plain values (no I/O). Prices come from the pricing engine over the very charging periods the
 * record carries, so an eMSP re-rating the CDR against the tariff it names gets the same totals.
 */
import { priceSession, pricingPolicyFor, toPricingInput, type CdrTotals, type PriceAmount } from '../pricing/pricing-core';
import type { Tariff } from '../pricing/tariff.schema';
import { type ChargingPeriod, chargingPeriods, type MeterPoint } from './charging-periods';

/** OCPI CdrToken: who charges, as sessions and CDRs name them (the wire schema in hub/ocpi reads into it). */
export interface CdrToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: string;
  contract_id: string;
}

/** What the hub knows of a transaction when it publishes it. */
export interface TransactionFacts {
  owner: { countryCode: string; partyId: string };
  sessionId: string;
  startedAt: Date;
  /** Absent while it runs. */
  stoppedAt?: Date;
  meterStartWh: number;
  meterStopWh?: number;
  readings: MeterPoint[];
  cdrToken: CdrToken;
  authMethod: 'WHITELIST' | 'AUTH_REQUEST' | 'COMMAND';
  authorizationReference?: string;
  locationId: string;
  evseUid: string;
  connectorId: string;
  meterId?: string;
  /** The tariff as it was when the transaction started. */
  tariff?: Tariff;
  timeZone?: string;
  currency: string;
}

export interface Priced {
  periods: ChargingPeriod[];
  kwh: number;
  /** Absent without a tariff: the hub does not invent a price. */
  totals?: CdrTotals;
}

/** The transaction's periods up to `asOf` (its stop when stopped) and their price under the snapshot tariff. */
export function priceTransaction(facts: TransactionFacts, asOf: Date): Priced {
  const endedAt = facts.stoppedAt ?? asOf;
  const { periods, totalKwh } = chargingPeriods({
    startedAt: facts.startedAt,
    endedAt,
    meterStartWh: facts.meterStartWh,
    meterEndWh: facts.meterStopWh,
    readings: facts.readings,
    tariff: facts.tariff,
    timeZone: facts.timeZone,
  });
  // Without periods the session is still priced: a FLAT fee applies to any session.
  if (!facts.tariff) return { periods, kwh: totalKwh };
  const breakdown = priceSession(
    toPricingInput(
      facts.tariff,
      { start_date_time: facts.startedAt.toISOString(), end_date_time: endedAt.toISOString(), charging_periods: periods },
      facts.timeZone ?? 'UTC',
    ),
    pricingPolicyFor(facts.tariff.currency),
  );
  return { periods, kwh: totalKwh, totals: breakdown };
}

/**
 * The periods of a running session that can no longer change. What follows the last reading is not
 * known yet: the stretch from it to now looks like parking (no energy measured) and the period before
 * it grows when the next reading continues it. So a period is closed only once the next one starts
 * before the last reading; the period running at the last reading and everything after stay out.
 */
export function closedPeriods(periods: ChargingPeriod[], facts: TransactionFacts, now: Date): ChargingPeriod[] {
  const startMs = facts.startedAt.getTime();
  const lastReadingMs = Math.max(startMs, ...facts.readings.map((r) => r.at.getTime()).filter((ms) => ms > startMs && ms < now.getTime()));
  const closed: ChargingPeriod[] = [];
  for (let i = 0; i + 1 < periods.length && Date.parse(periods[i + 1].start_date_time) < lastReadingMs; i++) closed.push(periods[i]);
  return closed;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** OCPI Session (mod_sessions) for a transaction, complete (for a PUT). */
export function sessionRecord(facts: TransactionFacts, priced: Priced, lastUpdated: Date): Record<string, unknown> {
  return {
    country_code: facts.owner.countryCode,
    party_id: facts.owner.partyId,
    id: facts.sessionId,
    start_date_time: iso(facts.startedAt),
    ...(facts.stoppedAt ? { end_date_time: iso(facts.stoppedAt) } : {}),
    kwh: priced.kwh,
    cdr_token: facts.cdrToken,
    auth_method: facts.authMethod,
    ...(facts.authorizationReference ? { authorization_reference: facts.authorizationReference } : {}),
    location_id: facts.locationId,
    evse_uid: facts.evseUid,
    connector_id: facts.connectorId,
    ...(facts.meterId ? { meter_id: facts.meterId } : {}),
    currency: facts.currency,
    charging_periods: priced.periods,
    ...(priced.totals ? { total_cost: priced.totals.total_cost } : {}),
    status: facts.stoppedAt ? 'COMPLETED' : 'ACTIVE',
    last_updated: iso(lastUpdated),
  };
}

/** The CdrLocation fields copied from the Location, EVSE and Connector the session used. */
export function cdrLocation(location: Record<string, any>, evseUid: string, connectorId: string): Record<string, unknown> | undefined {
  const evse = (location.evses ?? []).find((e: { uid: string }) => e.uid === evseUid);
  const connector = evse?.connectors?.find((c: { id: string }) => c.id === connectorId);
  if (!evse || !connector) return undefined;
  return {
    id: location.id,
    ...(location.name ? { name: location.name } : {}),
    address: location.address,
    city: location.city,
    ...(location.postal_code ? { postal_code: location.postal_code } : {}),
    ...(location.state ? { state: location.state } : {}),
    country: location.country,
    coordinates: location.coordinates,
    evse_uid: evse.uid,
    evse_id: evse.evse_id ?? evse.uid,
    connector_id: connector.id,
    connector_standard: connector.standard,
    connector_format: connector.format,
    connector_power_type: connector.power_type,
  };
}

const zero: PriceAmount = { excl_vat: 0, incl_vat: 0 };

/** OCPI CDR (mod_cdrs) of a stopped transaction. */
export function cdrRecord(
  facts: TransactionFacts & { stoppedAt: Date },
  priced: Priced,
  location: Record<string, unknown>,
  lastUpdated: Date,
): Record<string, unknown> {
  const totals = priced.totals;
  const hours = (facts.stoppedAt.getTime() - facts.startedAt.getTime()) / 3_600_000;
  return {
    country_code: facts.owner.countryCode,
    party_id: facts.owner.partyId,
    id: facts.sessionId,
    start_date_time: iso(facts.startedAt),
    end_date_time: iso(facts.stoppedAt),
    session_id: facts.sessionId,
    cdr_token: facts.cdrToken,
    auth_method: facts.authMethod,
    ...(facts.authorizationReference ? { authorization_reference: facts.authorizationReference } : {}),
    cdr_location: location,
    ...(facts.meterId ? { meter_id: facts.meterId } : {}),
    currency: facts.currency,
    ...(facts.tariff ? { tariffs: [facts.tariff] } : {}),
    charging_periods: priced.periods.length ? priced.periods : [{ start_date_time: iso(facts.startedAt), dimensions: [{ type: 'TIME', volume: 0 }] }],
    total_cost: totals?.total_cost ?? zero,
    ...(totals ? { total_fixed_cost: totals.total_fixed_cost } : {}),
    total_energy: priced.kwh,
    ...(totals ? { total_energy_cost: totals.total_energy_cost } : {}),
    total_time: totals?.total_time ?? Math.round(hours * 1e6) / 1e6,
    ...(totals ? { total_time_cost: totals.total_time_cost } : {}),
    ...(totals ? { total_parking_time: totals.total_parking_time, total_parking_cost: totals.total_parking_cost } : {}),
    ...(totals?.total_reservation_cost.excl_vat ? { total_reservation_cost: totals.total_reservation_cost } : {}),
    last_updated: iso(lastUpdated),
  };
}
