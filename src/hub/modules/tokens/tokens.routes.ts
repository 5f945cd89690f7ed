import Router from '@koa/router';
import type { Context } from 'koa';
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
import { type TokenRef, tokenTypeParam } from './tokens.routing';
import { TOKENS_PAGE_LIMIT, type TokensService } from './tokens.service';

export const TOKENS_RECEIVER_PATH = '/receiver/tokens';
export const TOKENS_SENDER_PATH = '/sender/tokens';

function tokenRef(ctx: Context): TokenRef {
  return { uid: idParam(ctx.params.token_uid, 'token_uid'), type: tokenTypeParam(ctx.query.type) };
}

/**
 * Tokens (mod_tokens.asciidoc). Receiver interface (eMSPs push): GET/PUT/PATCH
 * /{country_code}/{party_id}/{token_uid}[?type=]; no DELETE (a token is invalidated with valid=false).
 * Sender interface (CPOs): GET list, merged across the eMSPs they have agreements with; POST
 * /{token_uid}/authorize[?type=], real-time authorization routed to the owner eMSP.
 */
export function tokensRouter(deps: ModuleDeps & { tokens: TokensService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'tokens', { contexts: deps.versionContexts })]);
  const tokenPath = `${TOKENS_RECEIVER_PATH}/:country_code/:party_id/:token_uid`;
  const owner = (ctx: Context) => ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['EMSP']);

  router.get(tokenPath, auth, async (ctx) => {
    respond(ctx, answerOf(ctx, await deps.tokens.getOwn(owner(ctx), tokenRef(ctx))));
  });
  for (const method of ['PUT', 'PATCH'] as const) {
    router[method === 'PUT' ? 'put' : 'patch'](tokenPath, auth, async (ctx) => {
      const { to } = readRoutingHeaders(ctx);
      respondStored(ctx, await deps.tokens.change(owner(ctx), to, tokenRef(ctx), method, ctx.request.body, ctx.state.correlationId, ctx.state.bodyOrigin));
    });
  }

  router.get(TOKENS_SENDER_PATH, auth, async (ctx) => {
    // Counterparts are symmetric: a CPO's counterparts are the eMSPs whose tokens it may see.
    await respondMergedList(ctx, deps, 'tokens', actingRoles(ctx, ctx.state.caller!, ['CPO']), TOKENS_PAGE_LIMIT);
  });
  router.post(`${TOKENS_SENDER_PATH}/:token_uid/authorize`, auth, async (ctx) => {
    const cpoRoles = actingRoles(ctx, ctx.state.caller!, ['CPO']);
    const { to } = readRoutingHeaders(ctx);
    respond(ctx, await deps.tokens.authorize(cpoRoles, to, tokenRef(ctx), ctx.request.body, ctx.state.correlationId));
  });

  return router;
}
