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
  const head = JSON.stringify({ status_code: OcpiStatus.SUCCESS, timestamp: new Date().toISOString() });
  ctx.status = 200;
  ctx.state.ocpiStatus = OcpiStatus.SUCCESS;
  // As bytes: koa would otherwise scan a string for its length and the socket encode it again.
  ctx.body = Buffer.from(`${head.slice(0, -1)},"data":[${joined}],"status_message":${JSON.stringify(message)}}`);
  ctx.type = 'application/json';
}
