import type { ModuleDeps } from '../module-deps';

/** Sessions (mod_sessions.asciidoc): not built yet. */
export class SessionsService {
  constructor(private readonly deps: ModuleDeps) {}
}
