import Router from '@koa/router';
import { z } from 'zod';
import { CHARGER_ID } from '../chargers/chargers.service';
import type { LoadManager } from '../load/load-manager';
import { SITE_ID, SiteBody } from '../load/site-config';
import type { SiteRecord, SitesService } from '../load/sites.service';
import { AdminError, parseAdminBody } from '../../http/admin-http';

/** A path id that is not a valid site id names no site: 404, never a database error. */
function siteIdParam(value: string | undefined): string {
  if (!value || !SITE_ID.test(value)) throw new AdminError(404, 'not_found', `No site with id ${value}`);
  return value;
}

const SamplesQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.string().regex(/^[1-9][0-9]{0,4}$/, 'must be a whole number from 1 to 99999').optional(),
});

const siteView = (site: SiteRecord) => ({ id: site.id, ...site.config, created_at: site.createdAt, updated_at: site.updatedAt });

/**
 * Sites of the own chargers (docs/load-management.md): `/admin/sites`. A site is a grid connection with
 * its limit, an optional tree of groups (feeders, fuses), time windows, a safety margin and the chargers
 * behind it; the hub shares the limit among the cars and puts it into force with charging profiles.
 */
export function sitesAdminRouter(deps: { sites: SitesService; load: LoadManager }): Router {
  const { sites, load } = deps;
  const router = new Router({ prefix: '/admin/sites' });

  router.get('/', async (ctx) => {
    ctx.body = (await sites.list()).map(siteView);
  });

  router.put('/:id', async (ctx) => {
    if (!ctx.params.id || !SITE_ID.test(ctx.params.id)) {
      throw new AdminError(400, 'invalid_request', 'A site id is 1 to 64 letters, digits or _ . -, starting with a letter or digit');
    }
    const body = parseAdminBody(SiteBody, ctx.request.body);
    const { site, created } = await sites.put(ctx.params.id, body);
    ctx.status = created ? 201 : 200;
    if (created) ctx.set('Location', `/admin/sites/${encodeURIComponent(site.id)}`);
    ctx.body = siteView(site);
  });

  router.get('/:id', async (ctx) => {
    ctx.body = siteView(await sites.require(siteIdParam(ctx.params.id)));
  });

  router.delete('/:id', async (ctx) => {
    await sites.remove(siteIdParam(ctx.params.id));
    ctx.status = 204;
  });

  router.get('/:id/state', async (ctx) => {
    const state = await sites.state(siteIdParam(ctx.params.id));
    ctx.body = {
      site_id: state.siteId,
      allocated_at: state.allocatedAt,
      next_boundary_at: state.nextBoundaryAt,
      allocation: state.allocation,
      chargers: state.chargers.map((c) => ({
        charger_id: c.chargerId,
        state: c.state,
        consecutive_failures: c.consecutiveFailures,
        last_error: c.lastError,
        last_failure_at: c.lastFailureAt,
        excluded_at: c.excludedAt,
      })),
    };
  });

  router.post('/:id/reallocate', async (ctx) => {
    const id = siteIdParam(ctx.params.id);
    await sites.require(id);
    const report = await load.request(id, 'operator');
    ctx.body = {
      at: report?.at ?? null,
      sent: (report?.sent ?? []).map((s) => ({ connector_key: s.connectorKey, direction: s.direction, limit_amps: s.limitAmps, ok: s.ok, ...(s.error && { error: s.error }) })),
      held_back_raises: report?.heldBack ?? 0,
      failed_chargers: report?.failedChargers ?? [],
    };
  });

  router.post('/:id/chargers/:charger_id/include', async (ctx) => {
    const id = siteIdParam(ctx.params.id);
    const chargerId = ctx.params.charger_id;
    if (!chargerId || !CHARGER_ID.test(chargerId)) throw new AdminError(404, 'not_found', `No charger with id ${chargerId}`);
    await sites.include(id, chargerId);
    ctx.status = 204;
  });

  router.get('/:id/samples', async (ctx) => {
    const id = siteIdParam(ctx.params.id);
    const query = parseAdminBody(SamplesQuery, ctx.query);
    const to = query.to ? new Date(query.to) : new Date(load.currentTime().getTime() + 1000); // the clock the samples were taken by
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3_600_000);
    if (from >= to) throw new AdminError(400, 'invalid_request', 'from must be before to');
    const samples = await sites.samples(id, from, to, query.limit ? Number(query.limit) : 1000);
    ctx.body = samples.map((s) => ({ at: s.at, allocated_w: s.allocatedW, limit_w: s.limitW }));
  });

  return router;
}
