import Router from '@koa/router';
import type { InterfaceRole } from '../../../db/entities';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';

export const OCPI_VERSION = '2.2.1';

/** An endpoint the hub offers, relative to the version base (`/ocpi/2.2.1`). */
export interface HubEndpoint {
  identifier: string;
  role: InterfaceRole;
  path: string;
}

export function versionBaseUrl(publicUrl: string): string {
  return `${publicUrl}/ocpi/${OCPI_VERSION}`;
}

export function versionsUrl(publicUrl: string): string {
  return `${publicUrl}/ocpi/versions`;
}

/**
 * The versions module (version_information_endpoint.asciidoc): the list of versions and the version
 * details with every endpoint the hub offers. Open to token A and token C.
 */
export function versionsRouter(deps: { publicUrl: string; endpoints: HubEndpoint[]; parties: PartyRegistry }): Router {
  const router = new Router();
  const auth = authenticate(deps.parties, { allowTokenA: true });
  const base = versionBaseUrl(deps.publicUrl);

  router.get('/ocpi/versions', auth, (ctx) => respond(ctx, [{ version: OCPI_VERSION, url: base }]));
  router.get(`/ocpi/${OCPI_VERSION}`, auth, (ctx) =>
    respond(ctx, {
      version: OCPI_VERSION,
      endpoints: deps.endpoints.map(({ identifier, role, path }) => ({ identifier, role, url: `${base}${path}` })),
    }),
  );
  return router;
}
