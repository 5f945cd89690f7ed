/**
 * Which time windows apply at an instant, by the site's local wall-clock time, and when the next window
 * boundary occurs. Local time comes from `Intl` with the site's IANA time zone, so daylight saving time
 * is handled by the platform's time zone database.
 */
import { parseClock, WEEKDAYS, type Site, type SiteNode, type TimeWindow, type Weekday } from './site';
import { wallClockFormat } from '../wall-clock';

export interface LocalTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  weekday: Weekday;
  /** Minutes after local midnight, 0..1439. */
  minuteOfDay: number;
  second: number;
}

/** The wall-clock time at `instant` in `timeZone`. */
export function localTime(instant: Date | number, timeZone: string): LocalTime {
  const parts = wallClockFormat(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part ? Number(part.value) : 0;
  };
  const year = field('year');
  const month = field('month');
  const day = field('day');
  const hour = field('hour') % 24;
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  return { year, month, day, weekday, minuteOfDay: hour * 60 + field('minute'), second: field('second') };
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7];
}

function startsOn(window: TimeWindow, day: Weekday): boolean {
  return !window.days || window.days.includes(day);
}

/**
 * Whether `window` is active at local time `local`. [start, end): start inclusive, end exclusive; end at
 * or before start wraps past midnight into the next day (the part after midnight belongs to the day the
 * window started on).
 */
export function isWindowActive(window: TimeWindow, local: LocalTime): boolean {
  const start = parseClock(window.start);
  const end = parseClock(window.end, true);
  if (start === null || end === null) return false;
  const minute = local.minuteOfDay;
  if (start < end) return startsOn(window, local.weekday) && minute >= start && minute < end;
  // Wraps past midnight (start == end: a full 24 hours from start).
  return (startsOn(window, local.weekday) && minute >= start) || (startsOn(window, previousDay(local.weekday)) && minute < end);
}

/** The windows of `windows` active at local time `local`, in their configured order. */
export function activeWindows(windows: readonly TimeWindow[] | undefined, local: LocalTime): TimeWindow[] {
  return (windows ?? []).filter((window) => isWindowActive(window, local));
}

/** UTC offset of `timeZone` at `instant`, in milliseconds (local = UTC + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const local = localTime(instant, timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, 0, local.minuteOfDay, local.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The local wall-clock time at `instant`, written as if it were a UTC timestamp. */
function wallAt(instant: number, timeZone: string): number {
  const local = localTime(instant, timeZone);
  return Date.UTC(local.year, local.month - 1, local.day, 0, local.minuteOfDay, local.second);
}

/**
 * The first instant at which the local wall clock reads `wall` or later (wall given as if it were UTC).
 * Handles DST: in a spring-forward gap this is the transition itself; in a fall-back overlap, the first
 * occurrence.
 */
export function firstInstantAtWall(wall: number, timeZone: string): number {
  const candidates = [offsetAt(wall - 86_400_000, timeZone), offsetAt(wall, timeZone), offsetAt(wall + 86_400_000, timeZone)]
    .map((offset) => wall - offset)
    .sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (wallAt(candidate, timeZone) === wall) return candidate;
  }
  // A gap: the wall time never occurs. Find the first second whose wall time is past it.
  let low = candidates[0];
  let high = candidates[candidates.length - 1];
  if (wallAt(high, timeZone) < wall) return high;
  while (high - low > 1000) {
    const mid = low + Math.floor((high - low) / 2000) * 1000;
    if (wallAt(mid, timeZone) >= wall) high = mid;
    else low = mid;
  }
  return high;
}

function* nodesOf(node: SiteNode): Generator<SiteNode> {
  yield node;
  for (const child of node.children ?? []) yield* nodesOf(child);
}

/**
 * When the next time-window boundary (any window of any node starting or ending) occurs strictly after
 * `now`, so the caller can schedule a reallocation then; null when the site has no time windows.
 */
export function nextBoundary(site: Site, now: Date): Date | null {
  const windows: TimeWindow[] = [];
  for (const node of nodesOf(site)) windows.push(...(node.timeWindows ?? []));
  if (windows.length === 0) return null;
  const nowMs = now.getTime();
  const today = localTime(now, site.timeZone);
  let best = Infinity;
  // Yesterday's wrapped windows can end today; a weekly window can be up to 7 days away.
  for (let offset = -1; offset <= 8; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = WEEKDAYS[date.getUTCDay()];
    for (const window of windows) {
      if (!startsOn(window, weekday)) continue;
      const start = parseClock(window.start);
      const end = parseClock(window.end, true);
      if (start === null || end === null) continue;
      const startWall = date.getTime() + start * 60_000;
      const endWall = date.getTime() + (end > start ? end : end + 1440) * 60_000;
      for (const wall of [startWall, endWall]) {
        const instant = firstInstantAtWall(wall, site.timeZone);
        if (instant > nowMs && instant < best) best = instant;
      }
    }
    // Every boundary on a later local day is at least a day (minus any UTC offset, < 24 h) later.
    if (best !== Infinity && date.getTime() - 86_400_000 > best) break;
  }
  return best === Infinity ? null : new Date(best);
}
