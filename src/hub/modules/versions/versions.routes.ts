import Router from '@koa/router';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { type HubEndpoint, versionBaseUrl, versionPrefix } from './hub-versions';

/**
 * The versions module (version_information_endpoint.asciidoc): the list of the versions the hub
 * offers and, per version, the details with every endpoint of it. Open to token A and token C.
 */
export function versionsRouter(deps: {
  publicUrl: string;
  endpoints: ReadonlyMap<OcpiVersion, HubEndpoint[]>;
  parties: PartyRegistry;
}): Router {
  const router = new Router();
  const auth = authenticate(deps.parties, { allowTokenA: true });
  const offered = [...deps.endpoints.keys()];

  router.get('/ocpi/versions', auth, (ctx) =>
    respond(ctx, offered.map((version) => ({ version, url: versionBaseUrl(deps.publicUrl, version) }))),
  );
  for (const [version, endpoints] of deps.endpoints) {
    const base = versionBaseUrl(deps.publicUrl, version);
    router.get(versionPrefix(version), auth, (ctx) =>
      respond(ctx, {
        version,
        endpoints: endpoints.map(({ identifier, role, path }) => ({ identifier, role, url: `${base}${path}` })),
      }),
    );
  }
  return router;
}
