/**
 * Bookings as data, and the rules about them as pure functions: accepting or refusing a booking against
 * the site's capacity over its window, the no-show grace period and late cancellation. Instants are UTC;
 * the location's time zone is used only for rules written in local time and for display.
 */
import { parseClock } from '../allocation/site';
import { firstInstantAtWall, localTime } from '../allocation/time-windows';
import { isOpenThroughout, openIntervals, subtractIntervals, validateOpeningTimes, type Interval, type OcpiHours } from './opening-hours';
import { PlanningInputError, siteLimitPerSlot, slotStart, toMillis, type Instant, type PowerPeriod, type SiteLimitInput, type SlotGrid } from './planning-slots';

export type BookingStatus = 'accepted' | 'cancelled' | 'no-show' | 'completed';

export interface Booking {
  id: string;
  locationId: string;
  /** The EVSE booked; absent: any EVSE of the location (only site capacity is held). */
  evseUid?: string;
  from: Instant;
  until: Instant;
  /** Power to hold for the window, W. */
  powerW?: number;
  /** Or energy wanted over the window, Wh: held as its average power over the window. */
  energyWh?: number;
  /** Only an accepted booking holds capacity. Default accepted. */
  status?: BookingStatus;
}

/** What the site can give bookings: its limit over time, of which at most `bookableShare` may be booked. */
export interface BookingCapacity {
  site: SiteLimitInput;
  /** 0..1; default 1. The rest stays for walk-in drivers. */
  bookableShare?: number;
  slotMinutes?: number;
  openingTimes?: OcpiHours;
}

export interface SlotOverbooking {
  start: string;
  end: string;
  capacityW: number;
  bookedW: number;
  requestedW: number;
  /** bookedW + requestedW - capacityW. */
  overByW: number;
}

export type BookingRefusal =
  | { reason: 'invalid'; problems: string[] }
  | { reason: 'evse-taken'; evseUid: string; bookingIds: string[] }
  | { reason: 'closed'; periods: { from: string; until: string }[] }
  | { reason: 'over-capacity'; slots: SlotOverbooking[] };

export type BookingDecision = { accepted: true; reservedW: number } | { accepted: false; refusals: BookingRefusal[] };

const iso = (ms: number) => new Date(ms).toISOString();

function holdsCapacity(booking: Booking): boolean {
  return (booking.status ?? 'accepted') === 'accepted';
}

/** Problems with a booking's own data; empty when it is usable. */
export function validateBooking(booking: Booking): string[] {
  const problems: string[] = [];
  if (typeof booking.id !== 'string' || booking.id === '') problems.push('id must be a non-empty string');
  if (typeof booking.locationId !== 'string' || booking.locationId === '') problems.push('locationId must be a non-empty string');
  const from = toMillis(booking.from, 'from', problems);
  const until = toMillis(booking.until, 'until', problems);
  if (until <= from) problems.push('until must be after from');
  if (booking.powerW === undefined && booking.energyWh === undefined) problems.push('powerW or energyWh is needed');
  if (booking.powerW !== undefined && !(Number.isFinite(booking.powerW) && booking.powerW > 0)) problems.push('powerW must be > 0');
  if (booking.energyWh !== undefined && !(Number.isFinite(booking.energyWh) && booking.energyWh > 0)) problems.push('energyWh must be > 0');
  return problems;
}

/** The power a booking holds: its power, else its energy spread evenly over its window, rounded up to a watt. */
export function reservedPowerW(booking: Booking): number {
  if (booking.powerW !== undefined) return Math.ceil(booking.powerW);
  const hours = (toMillis(booking.until, '', []) - toMillis(booking.from, '', [])) / 3_600_000;
  return Math.ceil((booking.energyWh ?? 0) / hours);
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.from < b.until && b.from < a.until;
}

function windowOf(booking: Booking): Interval {
  return { from: toMillis(booking.from, '', []), until: toMillis(booking.until, '', []) };
}

/** A slot grid aligned to whole slots since the epoch (so 15-minute slots start at :00, :15, …) covering [fromMs, untilMs). */
export function alignedGrid(fromMs: number, untilMs: number, slotMinutes: number): SlotGrid {
  const slotMs = slotMinutes * 60_000;
  const startMs = Math.floor(fromMs / slotMs) * slotMs;
  return { startMs, slotMs, count: Math.max(1, Math.ceil((untilMs - startMs) / slotMs)) };
}

/** Capacity per slot a location can book, and what accepted bookings already hold, W. */
export function bookedPerSlot(
  grid: SlotGrid,
  capacity: BookingCapacity,
  bookings: readonly Booking[],
  locationId: string,
): { capacityW: number[]; bookedW: number[] } {
  const share = capacity.bookableShare ?? 1;
  if (!(share >= 0 && share <= 1)) throw new PlanningInputError(['bookableShare must be within 0..1']);
  const capacityW = siteLimitPerSlot(grid, capacity.site).map((limit) => Math.floor(limit * share));
  const holding = bookings.filter((b) => b.locationId === locationId && holdsCapacity(b));
  const bookedW = capacityW.map((_, t) => {
    const slot = { from: slotStart(grid, t), until: slotStart(grid, t + 1) };
    return holding.filter((b) => overlaps(windowOf(b), slot)).reduce((sum, b) => sum + reservedPowerW(b), 0);
  });
  return { capacityW, bookedW };
}

/**
 * Accepts or refuses a booking request against the EVSE's other bookings, the opening times and the
 * site's bookable capacity in every slot its window touches. Refusals say why: which bookings hold the
 * EVSE, which periods are closed, which slots are over capacity and by how much. Changes nothing.
 */
export function decideBooking(request: Booking, existing: readonly Booking[], capacity: BookingCapacity): BookingDecision {
  const problems = validateBooking(request);
  if (capacity.openingTimes) problems.push(...validateOpeningTimes(capacity.openingTimes).filter((p) => !p.includes('never open')));
  if (problems.length > 0) return { accepted: false, refusals: [{ reason: 'invalid', problems }] };
  const window = windowOf(request);
  const others = existing.filter((b) => b.id !== request.id && b.locationId === request.locationId);
  const refusals: BookingRefusal[] = [];

  if (request.evseUid !== undefined) {
    const taken = others.filter((b) => holdsCapacity(b) && b.evseUid === request.evseUid && overlaps(windowOf(b), window));
    if (taken.length > 0) refusals.push({ reason: 'evse-taken', evseUid: request.evseUid, bookingIds: taken.map((b) => b.id).sort() });
  }
  if (capacity.openingTimes) {
    const open = openIntervals(capacity.openingTimes, capacity.site.timeZone, window.from, window.until);
    if (!isOpenThroughout(open, window.from, window.until)) {
      const closed = subtractIntervals([window], open);
      refusals.push({ reason: 'closed', periods: closed.map((i) => ({ from: iso(i.from), until: iso(i.until) })) });
    }
  }
  const grid = alignedGrid(window.from, window.until, capacity.slotMinutes ?? 15);
  const { capacityW, bookedW } = bookedPerSlot(grid, capacity, others, request.locationId);
  const requestedW = reservedPowerW(request);
  const over: SlotOverbooking[] = [];
  for (let t = 0; t < grid.count; t++) {
    if (bookedW[t] + requestedW > capacityW[t]) {
      over.push({
        start: iso(slotStart(grid, t)),
        end: iso(slotStart(grid, t + 1)),
        capacityW: capacityW[t],
        bookedW: bookedW[t],
        requestedW,
        overByW: bookedW[t] + requestedW - capacityW[t],
      });
    }
  }
  if (over.length > 0) refusals.push({ reason: 'over-capacity', slots: over });
  return refusals.length > 0 ? { accepted: false, refusals } : { accepted: true, reservedW: requestedW };
}

/**
 * The capacity accepted bookings of a location hold, as periods for the planner's `site.reserved`: the
 * planner then plans the cars already plugged in around it. A booked car that has arrived is planned
 * as a car (its booking's window and energy as its departure and need), so its booking is left out here
 * (`arrivedBookingIds`).
 */
export function bookingReservations(bookings: readonly Booking[], locationId: string, arrivedBookingIds: readonly string[] = []): PowerPeriod[] {
  return bookings
    .filter((b) => b.locationId === locationId && holdsCapacity(b) && !arrivedBookingIds.includes(b.id))
    .map((b) => ({ from: b.from, until: b.until, powerW: reservedPowerW(b) }));
}

/** Free-cancellation deadline: a fixed time before the start, or a local clock time some days before. */
export type FreeCancellation = { minutesBefore: number } | { daysBefore: number; localTime: string };

export interface BookingRules {
  /** How long after the booked start the EVSE is held for a driver who has not arrived. */
  noShowGraceMinutes: number;
  freeCancellation: FreeCancellation;
}

export type Attendance = 'pending' | 'attended' | 'no-show';

/** The instant a booking becomes a no-show if nobody arrived: start + grace (an absolute duration, DST-proof). */
export function noShowDeadline(booking: Booking, rules: BookingRules): Date {
  if (!(Number.isFinite(rules.noShowGraceMinutes) && rules.noShowGraceMinutes >= 0)) {
    throw new PlanningInputError(['noShowGraceMinutes must be >= 0']);
  }
  return new Date(windowOf(booking).from + rules.noShowGraceMinutes * 60_000);
}

/**
 * Whether the driver came: attended when a session started on or before the no-show deadline (and
 * before the booking's end), a no-show once the deadline has passed without one, pending before that.
 * A session started before the booked start counts (an early driver is welcome).
 */
export function attendance(booking: Booking, now: Instant, rules: BookingRules, arrivedAt?: Instant): Attendance {
  const deadline = Math.min(noShowDeadline(booking, rules).getTime(), windowOf(booking).until);
  const problems: string[] = [];
  const nowMs = toMillis(now, 'now', problems);
  const arrivedMs = arrivedAt === undefined ? undefined : toMillis(arrivedAt, 'arrivedAt', problems);
  if (problems.length > 0) throw new PlanningInputError(problems);
  if (arrivedMs !== undefined && arrivedMs <= deadline && arrivedMs <= nowMs) return 'attended';
  return nowMs >= deadline ? 'no-show' : 'pending';
}

/** The last instant a booking can be cancelled free of charge (exclusive). */
export function freeCancellationUntil(booking: Booking, rules: BookingRules, timeZone: string): Date {
  const from = windowOf(booking).from;
  const rule = rules.freeCancellation;
  if ('minutesBefore' in rule) {
    if (!(rule.minutesBefore >= 0)) throw new PlanningInputError(['freeCancellation.minutesBefore must be >= 0']);
    return new Date(from - rule.minutesBefore * 60_000);
  }
  const minutes = parseClock(rule.localTime);
  if (minutes === null || !(Number.isInteger(rule.daysBefore) && rule.daysBefore >= 0)) {
    throw new PlanningInputError(['freeCancellation needs daysBefore (a whole number >= 0) and localTime HH:MM']);
  }
  // "18:00 local, the day before the booked day": counted in local calendar days, so a DST change in
  // between moves the UTC instant, not the local clock time.
  const local = localTime(from, timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day - rule.daysBefore) + minutes * 60_000;
  return new Date(Math.min(from, firstInstantAtWall(wall, timeZone)));
}

export interface CancellationTerms {
  late: boolean;
  freeUntil: string;
  /** Cancelled after the booked start (plus grace): treated as a no-show. */
  afterStart: boolean;
}

/** Whether cancelling at `cancelledAt` is late (and so may be charged through the tariff's reservation dimensions). */
export function cancellationTerms(booking: Booking, cancelledAt: Instant, rules: BookingRules, timeZone: string): CancellationTerms {
  const problems: string[] = [];
  const at = toMillis(cancelledAt, 'cancelledAt', problems);
  if (problems.length > 0) throw new PlanningInputError(problems);
  const freeUntil = freeCancellationUntil(booking, rules, timeZone).getTime();
  return { late: at >= freeUntil, freeUntil: iso(freeUntil), afterStart: at >= noShowDeadline(booking, rules).getTime() };
}

/** An instant as the location's local time for display, e.g. "2026-03-29 03:15 (UTC+02:00)". */
export function displayLocal(instant: Instant, timeZone: string): string {
  const ms = toMillis(instant, 'instant', []);
  const local = localTime(ms, timeZone);
  const offsetMinutes = Math.round((Date.UTC(local.year, local.month - 1, local.day, 0, local.minuteOfDay, local.second) - Math.floor(ms / 1000) * 1000) / 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.year}-${pad(local.month)}-${pad(local.day)} ${pad(Math.floor(local.minuteOfDay / 60))}:${pad(local.minuteOfDay % 60)}` +
    ` (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`
  );
}
