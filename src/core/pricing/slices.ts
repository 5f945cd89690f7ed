/**
 * Splits a segment where a restriction can change its verdict, so every slice is priced by one Price Component per
 * dimension.
 *
 * A CPO "SHALL at least start (and add) a ChargingPeriod every moment/event that has relevance for the total costs
 * of a CDR" (mod_cdrs), so for a well-formed CDR nothing here splits anything. When a period does cross a boundary
 * anyway, the spec's examples price each side at its own rate: in the step_size examples a charge from 16:55 to 17:05
 * is "5 minutes | 1.20 per hour" plus "5 minutes | 2.40 per hour". Time splits exactly. Energy is apportioned as if
 * the power were constant over the period, which is the interpolation the spec suggests to CPOs ("it can be
 * interpolated by the CPO using the metering information before and after that moment"); the engine notes it.
 *
 * Boundaries: local times of day (and midnight, for dates and weekdays) and UTC offset changes, session durations
 * (min/max_duration) and cumulative energy (min/max_kwh). Current and power cannot be split: a period reports only
 * their range, not when it changed.
 */
import type { ElementScope } from './compiled-tariff';
import type { ActivitySegment } from './input';
import type { TimeZoneClock } from './local-time';

export interface SliceVisitor {
  /** One slice: where it starts, how long it is, the energy in it and the energy charged before it. */
  visitSlice(startMs: number, spanMs: number, energyMilliWh: number, energyBeforeMilliWh: number): void;
}

/** A cut point: [offset in ms from the segment start, energy charged in the segment up to it]. */
type Cut = [number, number];

/** Visits the segment's slices in order; returns true when it had to be split. */
export function forEachSlice(
  segment: ActivitySegment,
  energyBeforeMilliWh: number,
  scope: ElementScope,
  clock: TimeZoneClock,
  durationOriginMs: number,
  visitor: SliceVisitor,
): boolean {
  const cuts = findCuts(segment, energyBeforeMilliWh, scope, clock, durationOriginMs);
  if (cuts.length === 0) {
    visitor.visitSlice(segment.startMs, segment.spanMs, segment.energyMilliWh, energyBeforeMilliWh);
    return false;
  }
  cuts.push([segment.spanMs, segment.energyMilliWh]);
  let offset = 0;
  let energy = 0;
  for (const [cutOffset, cutEnergy] of cuts) {
    if (cutOffset === offset && cutEnergy === energy) continue;
    visitor.visitSlice(segment.startMs + offset, cutOffset - offset, cutEnergy - energy, energyBeforeMilliWh + energy);
    offset = cutOffset;
    energy = cutEnergy;
  }
  return true;
}

const NO_CUTS: Cut[] = [];

function findCuts(
  segment: ActivitySegment,
  energyBefore: number,
  scope: ElementScope,
  clock: TimeZoneClock,
  durationOriginMs: number,
): Cut[] {
  const { startMs: start, spanMs: span, energyMilliWh: energy } = segment;
  const end = start + span;
  const instants: number[] = [];
  if (span > 0) {
    if (scope.localMinuteBoundaries.length > 0) clock.addLocalBoundaries(start, end, scope.localMinuteBoundaries, instants);
    for (const threshold of scope.durationBoundariesMs) {
      const at = durationOriginMs + threshold;
      if (at > start && at < end) instants.push(at);
    }
  }
  let cuts: Cut[] = NO_CUTS;
  for (const at of instants) {
    if (cuts === NO_CUTS) cuts = [];
    cuts.push([at - start, Math.round((energy * (at - start)) / span)]);
  }
  for (const threshold of scope.energyBoundariesMilliWh) {
    if (threshold > energyBefore && threshold < energyBefore + energy) {
      if (cuts === NO_CUTS) cuts = [];
      const inSegment = threshold - energyBefore;
      cuts.push([span > 0 ? Math.round((span * inSegment) / energy) : 0, inSegment]);
    }
  }
  if (cuts === NO_CUTS) return cuts;
  cuts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Rounding may leave an interpolated energy a milli-watt-hour out of order; energy never runs backwards.
  let running = 0;
  for (const cut of cuts) {
    cut[1] = Math.min(energy, Math.max(running, cut[1]));
    running = cut[1];
  }
  return cuts;
}
