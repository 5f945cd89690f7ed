/**
 * One EVSE read from storage, assessed over a report period: the period's additive totals (batch,
 * evseTotals) and its health now — the incremental tracker folded over the last HEALTH_DAYS UTC days
 * before the period's end, which gives the score, its explanation and the alerts of the last day. The
 * health looks back a fixed window whatever the period, because it is a statement about now (the
 * baseline learns in 14 days and forgets in about a month, so older facts would not change it much)
 * and so that a report over a year costs the same health work as one over a week.
 */
import type { EvseHistory, Interval } from './reliability-input';
import { statusTime } from './reliability-input';
import { DAY_MS, type DaySlice, EvseReliabilityTracker } from './reliability-incremental';
import { evseTotals, type ReliabilityTotals } from './reliability-measures';
import type { HealthScore } from './reliability-health';
import type { ReliabilityAlert } from './reliability-alerts';

export const HEALTH_DAYS = 45;

const emptySlice = (): DaySlice => ({ statuses: [], hubGaps: [], offline: [], excluded: [], attempts: [], faults: [], reboots: [], power: [], meter: [] });

/**
 * Cuts a history into `days` day slices from `firstDay` (UTC midnight): point facts into the day that
 * holds them, intervals into every day they overlap, and the status in force at `firstDay` (the last
 * sample before it) and the last hub gap before it into day 0, so the first day starts from what was
 * shown (or from no data, when the hub restarted after it) rather than from nothing.
 */
export function daySlicesOf(h: EvseHistory, firstDay: number, days: number): DaySlice[] {
  const slices = Array.from({ length: days }, emptySlice);
  const end = firstDay + days * DAY_MS;
  const dayOf = (t: number) => Math.floor((t - firstDay) / DAY_MS);
  const point = <T>(items: T[], at: (x: T) => number, pick: (s: DaySlice) => T[]) => {
    for (const x of items) {
      const t = at(x);
      if (t >= firstDay && t < end) pick(slices[dayOf(t)]).push(x);
    }
  };
  const interval = <T extends Interval>(items: T[], pick: (s: DaySlice) => T[]) => {
    for (const x of items) {
      if (x.to <= firstDay || x.from >= end) continue;
      for (let d = Math.max(0, dayOf(x.from)); d <= Math.min(days - 1, dayOf(x.to - 1)); d++) pick(slices[d]).push(x);
    }
  };
  let before: EvseHistory['statuses'][number] | undefined;
  for (const s of h.statuses) {
    const t = statusTime(s);
    if (t < firstDay) {
      if (!before || t >= statusTime(before)) before = s;
    } else if (t < end) slices[dayOf(t)].statuses.push(s);
  }
  if (before && days > 0) slices[0].statuses.unshift(before);
  // Likewise the hub gap that ended last before firstDay: a status older than it is stale (no data), whatever day the slices start.
  let gapBefore: Interval | undefined;
  for (const g of h.hubGaps) if (g.to <= firstDay && (!gapBefore || g.to >= gapBefore.to)) gapBefore = g;
  if (gapBefore && days > 0) slices[0].hubGaps.push(gapBefore);
  point(h.attempts, (a) => a.at, (s) => s.attempts);
  point(h.faults, (t) => t, (s) => s.faults);
  point(h.reboots, (t) => t, (s) => s.reboots);
  point(h.power, (p) => p.at, (s) => s.power);
  point(h.meter, (m) => m.at, (s) => s.meter);
  interval(h.hubGaps, (s) => s.hubGaps);
  interval(h.offline, (s) => s.offline);
  interval(h.excluded, (s) => s.excluded);
  return slices;
}

export interface EvseAssessment {
  totals: ReliabilityTotals;
  health: HealthScore;
  /** The health's window, epoch ms. */
  healthWindow: Interval;
  /** Alerts of the last day of the health window. */
  alerts: ReliabilityAlert[];
}

/** The period's totals and the health at the period's end (see the file's comment). */
export function assessEvse(history: EvseHistory, period: Interval, healthDays = HEALTH_DAYS): EvseAssessment {
  const totals = evseTotals(history, period);
  const lastDay = Math.ceil(period.to / DAY_MS) * DAY_MS;
  const firstDay = lastDay - healthDays * DAY_MS;
  const tracker = new EvseReliabilityTracker(history, firstDay);
  let last: ReturnType<EvseReliabilityTracker['addDay']> | undefined;
  for (const slice of daySlicesOf(history, firstDay, healthDays)) last = tracker.addDay(slice);
  return { totals, health: last!.health, healthWindow: { from: firstDay, to: lastDay }, alerts: last!.alerts };
}

/** The earliest fact an assessment of `period` reads (its period or its health window, whichever starts first). */
export function assessmentStart(period: Interval, healthDays = HEALTH_DAYS): number {
  return Math.min(period.from, Math.ceil(period.to / DAY_MS) * DAY_MS - healthDays * DAY_MS);
}
