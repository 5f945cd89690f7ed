import Router from '@koa/router';
import { z } from 'zod';
import type { LoadManager } from '../load/load-manager';
import { SITE_ID } from '../load/site-config';
import { PlannerSettingsBody, type SitePlanner } from '../load/site-planner';
import { AdminError, parseAdminBody } from '../../http/admin-http';

const IssueBody = z.strictObject({
  /** Whose system the key is for, e.g. "building EMS, hall 2". */
  label: z.string().trim().min(1, 'must say whose system the key is for').max(200),
});

function siteIdOf(value: string | undefined): string {
  if (!value || !SITE_ID.test(value)) throw new AdminError(404, 'not_found', `No site with id ${value}`);
  return value;
}

/**
 * The planner of a site (docs/scheduling.md, "The planner live"): `GET/PUT /admin/sites/{id}/planner`
 * turns it on or off, with its classes and price source; EMS keys for the site's energy management
 * system are issued (shown once), listed and revoked under `/admin/sites/{id}/ems-keys`;
 * `GET /admin/sites/{id}/capacity` shows the EMS limit in force.
 */
export function sitePlannerAdminRouter(deps: { sitePlanner: SitePlanner; load: LoadManager }): Router {
  const { sitePlanner, load } = deps;
  const router = new Router({ prefix: '/admin/sites' });

  router.get('/:id/planner', async (ctx) => {
    ctx.body = await sitePlanner.settings(siteIdOf(ctx.params.id));
  });

  router.put('/:id/planner', async (ctx) => {
    const id = siteIdOf(ctx.params.id);
    const body = parseAdminBody(PlannerSettingsBody, ctx.request.body);
    ctx.body = await sitePlanner.putSettings(id, body);
    load.forgetPlannerSettings();
    void load.request(id, 'planner-settings');
  });

  router.post('/:id/ems-keys', async (ctx) => {
    const id = siteIdOf(ctx.params.id);
    const body = parseAdminBody(IssueBody, ctx.request.body);
    ctx.body = await sitePlanner.issueKey(id, body.label);
    ctx.status = 201;
  });

  router.get('/:id/ems-keys', async (ctx) => {
    ctx.body = await sitePlanner.keys(siteIdOf(ctx.params.id));
  });

  router.post('/:id/ems-keys/:key/revoke', async (ctx) => {
    ctx.body = await sitePlanner.revokeKey(siteIdOf(ctx.params.id), ctx.params.key!);
  });

  router.get('/:id/capacity', async (ctx) => {
    const id = siteIdOf(ctx.params.id);
    await sitePlanner.settings(id); // 404 for an unknown site
    const limit = await sitePlanner.limitOf(id, load.currentTime());
    ctx.body = limit ? { limit_w: limit.limitW, given: limit.given, valid_until: limit.validUntil, set_at: limit.setAt } : { limit_w: null };
  });

  return router;
}
