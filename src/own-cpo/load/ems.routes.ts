import Router from '@koa/router';
import type { Middleware } from 'koa';
import { DEFAULT_NOMINAL_VOLTAGE } from '../../core/allocation/allocation-core';
import { AdminError, parseAdminBody, requireIssuedKey } from '../../http/admin-http';
import type { LoadManager } from './load-manager';
import type { SitesService } from './sites.service';
import { CapacityBody, EMS_KEY_PREFIX, type SitePlanner } from './site-planner';

export const EMS_PREFIX = '/ems/v1';

/** A building or grid operator's EMS, with the key the operator issued for one site (Authorization: Bearer ems_…). */
export function requireEmsKey(planner: SitePlanner): Middleware {
  return requireIssuedKey({ prefix: EMS_KEY_PREFIX, name: 'EMS key', state: 'emsCaller' }, (key) => planner.authenticate(key));
}

/**
 * The external energy management API (docs/load-management.md, "External energy management"): the
 * site's available capacity, set in real time. A key sees only its own site: any other site id is a
 * 404, whether it exists or not. A new limit re-plans (reallocates) the site at once.
 */
export function emsRouter(deps: { sitePlanner: SitePlanner; load: LoadManager; sites: SitesService }): Router {
  const { sitePlanner, load, sites } = deps;
  const router = new Router({ prefix: EMS_PREFIX });
  const ownSite = (ctx: { params: Record<string, string | undefined>; state: Record<string, unknown> }) => {
    const id = ctx.params.siteId;
    if (id !== (ctx.state.emsCaller as { siteId: string }).siteId) throw new AdminError(404, 'not_found', `No site ${id} for this key`);
    return id;
  };
  const view = (limit: Awaited<ReturnType<SitePlanner['limitOf']>>) =>
    limit ? { limit_w: limit.limitW, given: limit.given, valid_until: limit.validUntil, set_at: limit.setAt } : { limit_w: null };

  router.put('/sites/:siteId/capacity', async (ctx) => {
    const id = ownSite(ctx);
    const body = parseAdminBody(CapacityBody, ctx.request.body);
    const site = await sites.require(id);
    const limit = await sitePlanner.setLimit(id, (ctx.state.emsCaller as { keyId: string }).keyId, body, site.config.nominal_voltage ?? DEFAULT_NOMINAL_VOLTAGE, load.currentTime());
    void load.request(id, 'ems-capacity');
    ctx.body = view(limit);
  });

  router.get('/sites/:siteId/capacity', async (ctx) => {
    ctx.body = view(await sitePlanner.limitOf(ownSite(ctx), load.currentTime()));
  });

  /** Gives the capacity back: the configured limit applies again. */
  router.delete('/sites/:siteId/capacity', async (ctx) => {
    const id = ownSite(ctx);
    await sitePlanner.clearLimit(id);
    void load.request(id, 'ems-capacity');
    ctx.status = 204;
  });

  return router;
}
