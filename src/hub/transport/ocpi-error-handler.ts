import type { Logger } from 'pino';
import type { Middleware } from 'koa';
import { envelope } from '../ocpi/envelope';
import { OcpiError, ocpiErrorOf, ocpiErrors, OcpiStatus } from '../ocpi/ocpi-errors';

/**
 * The one place OCPI errors become responses. OcpiError and RoutingError messages are shown;
 * anything else is logged and answered as 3000 without its message. Unknown routes and methods get
 * OCPI envelopes too.
 */
export function ocpiErrorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw ocpiErrors.notFound(`No OCPI endpoint at ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw ocpiErrors.methodNotAllowed(`${ctx.method} is not allowed on ${ctx.path}`);
      if (ctx.status === 501 && ctx.body === undefined) throw ocpiErrors.methodNotImplemented(`${ctx.method} is implemented by no OCPI endpoint of the hub`);
    } catch (error) {
      const known = ocpiErrorOf(error);
      if (!known) log.error({ err: error, requestId: ctx.state.requestId }, 'unexpected error in an OCPI request');
      const answer = known ?? new OcpiError(OcpiStatus.SERVER_ERROR, 'Internal server error', 500);
      ctx.status = answer.httpStatus;
      ctx.body = envelope(answer.data, answer.statusCode, answer.message);
    }
  };
}
