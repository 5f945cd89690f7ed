import Router from '@koa/router';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { OcpiError, OcpiStatus } from '../../ocpi/ocpi-errors';
import { onlyNap } from '../../routing/agreements';
import { readPageRequest, setPageHeaders } from '../../ocpi/pagination';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { HUBCLIENTINFO_PAGE_LIMIT, type HubClientInfoService } from './hubclientinfo.service';

export const HUBCLIENTINFO_PATH = '/hubclientinfo';

/** The hub's hubclientinfo Sender interface: GET the paginated list of ClientInfo objects. */
export function hubClientInfoRouter(deps: {
  parties: PartyRegistry;
  hubClientInfo: HubClientInfoService;
  publicUrl: string;
}, version: OcpiVersion): Router {
  const router = new Router({ prefix: `${versionPrefix(version)}${HUBCLIENTINFO_PATH}` });
  router.use(authenticate(deps.parties, { allowTokenA: false }));
  router.use(versionEdge(version, 'hubclientinfo'));
  router.get('/', async (ctx) => {
    // A National Access Point reads locations and tariffs only (docs/afir.md): not who else is on the hub.
    if (onlyNap(ctx.state.caller!.party)) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'A National Access Point may read locations and tariffs only', 404);
    const page = readPageRequest(ctx, HUBCLIENTINFO_PAGE_LIMIT);
    const { items, total } = await deps.hubClientInfo.list(page);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respond(ctx, items);
  });
  return router;
}
