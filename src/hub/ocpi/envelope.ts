import type { Context } from 'koa';
import { OcpiStatus, type OcpiStatusCode } from './ocpi-errors';

/** The OCPI response format: {data, status_code, status_message, timestamp}. */
export interface OcpiEnvelope<T = unknown> {
  data?: T;
  status_code: OcpiStatusCode;
  status_message?: string;
  timestamp: string;
}

export function envelope<T>(data: T | undefined, statusCode: OcpiStatusCode = OcpiStatus.SUCCESS, message?: string) {
  const body: OcpiEnvelope<T> = { status_code: statusCode, timestamp: new Date().toISOString() };
  if (data !== undefined) body.data = data;
  if (message !== undefined) body.status_message = message;
  return body;
}

/** Answers a successful OCPI request; the only place OCPI success bodies are written. */
export function respond<T>(ctx: Context, data?: T, httpStatus = 200, message = 'Success'): void {
  ctx.status = httpStatus;
  ctx.body = envelope(data, OcpiStatus.SUCCESS, message);
}

/**
 * Answers a successful list request whose items are JSON text already (`joined`: the items' texts
 * joined by ','): the envelope `respond` writes, byte for byte, around them, without parsing them.
 */
export function respondJoinedData(ctx: Context, joined: string, message = 'Success'): void {
  // envelope's own text with an empty list, the items put into it: its first `"data":[]` is the data
  // key (a quote inside the message string is escaped, so it cannot spell one).
  const text = JSON.stringify(envelope([], OcpiStatus.SUCCESS, message)).replace('"data":[]', () => `"data":[${joined}]`);
  ctx.status = 200;
  ctx.state.ocpiStatus = OcpiStatus.SUCCESS;
  // As bytes: koa would otherwise scan a string for its length and the socket encode it again.
  ctx.body = Buffer.from(text);
  ctx.type = 'application/json';
}
