import type { Context } from 'koa';
import { parseOcpiDateTime } from '../../core/date-time';
import { ocpiErrors } from './ocpi-errors';

/** A paginated list request (transport_and_format.asciidoc, "Paginated Request"). */
export interface PageRequest {
  /** Inclusive lower bound on last_updated. */
  dateFrom?: Date;
  /** Exclusive upper bound on last_updated. */
  dateTo?: Date;
  offset: number;
  /** The limit actually applied: the caller's, capped by the server. */
  limit: number;
  /** The server's cap, reported in X-Limit. */
  maxLimit: number;
}

export interface Page<T> {
  items: T[];
  /** Every object matching the filters (not just this page), for X-Total-Count. */
  total: number;
}

export function parseDateTime(value: string, name: string): Date {
  const date = parseOcpiDateTime(value);
  if (!date) throw ocpiErrors.invalidParameters(`${name} must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z`);
  return date;
}

function singleValue(query: Context['query'], name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw ocpiErrors.invalidParameters(`${name} may be given only once`);
  return value === undefined || value === '' ? undefined : value;
}

function nonNegativeInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw ocpiErrors.invalidParameters(`${name} must be a non-negative integer`);
  return Number(value);
}

/** Reads date_from, date_to, offset and limit; `maxLimit` is the module's server-side cap. */
export function readPageRequest(ctx: Context, maxLimit: number): PageRequest {
  const dateFromText = singleValue(ctx.query, 'date_from');
  const dateToText = singleValue(ctx.query, 'date_to');
  const dateFrom = dateFromText === undefined ? undefined : parseDateTime(dateFromText, 'date_from');
  const dateTo = dateToText === undefined ? undefined : parseDateTime(dateToText, 'date_to');
  const offset = nonNegativeInteger(singleValue(ctx.query, 'offset'), 'offset') ?? 0;
  const requested = nonNegativeInteger(singleValue(ctx.query, 'limit'), 'limit');
  return { dateFrom, dateTo, offset, limit: Math.min(requested ?? maxLimit, maxLimit), maxLimit };
}

/**
 * Answers a page: X-Total-Count is the total of all matches, X-Limit the server cap, and `Link` points
 * to the next page with every original query parameter kept (only offset and limit change).
 */
export function setPageHeaders(ctx: Context, publicUrl: string, request: PageRequest, total: number): void {
  ctx.set('X-Total-Count', String(total));
  ctx.set('X-Limit', String(request.maxLimit));
  const nextOffset = request.offset + request.limit;
  if (request.limit > 0 && nextOffset < total) {
    const params = new URLSearchParams(ctx.querystring);
    params.set('offset', String(nextOffset));
    params.set('limit', String(request.limit));
    ctx.set('Link', `<${publicUrl}${ctx.path}?${params.toString()}>; rel="next"`);
  }
}
