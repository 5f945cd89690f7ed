import Router from '@koa/router';
import { z } from 'zod';
import type { Outbox } from '../routing/outbox';
import { parseAdminBody } from '../../http/admin-http';

const Query = z.strictObject({
  status: z.enum(['pending', 'failed']).optional(),
  party: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** What the hub still owes partners: `GET /admin/outbox?status=failed&party=<id>&limit=100`. */
export function outboxAdminRouter(deps: { outbox: Outbox }): Router {
  const router = new Router({ prefix: '/admin/outbox' });
  router.get('/', async (ctx) => {
    const query = parseAdminBody(Query, { ...ctx.query });
    ctx.body = await deps.outbox.undelivered({ status: query.status, partyUuid: query.party, limit: query.limit });
  });
  return router;
}
