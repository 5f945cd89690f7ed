import Router from '@koa/router';
import type { Context } from 'koa';
import { LOCATION_READERS } from '../../routing/agreements';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { answerOf, versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles, ownedRole } from '../caller-roles';
import { idParam, respondMergedList, respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { TARIFFS_PAGE_LIMIT, type TariffsService } from './tariffs.service';

export const TARIFFS_RECEIVER_PATH = '/receiver/tariffs';
export const TARIFFS_SENDER_PATH = '/sender/tariffs';

const owner = (ctx: Context) => ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['CPO']);
const tariffId = (ctx: Context) => idParam(ctx.params.tariff_id, 'tariff_id');

/**
 * Tariffs (mod_tariffs.asciidoc). Receiver interface (CPOs push): GET/PUT/DELETE
 * /{country_code}/{party_id}/{tariff_id}. Sender interface (eMSPs pull, merged across the CPOs they
 * have agreements with): GET list only — the spec defines no single-tariff Sender GET.
 */
export function tariffsRouter(deps: ModuleDeps & { tariffs: TariffsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'tariffs', { contexts: deps.versionContexts })]);
  const receiverPath = `${TARIFFS_RECEIVER_PATH}/:country_code/:party_id/:tariff_id`;

  router.get(receiverPath, auth, async (ctx) => {
    respond(ctx, answerOf(ctx, await deps.tariffs.getOwn(owner(ctx), tariffId(ctx))));
  });
  router.put(receiverPath, auth, async (ctx) => {
    const outcome = await deps.tariffs.put(owner(ctx), readRoutingHeaders(ctx).to, tariffId(ctx), ctx.request.body, ctx.state.correlationId, ctx.state.bodyOrigin);
    respondStored(ctx, outcome);
  });
  router.delete(receiverPath, auth, async (ctx) => {
    await deps.tariffs.delete(owner(ctx), readRoutingHeaders(ctx).to, tariffId(ctx), ctx.state.correlationId);
    respond(ctx);
  });

  router.get(TARIFFS_SENDER_PATH, auth, async (ctx) => {
    // A NAP reads the tariffs of the CPOs that publish to it, the ad hoc prices among them (AFIR Art. 20).
    const roles = actingRoles(ctx, ctx.state.caller!, LOCATION_READERS);
    // Each eMSP gets the public tariffs and those offered to it (tariff-audiences.ts).
    const audiences = deps.tariffAudiences;
    await respondMergedList(ctx, deps, 'tariffs', roles, TARIFFS_PAGE_LIMIT, { excludedIds: audiences && ((owners) => audiences.hiddenFrom(owners, roles)) });
  });

  return router;
}
