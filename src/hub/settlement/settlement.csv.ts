/**
 * CSV exports (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a comma, quote
 * or line break). Amounts are the exact decimal text of the statement, never reformatted.
 */

/** The columns of a statement export, one row per line (docs/settlement.md, CSV). */
export const LINE_CSV_COLUMNS = [
  'statement_id', 'version', 'period', 'cpo', 'emsp', 'currency',
  'cdr_id', 'session_id', 'location_id', 'evse_uid', 'evse_id', 'start_date_time', 'end_date_time',
  'energy_kwh', 'time_hours', 'parking_hours', 'tariff_id', 'net', 'vat', 'gross',
  'credit', 'credit_reference_id', 'nets_against', 'late', 'rating_status', 'dispute_id',
] as const;

/** The mismatch report: one row per differing total of each mismatching line, one row per unrated line. */
export const MISMATCH_CSV_COLUMNS = ['statement_id', 'version', 'cdr_id', 'status', 'reason', 'field', 'computed', 'reported', 'difference'] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvOf(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].map((line) => `${line}\r\n`).join('');
}
