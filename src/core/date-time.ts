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
  if (value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH || value.charCodeAt(10) !== 84 /* T */ || value.charCodeAt(13) !== COLON || value.charCodeAt(16) !== COLON) {
    return undefined;
  }
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
    if (value.charCodeAt(19) !== 46 /* . */) return undefined;
    const hundreds = digits(value, 20, 2);
    const last = value.charCodeAt(22) - DIGIT_0;
    if (hundreds < 0 || last < 0 || last > 9) return undefined;
    ms = hundreds * 10 + last;
  }
  // Date.UTC's value, in integer arithmetic (exact below 2^53): the call was most of this function's time.
  return ((daysSinceEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

const DASH = 45;
const COLON = 58;
const MS_PER_DAY = 86_400_000;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, and back (Howard Hinnant's days_from_civil and
 * civil_from_days, for years from 1970 on): what Date.UTC and toISOString compute, without a Date.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, written out for instants from 1970 to 9999 (pricing notes carry one, and
 * the Date made for it showed in the pricing profile); other instants are left to Date.
 */
export function isoDateTime(ms: number): string {
  if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${pad3(rest - second * 1000)}Z`;
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
