import Router from '@koa/router';
import { z } from 'zod';
import { type PaymentsService, STRIPE_ACCOUNT } from '../driver-payments/payments.service';
import { AdminError, parseAdminBody, uuidParam } from '../../http/admin-http';

const PayoutsQuery = z.strictObject({
  status: z.enum(['paid', 'retrying', 'held']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const PayoutAction = z.enum(['hold', 'release', 'retry']);

const PayoutAccountBody = z.strictObject({
  stripe_account: z.string().regex(STRIPE_ACCOUNT, 'must be a Stripe Connect account id (acct_…)'),
});

/**
 * `/admin/parties/{id}/payout-account`: the Stripe Connect account a party's settlement statements are
 * paid to. Kept beside the party (not in Stripe metadata) so a payout never depends on a lookup at Stripe.
 */
export function payoutAccountsAdminRouter(deps: { payments: PaymentsService }): Router {
  const { payments } = deps;
  const router = new Router({ prefix: '/admin/parties/:id/payout-account' });

  router.get('/', async (ctx) => {
    const partyUuid = uuidParam(ctx.params.id, 'party');
    const account = await payments.payoutAccount(partyUuid);
    if (!account) throw new AdminError(404, 'not_found', `Party ${partyUuid} has no payout account`);
    ctx.body = { party_id: partyUuid, stripe_account: account };
  });

  router.put('/', async (ctx) => {
    const partyUuid = uuidParam(ctx.params.id, 'party');
    const body = parseAdminBody(PayoutAccountBody, ctx.request.body);
    await payments.setPayoutAccount(partyUuid, body.stripe_account);
    ctx.body = { party_id: partyUuid, stripe_account: body.stripe_account };
  });

  router.delete('/', async (ctx) => {
    await payments.removePayoutAccount(uuidParam(ctx.params.id, 'party'));
    ctx.status = 204;
  });

  return router;
}

/**
 * `/admin/payouts`: every statement payout with its state (paid, retrying with its attempts and last
 * error, held), and the operator's hand on it: hold (no more retries), release or retry (due now).
 */
export function payoutsAdminRouter(deps: { payments: PaymentsService }): Router {
  const { payments } = deps;
  const router = new Router({ prefix: '/admin/payouts' });

  router.get('/', async (ctx) => {
    const query = parseAdminBody(PayoutsQuery, { ...ctx.query });
    ctx.body = await payments.payouts(query);
  });

  router.get('/:statement_id', async (ctx) => {
    ctx.body = await payments.payout(uuidParam(ctx.params.statement_id, 'statement'));
  });

  router.post('/:statement_id/:action', async (ctx) => {
    const statementId = uuidParam(ctx.params.statement_id, 'statement');
    const action = PayoutAction.safeParse(ctx.params.action);
    if (!action.success) throw new AdminError(404, 'not_found', `No payout action ${ctx.params.action} (hold, release, retry)`);
    ctx.body = await payments.setPayoutHeld(statementId, action.data === 'hold');
  });

  return router;
}
