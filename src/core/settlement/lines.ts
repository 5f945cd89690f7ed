/**
 * A statement line: what one CDR contributes to a statement, read from the CDR as the CPO sent it.
 *
 * Money and quantities are decimal strings, exact: the CDR's JSON numbers are taken digit for digit
 * (decimal.js), never through binary floating point arithmetic, and nothing is rounded (see
 * docs/settlement.md, Rounding).
 */
import Decimal from 'decimal.js';
import { instantMs } from './period';

/** The parts of an OCPI 2.2.1 CDR a statement line reads (a whole CDR fits). */
export interface CdrForSettlement {
  id: string;
  start_date_time: string;
  end_date_time: string;
  session_id?: string;
  currency: string;
  cdr_token: { country_code: string; party_id: string; [field: string]: unknown };
  cdr_location: { id: string; evse_uid: string; evse_id: string };
  charging_periods?: { tariff_id?: string }[];
  tariffs?: { id?: string }[];
  total_cost: { excl_vat: number | string; incl_vat?: number | string };
  total_energy: number | string;
  total_time: number | string;
  total_parking_time?: number | string;
  credit?: boolean;
  credit_reference_id?: string;
}

export interface SettlementLine {
  cdrId: string;
  credit: boolean;
  /** For a credit line: the CDR it credits. */
  creditReferenceId: string | null;
  sessionId: string | null;
  locationId: string;
  evseUid: string;
  evseId: string;
  startDateTime: string;
  endDateTime: string;
  /** kWh, hours, hours; negative on a credit line. */
  energy: string;
  time: string;
  parkingTime: string;
  tariffId: string | null;
  /** total_cost.excl_vat; negative on a credit line. */
  net: string;
  /** gross − net; null when the CDR states no incl_vat (absent VAT is not 0 %). */
  vat: string | null;
  /** total_cost.incl_vat; null when the CDR does not state it. */
  gross: string | null;
}

/** A JSON number (or numeric text) as an exact decimal. `String(n)` of a parsed JSON number is its shortest round-trip form, i.e. the digits written. */
export const exact = (value: number | string): Decimal => new Decimal(typeof value === 'number' ? String(value) : value);

/**
 * The sign policy. The spec has a credit CDR repeat "all the data of the original CDR" with "only the
 * values in the total_cost field" negative (mod_cdrs, Credit CDRs). A credit line takes away what the
 * original brought, so on it every amount and quantity is −|value|, whatever sign the CPO wrote:
 * energy and time net to zero against the original, and a credit never adds money by a sign slip.
 * A normal CDR's values are taken as sent.
 */
export function signed(value: Decimal, credit: boolean): Decimal {
  return credit ? value.abs().negated() : value;
}

/**
 * The tariff a line names: the first charging period's `tariff_id`, else the first tariff carried in
 * the CDR, else none. (Rating one CDR across several tariffs is not supported by the re-rating either.)
 */
export function tariffIdOf(cdr: Pick<CdrForSettlement, 'charging_periods' | 'tariffs'>): string | null {
  return cdr.charging_periods?.[0]?.tariff_id ?? cdr.tariffs?.[0]?.id ?? null;
}

/** The canonical ISO form of an OCPI DateTime (UTC, milliseconds), as stored and shown on lines. */
export const isoInstant = (value: string): string => new Date(instantMs(value)).toISOString();

export function lineOf(cdr: CdrForSettlement): SettlementLine {
  const credit = cdr.credit === true;
  const net = signed(exact(cdr.total_cost.excl_vat), credit);
  const gross = cdr.total_cost.incl_vat === undefined ? null : signed(exact(cdr.total_cost.incl_vat), credit);
  return {
    cdrId: cdr.id,
    credit,
    creditReferenceId: credit ? (cdr.credit_reference_id ?? null) : null,
    sessionId: cdr.session_id ?? null,
    locationId: cdr.cdr_location.id,
    evseUid: cdr.cdr_location.evse_uid,
    evseId: cdr.cdr_location.evse_id,
    startDateTime: isoInstant(cdr.start_date_time),
    endDateTime: isoInstant(cdr.end_date_time),
    energy: signed(exact(cdr.total_energy), credit).toString(),
    time: signed(exact(cdr.total_time), credit).toString(),
    parkingTime: signed(exact(cdr.total_parking_time ?? 0), credit).toString(),
    tariffId: tariffIdOf(cdr),
    net: net.toString(),
    vat: gross === null ? null : gross.minus(net).toString(),
    gross: gross === null ? null : gross.toString(),
  };
}

/** Lines are listed by end time, then CDR id: the order of statements, CSV files and digests. */
export function compareLines(a: Pick<SettlementLine, 'endDateTime' | 'cdrId'>, b: Pick<SettlementLine, 'endDateTime' | 'cdrId'>): number {
  if (a.endDateTime !== b.endDateTime) return a.endDateTime < b.endDateTime ? -1 : 1;
  return a.cdrId < b.cdrId ? -1 : a.cdrId > b.cdrId ? 1 : 0;
}
