/**
 * Month totals: an EVSE's stored days of one calendar month (UTC) summed once, by the job that stores
 * the days, so that a report over a year sums 12 rows per EVSE instead of 365 (docs/reliability.md,
 * "Month totals"). A month is nothing but an aggregate of consecutive stored days (DaysAggregate) with
 * the number of days it holds: a report reads whole months from month totals, the whole days at its
 * edges from day totals and its partial days from the facts, and merges them in order — the days path's
 * sums regrouped, so the same result: exactly for counts and milliseconds (integers), and for energies as
 * long as they are whole Wh (a double's last bits may differ for fractions, as between the days path and
 * the facts already). A month holding fewer days than the calendar's is one with a stored day missing:
 * the EVSE is read as the days path reads it then (from the facts).
 */
import type { Interval } from './reliability-input';
import { DAY_MS, type FailingStreak } from './reliability-incremental';
import { aggregateDays, mergeAggregates, type DaysAggregate, type EvseDay } from './reliability-days';

/** Start of the UTC calendar month holding `t`. */
export function monthStartOf(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the UTC calendar month after the one holding `t`. */
export function nextMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Days of a month of stored days (a report over months expects this many from each). */
export const daysInMonth = (month: number): number => Math.round((nextMonthStart(month) - month) / DAY_MS);

/** Consecutive stored days summed (DaysAggregate) with how many days were found. */
export interface CountedAggregate extends DaysAggregate {
  days: number;
}

export const countedOfDays = (days: EvseDay[]): CountedAggregate => ({ ...aggregateDays(days), days: days.length });

/** Runs of consecutive stored days, in time order, as one (what a period's whole days sum to). */
export function mergeCounted(runs: CountedAggregate[]): CountedAggregate {
  if (runs.length === 0) throw new RangeError('No runs to merge');
  return runs.slice(1).reduce((a, b) => ({ ...mergeAggregates(a, b), days: a.days + b.days }), runs[0]);
}

/**
 * Whole days [from, to) (UTC midnights) cut into the calendar months they wholly hold and the days
 * before and after those months; without a whole month, all of it is `head`.
 */
export interface DaysByMonth {
  head: Interval | null;
  months: Interval | null;
  tail: Interval | null;
}

export function splitByMonths(whole: Interval): DaysByMonth {
  const first = whole.from === monthStartOf(whole.from) ? whole.from : nextMonthStart(whole.from);
  const last = monthStartOf(whole.to);
  if (last <= first) return { head: whole, months: null, tail: null };
  return {
    head: first > whole.from ? { from: whole.from, to: first } : null,
    months: { from: first, to: last },
    tail: whole.to > last ? { from: last, to: whole.to } : null,
  };
}

/** What a run of days does to the run of attempts in a row that did not start (`a` before `b`). */
export const mergeStreaks = (a: FailingStreak, b: FailingStreak): FailingStreak => ({
  succeeded: a.succeeded || b.succeeded,
  notStartedSince: b.succeeded ? b.notStartedSince : a.notStartedSince + b.notStartedSince,
});

/**
 * A stored month (reliability_evse_months): its stored days summed, as the job writes the row from the
 * days of the month it holds (reliability-days-store.ts), and what the month does to the run of failed starts.
 */
export interface EvseMonth {
  /** Start of the month, epoch ms (UTC). */
  month: number;
  sums: CountedAggregate;
  streak: FailingStreak;
}

export function monthOfDays(days: EvseDay[]): EvseMonth {
  if (days.length === 0) throw new RangeError('A month needs a stored day');
  const month = monthStartOf(days[0].day);
  if (days.some((d) => monthStartOf(d.day) !== month)) throw new RangeError('The days of a month must all be in it');
  return { month, sums: countedOfDays(days), streak: days.map((d) => d.edges.streak).reduce(mergeStreaks) };
}
