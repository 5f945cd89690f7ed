import type { ModuleDeps } from '../module-deps';

/** Cdrs (mod_cdrs.asciidoc): not built yet. */
export class CdrsService {
  constructor(private readonly deps: ModuleDeps) {}
}
