/**
 * OCPI DateTime, defined once (types.asciidoc, DateTime: "All timestamps are formatted as string(25)
 * following RFC 3339 … All timestamps SHALL be in UTC. The absence of the timezone designator implies
 * a UTC timestamp."). Three readers use it, each taking what it took before:
 * - the OCPI wire (hub/ocpi): RFC 3339 with Z, an offset or no designator, a real calendar date;
 * - the strict pricing schema (core/pricing): UTC only, as the spec says (no offset);
 * - the real-world rating (core/pricing/real-world-input): also an offset, with or without its colon,
 *   converted to UTC with a note.
 */

/** The wire form; the groups are year, month, day and hour (checked against the calendar below). */
export const OCPI_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/i;

/** The UTC form the strict pricing schema takes: Z or no designator, never an offset. */
export const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;

/** A date-time written with a UTC offset instead of Z, as other systems send it: 2022-01-13T16:55:00+01:00 (or +0100). */
export const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:?\d{2}$/;

const ZONE_DESIGNATOR = /(Z|[+-]\d\d:?\d\d)$/i;

/** Epoch ms of a date-time, one without a zone designator read as UTC; NaN when it cannot be read. */
export function dateTimeMs(value: string): number {
  const fast = plainUtcMs(value);
  if (fast !== undefined) return fast;
  return Date.parse(ZONE_DESIGNATOR.test(value) ? value : `${value}Z`);
}

const DIGIT_0 = 48;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two or four ASCII digits at `at` as a number; -1 when one is not a digit. */
function digits(value: string, at: number, count: 2 | 4): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = value.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The form nearly every date-time has (pricing reads several per CDR): `YYYY-MM-DDTHH:MM:SSZ` or with
 * `.mmm`, read without Date.parse. Only a real calendar date and time from year 1970 on is taken,
 * where Date.UTC and Date.parse agree exactly; anything else (no Z, an offset, other fractions, a
 * February 30th) is left to Date.parse (undefined).
 */
function plainUtcMs(value: string): number | undefined {
  const length = value.length;
  if ((length !== 20 && length !== 24) || value.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return undefined;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return undefined;
  let ms = 0;
  if (length === 24) {
    if (value[19] !== '.') return undefined;
    const hundreds = digits(value, 20, 2);
    const last = value.charCodeAt(22) - DIGIT_0;
    if (hundreds < 0 || last < 0 || last > 9) return undefined;
    ms = hundreds * 10 + last;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Reads an OCPI DateTime, or undefined when it is not one. The calendar date must exist: JavaScript's
 * Date reads 2024-02-30 as March 1st and T24:00 as the next day, so the day is checked against its
 * month and the hour against 23 (found by the fuzz tests).
 */
export function parseOcpiDateTime(value: string): Date | undefined {
  const match = OCPI_DATE_TIME.exec(value);
  if (!match || Number(match[4]) > 23) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const date = new Date(dateTimeMs(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
