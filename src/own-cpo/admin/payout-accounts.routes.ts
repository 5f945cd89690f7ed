import Router from '@koa/router';
import { z } from 'zod';
import { type PaymentsService, STRIPE_ACCOUNT } from '../driver-payments/payments.service';
import { AdminError, parseAdminBody, uuidParam } from '../../http/admin-http';

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
