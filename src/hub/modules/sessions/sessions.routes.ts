import Router from '@koa/router';
import type { Context } from 'koa';
import { EMSP_SIDE } from '../../routing/agreements';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { answerOf, versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles, ownedRole } from '../caller-roles';
import { idParam, respondMergedList, respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import { type OcpiVersion, VERSION_FORM } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { SESSIONS_PAGE_LIMIT, type SessionsService } from './sessions.service';

export const SESSIONS_RECEIVER_PATH = '/receiver/sessions';
export const SESSIONS_SENDER_PATH = '/sender/sessions';

const owner = (ctx: Context) => ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['CPO']);
const sessionId = (ctx: Context) => idParam(ctx.params.session_id, 'session_id');

/**
 * Sessions (mod_sessions.asciidoc). Receiver interface (CPOs push): GET/PUT/PATCH
 * /{country_code}/{party_id}/{session_id}, each session passed to its one eMSP. Sender interface
 * (eMSPs): GET list of their own sessions; PUT /{session_id}/charging_preferences, forwarded to the CPO.
 */
export function sessionsRouter(deps: ModuleDeps & { sessions: SessionsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'sessions', { contexts: deps.versionContexts })]);
  const receiverPath = `${SESSIONS_RECEIVER_PATH}/:country_code/:party_id/:session_id`;

  router.get(receiverPath, auth, async (ctx) => {
    respond(ctx, answerOf(ctx, await deps.sessions.getOwn(owner(ctx), sessionId(ctx))));
  });
  router.put(receiverPath, auth, async (ctx) => {
    const outcome = await deps.sessions.put(owner(ctx), readRoutingHeaders(ctx).to, sessionId(ctx), ctx.request.body, ctx.state.correlationId, ctx.state.bodyOrigin);
    respondStored(ctx, outcome);
  });
  router.patch(receiverPath, auth, async (ctx) => {
    const outcome = await deps.sessions.patch(owner(ctx), readRoutingHeaders(ctx).to, sessionId(ctx), ctx.request.body, ctx.state.correlationId, ctx.state.bodyOrigin);
    respondStored(ctx, outcome);
  });

  router.get(SESSIONS_SENDER_PATH, auth, async (ctx) => {
    const roles = actingRoles(ctx, ctx.state.caller!, EMSP_SIDE);
    await respondMergedList(ctx, deps, 'sessions', roles, SESSIONS_PAGE_LIMIT, { ownTokensOnly: true });
  });
  // Charging preferences came with smart charging (2.2): only in versions with charging profiles.
  if (VERSION_FORM[version].modules.includes('chargingprofiles')) router.put(`${SESSIONS_SENDER_PATH}/:session_id/charging_preferences`, auth, async (ctx) => {
    const roles = actingRoles(ctx, ctx.state.caller!, EMSP_SIDE);
    const answer = await deps.sessions.setChargingPreferences(roles, readRoutingHeaders(ctx).to, sessionId(ctx), ctx.request.body, ctx.state.correlationId);
    respond(ctx, answer);
  });

  return router;
}
