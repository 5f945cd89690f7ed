import Router from '@koa/router';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { type OcpiVersion, VERSION_FORM } from '../../../core/ocpi-versions/ocpi-versions';
import { requireSoleRole, type VersionContexts } from '../../routing/version-context';
import { versionPrefix } from '../versions/hub-versions';
import type { CredentialsService } from './credentials.service';

export const CREDENTIALS_PATH = '/credentials';

/** The credentials module's routes (credentials.asciidoc): GET, POST (register), PUT (update), DELETE (unregister). */
export function credentialsRouter(
  deps: { parties: PartyRegistry; credentials: CredentialsService; versionContexts?: VersionContexts },
  version: OcpiVersion,
): Router {
  const router = new Router({ prefix: `${versionPrefix(version)}${CREDENTIALS_PATH}` });
  router.use(authenticate(deps.parties, { allowTokenA: true }));
  // Credentials without roles (2.1.1) are one party in the one role the operator registered it in.
  if (VERSION_FORM[version].rolelessEndpoints) router.use((ctx, next) => (requireSoleRole(ctx.state.caller!.party, version), next()));
  // The partner's credentials are read in the route's version; the hub's own are written in it by the service.
  router.use(versionEdge(version, 'credentials', { answers: false, contexts: deps.versionContexts }));

  router.get('/', async (ctx) => {
    const caller = ctx.state.caller!;
    if (!caller.party.registeredAt || caller.kind !== 'C') {
      throw ocpiErrors.methodNotAllowed('Not registered: POST your credentials first');
    }
    respond(ctx, await deps.credentials.hubCredentials(caller.token, version));
  });

  router.post('/', async (ctx) => {
    respond(ctx, await deps.credentials.hubCredentials(await deps.credentials.register(ctx.state.caller!, ctx.request.body), version));
  });

  router.put('/', async (ctx) => {
    respond(ctx, await deps.credentials.hubCredentials(await deps.credentials.update(ctx.state.caller!, ctx.request.body), version));
  });

  router.delete('/', async (ctx) => {
    await deps.credentials.unregister(ctx.state.caller!);
    respond(ctx);
  });

  return router;
}
