import Router from '@koa/router';
import type { Context } from 'koa';
import type { ObjectStore, StoredObject } from '../../routing/object-store';
import type { PartyRegistry } from '../../routing/parties';
import type { HubRouter } from '../../routing/router';
import type { VersionContexts } from '../../routing/version-context';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { answerOf, versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles, ownedRole } from '../caller-roles';
import { actsAsNap, idParam, respondMergedList, respondStored } from '../client-owned';
import { LOCATION_READERS } from '../../routing/agreements';
import { HUB_FORM_VERSION, type OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { type LocationPath, pickLocationPart } from './locations.merge';
import { LOCATIONS_PAGE_LIMIT, type LocationsService } from './locations.service';
import type { Location } from './locations.schema';

export const LOCATIONS_RECEIVER_PATH = '/receiver/locations';
export const LOCATIONS_SENDER_PATH = '/sender/locations';

function locationPath(ctx: Context): LocationPath {
  const { location_id, evse_uid, connector_id } = ctx.params as Record<string, string | undefined>;
  return {
    locationId: idParam(location_id, 'location_id'),
    evseUid: evse_uid === undefined ? undefined : idParam(evse_uid, 'evse_uid'),
    connectorId: connector_id === undefined ? undefined : idParam(connector_id, 'connector_id'),
  };
}

const LEVELS = ['/:location_id', '/:location_id/:evse_uid', '/:location_id/:evse_uid/:connector_id'];

/**
 * Locations (mod_locations.asciidoc). Receiver interface (CPOs push): GET/PUT/PATCH
 * /{country_code}/{party_id}/{location_id}[/{evse_uid}[/{connector_id}]]. Sender interface (eMSPs
 * pull, merged across the CPOs they have agreements with; a NAP: the published locations of the CPOs
 * that opted in): GET list; GET /{location_id}[/…].
 */
export function locationsRouter(deps: {
  parties: PartyRegistry;
  router: HubRouter;
  store: ObjectStore;
  locations: LocationsService;
  publicUrl: string;
  versionContexts?: VersionContexts;
}, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'locations', { contexts: deps.versionContexts })]);

  for (const level of LEVELS) {
    const receiverPath = `${LOCATIONS_RECEIVER_PATH}/:country_code/:party_id${level}`;
    router.get(receiverPath, auth, async (ctx) => {
      const owner = ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['CPO']);
      const path = locationPath(ctx);
      respond(ctx, answerOf(ctx, await deps.locations.getOwn(owner, path), (location) => pickLocationPart(location, path)));
    });
    for (const method of ['PUT', 'PATCH'] as const) {
      router[method === 'PUT' ? 'put' : 'patch'](receiverPath, auth, async (ctx) => {
        const owner = ownedRole(ctx.state.caller!, ctx.params.country_code, ctx.params.party_id, ['CPO']);
        const { to } = readRoutingHeaders(ctx);
        const outcome = await deps.locations.change(owner, to, locationPath(ctx), method, ctx.request.body, ctx.state.correlationId, ctx.state.bodyOrigin);
        respondStored(ctx, outcome);
      });
    }
    router.get(`${LOCATIONS_SENDER_PATH}${level}`, auth, async (ctx) => {
      const roles = actingRoles(ctx, ctx.state.caller!, LOCATION_READERS);
      const path = locationPath(ctx);
      const stored = await deps.locations.viewFor(
        roles[0],
        await deps.locations.getForReceiver(roles, readRoutingHeaders(ctx).to, path, { publishedOnly: actsAsNap(roles) }),
      );
      if (version !== HUB_FORM_VERSION) {
        const context = await deps.locations.translationContextOf({ countryCode: stored.key.countryCode, partyId: stored.key.partyId });
        if (context) ctx.state.answerContextOf = () => context;
      }
      respond(ctx, answerOf(ctx, stored, (location) => pickLocationPart(location, path)));
    });
  }

  router.get(LOCATIONS_SENDER_PATH, auth, async (ctx) => {
    const roles = actingRoles(ctx, ctx.state.caller!, LOCATION_READERS);
    await respondMergedList(ctx, deps, 'locations', roles, LOCATIONS_PAGE_LIMIT, {
      publishedOnly: actsAsNap(roles),
      view: async (stored) => (await deps.locations.viewFor(roles[0], stored as unknown as StoredObject<Location>)) as unknown as StoredObject,
      asStoredText: (owners) => deps.locations.answersAsStored(owners),
    });
    // What the hub form lacks for the answer's version (the own CPO's accepted_service_providers in 2.3.0).
    if (version !== HUB_FORM_VERSION) ctx.state.answerContextOf = await deps.locations.answerContexts((ctx.body as { data: unknown[] }).data);
  });

  return router;
}
