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
  return Date.parse(ZONE_DESIGNATOR.test(value) ? value : `${value}Z`);
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
