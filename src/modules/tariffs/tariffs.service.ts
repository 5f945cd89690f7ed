import type { ModuleDeps } from '../module-deps';

/** Tariffs (mod_tariffs.asciidoc): not built yet. */
export class TariffsService {
  constructor(private readonly deps: ModuleDeps) {}
}
