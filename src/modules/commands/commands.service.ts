import type { ModuleDeps } from '../module-deps';

/** Commands (mod_commands.asciidoc): not built yet. */
export class CommandsService {
  constructor(private readonly deps: ModuleDeps) {}
}
