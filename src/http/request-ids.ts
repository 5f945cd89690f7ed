import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

// Header values we accept as ids: printable, bounded, so they are safe to log and to echo back.
const ID_PATTERN = /^[\x21-\x7e]{1,100}$/;

function incomingId(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && ID_PATTERN.test(first) ? first : undefined;
}

/**
 * X-Request-ID and X-Correlation-ID on every response (transport_and_format.asciidoc, "Unique message IDs"):
 * echoed when the caller sent usable ones, generated otherwise.
 */
export function requestIds(): Middleware {
  return async (ctx, next) => {
    const requestId = incomingId(ctx.headers['x-request-id']) ?? randomUUID();
    const correlationId = incomingId(ctx.headers['x-correlation-id']) ?? randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.correlationId = correlationId;
    ctx.set('X-Request-ID', requestId);
    ctx.set('X-Correlation-ID', correlationId);
    await next();
  };
}
