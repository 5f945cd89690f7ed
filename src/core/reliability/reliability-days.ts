/**
 * Day totals: an EVSE's measures of one UTC day, kept so that a period's report sums stored days
 * instead of reading every fact again (docs/reliability.md, "Day totals").
 *
 * A stored day holds the totals the incremental tracker would give that day after every day before it
 * (evseTotals with the carry the previous day left: last up/outage state, drivers' last attempts, last
 * meter reading) — so whole days add up with plain sums, in SQL — and the few facts of its edges that
 * let a period *starting* anywhere be computed as if read alone from its start, which is what a report
 * over raw facts does (the state before the period is not carried into it):
 *
 * - a failure counted at the day's first known state only because the day before ended up;
 * - retries counted as such only because of an attempt the day before (with that attempt's time);
 * - a meter anomaly found only against the reading of the day before;
 * - what the day does to the run of failed starts, and the status at its end (the health's alerts);
 * - what it leaves to the next day (the carry), so the next stored day and a partial day after the
 *   last stored one start from it.
 *
 * Read alone from a period's start, the carry into the first whole day is either the true one (when a
 * partial day before it saw a fact of that kind) or none at all; the corrections below follow from that.
 */
import type { EvseStatus } from '../charging/connector-status';
import type { EvseHistory, Interval, MeterReading, StatusSample } from './reliability-input';
import { statusTime } from './reliability-input';
import { addTotals, emptyCarry, emptyTotals, evseTotals, type Carry, type ReliabilityTotals } from './reliability-measures';
import { neviClass, segmentsOf, type LastKnown } from './reliability-timeline';
import { attemptOutcome, inTimeOrder, meterPairAnomalous, RETRY_WINDOW_MS } from './reliability-success';
import { DAY_MS, EvseReliabilityTracker, failingStreakOf, statusAtEnd, type DayResult, type EvseIdentity, type FailingStreak } from './reliability-incremental';
import { HEALTH_DAYS } from './reliability-assessment';

/** What a day leaves to the next one (the tracker's carry, as plain data). */
export interface DayCarryOut {
  lastKnown: LastKnown;
  /** Drivers' last attempts still within RETRY_WINDOW_MS of the day's end: [driver key, time]. */
  drivers: [string, number][];
  meter?: MeterReading;
}

export interface DayEdges {
  /** The day has a known up or outage state (NEVI up or outage). */
  known: boolean;
  /** 1 when the day's first known state is an outage counted as a failure because the day before ended up. */
  carryFailure: 0 | 1;
  /** Attempts that were retries only because of an attempt before the day: [that attempt's time, 1 if this one succeeded]. */
  carryRetries: [number, 0 | 1][];
  /** The day has a meter reading. */
  meter: boolean;
  /** 1 when the day's first reading is an anomaly against the last reading before the day. */
  carryMeterAnomaly: 0 | 1;
  streak: FailingStreak;
  /** The status at the day's end as the health's alerts read it. */
  endStatus: EvseStatus | 'NO_DATA';
  carryOut: DayCarryOut;
}

export interface EvseDay {
  /** Start of the day, epoch ms (UTC midnight). */
  day: number;
  totals: ReliabilityTotals;
  edges: DayEdges;
}

export const carryOf = (out?: DayCarryOut): Carry =>
  out ? { lastKnown: out.lastKnown, lastAttemptByDriver: new Map(out.drivers), ...(out.meter && { lastMeterReading: out.meter }) } : emptyCarry();

const carryOutOf = (c: Carry): DayCarryOut => ({ lastKnown: c.lastKnown, drivers: [...c.lastAttemptByDriver], ...(c.lastMeterReading && { meter: c.lastMeterReading }) });

/** The last status in force before `at` (the latest by the clock rule; of equal times the later given). */
function lastStatusBefore(statuses: StatusSample[], at: number): StatusSample | undefined {
  let last: StatusSample | undefined;
  for (const s of statuses) if (statusTime(s) < at && (!last || statusTime(s) >= statusTime(last))) last = s;
  return last;
}

/** The hub gap begun before `at` that ended last. */
function lastGapBefore(gaps: Interval[], at: number): Interval | undefined {
  let last: Interval | undefined;
  for (const g of gaps) if (g.from < at && (!last || g.to >= last.to)) last = g;
  return last;
}

/** The status at `at` as the health's alerts read it (the tracker's rule). */
export const statusOfHistoryAt = (h: Pick<EvseHistory, 'statuses' | 'hubGaps'>, at: number) => statusAtEnd(lastStatusBefore(h.statuses, at), lastGapBefore(h.hubGaps, at), at);

/**
 * One day of an EVSE: `history` holds the day's facts (and the status in force before it, and the hub
 * gaps before it), `carryIn` what the day before left (none for the first day computed).
 */
export function evseDay(history: EvseHistory, day: number, carryIn?: DayCarryOut): EvseDay {
  const period = { from: day, to: day + DAY_MS };
  const carry = carryOf(carryIn);
  const before = carryOf(carryIn);
  const totals = evseTotals(history, period, carry);

  let first: 'up' | 'outage' | undefined;
  for (const s of segmentsOf(history, period)) {
    const c = neviClass(s.state);
    if (c === 'up' || c === 'outage') {
      first = c;
      break;
    }
  }
  const carryRetries: [number, 0 | 1][] = [];
  const seen = new Set<string>();
  for (const a of inTimeOrder(history.attempts, period.from, period.to)) {
    const outcome = attemptOutcome(a);
    if (outcome === 'refused_token' || outcome === 'pending' || a.driverKey === undefined || seen.has(a.driverKey)) continue;
    seen.add(a.driverKey);
    const prior = before.lastAttemptByDriver.get(a.driverKey);
    if (prior !== undefined && a.at - prior <= RETRY_WINDOW_MS) carryRetries.push([prior, outcome === 'success' ? 1 : 0]);
  }
  const readings = inTimeOrder(history.meter, period.from, period.to);
  return {
    day,
    totals,
    edges: {
      known: first !== undefined,
      carryFailure: before.lastKnown === 'up' && first === 'outage' ? 1 : 0,
      carryRetries,
      meter: readings.length > 0,
      carryMeterAnomaly: before.lastMeterReading && readings.length > 0 && meterPairAnomalous(before.lastMeterReading, readings[0], history.maxPowerKw) ? 1 : 0,
      streak: failingStreakOf(history.attempts, period.from, period.to),
      endStatus: statusOfHistoryAt(history, period.to),
      carryOut: carryOutOf(carry),
    },
  };
}

/**
 * Consecutive stored days summed — what the report's SQL gives per EVSE (reliability-days-store.ts):
 * the sum of their totals, the first day's carried retries, the carried failure of the first day with
 * a known state and the carried meter anomaly of the first day with a reading (null: no such day), and
 * what the last day left.
 */
export interface DaysAggregate {
  totals: ReliabilityTotals;
  firstCarryRetries: [number, 0 | 1][];
  firstKnownCarryFailure: 0 | 1 | null;
  firstMeterCarryAnomaly: 0 | 1 | null;
  lastCarryOut: DayCarryOut;
}

export function aggregateDays(days: EvseDay[]): DaysAggregate {
  if (days.length === 0) throw new RangeError('No days to aggregate');
  let totals = emptyTotals();
  for (const d of days) totals = addTotals(totals, d.totals);
  return {
    totals,
    firstCarryRetries: days[0].edges.carryRetries,
    firstKnownCarryFailure: days.find((d) => d.edges.known)?.edges.carryFailure ?? null,
    firstMeterCarryAnomaly: days.find((d) => d.edges.meter)?.edges.carryMeterAnomaly ?? null,
    lastCarryOut: days[days.length - 1].edges.carryOut,
  };
}

/** Two aggregates of consecutive runs of days (`a` before `b`) as one. */
export function mergeAggregates(a: DaysAggregate, b: DaysAggregate): DaysAggregate {
  return {
    totals: addTotals(a.totals, b.totals),
    firstCarryRetries: a.firstCarryRetries,
    firstKnownCarryFailure: a.firstKnownCarryFailure ?? b.firstKnownCarryFailure,
    firstMeterCarryAnomaly: a.firstMeterCarryAnomaly ?? b.firstMeterCarryAnomaly,
    lastCarryOut: b.lastCarryOut,
  };
}

/** Whole UTC days inside a period: [from, to) rounded inwards; null when the period holds none. */
export function wholeDaysOf(period: Interval): Interval | null {
  const from = Math.ceil(period.from / DAY_MS) * DAY_MS;
  const to = Math.floor(period.to / DAY_MS) * DAY_MS;
  return to > from ? { from, to } : null;
}

/**
 * Removes from stored days' sums what only the carry into the first day caused, given the carry the
 * period really has there (`head`: what a partial day before them left, read alone; empty without one).
 * Retries count as such only when the attempt before is inside the period (at or after `periodFrom`).
 */
function correctStart(t: ReliabilityTotals, agg: Pick<DaysAggregate, 'firstCarryRetries' | 'firstKnownCarryFailure' | 'firstMeterCarryAnomaly'>, head: Carry, periodFrom: number): ReliabilityTotals {
  const out: ReliabilityTotals = { time: { ...t.time }, sessions: { ...t.sessions }, events: { ...t.events } };
  for (const [prior, success] of agg.firstCarryRetries)
    if (prior < periodFrom) {
      out.sessions.visits++;
      out.sessions.firstAttemptSuccesses += success;
    }
  if (head.lastKnown === undefined && agg.firstKnownCarryFailure) out.time.failures -= agg.firstKnownCarryFailure;
  if (head.lastMeterReading === undefined && agg.firstMeterCarryAnomaly) out.sessions.meterAnomalies -= agg.firstMeterCarryAnomaly;
  return out;
}

/** The carry after the stored days, as the period read alone has it there. */
function carryAfter(agg: DaysAggregate, head: Carry): Carry {
  return {
    lastKnown: head.lastKnown !== undefined || agg.firstKnownCarryFailure !== null ? agg.lastCarryOut.lastKnown : undefined,
    lastAttemptByDriver: new Map(agg.lastCarryOut.drivers),
    ...((head.lastMeterReading !== undefined || agg.firstMeterCarryAnomaly !== null) && agg.lastCarryOut.meter && { lastMeterReading: agg.lastCarryOut.meter }),
  };
}

/**
 * A period's totals from the stored days it wholly holds (`whole`, summed in `agg`) and the raw facts
 * of its partial days before and after them (`history`: facts of those edges): equal to
 * evseTotals(history of the whole period, period).
 */
export function periodTotalsFromDays(history: EvseHistory, period: Interval, whole: Interval, agg: DaysAggregate): ReliabilityTotals {
  const head = emptyCarry();
  let totals = emptyTotals();
  if (period.from < whole.from) totals = evseTotals(history, { from: period.from, to: whole.from }, head);
  totals = addTotals(totals, correctStart(agg.totals, agg, head, period.from));
  if (whole.to < period.to) totals = addTotals(totals, evseTotals(history, { from: whole.to, to: period.to }, carryAfter(agg, head)));
  return totals;
}

/**
 * The totals the health fold reads of a day (dailySignals, and the tracker's success-rate window):
 * the health's window is read with these columns only (reliability-days-store.ts). A test folds days
 * holding nothing else and compares the health with the full days' (reliability-days.test.ts).
 */
export const HEALTH_TOTALS: { time: (keyof ReliabilityTotals['time'])[]; sessions: (keyof ReliabilityTotals['sessions'])[]; events: (keyof ReliabilityTotals['events'])[] } = {
  time: ['ukReliableMs', 'ukNotReliableMs'],
  sessions: ['attempts', 'successes', 'notStarted', 'endedAbnormally', 'powerSamples', 'powerShortfalls', 'meterAnomalies'],
  events: ['faults', 'reboots', 'disconnects'],
};

/** What the health fold needs of a stored day. */
export interface HealthDay {
  day: number;
  /** The day's totals: only HEALTH_TOTALS are read (the others may be 0). */
  totals: ReliabilityTotals;
  meter: boolean;
  carryMeterAnomaly: 0 | 1;
  streak: FailingStreak;
  endStatus: EvseStatus | 'NO_DATA';
}

/** The stored days of a health window, in day order, and the last meter reading the last of them left (its carry). */
export interface HealthWindow {
  days: HealthDay[];
  lastMeter?: MeterReading;
}

export function healthWindowOf(days: EvseDay[]): HealthWindow {
  const lastMeter = days.length > 0 ? days[days.length - 1].edges.carryOut.meter : undefined;
  return {
    days: days.map(({ day, totals, edges }) => ({ day, totals, meter: edges.meter, carryMeterAnomaly: edges.carryMeterAnomaly, streak: edges.streak, endStatus: edges.endStatus })),
    ...(lastMeter && { lastMeter }),
  };
}

/**
 * The health over the window of HEALTH_DAYS days from `firstDay` (as assessEvse reads it) from the
 * stored days of the window and, when the window's last day is not stored (today), that day's raw facts
 * in `lastDay` (its facts up to the period's end). Equal to the tracker folded over the raw facts in
 * health, explanation and alerts; the result's totals hold what the health reads (HEALTH_TOTALS) — a
 * report's period totals come from periodTotalsFromDays.
 */
export function healthFromDays(identity: EvseIdentity, firstDay: number, stored: HealthWindow, lastDay?: EvseHistory, healthDays = HEALTH_DAYS): DayResult {
  if (stored.days.length + (lastDay ? 1 : 0) !== healthDays) throw new RangeError(`The health window needs ${healthDays} days, got ${stored.days.length}${lastDay ? ' + 1' : ''}`);
  const tracker = new EvseReliabilityTracker(identity, firstDay);
  let last: DayResult | undefined;
  let anyMeter = false;
  for (const d of stored.days) {
    // Read alone from the window's start: an anomaly against the reading before the window is none.
    const totals = !anyMeter && d.carryMeterAnomaly ? { ...d.totals, sessions: { ...d.totals.sessions, meterAnomalies: d.totals.sessions.meterAnomalies - d.carryMeterAnomaly } } : d.totals;
    anyMeter ||= d.meter;
    last = tracker.addComputedDay(totals, d.streak, d.endStatus);
  }
  if (lastDay) {
    const from = firstDay + stored.days.length * DAY_MS;
    const to = from + DAY_MS;
    const carry: Carry = { ...emptyCarry(), ...(anyMeter && stored.lastMeter && { lastMeterReading: stored.lastMeter }) };
    last = tracker.addComputedDay(evseTotals(lastDay, { from, to }, carry), failingStreakOf(lastDay.attempts, from, to), statusOfHistoryAt(lastDay, to));
  }
  return last!;
}
