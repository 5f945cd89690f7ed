import Router from '@koa/router';
import type { PartyRegistry } from '../../routing/parties';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import type { CredentialsService } from './credentials.service';

export const CREDENTIALS_PATH = '/credentials';

/** The credentials module's routes (credentials.asciidoc): GET, POST (register), PUT (update), DELETE (unregister). */
export function credentialsRouter(deps: { parties: PartyRegistry; credentials: CredentialsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: `${versionPrefix(version)}${CREDENTIALS_PATH}` });
  router.use(authenticate(deps.parties, { allowTokenA: true }));

  router.get('/', (ctx) => {
    const caller = ctx.state.caller!;
    if (!caller.party.registeredAt || caller.kind !== 'C') {
      throw ocpiErrors.methodNotAllowed('Not registered: POST your credentials first');
    }
    respond(ctx, deps.credentials.hubCredentials(caller.token));
  });

  router.post('/', async (ctx) => {
    respond(ctx, deps.credentials.hubCredentials(await deps.credentials.register(ctx.state.caller!, ctx.request.body)));
  });

  router.put('/', async (ctx) => {
    respond(ctx, deps.credentials.hubCredentials(await deps.credentials.update(ctx.state.caller!, ctx.request.body)));
  });

  router.delete('/', async (ctx) => {
    await deps.credentials.unregister(ctx.state.caller!);
    respond(ctx);
  });

  return router;
}
