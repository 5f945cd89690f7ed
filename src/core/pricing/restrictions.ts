/**
 * Whether a Tariff Element's restrictions hold at one moment of a session.
 *
 * "When more than one restriction is set, they are to be treated as a logical AND. So a Tariff Element is active if
 * and only if all of the properties in its `TariffRestrictions` match." (mod_tariffs, TariffRestrictions). Each
 * restriction is evaluated at the moment itself, so a 22:00–06:00 element restricted to FRIDAY is active on Friday
 * night until midnight, not on Saturday morning: the spec gives no rule that ties day_of_week to the day a wrapping
 * time window started on.
 */
import type { CompiledComponent, CompiledElement, CompiledRestrictions, ElementScope } from './compiled-tariff';
import type { TariffDimensionType } from './tariff.schema';

/** One instant of a session, as the restrictions see it. Unknown measurements are NaN, which matches no bound. */
export interface Moment {
  /** Local minute of day, 0–1439. */
  minute: number;
  /** Local date as days since 1970-01-01. */
  day: number;
  /** 0 = Monday … 6 = Sunday, local. */
  weekday: number;
  energyBeforeMilliWh: number;
  durationMs: number;
  currentLow: number;
  currentHigh: number;
  powerLow: number;
  powerHigh: number;
}

export function restrictionsMatch(r: CompiledRestrictions, m: Moment): boolean {
  if (r.timeOfDay !== undefined && !withinTimeOfDay(r.timeOfDay, m.minute)) return false;
  // start_date: "valid from this day (inclusive)"; end_date: "valid until this day (exclusive)"
  if (r.startDay !== undefined && m.day < r.startDay) return false;
  if (r.endDay !== undefined && m.day >= r.endDay) return false;
  // min_kwh: "valid from this amount of energy (inclusive) being used"; max_kwh: "until this amount … (exclusive)"
  if (r.minEnergyMilliWh !== undefined && m.energyBeforeMilliWh < r.minEnergyMilliWh) return false;
  if (r.maxEnergyMilliWh !== undefined && m.energyBeforeMilliWh >= r.maxEnergyMilliWh) return false;
  // min_current: active "When the EV is charging with more than, or equal to, the defined amount of current";
  // max_current: "with less than the defined amount". A period matches only if its whole range does: its lowest
  // current for a minimum, its highest for a maximum (see input.ts). Written as !(…) so an unknown (NaN) never matches.
  if (r.minCurrent !== undefined && !(m.currentLow >= r.minCurrent)) return false;
  if (r.maxCurrent !== undefined && !(m.currentHigh < r.maxCurrent)) return false;
  if (r.minPower !== undefined && !(m.powerLow >= r.minPower)) return false;
  if (r.maxPower !== undefined && !(m.powerHigh < r.maxPower)) return false;
  // min_duration "(inclusive)", max_duration "(exclusive)", both in seconds of the Charging Session.
  if (r.minDurationMs !== undefined && m.durationMs < r.minDurationMs) return false;
  if (r.maxDurationMs !== undefined && m.durationMs >= r.maxDurationMs) return false;
  if (r.weekdays !== undefined && (r.weekdays & (1 << m.weekday)) === 0) return false;
  return true;
}

/**
 * start_time is "valid from this time of the day", end_time "valid until this time of the day … If end_time <
 * start_time then the period wraps around to the next day." start_time === end_time is read as the whole day: it is
 * what the wrap rule gives without a special case, and the other reading (never active) would silently make the
 * dimension free.
 */
function withinTimeOfDay({ start, end }: { start: number; end: number }, minute: number): boolean {
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

/**
 * "When the list of Tariff Elements contains more than one Element that has a Price Component for a certain
 * dimension, then the first Tariff Element with a Price Component for that dimension in the list with matching
 * Tariff Restrictions will be used." (mod_tariffs, Tariff object)
 *
 * Beside restrictionsMatch so the call per candidate is a direct one, not through an import (a getter under tsx).
 */
export function findComponent(
  scope: ElementScope,
  dimension: TariffDimensionType,
  moment: Moment,
): CompiledComponent | undefined {
  const candidates: CompiledElement[] = scope.candidates[dimension];
  for (let i = 0; i < candidates.length; i++) {
    const element = candidates[i];
    if (!element.restrictions || restrictionsMatch(element.restrictions, moment)) return element.components[dimension];
  }
  return undefined;
}
