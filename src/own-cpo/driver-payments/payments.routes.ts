import Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { formatMinorUnits } from '../../core/payments/stripe-amounts';
import { isDatabaseUnavailable } from '../../db/database-errors';
import { HubError } from '../../foundation/hub-errors';
import { describeIssues } from '../../foundation/zod-issues';
import { CHARGER_ID, OCPP_CONNECTOR } from '../chargers/chargers.service';
import { jsonBody } from '../../http/json-body';
import { type Payment, type PaymentsService, PaymentsUnavailableError, WebhookSignatureError } from './payments.service';

export const WEBHOOK_PATH = '/stripe/webhook';

/** A driver's start of a payment: strictly these two fields. */
const NewPaymentBody = z.strictObject({
  charger_id: z.string().regex(CHARGER_ID, 'must be a charge point id (1 to 48 letters, digits or * _ = + | @ . -)'),
  connector: z.string().regex(OCPP_CONNECTOR, 'must be an OCPP 1.6 connectorId ("1") or a 2.0.1 evseId/connectorId ("1/1"), from 1'),
});

/**
 * An error answered on the driver's pages (and to Stripe's webhook calls) as `{error: {code, message}}`.
 * The message is shown: drivers see it, so it is never an internal detail.
 */
class PayError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PayError';
  }
}

/** How a domain outcome reads to a driver: the HTTP status of each HubError kind. */
const PAY_STATUS_OF: Record<HubError['kind'], number> = { not_found: 404, conflict: 409, invalid: 400, partner_failed: 502 };

/** The one place errors of the driver's pages and the webhook become responses; anything unknown is a logged 500 without details. */
function payErrorHandler(log: Logger, where: string): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new PayError(404, 'not_found', `No ${where} endpoint at ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw new PayError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (error) {
      let answer: PayError;
      if (error instanceof PayError) answer = error;
      else if (error instanceof PaymentsUnavailableError) answer = new PayError(503, 'payments_off', error.message);
      else if (error instanceof WebhookSignatureError) answer = new PayError(400, 'invalid_signature', error.message);
      else if (error instanceof HubError) answer = new PayError(PAY_STATUS_OF[error.kind], error.kind, error.message);
      else if (isDatabaseUnavailable(error)) answer = new PayError(503, 'unavailable', 'The hub cannot reach its database; try again shortly');
      else {
        log.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, `unexpected error in a ${where} request`);
        answer = new PayError(500, 'internal', 'Internal server error');
      }
      ctx.status = answer.httpStatus;
      ctx.body = { error: { code: answer.code, message: answer.message } };
    }
  };
}

/** Parses a driver's request body or answers 400 naming every problem. */
function parsePayBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new PayError(400, 'invalid_request', describeIssues(result.error));
  return result.data;
}

const PaymentId = z.uuid();

/** Payments off: every route of the stack answers 503 with the sentence saying why. */
function requirePayments(payments: PaymentsService): Middleware {
  return async (_ctx, next) => {
    if (!payments.enabled) throw new PaymentsUnavailableError();
    await next();
  };
}

const amount = (minor: number | null, currency: string) => (minor === null ? null : formatMinorUnits(minor, currency));

/** What a driver sees of a payment; amounts are decimal strings in major units. */
export function paymentView(p: Payment) {
  return {
    payment_id: p.id,
    status: p.status,
    charger_id: p.chargerId,
    connector: p.connector,
    id_tag: p.idTag,
    currency: p.currency,
    amount: formatMinorUnits(p.holdAmount, p.currency),
    held_amount: amount(p.heldAmount, p.currency),
    cost_so_far: amount(p.lastCost, p.currency),
    cdr_id: p.cdrId,
    final_cost: amount(p.finalCost, p.currency),
    captured_amount: amount(p.capturedAmount, p.currency),
    uncollected_amount: amount(p.uncollectedAmount, p.currency),
    refunded_amount: formatMinorUnits(p.refundedAmount, p.currency),
    failure: p.failure,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** `/pay/sessions`: public (no admin key), for drivers paying ad hoc at the hub's own chargers. */
export function payRouter(deps: { payments: PaymentsService }): Router {
  const { payments } = deps;
  const router = new Router({ prefix: '/pay/sessions' });

  router.post('/', async (ctx) => {
    const body = parsePayBody(NewPaymentBody, ctx.request.body);
    const { payment, clientSecret } = await payments.start({ chargerId: body.charger_id, connector: body.connector });
    ctx.status = 201;
    ctx.set('Location', `/pay/sessions/${payment.id}`);
    ctx.body = {
      payment_id: payment.id,
      client_secret: clientSecret,
      amount: formatMinorUnits(payment.holdAmount, payment.currency),
      currency: payment.currency,
      id_tag: payment.idTag,
      status: payment.status,
    };
  });

  router.get('/:id', async (ctx) => {
    // A path that is no UUID is the same 404 as an unknown payment, never a database error.
    const payment = PaymentId.safeParse(ctx.params.id).success ? await payments.find(ctx.params.id) : null;
    if (!payment) throw new PayError(404, 'not_found', `No payment with id ${ctx.params.id}`);
    ctx.body = paymentView(payment);
  });

  return router;
}

function routes(router: Router): Middleware {
  return compose([router.routes(), router.allowedMethods()]) as Middleware;
}

/** The `/pay` stack: its own error edge, 503 when payments are off, a small JSON body, the router. */
export function payStack(deps: { payments: PaymentsService; log: Logger }): Middleware {
  return compose([
    payErrorHandler(deps.log, 'payment'),
    requirePayments(deps.payments),
    jsonBody({
      // Two short fields: a public endpoint needs no more.
      limitBytes: 4096,
      tooLarge: (limit) => new PayError(413, 'too_large', `Request body larger than ${limit} bytes`),
      invalid: (detail) => new PayError(400, 'invalid_json', `Invalid JSON: ${detail}`),
      unstorable: (detail) => new PayError(400, 'invalid', `Invalid JSON text at ${detail}`),
    }),
    routes(payRouter(deps)),
  ]) as Middleware;
}

/**
 * `POST /stripe/webhook`: the body is read raw (never parsed before the signature is checked over its
 * exact bytes), verified, and handed to the service. 400 for a bad signature, 200 once processed (or
 * already processed), 500 when processing failed so that Stripe delivers it again.
 */
export function stripeWebhookStack(deps: { payments: PaymentsService; log: Logger; limitBytes: number }): Middleware {
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    let raw: Buffer;
    try {
      raw = await getRawBody(ctx.req, { limit: deps.limitBytes, length: ctx.get('content-length') || undefined });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new PayError(413, 'too_large', `Request body larger than ${deps.limitBytes} bytes`);
      throw new PayError(400, 'invalid_body', 'The request body could not be read');
    }
    const result = await deps.payments.handleWebhook(raw, ctx.get('stripe-signature') || undefined);
    deps.log.info({ eventId: result.eventId, type: result.type, outcome: result.outcome }, 'stripe webhook');
    ctx.body = { received: true, event_id: result.eventId, outcome: result.outcome };
  });
  return compose([payErrorHandler(deps.log, 'Stripe webhook'), requirePayments(deps.payments), routes(router)]) as Middleware;
}
