import Router from '@koa/router';
import type { Context } from 'koa';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { EMSP_SIDE } from '../../routing/agreements';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { readPageRequest, setPageHeaders } from '../../ocpi/pagination';
import type { RoleAddress } from '../../ocpi/party-address';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles } from '../caller-roles';
import { idParam, respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import type { HubEndpoint } from '../versions/hub-versions';
import { versionPrefix } from '../versions/hub-versions';
import {
  CONFIRMATIONS,
  CONFIRMATIONS_SUBPATH,
  type OcpiPaymentsService,
  PAYMENTS_PAGE_LIMIT,
  TERMINALS,
  TERMINALS_SUBPATH,
} from './ocpi-payments.service';

/** The hub's Receiver interface (it stands for the CPOs; PTPs push) and Sender interface (it stands for the PTPs; CPOs pull and push). */
export const PAYMENTS_RECEIVER_PATH = '/receiver/payments';
export const PAYMENTS_SENDER_PATH = '/sender/payments';

/** The Payments module exists only in OCPI 2.3.0 (VERSION_FORM): its endpoints are listed in the 2.3.0 version details alone. */
export const PAYMENTS_ENDPOINTS: HubEndpoint[] = [
  { identifier: 'payments', role: 'SENDER', path: PAYMENTS_SENDER_PATH },
  { identifier: 'payments', role: 'RECEIVER', path: PAYMENTS_RECEIVER_PATH },
];

/** A push acts in one role: the one in OCPI-from-*, or the caller's only one of these kinds. */
function actingRole(ctx: Context, kinds: typeof EMSP_SIDE): RoleAddress {
  const roles = actingRoles(ctx, ctx.state.caller!, kinds);
  if (roles.length > 1) throw ocpiErrors.invalidParameters(`You hold several ${kinds.join('/')} roles: name the one you act in with OCPI-from-*`);
  return roles[0];
}

const ptpOf = (ctx: Context) => actingRole(ctx, EMSP_SIDE);
const cposOf = (ctx: Context) => actingRoles(ctx, ctx.state.caller!, ['CPO']);
const terminalId = (ctx: Context) => idParam(ctx.params.terminal_id, 'terminal_id');
const confirmationId = (ctx: Context) => idParam(ctx.params.financial_advice_confirmation_id, 'financial_advice_confirmation_id');

/**
 * Payments (mod_payments.asciidoc), OCPI 2.3.0 only; bodies are read and passed on as 2.3.0, never
 * translated (no versionEdge: the hub form has no Payments module).
 *
 * Receiver interface, for PTPs (the eMSP side of an agreement, role OTHER typically):
 *   POST/GET {receiver}/terminals[/{terminal_id}], POST/GET {receiver}/financial-advice-confirmations[/{id}].
 * Sender interface, for CPOs: GET {sender}/terminals (paginated), GET/PUT/PATCH {sender}/terminals/{terminal_id},
 *   POST {sender}/terminals/activate, POST {sender}/terminals/{terminal_id}/deactivate,
 *   GET {sender}/financial-advice-confirmations (paginated) and /{id}.
 */
export function ocpiPaymentsRouter(deps: ModuleDeps & { ocpiPayments: OcpiPaymentsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  const auth = authenticate(deps.parties, { allowTokenA: false });
  const payments = deps.ocpiPayments;
  const receiver = (sub: string) => `${PAYMENTS_RECEIVER_PATH}${sub}`;
  const sender = (sub: string) => `${PAYMENTS_SENDER_PATH}${sub}`;

  router.post(receiver(TERMINALS_SUBPATH), auth, async (ctx) => {
    respondStored(ctx, await payments.postTerminal(ptpOf(ctx), readRoutingHeaders(ctx).to, ctx.request.body, ctx.state.correlationId));
  });
  router.get(receiver(`${TERMINALS_SUBPATH}/:terminal_id`), auth, async (ctx) => {
    respond(ctx, await payments.getOwn(ptpOf(ctx), TERMINALS, terminalId(ctx)));
  });
  router.post(receiver(CONFIRMATIONS_SUBPATH), auth, async (ctx) => {
    respondStored(ctx, await payments.postConfirmation(ptpOf(ctx), readRoutingHeaders(ctx).to, ctx.request.body, ctx.state.correlationId));
  });
  router.get(receiver(`${CONFIRMATIONS_SUBPATH}/:financial_advice_confirmation_id`), auth, async (ctx) => {
    respond(ctx, await payments.getOwn(ptpOf(ctx), CONFIRMATIONS, confirmationId(ctx)));
  });

  const list = (module: typeof TERMINALS | typeof CONFIRMATIONS) => async (ctx: Context) => {
    const page = readPageRequest(ctx, PAYMENTS_PAGE_LIMIT);
    const { items, total } = await payments.list(cposOf(ctx), module, page);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respond(ctx, items);
  };
  router.get(sender(TERMINALS_SUBPATH), auth, list(TERMINALS));
  // Before /:terminal_id, so "activate" is not read as a terminal id.
  router.post(sender(`${TERMINALS_SUBPATH}/activate`), auth, async (ctx) => {
    await payments.activate(actingRole(ctx, ['CPO']), readRoutingHeaders(ctx).to, ctx.request.body, ctx.state.correlationId);
    respond(ctx);
  });
  router.get(sender(`${TERMINALS_SUBPATH}/:terminal_id`), auth, async (ctx) => {
    respond(ctx, await payments.get(cposOf(ctx), TERMINALS, terminalId(ctx), readRoutingHeaders(ctx).to));
  });
  router.put(sender(`${TERMINALS_SUBPATH}/:terminal_id`), auth, async (ctx) => {
    respondStored(ctx, await payments.putTerminal(cposOf(ctx), readRoutingHeaders(ctx).to, terminalId(ctx), ctx.request.body, ctx.state.correlationId));
  });
  router.patch(sender(`${TERMINALS_SUBPATH}/:terminal_id`), auth, async (ctx) => {
    await payments.patchTerminal(cposOf(ctx), readRoutingHeaders(ctx).to, terminalId(ctx), ctx.request.body, ctx.state.correlationId);
    respond(ctx);
  });
  router.post(sender(`${TERMINALS_SUBPATH}/:terminal_id/deactivate`), auth, async (ctx) => {
    await payments.deactivate(cposOf(ctx), readRoutingHeaders(ctx).to, terminalId(ctx), ctx.state.correlationId);
    respond(ctx);
  });
  router.get(sender(CONFIRMATIONS_SUBPATH), auth, list(CONFIRMATIONS));
  router.get(sender(`${CONFIRMATIONS_SUBPATH}/:financial_advice_confirmation_id`), auth, async (ctx) => {
    respond(ctx, await payments.get(cposOf(ctx), CONFIRMATIONS, confirmationId(ctx), readRoutingHeaders(ctx).to));
  });

  return router;
}
