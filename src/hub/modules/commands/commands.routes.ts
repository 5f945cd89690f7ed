import Router from '@koa/router';
import type { Context } from 'koa';
import { EMSP_SIDE } from '../../routing/agreements';
import compose from 'koa-compose';
import { authenticate } from '../../transport/authenticate';
import { versionEdge } from '../../transport/version-edge';
import { respond } from '../../ocpi/envelope';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import type { ModuleDeps } from '../module-deps';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionPrefix } from '../versions/hub-versions';
import { COMMAND_TYPES, type CommandType, isCommandType } from './commands.schema';
import { COMMANDS_SENDER_PATH, type CommandsService } from './commands.service';
import { callerOf, setResponseRouting } from './result-relay';

export const COMMANDS_RECEIVER_PATH = '/receiver/commands';

/** An unknown command names no resource: 404 (the HTTP status policy in docs/architecture.md). */
function commandParam(ctx: Context): CommandType {
  const command = ctx.params.command as string;
  if (!isCommandType(command)) throw ocpiErrors.notFound(`Unknown command ${command}; one of ${COMMAND_TYPES.join(', ')}`);
  return command;
}

/**
 * Commands (mod_commands.asciidoc). Receiver interface (eMSPs send): POST /{command}, forwarded to the
 * CPO with the hub's response_url. Sender interface (CPOs answer): POST /{command}/{id}, the hub's
 * response_url, whose CommandResult is delivered to the eMSP's own response_url.
 */
export function commandsRouter(deps: ModuleDeps & { commands: CommandsService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  // Authenticated first, then read in the route's version (versionEdge).
  const auth = compose([authenticate(deps.parties, { allowTokenA: false }), versionEdge(version, 'commands', { contexts: deps.versionContexts })]);

  router.post(`${COMMANDS_RECEIVER_PATH}/:command`, auth, async (ctx) => {
    const command = commandParam(ctx);
    const { to } = readRoutingHeaders(ctx);
    const { route, response } = await deps.commands.send(callerOf(ctx, EMSP_SIDE), to, command, ctx.request.body, ctx.state.correlationId);
    setResponseRouting(ctx, route);
    respond(ctx, response);
  });

  router.post(`${COMMANDS_SENDER_PATH}/:command/:id`, auth, async (ctx) => {
    await deps.commands.receiveResult(callerOf(ctx, ['CPO']), ctx.params.command, ctx.params.id, ctx.request.body);
    respond(ctx);
  });

  return router;
}
