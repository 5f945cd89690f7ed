// RFC 3339 as OCPI uses it; a missing offset means UTC (types.asciidoc, DateTime).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Reads an OCPI DateTime, or undefined when it is not one. The calendar date must exist: JavaScript's
 * Date reads 2024-02-30 as March 1st and T24:00 as the next day, so the day is checked against its
 * month and the hour against 23 (found by the fuzz tests).
 */
export function parseOcpiDateTime(value: string): Date | undefined {
  const match = DATE_TIME.exec(value);
  if (!match || Number(match[4]) > 23) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const date = new Date(/(?:Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
