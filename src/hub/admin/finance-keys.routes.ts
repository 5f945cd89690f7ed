import Router from '@koa/router';
import { z } from 'zod';
import { parseAdminBody, uuidParam } from '../../http/admin-http';
import type { FinanceKeys } from '../partner-finance/finance-keys';

const IssueBody = z.strictObject({
  /** Whom the key is for, e.g. "ACME finance team". */
  label: z.string().trim().min(1, 'must say whom the key is for').max(200),
});

/** Finance keys of a party for the partner finance API: issued (shown once), listed, revoked. */
export function financeKeysAdminRouter(deps: { financeKeys: FinanceKeys }): Router {
  const router = new Router({ prefix: '/admin' });

  router.post('/parties/:id/finance-keys', async (ctx) => {
    const body = parseAdminBody(IssueBody, ctx.request.body);
    ctx.body = await deps.financeKeys.issue(uuidParam(ctx.params.id, 'party'), body.label);
    ctx.status = 201;
  });

  router.get('/parties/:id/finance-keys', async (ctx) => {
    ctx.body = await deps.financeKeys.list(uuidParam(ctx.params.id, 'party'));
  });

  router.post('/finance-keys/:id/revoke', async (ctx) => {
    ctx.body = await deps.financeKeys.revoke(uuidParam(ctx.params.id, 'finance key'));
  });

  return router;
}
