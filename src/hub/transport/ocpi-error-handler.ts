import type { Logger } from 'pino';
import type { Middleware } from 'koa';
import { isDatabaseUnavailable } from '../../db/database-errors';
import { envelope } from '../ocpi/envelope';
import { OcpiError, ocpiErrors, OcpiStatus } from '../ocpi/ocpi-errors';
import { RoutingError, type RoutingFailure } from '../routing/routing-errors';

/** The OCPI status of each routing outcome (status_codes.asciidoc, 4xxx: hub errors). */
const ROUTING_STATUS: Record<Exclude<RoutingFailure, 'receiver_refused'>, number> = {
  unknown_receiver: OcpiStatus.UNKNOWN_RECEIVER,
  receiver_not_connected: OcpiStatus.RECEIVER_NOT_CONNECTED,
  receiver_timeout: OcpiStatus.FORWARD_TIMEOUT,
  receiver_unusable: OcpiStatus.HUB_ERROR,
};

/**
 * An error as the OCPI caller hears it, or undefined for one whose message must not be shown.
 * A receiver's own refusal is passed back with its status code (and its 404, the others as 200).
 */
export function ocpiErrorOf(error: unknown): OcpiError | undefined {
  if (error instanceof OcpiError) return error;
  if (error instanceof RoutingError) {
    if (error.kind === 'receiver_refused' && error.receiverAnswer) {
      return new OcpiError(error.receiverAnswer.statusCode, error.message, error.receiverAnswer.httpStatus === 404 ? 404 : 200);
    }
    return new OcpiError(ROUTING_STATUS[error.kind === 'receiver_refused' ? 'receiver_unusable' : error.kind], error.message);
  }
  if (isDatabaseUnavailable(error)) return ocpiErrors.serviceUnavailable();
  return undefined;
}

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
