import Router from '@koa/router';
import { HUB_FORM_VERSION, type OcpiVersion, VERSION_FORM } from '../../../core/ocpi-versions/ocpi-versions';
import { translateObject } from '../../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../../core/ocpi-versions/version-bridges';
import { requireSoleRole } from '../../routing/version-context';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { type HubEndpoint, hubInterfaceFacing, versionBaseUrl, versionPrefix } from './hub-versions';

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
    const details = (offeredEndpoints: HubEndpoint[]) => ({
      version,
      endpoints: offeredEndpoints.map(({ identifier, role, path }) => ({ identifier, role, url: `${base}${path}` })),
    });
    if (!VERSION_FORM[version].rolelessEndpoints) {
      router.get(versionPrefix(version), auth, (ctx) => respond(ctx, details(endpoints)));
      continue;
    }
    // Endpoints without roles (2.1.1): a party sees the hub's interfaces facing its one role, one URL per module.
    router.get(versionPrefix(version), auth, (ctx) => {
      const role = requireSoleRole(ctx.state.caller!.party, version).role;
      const facing = endpoints.filter((e) => e.identifier === 'credentials' ? e.role === 'RECEIVER' : e.role === hubInterfaceFacing(role, e.identifier));
      respond(ctx, translateObject(VERSION_BRIDGES, 'credentials', details(facing), HUB_FORM_VERSION, version).value);
    });
  }
  return router;
}
