import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { CommandsService } from './commands.service';

export const COMMANDS_RECEIVER_PATH = '/receiver/commands';
export const COMMANDS_SENDER_PATH = '/sender/commands';

/** Commands (mod_commands.asciidoc): not built yet. */
export function commandsRouter(_deps: ModuleDeps & { commands: CommandsService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
