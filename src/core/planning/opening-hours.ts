/**
 * OCPI `opening_times` (Hours) as intervals of UTC instants. Per OCPI 2.2.1 §8.4.13-8.4.21:
 * - `twentyfourseven`: always open (regular_hours then not used);
 * - `regular_hours`: weekday 1 (Monday) .. 7 (Sunday), period_begin/period_end "HH:MM" in the
 *   location's local time (its `time_zone`);
 * - `exceptional_openings`: UTC periods, "additional to regular_hours";
 * - `exceptional_closings`: UTC periods, "overwriting regular_hours and exceptional_openings".
 * We also let closings apply to a twentyfourseven location (a closed car park is closed). A regular
 * period whose end is at or before its begin is read as running past midnight (the spec says the end
 * "must be later"; we are lenient with what partners send, and "24:00" is read as midnight).
 */
import { parseClock } from '../allocation/site';
import { firstInstantAtWall, localTime } from '../allocation/time-windows';

export interface OcpiRegularHours {
  weekday: number;
  period_begin: string;
  period_end: string;
}

export interface OcpiExceptionalPeriod {
  period_begin: string;
  period_end: string;
}

export interface OcpiHours {
  twentyfourseven: boolean;
  regular_hours?: OcpiRegularHours[];
  exceptional_openings?: OcpiExceptionalPeriod[];
  exceptional_closings?: OcpiExceptionalPeriod[];
}

export interface Interval {
  from: number;
  until: number;
}

/** Every problem with an opening_times object; empty when usable. */
export function validateOpeningTimes(hours: OcpiHours): string[] {
  const problems: string[] = [];
  if (typeof hours.twentyfourseven !== 'boolean') problems.push('twentyfourseven must be a boolean');
  for (const [i, regular] of (hours.regular_hours ?? []).entries()) {
    if (!(Number.isInteger(regular.weekday) && regular.weekday >= 1 && regular.weekday <= 7)) problems.push(`regular_hours[${i}].weekday must be 1..7`);
    if (parseClock(regular.period_begin) === null) problems.push(`regular_hours[${i}].period_begin must be HH:MM`);
    if (parseClock(regular.period_end, true) === null) problems.push(`regular_hours[${i}].period_end must be HH:MM`);
  }
  for (const key of ['exceptional_openings', 'exceptional_closings'] as const) {
    for (const [i, period] of (hours[key] ?? []).entries()) {
      const from = Date.parse(period.period_begin);
      const until = Date.parse(period.period_end);
      if (!Number.isFinite(from) || !Number.isFinite(until)) problems.push(`${key}[${i}]: period_begin and period_end must be date-times`);
      else if (until <= from) problems.push(`${key}[${i}]: period_end must be after period_begin`);
    }
  }
  if (hours.twentyfourseven === false && (hours.regular_hours ?? []).length === 0 && (hours.exceptional_openings ?? []).length === 0) {
    // OCPI: regular_hours "needs to contain at least one RegularHours object" when not 24/7. Read as closed
    // except exceptional openings, but tell the caller.
    problems.push('not twentyfourseven and no regular_hours: the location is never open');
  }
  return problems;
}

/** Sorted, merged union of intervals. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.until > i.from).sort((a, b) => a.from - b.from);
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && interval.from <= last.until) last.until = Math.max(last.until, interval.until);
    else out.push({ ...interval });
  }
  return out;
}

/** `intervals` minus `cuts` (both merged first). */
export function subtractIntervals(intervals: readonly Interval[], cuts: readonly Interval[]): Interval[] {
  let result = mergeIntervals(intervals);
  for (const cut of mergeIntervals(cuts)) {
    result = result.flatMap((i) => {
      if (cut.until <= i.from || cut.from >= i.until) return [i];
      const parts: Interval[] = [];
      if (cut.from > i.from) parts.push({ from: i.from, until: cut.from });
      if (cut.until < i.until) parts.push({ from: cut.until, until: i.until });
      return parts;
    });
  }
  return result;
}

/**
 * The intervals within [fromMs, untilMs) during which the location is open, in UTC milliseconds.
 * Local wall-clock times are turned into instants with the zone's rules, so a day with a DST change
 * has its real length (an 08:00-20:00 period is 11 or 13 hours only if it spans the change at night —
 * it does not, so it stays 12 hours; a 00:00-24:00 period is 23 or 25 hours).
 */
export function openIntervals(hours: OcpiHours, timeZone: string, fromMs: number, untilMs: number): Interval[] {
  const open: Interval[] = [];
  if (hours.twentyfourseven) {
    open.push({ from: fromMs, until: untilMs });
  } else {
    const first = localTime(fromMs, timeZone);
    const days = Math.ceil((untilMs - fromMs) / 86_400_000) + 2;
    for (let offset = -1; offset <= days; offset++) {
      const date = Date.UTC(first.year, first.month - 1, first.day + offset);
      // OCPI weekday: 1 = Monday .. 7 = Sunday; getUTCDay: 0 = Sunday.
      const weekday = ((new Date(date).getUTCDay() + 6) % 7) + 1;
      for (const regular of hours.regular_hours ?? []) {
        if (regular.weekday !== weekday) continue;
        const begin = parseClock(regular.period_begin);
        const end = parseClock(regular.period_end, true);
        if (begin === null || end === null) continue;
        const endMinutes = end > begin ? end : end + 1440;
        open.push({
          from: firstInstantAtWall(date + begin * 60_000, timeZone),
          until: firstInstantAtWall(date + endMinutes * 60_000, timeZone),
        });
      }
    }
  }
  for (const period of hours.exceptional_openings ?? []) open.push({ from: Date.parse(period.period_begin), until: Date.parse(period.period_end) });
  const closings = (hours.exceptional_closings ?? []).map((period) => ({ from: Date.parse(period.period_begin), until: Date.parse(period.period_end) }));
  const clipped = subtractIntervals(open, closings)
    .map((i) => ({ from: Math.max(i.from, fromMs), until: Math.min(i.until, untilMs) }))
    .filter((i) => i.until > i.from);
  return mergeIntervals(clipped);
}

/** Whether [fromMs, untilMs) lies wholly within one open interval. */
export function isOpenThroughout(open: readonly Interval[], fromMs: number, untilMs: number): boolean {
  return open.some((i) => i.from <= fromMs && untilMs <= i.until);
}
