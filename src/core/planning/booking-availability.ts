/**
 * Availability search: the free windows of a location's EVSEs over the next days, given existing
 * bookings, the site's bookable capacity and the OCPI opening times. A window is free for an EVSE when,
 * in every slot of it, the location is open throughout, no accepted booking holds the EVSE, and the
 * capacity left for bookings is at least the power asked for.
 */
import { alignedGrid, bookedPerSlot, overlaps, type Booking, type BookingCapacity } from './booking-rules';
import { isOpenThroughout, openIntervals } from './opening-hours';
import { PlanningInputError, slotStart, toMillis, type Instant } from './planning-slots';

export interface AvailabilityQuery {
  locationId: string;
  /** The EVSEs to search (all of the location's, or one). */
  evseUids: string[];
  from: Instant;
  days: number;
  /** Shortest window worth offering, minutes. */
  minimumMinutes: number;
  /** Power the driver wants held, W. */
  powerW: number;
  bookings: readonly Booking[];
  capacity: BookingCapacity;
}

export interface FreeWindow {
  evseUid: string;
  from: string;
  until: string;
  /** The lowest bookable capacity left over the window, W (shared by all the location's EVSEs). */
  freeW: number;
}

export function findAvailability(query: AvailabilityQuery): FreeWindow[] {
  const problems: string[] = [];
  const fromMs = toMillis(query.from, 'from', problems);
  if (!(query.days > 0 && query.days <= 31)) problems.push('days must be within (0, 31]');
  if (!(query.minimumMinutes > 0)) problems.push('minimumMinutes must be > 0');
  if (!(query.powerW > 0)) problems.push('powerW must be > 0');
  if (query.evseUids.length === 0) problems.push('evseUids must name at least one EVSE');
  if (problems.length > 0) throw new PlanningInputError(problems);
  const untilMs = fromMs + query.days * 86_400_000;
  const slotMinutes = query.capacity.slotMinutes ?? 15;
  // Start at the first whole slot at or after `from`.
  const grid = alignedGrid(fromMs + slotMinutes * 60_000 - 1, untilMs, slotMinutes);
  const { capacityW, bookedW } = bookedPerSlot(grid, query.capacity, query.bookings, query.locationId);
  const open = query.capacity.openingTimes
    ? openIntervals(query.capacity.openingTimes, query.capacity.site.timeZone, grid.startMs, slotStart(grid, grid.count))
    : [{ from: grid.startMs, until: slotStart(grid, grid.count) }];
  const holding = query.bookings.filter((b) => b.locationId === query.locationId && (b.status ?? 'accepted') === 'accepted' && b.evseUid !== undefined);
  const windows: FreeWindow[] = [];
  for (const evseUid of [...query.evseUids].sort()) {
    const own = holding.filter((b) => b.evseUid === evseUid).map((b) => ({ from: toMillis(b.from, '', []), until: toMillis(b.until, '', []) }));
    let runStart = -1;
    let runFree = Infinity;
    const close = (endSlot: number): void => {
      if (runStart < 0) return;
      const from = slotStart(grid, runStart);
      const until = slotStart(grid, endSlot);
      if (until - from >= query.minimumMinutes * 60_000) {
        windows.push({ evseUid, from: new Date(from).toISOString(), until: new Date(until).toISOString(), freeW: runFree });
      }
      runStart = -1;
      runFree = Infinity;
    };
    for (let t = 0; t < grid.count; t++) {
      const slot = { from: slotStart(grid, t), until: slotStart(grid, t + 1) };
      const left = capacityW[t] - bookedW[t];
      const free = slot.until <= untilMs && isOpenThroughout(open, slot.from, slot.until) && left >= query.powerW && !own.some((b) => overlaps(b, slot));
      if (!free) {
        close(t);
        continue;
      }
      if (runStart < 0) runStart = t;
      runFree = Math.min(runFree, left);
    }
    close(grid.count);
  }
  return windows;
}
