import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { ChargingProfilesService } from './chargingprofiles.service';

export const CHARGINGPROFILES_RECEIVER_PATH = '/receiver/chargingprofiles';
export const CHARGINGPROFILES_SENDER_PATH = '/sender/chargingprofiles';

/** ChargingProfiles (mod_chargingprofiles.asciidoc): not built yet. */
export function chargingprofilesRouter(_deps: ModuleDeps & { chargingprofiles: ChargingProfilesService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
