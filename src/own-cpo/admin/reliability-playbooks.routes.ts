import Router from '@koa/router';
import { z } from 'zod';
import { CHARGER_ID } from '../chargers/chargers.service';
import { SITE_ID } from '../load/site-config';
import type { ReliabilityPlaybooks } from '../charging/reliability-playbooks';
import { AdminError, parseAdminBody } from '../../http/admin-http';

const PlaybookBody = z.strictObject({
  enabled: z.boolean(),
  max_actions_per_day: z.number().int().min(1).max(24).optional(),
});
const ActionsQuery = z.strictObject({
  charger: z.string().regex(CHARGER_ID, 'charger is a charge point id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * The own chargers' guarded playbooks (docs/reliability.md, "Playbooks"): which sites opted in
 * (`/admin/reliability/playbooks`, off unless set) and the audit of every automatic decision
 * (`/admin/reliability/actions`, newest first).
 */
export function reliabilityPlaybooksAdminRouter(deps: { playbooks: ReliabilityPlaybooks }): Router {
  const router = new Router({ prefix: '/admin/reliability' });

  router.get('/playbooks', async (ctx) => {
    ctx.body = { playbooks: await deps.playbooks.settings() };
  });

  router.put('/playbooks/:site', async (ctx) => {
    const site = ctx.params.site;
    if (!SITE_ID.test(site)) throw new AdminError(404, 'not_found', `No site with id ${site}`);
    ctx.body = await deps.playbooks.configure(site, parseAdminBody(PlaybookBody, ctx.request.body));
  });

  router.get('/actions', async (ctx) => {
    const q = parseAdminBody(ActionsQuery, { ...ctx.query });
    ctx.body = { actions: await deps.playbooks.actions(q) };
  });

  return router;
}
