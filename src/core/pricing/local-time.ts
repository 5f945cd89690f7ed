/**
 * UTC instants to the Location's wall-clock time, with `Intl.DateTimeFormat` and no time zone library.
 *
 * Restrictions are in local time: start_time is a "Start time of day in local time, the time zone is defined in the
 * `time_zone` field of the Location" (mod_tariffs, TariffRestrictions). Formatting a date is slow next to pricing,
 * so each zone gets one formatter, and UTC offsets are memoised per 15-minute bucket: every real-world offset change
 * falls on a quarter hour, and a bucket whose two ends disagree is never memoised.
 */
import { wallClockFormat } from '../wall-clock';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1440;
const BUCKET_MS = 15 * MINUTE_MS;
const MAX_MEMOISED_BUCKETS = 100_000;
const NO_CHANGES: readonly number[] = Object.freeze([]);

export class TimeZoneClock {
  private readonly format: Intl.DateTimeFormat;
  /** Bucket number → offset in ms, or NaN when the offset changes inside the bucket. */
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = wallClockFormat(timeZone);
  }

  /** Local wall-clock time minus UTC, in ms, at the given instant. */
  offsetAt(utcMs: number): number {
    const bucket = Math.floor(utcMs / BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const start = bucket * BUCKET_MS;
      const atStart = this.exactOffset(start);
      offset = atStart === this.exactOffset(start + BUCKET_MS - 1) ? atStart : Number.NaN;
      if (this.offsets.size >= MAX_MEMOISED_BUCKETS) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return Number.isNaN(offset) ? this.exactOffset(utcMs) : offset;
  }

  /**
   * The instants in (fromMs, toMs) where the UTC offset changes (DST), in order; usually none. Long spans are probed
   * weekly, because two changes can cancel out between far-apart endpoints but never within a week.
   */
  offsetChanges(fromMs: number, toMs: number): readonly number[] {
    let offset = this.offsetAt(fromMs);
    if (toMs - fromMs <= 7 * DAY_MS && this.offsetAt(toMs - 1) === offset) return NO_CHANGES;
    const changes: number[] = [];
    let knownSame = fromMs; // the latest instant known to have `offset`
    while (knownSame < toMs - 1) {
      const probe = Math.min(toMs - 1, knownSame + 7 * DAY_MS);
      if (this.offsetAt(probe) === offset) {
        knownSame = probe;
        continue;
      }
      const change = this.firstChange(knownSame, probe, offset);
      changes.push(change);
      offset = this.offsetAt(change);
      knownSame = change;
    }
    return changes;
  }

  /**
   * Adds the instants in (fromMs, toMs) where local time reaches one of `minutes` (of the day), or the UTC offset
   * changes, to `into`. A method here rather than a function in slices.ts, which needs it, so its loop reads this
   * module's constants directly: tsx compiles every imported binding to a getter call, and the pricing profile
   * showed those getters in this loop (issue 19).
   */
  addLocalBoundaries(fromMs: number, toMs: number, minutes: readonly number[], into: number[]): void {
    const changes = this.offsetChanges(fromMs, toMs);
    let pieceStart = fromMs;
    for (let i = 0; i <= changes.length; i++) {
      const pieceEnd = i < changes.length ? changes[i] : toMs;
      const offset = this.offsetAt(pieceStart);
      // Across a DST change the wall clock jumps, which can switch a time window without passing its boundary.
      if (pieceStart > fromMs) into.push(pieceStart);
      const lastDay = localDayNumber(pieceEnd - 1 + offset);
      for (let day = localDayNumber(pieceStart + offset); day <= lastDay; day++) {
        for (let m = 0; m < minutes.length; m++) {
          const at = day * DAY_MS + minutes[m] * MINUTE_MS - offset;
          if (at > pieceStart && at < pieceEnd) into.push(at);
        }
      }
      pieceStart = pieceEnd;
    }
  }

  /** The local day, minute of day and weekday at an instant, written into `into` (no object per call). */
  writeLocalTime(utcMs: number, into: { day: number; minute: number; weekday: number }): void {
    const local = utcMs + this.offsetAt(utcMs);
    const day = localDayNumber(local);
    into.day = day;
    into.minute = localMinuteOfDay(local);
    into.weekday = weekdayOfDay(day);
  }

  /** The first instant in (lowMs, highMs] whose offset is not `offset`, given that highMs's is not. */
  private firstChange(lowMs: number, highMs: number, offset: number): number {
    let low = lowMs;
    let high = highMs;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.offsetAt(middle) === offset) low = middle;
      else high = middle;
    }
    return high;
  }

  private exactOffset(utcMs: number): number {
    const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.format.formatToParts(utcMs)) {
      if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
    }
    const wallClockAsUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
    const wholeSecond = utcMs - (((utcMs % 1000) + 1000) % 1000);
    return wallClockAsUtc - wholeSecond;
  }
}

const clocks = new Map<string, TimeZoneClock>();

/** One clock per zone for the life of the process; throws RangeError for a name that is not a time zone. */
export function clockFor(timeZone: string): TimeZoneClock {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new TimeZoneClock(timeZone);
    clocks.set(timeZone, clock);
  }
  return clock;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    clockFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A local wall-clock instant (UTC arithmetic on local time) broken into what restrictions compare. */
export function localDayNumber(localMs: number): number {
  return Math.floor(localMs / DAY_MS);
}

export function localMinuteOfDay(localMs: number): number {
  return Math.floor((localMs - localDayNumber(localMs) * DAY_MS) / MINUTE_MS);
}

/** 0 = Monday … 6 = Sunday; day 0 (1970-01-01) was a Thursday. */
export function weekdayOfDay(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** "2015-12-24" → days since 1970-01-01. */
export function dayNumberOfDate(isoDate: string): number {
  const [year, month, day] = isoDate.split('-').map(Number);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** "13:30" → minutes since midnight. */
export function minuteOfTime(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

