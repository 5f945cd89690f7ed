import Router from '@koa/router';
import type { Context } from 'koa';
import { ownCatalogue, type OwnCatalogueDeps } from '../charging/own-catalogue';
import { OWN_OBJECT_ID } from '../charging/own-objects';
import type { LocationPath } from '../../hub/modules/locations/locations.merge';
import { AdminError } from '../../http/admin-http';

/** A path id that is no OCPI id names nothing: 404 when reading, 400 when writing. */
function idParam(value: string | undefined, what: string, writing: boolean): string {
  if (value && OWN_OBJECT_ID.test(value)) return value;
  if (writing) throw new AdminError(400, 'invalid_request', `The ${what} must be 1 to 36 printable ASCII characters without spaces`);
  throw new AdminError(404, 'not_found', `No own location with id ${value}`);
}

function pathOf(ctx: Context): LocationPath {
  const { id, uid, connector } = ctx.params;
  return {
    locationId: idParam(id, 'location id', true),
    ...(uid !== undefined && { evseUid: idParam(uid, 'EVSE uid', true) }),
    ...(connector !== undefined && { connectorId: idParam(connector, 'connector id', true) }),
  };
}

/**
 * The own CPO's locations: `/admin/locations`. Bodies are OCPI 2.2.1 Location, EVSE or Connector
 * objects (PATCH: the changed fields); country_code, party_id, the path's ids and last_updated may be
 * left out. Each change is validated, stored and pushed exactly as a partner CPO's push would be.
 * OCPI removes an EVSE by status REMOVED, so there is no DELETE.
 */
export function ownLocationsAdminRouter(deps: Required<OwnCatalogueDeps>): Router {
  const { ownLocations } = ownCatalogue(deps);
  const router = new Router({ prefix: '/admin/locations' });

  router.get('/', async (ctx) => {
    ctx.body = await ownLocations.list();
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await ownLocations.get(idParam(ctx.params.id, 'location id', false));
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    const change = async (ctx: Context) => {
      const { outcome, location } = await ownLocations.change(pathOf(ctx), method, ctx.request.body);
      ctx.status = outcome === 'created' ? 201 : 200;
      ctx.body = location;
    };
    const on = method === 'PUT' ? router.put.bind(router) : router.patch.bind(router);
    on('/:id', change);
    on('/:id/evses/:uid', change);
    on('/:id/evses/:uid/connectors/:connector', change);
  }

  return router;
}
