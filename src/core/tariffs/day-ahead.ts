/**
 * Day-ahead prices in a dynamic tariff description: merging a date's prices in, and pruning dates
 * that are over. Dates are local dates of the description's time_zone (the locations' zone), because
 * OCPI start_date/end_date restrictions are local dates.
 */
import { wallClockFormat } from '../wall-clock';
import type { ValidationError } from '../pricing/pricing-core';
import { DEFAULT_KEEP_PAST_DAYS, type DayAheadUpdate, type DynamicTariffDescription, MAX_DAY_AHEAD_DATES, type Parsed } from './description';

const DAY_MS = 86_400_000;

/** "2026-11-22" plus n days, by the calendar. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The local date at an instant in an IANA zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(wallClockFormat(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year.padStart(4, '0')}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}`;
}

/** The oldest date kept: today (local) minus keep_past_days. */
export function oldestKeptDate(description: DynamicTariffDescription, now: Date): string {
  return addDays(localDateOf(now, description.time_zone), -(description.keep_past_days ?? DEFAULT_KEEP_PAST_DAYS));
}

/**
 * Drops dates before the oldest kept one and orders the rest; refuses more dates than a tariff may
 * hold. Pruning changes no price: a session is priced with the tariff as it was when it started.
 */
export function pruneDayAhead(description: DynamicTariffDescription, now: Date): Parsed<DynamicTariffDescription> {
  const oldest = oldestKeptDate(description, now);
  const dates = Object.keys(description.day_ahead)
    .filter((date) => date >= oldest)
    .sort();
  if (dates.length > MAX_DAY_AHEAD_DATES) {
    const errors: ValidationError[] = [
      { path: 'day_ahead', message: `holds ${dates.length} dates from ${oldest} on; at most ${MAX_DAY_AHEAD_DATES} are kept at once` },
    ];
    return { ok: false, errors };
  }
  return { ok: true, value: { ...description, day_ahead: Object.fromEntries(dates.map((date) => [date, description.day_ahead[date]])) } };
}

/** A date's prices replace what the description had for that date; old dates are pruned. */
export function mergeDayAhead(description: DynamicTariffDescription, update: DayAheadUpdate, now: Date): Parsed<DynamicTariffDescription> {
  const oldest = oldestKeptDate(description, now);
  if (update.date < oldest) {
    return { ok: false, errors: [{ path: 'date', message: `${update.date} is before ${oldest}, the oldest date this tariff keeps (keep_past_days)` }] };
  }
  return pruneDayAhead({ ...description, day_ahead: { ...description.day_ahead, [update.date]: update.prices } }, now);
}
