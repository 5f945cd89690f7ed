import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../db/database-errors';
import { bearerKeyOf } from '../foundation/api-keys';
import { HubError } from '../foundation/hub-errors';
import { describeIssues } from '../foundation/zod-issues';

/** An error answered to an admin API caller as `{error: {code, message}}`. */
export class AdminError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HUB_ERROR_STATUS: Record<HubError['kind'], number> = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  partner_failed: 502,
};

/** The admin API's one error handler: known errors keep their message, anything else is a logged 500. */
export function adminErrorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AdminError(404, 'not_found', `No admin endpoint at ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw new AdminError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      // A method no route has (TRACE, PROPFIND): 501 by RFC 9110 15.6.2, in the admin error shape.
      if (ctx.status === 501 && ctx.body === undefined) throw new AdminError(501, 'not_implemented', `${ctx.method} is implemented by no admin endpoint`);
    } catch (error) {
      let answer: AdminError;
      if (error instanceof AdminError) answer = error;
      else if (error instanceof HubError) answer = new AdminError(HUB_ERROR_STATUS[error.kind], error.kind, error.message);
      else if (isDatabaseUnavailable(error)) answer = new AdminError(503, 'unavailable', 'The hub cannot reach its database; try again shortly');
      else {
        log.error({ err: error, requestId: ctx.state.requestId }, 'unexpected error in an admin request');
        answer = new AdminError(500, 'internal', 'Internal server error');
      }
      ctx.status = answer.httpStatus;
      ctx.body = { error: { code: answer.code, message: answer.message } };
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** `Authorization: Bearer <admin key>`, compared in constant time (over digests, so length leaks nothing either). */
export function requireAdminKey(adminApiKey: string): Middleware {
  const expected = digest(adminApiKey);
  return async (ctx, next) => {
    const match = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      throw new AdminError(401, 'unauthorized', 'Missing or wrong admin API key (Authorization: Bearer <key>)');
    }
    await next();
  };
}

/** Parses an admin request body or answers 400 naming every problem. */
export function parseAdminBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new AdminError(400, 'invalid_request', describeIssues(result.error));
  return result.data;
}

const Uuid = z.uuid();

/** A path id that must be a UUID: anything else is a 404, never a database error. */
export function uuidParam(value: string | undefined, what: string): string {
  if (!Uuid.safeParse(value).success) throw new AdminError(404, 'not_found', `No ${what} with id ${value}`);
  return value!;
}

/**
 * `Authorization: Bearer <key>` for one kind of operator-issued key (finance, EMS, fleet): the caller
 * `authenticate` finds for a key of that kind, put in `ctx.state[kind.state]`, or 401 naming the key.
 */
export function requireIssuedKey<Caller>(kind: { prefix: string; name: string; state: string }, authenticate: (key: string) => Promise<Caller | null>): Middleware {
  return async (ctx, next) => {
    const key = bearerKeyOf(ctx.get('Authorization'), kind.prefix);
    const caller = key ? await authenticate(key) : null;
    if (!caller) throw new AdminError(401, 'unauthorized', `Missing, wrong or revoked ${kind.name} (Authorization: Bearer <${kind.name}>)`);
    ctx.state[kind.state] = caller;
    await next();
  };
}
