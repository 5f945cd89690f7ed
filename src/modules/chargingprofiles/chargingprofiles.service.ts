import type { ModuleDeps } from '../module-deps';

/** ChargingProfiles (mod_chargingprofiles.asciidoc): not built yet. */
export class ChargingProfilesService {
  constructor(private readonly deps: ModuleDeps) {}
}
