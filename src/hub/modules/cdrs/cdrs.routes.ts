import Router from '@koa/router';
import { EMSP_SIDE } from '../../routing/agreements';
import type { AuthenticatedParty } from '../../routing/parties';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { answerOf, versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { OcpiError, OcpiStatus } from '../../ocpi/ocpi-errors';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { actingRoles, ownedRole } from '../caller-roles';
import { idParam, respondMergedList, respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionBaseUrl, versionPrefix } from '../versions/hub-versions';
import { Cdr } from './cdrs.schema';
import { CDRS_PAGE_LIMIT, type CdrsService } from './cdrs.service';
import type { RoleAddress } from '../../ocpi/party-address';

export const CDRS_RECEIVER_PATH = '/receiver/cdrs';
export const CDRS_SENDER_PATH = '/sender/cdrs';

// The CDR id may be 39 characters: a credit CDR appends to the original id (mod_cdrs.asciidoc).
const CDR_ID_MAX = 39;

/** A POSTed CDR names its owner in the body: it must be one of the caller's CPO roles (404, 2001). */
function ownerOf(caller: AuthenticatedParty, cdr: Cdr): RoleAddress {
  try {
    return ownedRole(caller, cdr.country_code, cdr.party_id, ['CPO']);
  } catch (error) {
    if (!(error instanceof OcpiError)) throw error;
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `country_code/party_id of the CDR: ${error.message}`, 404);
  }
}

/** The hub's own URL of a stored CDR, answered in the POST's Location header. */
function cdrUrl(publicUrl: string, version: OcpiVersion, owner: RoleAddress, cdrId: string): string {
  return `${versionBaseUrl(publicUrl, version)}${CDRS_RECEIVER_PATH}/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(cdrId)}`;
}

/**
 * CDRs (mod_cdrs.asciidoc). Receiver interface (CPOs push): POST, answered with the Location of the
 * stored CDR, and GET at that location /{country_code}/{party_id}/{cdr_id} (the hub defines the URL;
 * the spec leaves it open). Sender interface (eMSPs): GET list of their own CDRs.
 */
export function cdrsRouter(deps: ModuleDeps & { cdrs: CdrsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'cdrs', { contexts: deps.versionContexts })]);

  router.post(CDRS_RECEIVER_PATH, auth, async (ctx) => {
    const cdr = parseOcpiBody(Cdr, ctx.request.body, 'CDR');
    const owner = ownerOf(ctx.state.caller!, cdr);
    await deps.cdrs.create(owner, readRoutingHeaders(ctx).to, cdr, ctx.state.correlationId, ctx.state.bodyOrigin);
    ctx.set('Location', cdrUrl(deps.publicUrl, version, owner, cdr.id));
    respondStored(ctx, 'created');
  });
  router.get(`${CDRS_RECEIVER_PATH}/:country_code/:party_id/:cdr_id`, auth, async (ctx) => {
    const owner = ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['CPO']);
    respond(ctx, answerOf(ctx, await deps.cdrs.getOwn(owner, idParam(ctx.params.cdr_id, 'cdr_id', CDR_ID_MAX))));
  });

  router.get(CDRS_SENDER_PATH, auth, async (ctx) => {
    const roles = actingRoles(ctx, ctx.state.caller!, EMSP_SIDE);
    await respondMergedList(ctx, deps, 'cdrs', roles, CDRS_PAGE_LIMIT, { ownTokensOnly: true });
  });

  return router;
}
