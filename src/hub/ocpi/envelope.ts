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
