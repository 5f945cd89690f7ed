/**
 * Time-based measures from an EVSE's status history: uptime by the UK rule and by a NEVI-style rule,
 * mean time between failures and to recovery. Each instant of the period falls in exactly one class
 * per rule; the classes are plain sums of milliseconds, so totals add across days, EVSEs, locations.
 *
 * How each instant's state is known:
 * - the status in force is the last sample at or before it (statusTime: a charger clock off by more
 *   than 5 minutes is replaced by the time we received the sample; samples are sorted, and of two at
 *   the same time the later given wins);
 * - before the first sample, and after a hub gap until the next sample, the state is NO_DATA: the hub
 *   did not see it, and no data is not "down" (after a hub restart the adapters re-read statuses, which
 *   arrive as new samples);
 * - inside a hub gap it is NO_DATA whatever the last status was;
 * - inside an own charger's offline interval (hub up, OCPP connection lost) it is OFFLINE.
 */
import type { EvseHistory, ExcludedPeriod, ExclusionCause, Interval, StatusSample } from './reliability-input';
import type { EvseStatus } from '../charging/connector-status';
import { statusTime } from './reliability-input';

export interface SegmentState {
  status: EvseStatus | 'NO_DATA';
  offline: boolean;
  cause?: ExclusionCause;
}

export interface Segment extends Interval {
  state: SegmentState;
}

/**
 * The Public Charge Point Regulations 2023 (UK SI 2023/1168), reg. 7:
 * (3)(a) reliable: EVSE status AVAILABLE, CHARGING, RESERVED; (3)(b) ineligible for measurement:
 * UNKNOWN, BLOCKED; (4) not reliable: INOPERATIVE, OUTOFORDER; (5) only the hours the charge point can
 * be accessed count. Our readings where the regulation is silent: PLANNED/REMOVED (not yet / no longer
 * operated) are excluded; an own charger OFFLINE is what we publish as UNKNOWN, so ineligible; NO_DATA
 * (the hub saw nothing) is unmeasured, neither reliable nor not.
 */
export type UkClass = 'reliable' | 'not_reliable' | 'ineligible' | 'excluded' | 'unmeasured';

export function ukClass(state: SegmentState): UkClass {
  if (state.status === 'NO_DATA') return 'unmeasured';
  if (state.cause === 'outside_hours') return 'excluded';
  if (state.offline) return 'ineligible';
  switch (state.status) {
    case 'AVAILABLE':
    case 'CHARGING':
    case 'RESERVED':
      return 'reliable';
    case 'UNKNOWN':
    case 'BLOCKED':
      return 'ineligible';
    case 'INOPERATIVE':
    case 'OUTOFORDER':
      return 'not_reliable';
    case 'PLANNED':
    case 'REMOVED':
      return 'excluded';
  }
}

/**
 * 23 CFR 680.116(b): a port is "up" when hardware and software are online and available for use or in
 * use; µ = ((525,600 − (T_outage − T_excluded)) / 525,600) × 100 over a year of minutes, here over the
 * period's known in-service time. Outage: OUTOFORDER, INOPERATIVE, UNKNOWN (OCPI: "also used when
 * offline") and OFFLINE. Excluded outage: an outage inside an ExcludedPeriod (680.116(b)(4) causes and
 * hours outside operation). Unknown: NO_DATA — out of the denominator, reported apart. Not in service:
 * PLANNED, REMOVED.
 */
export type NeviClass = 'up' | 'outage' | 'excluded_outage' | 'unknown' | 'not_in_service';

export function neviClass(state: SegmentState): NeviClass {
  if (state.status === 'NO_DATA') return 'unknown';
  if (state.status === 'PLANNED' || state.status === 'REMOVED') return 'not_in_service';
  const down = state.offline || state.status === 'OUTOFORDER' || state.status === 'INOPERATIVE' || state.status === 'UNKNOWN';
  if (!down) return 'up';
  return state.cause ? 'excluded_outage' : 'outage';
}

export interface TimeTotals {
  periodMs: number;
  ukReliableMs: number;
  ukNotReliableMs: number;
  ukIneligibleMs: number;
  ukExcludedMs: number;
  /** NO_DATA time: counted by neither rule. */
  unmeasuredMs: number;
  neviUpMs: number;
  neviOutageMs: number;
  neviExcludedOutageMs: number;
  notInServiceMs: number;
  /** Transitions from up to a (non-excluded) outage; unknown time in between does not hide one. */
  failures: number;
}

export const emptyTimeTotals = (): TimeTotals => ({
  periodMs: 0,
  ukReliableMs: 0,
  ukNotReliableMs: 0,
  ukIneligibleMs: 0,
  ukExcludedMs: 0,
  unmeasuredMs: 0,
  neviUpMs: 0,
  neviOutageMs: 0,
  neviExcludedOutageMs: 0,
  notInServiceMs: 0,
  failures: 0,
});

export function addTimeTotals(a: TimeTotals, b: TimeTotals): TimeTotals {
  const out = emptyTimeTotals();
  for (const key of Object.keys(out) as (keyof TimeTotals)[]) out[key] = a[key] + b[key];
  return out;
}

/** The last known up/outage state, carried from one period to the next so a failure at midnight counts once. */
export type LastKnown = 'up' | 'outage' | undefined;

function sortedStatuses(statuses: StatusSample[]): { at: number; status: EvseStatus }[] {
  let ordered = true;
  for (let i = 0; i < statuses.length; i++)
    if (statuses[i].receivedAt !== undefined || (i > 0 && statuses[i].at < statuses[i - 1].at)) {
      ordered = false;
      break;
    }
  if (ordered) return statuses; // the usual case: samples in arrival order, no clock to correct
  return statuses
    .map((s, i) => ({ at: statusTime(s), status: s.status, i }))
    .sort((x, y) => x.at - y.at || x.i - y.i);
}

function covering<T extends Interval>(intervals: T[], at: number): T | undefined {
  for (const interval of intervals) if (interval.from <= at && at < interval.to) return interval;
  return undefined;
}

/** The history's states over [period.from, period.to), as contiguous segments. */
export function segmentsOf(history: Pick<EvseHistory, 'statuses' | 'hubGaps' | 'offline' | 'excluded'>, period: Interval): Segment[] {
  if (!(period.to > period.from)) throw new RangeError(`Empty or inverted period: ${period.from}..${period.to}`);
  const statuses = sortedStatuses(history.statuses);
  const edges: number[] = [period.from, period.to];
  const inside = (t: number) => t > period.from && t < period.to;
  for (const s of statuses) if (inside(s.at)) edges.push(s.at);
  const addEdges = (list: Interval[]) => {
    for (const i of list) {
      if (inside(i.from)) edges.push(i.from);
      if (inside(i.to)) edges.push(i.to);
    }
  };
  addEdges(history.hubGaps);
  addEdges(history.offline);
  addEdges(history.excluded);
  edges.sort((a, b) => a - b);
  const points: number[] = [];
  for (const t of edges) if (points.length === 0 || points[points.length - 1] !== t) points.push(t);
  const segments: Segment[] = [];
  let next = 0; // index of the first status after the current point
  let current: EvseStatus | undefined;
  let currentAt = -Infinity;
  for (let k = 0; k + 1 < points.length; k++) {
    const from = points[k];
    while (next < statuses.length && statuses[next].at <= from) {
      current = statuses[next].status;
      currentAt = statuses[next].at;
      next++;
    }
    let inGap = false;
    let staleAfterGap = false; // a gap that ended after the last status makes it stale until the next one
    for (const g of history.hubGaps) {
      if (g.from <= from && from < g.to) inGap = true;
      else if (g.to <= from && g.to > currentAt) staleAfterGap = true;
    }
    const status: SegmentState['status'] = inGap || staleAfterGap || current === undefined ? 'NO_DATA' : current;
    const offline = status !== 'NO_DATA' && history.offline.length > 0 && covering(history.offline, from) !== undefined;
    const cause = history.excluded.length > 0 ? (covering(history.excluded, from) as ExcludedPeriod | undefined)?.cause : undefined;
    const last = segments[segments.length - 1];
    if (last && last.state.status === status && last.state.offline === offline && last.state.cause === cause) last.to = points[k + 1];
    else segments.push({ from, to: points[k + 1], state: { status, offline, cause } });
  }
  return segments;
}

/** Time totals of the segments, and the last known state to carry into the next period. */
export function timeTotals(segments: Segment[], before: LastKnown = undefined): { totals: TimeTotals; lastKnown: LastKnown } {
  const totals = emptyTimeTotals();
  let lastKnown = before;
  for (const { from, to, state } of segments) {
    const ms = to - from;
    totals.periodMs += ms;
    const uk = ukClass(state);
    if (uk === 'reliable') totals.ukReliableMs += ms;
    else if (uk === 'not_reliable') totals.ukNotReliableMs += ms;
    else if (uk === 'ineligible') totals.ukIneligibleMs += ms;
    else if (uk === 'excluded') totals.ukExcludedMs += ms;
    else totals.unmeasuredMs += ms;
    const nevi = neviClass(state);
    if (nevi === 'up') {
      totals.neviUpMs += ms;
      lastKnown = 'up';
    } else if (nevi === 'outage') {
      totals.neviOutageMs += ms;
      if (lastKnown === 'up') totals.failures++;
      lastKnown = 'outage';
    } else if (nevi === 'excluded_outage') {
      totals.neviOutageMs += ms;
      totals.neviExcludedOutageMs += ms;
    } else if (nevi === 'not_in_service') totals.notInServiceMs += ms;
  }
  return { totals, lastKnown };
}

export const UK_RAPID_TARGET = 0.99;
export const NEVI_TARGET = 0.97;

export interface UptimeFigures {
  /** reliable ÷ (reliable + not reliable); null when nothing was measurable. */
  uk: number | null;
  /** (T − (T_outage − T_excluded)) ÷ T with T the known in-service time; null when T is 0. */
  nevi: number | null;
  /** Share of the period the hub saw nothing (no data ≠ down). */
  unmeasuredShare: number;
  /** Mean up time between failures, ms; null without a failure. */
  mtbfMs: number | null;
  /** Mean outage time per failure (total non-excluded outage ÷ failures), ms; null without a failure. */
  mttrMs: number | null;
}

export function uptimeFigures(t: TimeTotals): UptimeFigures {
  const ukBase = t.ukReliableMs + t.ukNotReliableMs;
  const neviBase = t.neviUpMs + t.neviOutageMs;
  const chargeableOutage = t.neviOutageMs - t.neviExcludedOutageMs;
  return {
    uk: ukBase > 0 ? t.ukReliableMs / ukBase : null,
    nevi: neviBase > 0 ? (neviBase - chargeableOutage) / neviBase : null,
    unmeasuredShare: t.periodMs > 0 ? t.unmeasuredMs / t.periodMs : 0,
    mtbfMs: t.failures > 0 ? t.neviUpMs / t.failures : null,
    mttrMs: t.failures > 0 ? chargeableOutage / t.failures : null,
  };
}
