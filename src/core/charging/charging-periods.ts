/**
 * A transaction's meter readings turned into OCPI ChargingPeriods (mod_cdrs / mod_sessions).
 *
 * "A Charging Period is a period of time that has relevance for the total costs of a CDR. During a
 * ChargingPeriod, multiple dimensions can be relevant." A new period therefore starts where something
 * that can change the price changes: charging stops or resumes (TIME becomes PARKING_TIME), a local
 * time-of-day, date or weekday boundary named by the tariff passes, the session's duration or energy
 * crosses a min/max restriction, or the measured power or current crosses a restriction threshold.
 * Readings between such points are merged into one period, so a CDR has as few periods as its price
 * needs. No I/O: the transaction side gives the readings and the tariff snapshot.
 */
import { clockFor, DAY_MS, dayNumberOfDate, MINUTE_MS, minuteOfTime } from '../pricing/local-time';
import type { Tariff } from '../pricing/tariff.schema';

export interface MeterPoint {
  at: Date;
  /** The energy register, Wh; readings without one locate power/current only. */
  energyWh?: number;
  powerW?: number;
  currentA?: number;
}

export interface PeriodInput {
  startedAt: Date;
  /** The end of the session (its stop), or now for a running one. */
  endedAt: Date;
  meterStartWh: number;
  /** The last register value (stop value), when known. */
  meterEndWh?: number;
  readings: MeterPoint[];
  tariff?: Tariff;
  /** The Location's IANA time zone, for local-time restrictions. */
  timeZone?: string;
}

export interface CdrDimension {
  type: 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'MAX_POWER' | 'MAX_CURRENT';
  volume: number;
}

export interface ChargingPeriod {
  start_date_time: string;
  dimensions: CdrDimension[];
  tariff_id?: string;
}

export interface PeriodsResult {
  periods: ChargingPeriod[];
  /** kWh charged in the session (the register's rise, never negative). */
  totalKwh: number;
}

/** Energy flowing below this rate over an interval counts as parking (a register's rounding, not a car charging). */
const CHARGING_THRESHOLD_W = 10;

interface Point {
  ms: number;
  wh: number;
  powerW?: number;
  currentA?: number;
}

interface Piece {
  startMs: number;
  endMs: number;
  wh: number;
  charging: boolean;
  powerW?: number;
  currentA?: number;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * The readings as a timeline from start to end with a monotonic register: a reading outside the
 * session, or one lower than an earlier reading (a reset, or a reading out of order), adds no energy.
 */
function timeline(input: PeriodInput): Point[] {
  const startMs = input.startedAt.getTime();
  const endMs = Math.max(startMs, input.endedAt.getTime());
  const readings = input.readings
    .filter((r) => r.at.getTime() > startMs && r.at.getTime() < endMs)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const points: Point[] = [{ ms: startMs, wh: input.meterStartWh }];
  let wh = input.meterStartWh;
  for (const r of readings) {
    if (r.energyWh !== undefined && r.energyWh > wh) wh = r.energyWh;
    points.push({ ms: r.at.getTime(), wh, powerW: r.powerW, currentA: r.currentA });
  }
  const endWh = input.meterEndWh !== undefined && input.meterEndWh > wh ? input.meterEndWh : wh;
  points.push({ ms: endMs, wh: endWh });
  return points;
}

/** The instants inside (fromMs, toMs) where a time-based restriction of the tariff starts or stops to hold. */
function timeBoundaries(tariff: Tariff | undefined, timeZone: string | undefined, sessionStartMs: number, fromMs: number, toMs: number): number[] {
  if (!tariff) return [];
  const clock = timeZone ? safeClock(timeZone) : undefined;
  // local → UTC: the offset at the instant the local time names (found from a first guess).
  const toUtc = (localMs: number) => (clock ? localMs - clock.offsetAt(localMs - clock.offsetAt(localMs)) : localMs);
  const localFrom = fromMs + (clock?.offsetAt(fromMs) ?? 0);
  const localTo = toMs + (clock?.offsetAt(toMs) ?? 0);
  const firstDay = Math.floor(localFrom / DAY_MS);
  const lastDay = Math.floor(localTo / DAY_MS);
  const marks = new Set<number>();
  for (const element of tariff.elements) {
    const r = element.restrictions;
    if (!r) continue;
    const minutes = [r.start_time, r.end_time].filter((t): t is string => !!t).map(minuteOfTime);
    if (r.day_of_week?.length || r.start_date || r.end_date) minutes.push(0); // local midnight
    for (let day = firstDay; day <= lastDay; day++) {
      for (const minute of minutes) marks.add(toUtc(day * DAY_MS + minute * MINUTE_MS));
    }
    for (const date of [r.start_date, r.end_date]) if (date) marks.add(toUtc(dayNumberOfDate(date) * DAY_MS));
    for (const seconds of [r.min_duration, r.max_duration]) if (seconds !== undefined && seconds !== null) marks.add(sessionStartMs + seconds * 1000);
  }
  return [...marks].filter((ms) => ms > fromMs && ms < toMs).sort((a, b) => a - b);
}

function safeClock(timeZone: string) {
  try {
    return clockFor(timeZone);
  } catch {
    return undefined; // the pricing engine notes an invalid zone; periods fall back to UTC
  }
}

/** Cumulative kWh values named by min_kwh/max_kwh restrictions. */
function energyThresholds(tariff: Tariff | undefined): number[] {
  const values = new Set<number>();
  for (const element of tariff?.elements ?? []) {
    for (const kwh of [element.restrictions?.min_kwh, element.restrictions?.max_kwh]) if (kwh !== undefined && kwh !== null && kwh > 0) values.add(kwh * 1000);
  }
  return [...values].sort((a, b) => a - b);
}

/** Which side of every power/current threshold a reading is on: readings on the same side price alike. */
function measurementClass(tariff: Tariff | undefined, powerW?: number, currentA?: number): string {
  const sides: string[] = [];
  for (const element of tariff?.elements ?? []) {
    const r = element.restrictions;
    if (!r) continue;
    for (const kw of [r.min_power, r.max_power]) if (kw !== undefined && kw !== null) sides.push(powerW === undefined ? '?' : powerW / 1000 < kw ? '<' : '>=');
    for (const a of [r.min_current, r.max_current]) if (a !== undefined && a !== null) sides.push(currentA === undefined ? '?' : currentA < a ? '<' : '>=');
  }
  return sides.join('');
}

/** Splits the interval between two readings at the given instants, spreading its energy evenly over time. */
function splitInterval(from: Point, to: Point, cuts: number[]): Piece[] {
  const pieces: Piece[] = [];
  const span = to.ms - from.ms;
  const energy = to.wh - from.wh;
  const charging = span > 0 ? (energy * 3_600_000) / span >= CHARGING_THRESHOLD_W : energy > 0;
  let startMs = from.ms;
  for (const cut of [...cuts.filter((c) => c > from.ms && c < to.ms), to.ms]) {
    const share = span > 0 ? (cut - startMs) / span : 1;
    pieces.push({ startMs, endMs: cut, wh: energy * share, charging, powerW: to.powerW, currentA: to.currentA });
    startMs = cut;
  }
  return pieces;
}

/** The instants in the interval where the cumulative energy crosses a kWh restriction (constant power assumed). */
function energyCuts(from: Point, to: Point, startWh: number, thresholds: number[]): number[] {
  const cuts: number[] = [];
  for (const threshold of thresholds) {
    const wh = startWh + threshold;
    if (wh > from.wh && wh < to.wh) cuts.push(from.ms + ((wh - from.wh) / (to.wh - from.wh)) * (to.ms - from.ms));
  }
  return cuts.map(Math.round);
}

/** The charging periods of a session from its readings, split where the tariff's price can change. */
export function chargingPeriods(input: PeriodInput): PeriodsResult {
  const points = timeline(input);
  const startMs = points[0].ms;
  const endMs = points[points.length - 1].ms;
  const boundaries = timeBoundaries(input.tariff, input.timeZone, startMs, startMs, endMs);
  const thresholds = energyThresholds(input.tariff);

  const pieces: Piece[] = [];
  const periodStarts = new Set(boundaries);
  for (let i = 1; i < points.length; i++) {
    const crossings = energyCuts(points[i - 1], points[i], input.meterStartWh, thresholds);
    for (const ms of crossings) periodStarts.add(ms);
    pieces.push(...splitInterval(points[i - 1], points[i], [...boundaries, ...crossings].sort((a, b) => a - b)));
  }

  const periods: ChargingPeriod[] = [];
  let current: { startMs: number; endMs: number; wh: number; charging: boolean; cls: string; maxPowerW?: number; maxCurrentA?: number } | undefined;
  const flush = () => {
    // A period without duration counts only when energy flowed in it: a start and stop within the same
    // second of a whole-second clock still charged its kWh.
    if (!current || current.endMs < current.startMs || (current.endMs === current.startMs && !(current.charging && current.wh > 0))) return;
    const hours = round((current.endMs - current.startMs) / 3_600_000, 6);
    const dimensions: CdrDimension[] = current.charging
      ? [
          { type: 'ENERGY', volume: round(current.wh / 1000, 4) },
          { type: 'TIME', volume: hours },
        ]
      : [{ type: 'PARKING_TIME', volume: hours }];
    if (current.charging && current.maxPowerW !== undefined) dimensions.push({ type: 'MAX_POWER', volume: round(current.maxPowerW / 1000, 3) });
    if (current.charging && current.maxCurrentA !== undefined) dimensions.push({ type: 'MAX_CURRENT', volume: round(current.maxCurrentA, 2) });
    periods.push({ start_date_time: new Date(current.startMs).toISOString(), dimensions, ...(input.tariff ? { tariff_id: input.tariff.id } : {}) });
  };
  for (const piece of pieces) {
    const cls = measurementClass(input.tariff, piece.powerW, piece.currentA);
    if (!current || current.charging !== piece.charging || current.cls !== cls || periodStarts.has(piece.startMs)) {
      flush();
      current = { startMs: piece.startMs, endMs: piece.endMs, wh: piece.wh, charging: piece.charging, cls };
    } else {
      current!.endMs = piece.endMs;
      current!.wh += piece.wh;
    }
    if (piece.powerW !== undefined) current!.maxPowerW = Math.max(current!.maxPowerW ?? 0, piece.powerW);
    if (piece.currentA !== undefined) current!.maxCurrentA = Math.max(current!.maxCurrentA ?? 0, piece.currentA);
  }
  flush();
  const totalKwh = round(Math.max(0, points[points.length - 1].wh - input.meterStartWh) / 1000, 4);
  return { periods, totalKwh };
}
