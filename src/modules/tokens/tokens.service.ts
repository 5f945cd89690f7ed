import type { ModuleDeps } from '../module-deps';

/** Tokens (mod_tokens.asciidoc): not built yet. */
export class TokensService {
  constructor(private readonly deps: ModuleDeps) {}
}
