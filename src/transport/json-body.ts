import type { Middleware } from 'koa';
import getRawBody from 'raw-body';

declare module 'koa' {
  interface Request {
    /** The parsed JSON body; unknown until a schema has checked it. */
    body?: unknown;
  }
}

export interface JsonBodyOptions {
  limitBytes: number;
  /** Builds the error thrown for a body that is too large or not JSON. */
  tooLarge: (limit: number) => Error;
  invalid: (detail: string) => Error;
}

/**
 * Reads a bounded request body and parses it as JSON into `ctx.request.body`; the raw text stays in
 * `ctx.state.rawBody` (webhook signatures are computed over it).
 */
export function jsonBody({ limitBytes, tooLarge, invalid }: JsonBodyOptions): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: limitBytes, encoding: 'utf8', length: ctx.get('content-length') || undefined });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') throw tooLarge(limitBytes);
      throw invalid('the request body could not be read');
    }
    ctx.state.rawBody = raw;
    if (raw.trim() === '') {
      ctx.request.body = undefined;
      return next();
    }
    try {
      ctx.request.body = JSON.parse(raw);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    return next();
  };
}
