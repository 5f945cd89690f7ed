import Router from '@koa/router';
import type { Context } from 'koa';
import { EMSP_SIDE } from '../../routing/agreements';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles } from '../caller-roles';
import { idParam } from '../client-owned';
import { type Caller, callerOf, type CpoRoute, setResponseRouting } from '../commands/result-relay';
import type { ModuleDeps } from '../module-deps';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { CHARGINGPROFILES_SENDER_PATH, type ChargingProfilesService } from './chargingprofiles.service';
import type { PartyAddress } from '../../ocpi/party-address';

export const CHARGINGPROFILES_RECEIVER_PATH = '/receiver/chargingprofiles';

const sessionId = (ctx: Context) => idParam(ctx.params.session_id, 'session_id');

/**
 * ChargingProfiles (mod_charging_profiles.asciidoc). Receiver interface (eMSPs and SCSPs send):
 * GET/PUT/DELETE /{session_id}, forwarded to the session's CPO with the hub's response_url. Sender
 * interface (CPOs answer): POST /results/{id}, the hub's response_url, whose result is delivered to
 * the requester's own response_url; PUT /{session_id}, an updated ActiveChargingProfile.
 */
export function chargingprofilesRouter(deps: ModuleDeps & { chargingprofiles: ChargingProfilesService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'chargingprofiles')]);
  const receiverPath = `${CHARGINGPROFILES_RECEIVER_PATH}/:session_id`;
  const service = deps.chargingprofiles;

  /** A Receiver request forwarded to the session's CPO: its ChargingProfileResponse is the answer. */
  const forwarded =
    (call: (caller: Caller, to: PartyAddress | undefined, sessionId: string, ctx: Context) => Promise<{ route: CpoRoute; response: unknown }>) =>
    async (ctx: Context) => {
      const { route, response } = await call(callerOf(ctx, EMSP_SIDE), readRoutingHeaders(ctx).to, sessionId(ctx), ctx);
      setResponseRouting(ctx, route);
      respond(ctx, response);
    };

  router.get(receiverPath, auth, forwarded((caller, to, id, ctx) => service.getActive(caller, to, id, ctx.query, ctx.state.correlationId)));
  router.put(receiverPath, auth, forwarded((caller, to, id, ctx) => service.set(caller, to, id, ctx.request.body, ctx.state.correlationId)));
  router.delete(receiverPath, auth, forwarded((caller, to, id, ctx) => service.clear(caller, to, id, ctx.query, ctx.state.correlationId)));

  router.post(`${CHARGINGPROFILES_SENDER_PATH}/results/:id`, auth, async (ctx) => {
    await service.receiveResult(callerOf(ctx, ['CPO']), ctx.params.id, ctx.request.body);
    respond(ctx);
  });

  router.put(`${CHARGINGPROFILES_SENDER_PATH}/:session_id`, auth, async (ctx) => {
    const { to } = readRoutingHeaders(ctx);
    await service.pushActive(actingRoles(ctx, ctx.state.caller!, ['CPO']), to, sessionId(ctx), ctx.request.body, ctx.state.correlationId);
    respond(ctx);
  });

  return router;
}
