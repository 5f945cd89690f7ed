/**
 * The planner's time grid and the step functions laid over it: the site limit (static limit, peak
 * windows, an external energy manager's limits, capacity reserved by bookings) and prices. Pure, no I/O.
 *
 * Units: power in watts, energy in watt-hours, prices per kWh (a planning weight, not a billed amount),
 * instants as `Date`s or ISO 8601 strings, clock times in peak windows in the site's local time.
 */
import { parseClock, WEEKDAYS, type Weekday } from '../allocation/site';
import { firstInstantAtWall, isWindowActive, localTime } from '../allocation/time-windows';

export type Instant = Date | string;

export class PlanningInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid planning input: ${problems.join('; ')}`);
    this.name = 'PlanningInputError';
  }
}

export function toMillis(value: Instant, what: string, problems: string[]): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) problems.push(`${what} is not a valid instant`);
  return ms;
}

/** The planning horizon cut into equal slots, [start, end) each. */
export interface SlotGrid {
  startMs: number;
  slotMs: number;
  count: number;
}

export const DEFAULT_SLOT_MINUTES = 15;
export const DEFAULT_HORIZON_HOURS = 24;

export function slotGrid(start: Instant, slotMinutes = DEFAULT_SLOT_MINUTES, horizonHours = DEFAULT_HORIZON_HOURS): SlotGrid {
  const problems: string[] = [];
  const startMs = toMillis(start, 'start', problems);
  if (!(Number.isInteger(slotMinutes) && slotMinutes > 0 && slotMinutes <= 1440)) problems.push('slotMinutes must be a whole number in 1..1440');
  if (!(horizonHours > 0 && horizonHours <= 24 * 14)) problems.push('horizonHours must be within (0, 336]');
  if (problems.length > 0) throw new PlanningInputError(problems);
  const slotMs = slotMinutes * 60_000;
  return { startMs, slotMs, count: Math.ceil((horizonHours * 3_600_000) / slotMs) };
}

export function slotStart(grid: SlotGrid, slot: number): number {
  return grid.startMs + slot * grid.slotMs;
}

/** A power level over [from, until); `until` absent means open-ended. */
export interface PowerPeriod {
  from: Instant;
  until?: Instant;
  powerW: number;
}

/**
 * A limit set by an external energy manager (building or grid operator). The newest (`issuedAt`) limit
 * covering an instant is the one in force there, higher or lower than older ones: the manager may also
 * give capacity back.
 */
export interface ExternalLimit extends PowerPeriod {
  issuedAt: Instant;
}

/** A recurring local-time window with a lower site limit, as in the allocator's time windows. */
export interface PeakWindow {
  id?: string;
  start: string;
  end: string;
  days?: Weekday[];
  limitW: number;
}

export interface SiteLimitInput {
  /** The grid connection (or contracted) limit, watts. */
  baseLimitW: number;
  /** IANA time zone the peak windows are written in. */
  timeZone: string;
  peakWindows?: PeakWindow[];
  externalLimits?: ExternalLimit[];
  /** Capacity held for bookings (or anything else not in the plan), subtracted from the limit. */
  reserved?: PowerPeriod[];
}

/** A price over [from, until). */
export interface PricePeriod {
  from: Instant;
  until: Instant;
  pricePerKWh: number;
}

/**
 * The value of a step function at its lowest over each slot: every change point inside a slot is
 * sampled, so the slot value holds at every instant of the slot ("never over the limit at any instant").
 */
function lowestOverSlots(grid: SlotGrid, changePoints: number[], valueAt: (ms: number) => number): number[] {
  const sorted = [...new Set(changePoints)].sort((a, b) => a - b);
  const out: number[] = [];
  let cursor = 0;
  for (let slot = 0; slot < grid.count; slot++) {
    const start = slotStart(grid, slot);
    const end = start + grid.slotMs;
    let lowest = valueAt(start);
    while (cursor < sorted.length && sorted[cursor] <= start) cursor++;
    for (let c = cursor; c < sorted.length && sorted[c] < end; c++) lowest = Math.min(lowest, valueAt(sorted[c]));
    out.push(lowest);
  }
  return out;
}

function periodBounds(period: PowerPeriod, what: string, problems: string[]): { from: number; until: number } {
  const from = toMillis(period.from, `${what}.from`, problems);
  const until = period.until === undefined ? Infinity : toMillis(period.until, `${what}.until`, problems);
  if (until <= from) problems.push(`${what}: until must be after from`);
  return { from, until };
}

/** Instants at which any peak window starts or ends, between `fromMs` and `untilMs`. */
function peakWindowBoundaries(windows: readonly PeakWindow[], timeZone: string, fromMs: number, untilMs: number): number[] {
  const points: number[] = [];
  const first = localTime(fromMs, timeZone);
  const days = Math.ceil((untilMs - fromMs) / 86_400_000) + 2;
  for (let offset = -1; offset <= days; offset++) {
    const date = Date.UTC(first.year, first.month - 1, first.day + offset);
    for (const window of windows) {
      const start = parseClock(window.start);
      const end = parseClock(window.end, true);
      if (start === null || end === null) continue;
      const endMinutes = end > start ? end : end + 1440;
      for (const wall of [date + start * 60_000, date + endMinutes * 60_000]) {
        const instant = firstInstantAtWall(wall, timeZone);
        if (instant >= fromMs && instant < untilMs) points.push(instant);
      }
    }
  }
  return points;
}

/** The usable site limit per slot, watts, rounded down to whole watts, never below 0. */
export function siteLimitPerSlot(grid: SlotGrid, input: SiteLimitInput): number[] {
  const problems: string[] = [];
  if (!(Number.isFinite(input.baseLimitW) && input.baseLimitW >= 0)) problems.push('baseLimitW must be a finite number >= 0');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: input.timeZone });
  } catch {
    problems.push(`unknown time zone ${JSON.stringify(input.timeZone)}`);
  }
  for (const [i, window] of (input.peakWindows ?? []).entries()) {
    if (parseClock(window.start) === null) problems.push(`peakWindows[${i}].start must be HH:MM`);
    if (parseClock(window.end, true) === null) problems.push(`peakWindows[${i}].end must be HH:MM or 24:00`);
    if (!(window.limitW >= 0)) problems.push(`peakWindows[${i}].limitW must be >= 0`);
    for (const day of window.days ?? []) if (!WEEKDAYS.includes(day)) problems.push(`peakWindows[${i}]: unknown day ${day}`);
  }
  const external = (input.externalLimits ?? []).map((limit, i) => ({
    ...periodBounds(limit, `externalLimits[${i}]`, problems),
    issued: toMillis(limit.issuedAt, `externalLimits[${i}].issuedAt`, problems),
    powerW: limit.powerW,
    index: i,
  }));
  for (const limit of external) if (!(limit.powerW >= 0)) problems.push(`externalLimits[${limit.index}].powerW must be >= 0`);
  const reserved = (input.reserved ?? []).map((period, i) => ({ ...periodBounds(period, `reserved[${i}]`, problems), powerW: period.powerW }));
  for (const [i, period] of reserved.entries()) if (!(period.powerW >= 0)) problems.push(`reserved[${i}].powerW must be >= 0`);
  if (problems.length > 0) throw new PlanningInputError(problems);
  // Newest first; among equally new ones the later in the list wins (it was sent last).
  external.sort((a, b) => b.issued - a.issued || b.index - a.index);
  const windows = input.peakWindows ?? [];
  const valueAt = (ms: number): number => {
    let limit = input.baseLimitW;
    if (windows.length > 0) {
      const local = localTime(ms, input.timeZone);
      for (const window of windows) {
        if (isWindowActive({ start: window.start, end: window.end, days: window.days, limit: { amps: 0 } }, local)) limit = Math.min(limit, window.limitW);
      }
    }
    const newest = external.find((e) => e.from <= ms && ms < e.until);
    // The manager can lower the limit or give back up to the base limit; peak windows still apply.
    if (newest) limit = Math.min(limit, newest.powerW);
    for (const period of reserved) if (period.from <= ms && ms < period.until) limit -= period.powerW;
    return Math.max(0, Math.floor(limit));
  };
  const endMs = slotStart(grid, grid.count);
  const points = [
    ...peakWindowBoundaries(windows, input.timeZone, grid.startMs, endMs),
    ...external.flatMap((e) => [e.from, e.until]),
    ...reserved.flatMap((r) => [r.from, r.until]),
  ].filter((ms) => Number.isFinite(ms));
  return lowestOverSlots(grid, points, valueAt);
}

/**
 * The price per slot: the time-weighted mean of the prices covering it. A slot (or part) no price covers
 * takes `defaultPricePerKWh` (0 unless given), so missing prices neither block nor attract charging.
 */
export function pricePerSlot(grid: SlotGrid, prices: readonly PricePeriod[], defaultPricePerKWh = 0): number[] {
  const problems: string[] = [];
  const periods = prices.map((price, i) => {
    const from = toMillis(price.from, `prices[${i}].from`, problems);
    const until = toMillis(price.until, `prices[${i}].until`, problems);
    if (until <= from) problems.push(`prices[${i}]: until must be after from`);
    if (!Number.isFinite(price.pricePerKWh)) problems.push(`prices[${i}].pricePerKWh must be a finite number`);
    return { from, until, price: price.pricePerKWh };
  });
  if (problems.length > 0) throw new PlanningInputError(problems);
  const out: number[] = [];
  for (let slot = 0; slot < grid.count; slot++) {
    const start = slotStart(grid, slot);
    const end = start + grid.slotMs;
    let covered = 0;
    let weighted = 0;
    // A later period in the list overrides an earlier one where they overlap.
    const pieces: { from: number; until: number; price: number }[] = [];
    for (const period of periods) {
      const from = Math.max(start, period.from);
      const until = Math.min(end, period.until);
      if (until > from) pieces.push({ from, until, price: period.price });
    }
    for (let i = 0; i < pieces.length; i++) {
      // The part of piece i not overridden by a later piece.
      let segments = [{ from: pieces[i].from, until: pieces[i].until }];
      for (let j = i + 1; j < pieces.length; j++) {
        segments = segments.flatMap((s) => {
          const cut: { from: number; until: number }[] = [];
          if (pieces[j].from > s.from) cut.push({ from: s.from, until: Math.min(s.until, pieces[j].from) });
          if (pieces[j].until < s.until) cut.push({ from: Math.max(s.from, pieces[j].until), until: s.until });
          return cut.filter((c) => c.until > c.from);
        });
      }
      for (const s of segments) {
        covered += s.until - s.from;
        weighted += (s.until - s.from) * pieces[i].price;
      }
    }
    weighted += (grid.slotMs - covered) * defaultPricePerKWh;
    out.push(weighted / grid.slotMs);
  }
  return out;
}
