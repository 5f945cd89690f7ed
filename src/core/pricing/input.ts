/**
 * The engine's input: a compiled Tariff and the CDR's charging periods reduced to a timeline of single-activity
 * segments (reserved, charging, parking) with quantities in exact integer units (ms, mWh).
 *
 * A ChargingPeriod carries totals, not a curve: "A period ends when the next period starts. The last period ends
 * when the session ends." (mod_cdrs, ChargingPeriod). Inside one period the activities are laid out in the only
 * order a session can have them: reserved time first ("A reservation … ends when the driver starts charging"), then
 * charging, then parking ("charging has stopped but EV still connected"), each as long as its volume says.
 */
import type { PricingNote } from './breakdown';
import { compileTariff, type CompiledTariff } from './compiled-tariff';
import { clockFor, type TimeZoneClock } from './local-time';
import * as dateTimes from '../date-time';
import { NoteBook } from './notes';
import type { ChargingPeriod, Tariff } from './tariff.schema';
import * as units from './units';

// Bound once at load: tsx (esbuild) compiles every use of an imported binding to a getter call, which showed
// in the pricing profile on this per-CDR path (issue 19). Same values: these exports are never reassigned.
const { dateTimeMs } = dateTimes;
const { MILLI_WH_PER_KWH, MS_PER_HOUR } = units;

export type Activity = 'RESERVATION' | 'CHARGING' | 'PARKING';

export interface ActivitySegment {
  activity: Activity;
  startMs: number;
  /** Wall-clock length, in which restriction boundaries are looked for. */
  spanMs: number;
  /**
   * Whether the span is billed as time (TIME, PARKING_TIME, or reserved TIME). False for a charging segment whose
   * period reports ENERGY but no TIME: its span only locates the energy in time.
   */
  timeBillable: boolean;
  energyMilliWh: number;
  /** The period's lowest and highest current (A) and power (kW); NaN when not reported, 0 when not charging. */
  currentLow: number;
  currentHigh: number;
  powerLow: number;
  powerHigh: number;
}

export interface PricingInput {
  tariff: CompiledTariff;
  clock: TimeZoneClock;
  /** Start of the Charging Session, the origin of min_duration/max_duration; after any reserved time. */
  sessionStartMs: number;
  /** CDR start_date_time: "in-case of a reservation (before the start of a session) the start of the reservation". */
  reservationStartMs: number;
  sessionEndMs: number;
  /** Selects RESERVATION_EXPIRES elements for reserved time. */
  reservationExpired: boolean;
  segments: ActivitySegment[];
  totalEnergyMilliWh: number;
  totalParkingMs: number;
  /** Anomalies found while normalising; the engine copies them into the breakdown. */
  notes: PricingNote[];
}

/** The parts of a CDR (or a finished Session) that pricing reads; a whole CDR object fits. */
export interface CdrForPricing {
  start_date_time: string;
  end_date_time: string;
  charging_periods: readonly ChargingPeriod[];
}

export interface PricingInputOptions {
  /**
   * Whether the reservation expired "i.e. driver does not start a charging session before expiry_date". OCPI 2.2.1
   * CDRs carry no flag for it, so by default it is inferred: reserved time and nothing else means it expired.
   */
  reservationExpired?: boolean;
}

/** Tolerance before reporting that a period's volumes do not fit between its start and end. */
const VOLUME_TOLERANCE_MS = 60_000;

/**
 * Normalises a validated Tariff and a CDR for priceSession; `timeZone` is the Location's IANA `time_zone`.
 * Odd data becomes notes; only a DateTime that cannot be read at all throws (RangeError), since nothing can be priced
 * without a timeline; validate CDR JSON with the ChargingPeriod schema first.
 */
export function toPricingInput(
  tariff: Tariff,
  cdr: CdrForPricing,
  timeZone: string,
  options: PricingInputOptions = {},
): PricingInput {
  const compiled = compileTariff(tariff);
  const notes = new NoteBook(compiled.notes);
  const clock = resolveClock(timeZone, notes);
  const cdrStartMs = readDateTime(cdr.start_date_time);
  const cdrEndMs = readDateTime(cdr.end_date_time);
  const periods = orderedPeriods(cdr, cdrStartMs, notes);

  const segments: ActivitySegment[] = [];
  let totalEnergyMilliWh = 0;
  let totalParkingMs = 0;
  for (let index = 0; index < periods.length; index++) {
    const { period, startMs } = periods[index];
    const endMs = Math.max(startMs, index + 1 < periods.length ? periods[index + 1].startMs : cdrEndMs);
    const volumes = readVolumes(period, startMs, compiled.id, notes);
    totalEnergyMilliWh += volumes.energyMilliWh;
    totalParkingMs += volumes.parkingMs;
    if (volumes.reservationMs + volumes.chargingMs + volumes.parkingMs > endMs - startMs + VOLUME_TOLERANCE_MS) {
      notes.once('VOLUMES_EXCEED_PERIOD', 'a charging period reports more time than passes before the next one', startMs);
    }
    layOutPeriod(volumes, startMs, endMs, segments);
  }

  let hasReservation = false;
  let firstSessionSegment: ActivitySegment | undefined;
  for (const segment of segments) {
    if (segment.activity === 'RESERVATION') hasReservation = true;
    else firstSessionSegment ??= segment;
  }
  addTariffValidityNote(compiled, cdrStartMs, notes);
  return {
    tariff: compiled,
    clock,
    sessionStartMs: hasReservation ? (firstSessionSegment?.startMs ?? cdrEndMs) : cdrStartMs,
    reservationStartMs: cdrStartMs,
    sessionEndMs: cdrEndMs,
    reservationExpired: options.reservationExpired ?? (hasReservation && !firstSessionSegment),
    segments,
    totalEnergyMilliWh,
    totalParkingMs,
    notes: notes.notes,
  };
}

function readDateTime(value: string): number {
  const ms = dateTimeMs(value);
  if (Number.isNaN(ms)) throw new RangeError(`"${value}" is not an OCPI DateTime`);
  return ms;
}

function resolveClock(timeZone: string, notes: NoteBook): TimeZoneClock {
  try {
    return clockFor(timeZone);
  } catch {
    notes.once('INVALID_TIME_ZONE', `"${timeZone}" is not an IANA time zone; local-time restrictions used UTC`);
    return clockFor('UTC');
  }
}

function orderedPeriods(cdr: CdrForPricing, cdrStartMs: number, notes: NoteBook) {
  // The first period usually starts when the CDR does: the same text needs no second reading.
  const periods = cdr.charging_periods.map((period) => ({
    period,
    startMs: period.start_date_time === cdr.start_date_time ? cdrStartMs : readDateTime(period.start_date_time),
  }));
  if (periods.length === 0) {
    // A session is still a session: an empty period lets a FLAT fee be found.
    notes.once('NO_CHARGING_PERIODS', 'the CDR has no charging periods; only a FLAT fee can apply');
    return [{ period: { start_date_time: '', dimensions: [] } as ChargingPeriod, startMs: cdrStartMs }];
  }
  for (let i = 1; i < periods.length; i++) {
    if (periods[i].startMs < periods[i - 1].startMs) {
      notes.once('PERIODS_OUT_OF_ORDER', 'charging periods were not in chronological order and have been sorted');
      return periods.sort((a, b) => a.startMs - b.startMs);
    }
  }
  return periods;
}

interface PeriodVolumes {
  energyMilliWh: number;
  chargingMs: number;
  parkingMs: number;
  reservationMs: number;
  currentLow: number;
  currentHigh: number;
  powerLow: number;
  powerHigh: number;
}

function readVolumes(period: ChargingPeriod, startMs: number, tariffId: string, notes: NoteBook): PeriodVolumes {
  let energy = 0;
  let charging = 0;
  let parking = 0;
  let reservation = 0;
  let minCurrent = Number.NaN;
  let maxCurrent = Number.NaN;
  let avgCurrent = Number.NaN;
  let minPower = Number.NaN;
  let maxPower = Number.NaN;
  let avgPower = Number.NaN;
  for (const { type, volume } of period.dimensions) {
    const usable = volume >= 0 && Number.isFinite(volume);
    const nonNegative = usable ? volume : 0;
    if (!usable && (type === 'ENERGY' || type === 'TIME' || type === 'PARKING_TIME' || type === 'RESERVATION_TIME')) {
      notes.once('INVALID_VOLUME', `a ${type} volume of ${volume} was read as 0`, startMs);
    }
    switch (type) {
      case 'ENERGY': energy += nonNegative; break;
      case 'TIME': charging += nonNegative; break;
      case 'PARKING_TIME': parking += nonNegative; break;
      case 'RESERVATION_TIME': reservation += nonNegative; break;
      case 'MIN_CURRENT': minCurrent = volume; break;
      case 'MAX_CURRENT': maxCurrent = volume; break;
      case 'CURRENT': avgCurrent = volume; break;
      case 'MIN_POWER': minPower = volume; break;
      case 'MAX_POWER': maxPower = volume; break;
      case 'POWER': avgPower = volume; break;
      default: break; // ENERGY_EXPORT/ENERGY_IMPORT/STATE_OF_CHARGE are "Session Only" and price nothing.
    }
  }
  const named = period.tariff_id;
  if (named != null && named !== tariffId && named.toUpperCase() !== tariffId.toUpperCase()) {
    const message = `a charging period names tariff "${named}", priced with "${tariffId}"`;
    notes.once('TARIFF_ID_MISMATCH', message, startMs);
  }
  return {
    energyMilliWh: Math.round(energy * MILLI_WH_PER_KWH),
    chargingMs: Math.round(charging * MS_PER_HOUR),
    parkingMs: Math.round(parking * MS_PER_HOUR),
    reservationMs: Math.round(reservation * MS_PER_HOUR),
    // With only one of min/max (or only the Session's average) reported, that value stands for the whole range.
    currentLow: firstKnown(minCurrent, avgCurrent, maxCurrent),
    currentHigh: firstKnown(maxCurrent, avgCurrent, minCurrent),
    powerLow: firstKnown(minPower, avgPower, maxPower),
    powerHigh: firstKnown(maxPower, avgPower, minPower),
  };
}

/** The first of three values that is not NaN (three arguments, not a rest list: it runs four times a period). */
function firstKnown(a: number, b: number, c: number): number {
  if (!Number.isNaN(a)) return a;
  if (!Number.isNaN(b)) return b;
  return c;
}

function layOutPeriod(v: PeriodVolumes, startMs: number, endMs: number, into: ActivitySegment[]) {
  let cursor = startMs;
  if (v.reservationMs > 0) {
    into.push(idleSegment('RESERVATION', cursor, v.reservationMs));
    cursor += v.reservationMs;
  }
  const reportsNothing = v.reservationMs === 0 && v.parkingMs === 0 && v.chargingMs === 0 && v.energyMilliWh === 0;
  if (v.chargingMs > 0 || v.energyMilliWh > 0 || reportsNothing) {
    // Energy without TIME still happened somewhere in the period: in whatever the other activities leave of it.
    const spanMs = v.chargingMs > 0 ? v.chargingMs : Math.max(0, endMs - cursor - v.parkingMs);
    into.push({
      activity: 'CHARGING',
      startMs: cursor,
      spanMs,
      timeBillable: v.chargingMs > 0,
      energyMilliWh: v.energyMilliWh,
      currentLow: v.currentLow,
      currentHigh: v.currentHigh,
      powerLow: v.powerLow,
      powerHigh: v.powerHigh,
    });
    cursor += spanMs;
  }
  if (v.parkingMs > 0) {
    into.push(idleSegment('PARKING', cursor, v.parkingMs));
  }
}

/** Reserved or parked: billed by time, no energy, and no current or power, because nothing is charging. */
function idleSegment(activity: Activity, startMs: number, spanMs: number): ActivitySegment {
  // Written out in the charging segment's key order, so every segment has one shape for the engine to read.
  return { activity, startMs, spanMs, timeBillable: true, energyMilliWh: 0, currentLow: 0, currentHigh: 0, powerLow: 0, powerHigh: 0 };
}

function addTariffValidityNote(tariff: CompiledTariff, sessionStartMs: number, notes: NoteBook) {
  // "a driver accepts the tariff which is valid when they start their charging session" (mod_tariffs, NOTE on
  // start_date_time and end_date_time), so validity is checked once, at the start.
  const early = tariff.validFromMs !== undefined && sessionStartMs < tariff.validFromMs;
  // end_date_time: "The time after which this tariff is no longer valid"
  const late = tariff.validUntilMs !== undefined && sessionStartMs > tariff.validUntilMs;
  if (early || late) {
    const message = `tariff "${tariff.id}" is not valid when the session starts; it was applied anyway`;
    notes.once('TARIFF_NOT_ACTIVE', message, sessionStartMs);
  }
}
