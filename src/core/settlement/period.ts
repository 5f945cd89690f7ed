/**
 * Settlement periods. A CDR belongs to the period that holds its `end_date_time` (the moment the
 * session was finished and became billable). Periods are half-open [start, end) calendar days in the
 * time zone of the statement's CPO/eMSP pair (UTC unless the pair has one set: a month in
 * Europe/Amsterdam is not a UTC month): monthly (the default), weekly (ISO weeks, Monday to Monday)
 * and daily. Days are calendar days, so a period across a DST change is an hour longer or shorter.
 * An OCPI DateTime without a zone is UTC (types.asciidoc, DateTime).
 */
import { dateTimeMs } from '../date-time';
import { clockFor } from '../pricing/local-time';

export const PERIOD_KINDS = ['monthly', 'weekly', 'daily'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** PostgreSQL's date_trunc unit for each kind: the SQL side truncates with exactly these (SET timezone = 'UTC'). */
export const SQL_TRUNC_UNIT: Record<PeriodKind, string> = { monthly: 'month', weekly: 'week', daily: 'day' };

export interface Period {
  kind: PeriodKind;
  /** First day, `YYYY-MM-DD` (UTC). */
  start: string;
  /** First day after the period, `YYYY-MM-DD` (exclusive). */
  end: string;
  /** How people name it: `2024-03` for a month, the first day `2024-03-04` for a week or a day. */
  label: string;
}

const DAY_MS = 86_400_000;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An OCPI DateTime as epoch ms; one without a zone is UTC (as the rest of the hub reads it). */
export function instantMs(value: string): number {
  const ms = dateTimeMs(value);
  if (Number.isNaN(ms)) throw new RangeError(`Not a date-time: ${value}`);
  return ms;
}

function startOf(ms: number, kind: PeriodKind): number {
  const d = new Date(ms);
  switch (kind) {
    case 'monthly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'weekly': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * DAY_MS; // back to Monday
    }
    case 'daily':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  }
}

function endOf(startMs: number, kind: PeriodKind): number {
  const d = new Date(startMs);
  switch (kind) {
    case 'monthly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'weekly':
      return startMs + 7 * DAY_MS;
    case 'daily':
      return startMs + DAY_MS;
  }
}

function periodStarting(startMs: number, kind: PeriodKind): Period {
  const start = isoDay(startMs);
  return { kind, start, end: isoDay(endOf(startMs, kind)), label: kind === 'monthly' ? start.slice(0, 7) : start };
}

/** An instant as its wall-clock time in `timeZone`, written as if it were UTC (so UTC date maths gives local dates). */
function wallClockMs(ms: number, timeZone: string): number {
  return timeZone === 'UTC' ? ms : ms + clockFor(timeZone).offsetAt(ms);
}

/** The period holding an instant (epoch ms or an OCPI DateTime), in a time zone (default UTC). */
export function periodOf(instant: number | string, kind: PeriodKind, timeZone = 'UTC'): Period {
  const ms = typeof instant === 'string' ? instantMs(instant) : instant;
  return periodStarting(startOf(wallClockMs(ms, timeZone), kind), kind);
}

/**
 * The instant a period's first day begins in `timeZone`: its local midnight, or the first instant of
 * that day where a DST change skips midnight.
 */
export function periodStartInstant(period: Period, timeZone = 'UTC'): number {
  const local = Date.parse(`${period.start}T00:00:00Z`);
  if (timeZone === 'UTC') return local;
  const clock = clockFor(timeZone);
  let guess = local - clock.offsetAt(local);
  guess = local - clock.offsetAt(guess);
  // Midnight skipped (the clock jumps from 23:59 to 01:00): the day starts at the jump.
  while (wallClockMs(guess, timeZone) < local) guess += 60_000;
  return guess;
}

export function nextPeriod(period: Period): Period {
  return periodStarting(Date.parse(`${period.end}T00:00:00Z`), period.kind);
}

/** The last period that has ended by `now` in `timeZone`: what a scheduled run settles. */
export function lastCompletePeriod(now: number, kind: PeriodKind, timeZone = 'UTC'): Period {
  return periodStarting(startOf(startOf(wallClockMs(now, timeZone), kind) - 1, kind), kind);
}

/**
 * A period from its label: `YYYY-MM` for monthly; `YYYY-MM-DD` for daily, and for weekly a Monday.
 * Returns an error sentence for anything else.
 */
export function parsePeriodLabel(label: string, kind: PeriodKind): Period | string {
  const shape = kind === 'monthly' ? /^\d{4}-(0[1-9]|1[0-2])$/ : /^\d{4}-\d{2}-\d{2}$/;
  const ms = Date.parse(`${kind === 'monthly' ? `${label}-01` : label}T00:00:00Z`);
  if (!shape.test(label) || Number.isNaN(ms) || isoDay(ms) !== (kind === 'monthly' ? `${label}-01` : label)) {
    return kind === 'monthly' ? `period ${label} is not a month (YYYY-MM)` : `period ${label} is not a day (YYYY-MM-DD)`;
  }
  if (kind === 'weekly' && startOf(ms, 'weekly') !== ms) return `period ${label} is not a Monday (weekly periods start on Mondays)`;
  return periodStarting(ms, kind);
}

/**
 * Late CDRs: a CDR whose own period's statement (for its CPO, eMSP and currency) is already closed
 * goes into the next period whose statement is not closed. `closedStarts` are the starts of the
 * closed statements of that CPO, eMSP and currency.
 */
export function targetPeriod(natural: Period, closedStarts: ReadonlySet<string>): Period {
  let period = natural;
  while (closedStarts.has(period.start)) period = nextPeriod(period);
  return period;
}

/**
 * The natural periods (starts) before `run` whose CDRs a run of `run` takes in as late: those whose
 * chain of closed statements ends exactly at `run`. Only closed periods can send CDRs forward, so the
 * list is short; the SQL side is given it rather than walking periods itself.
 */
export function latePeriodsFor(run: Period, closedStarts: ReadonlySet<string>): string[] {
  return [...closedStarts]
    .filter((start) => start < run.start)
    .sort()
    .filter((start) => targetPeriod(periodStarting(Date.parse(`${start}T00:00:00Z`), run.kind), closedStarts).start === run.start);
}
