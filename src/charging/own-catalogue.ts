import type { DataSource } from 'typeorm';
import type { ObjectStore } from '../hub/object-store';
import type { RoleAddress } from '../hub/router';
import type { LocationsService } from '../modules/locations/locations.service';
import type { TariffsService } from '../modules/tariffs/tariffs.service';
import { OwnLocations } from './own-locations';
import { OwnTariffs } from './own-tariffs';

/** The own CPO's locations and tariffs, each checking the other (tariffs in use, dynamic tariffs' time zones). Stateless. */
export function ownCatalogue(deps: { db: DataSource; store: ObjectStore; locations: LocationsService; tariffs: TariffsService; ownCpo: RoleAddress }) {
  const ownTariffs: OwnTariffs = new OwnTariffs({ ...deps, ownLocations: () => ownLocations.list() });
  const ownLocations: OwnLocations = new OwnLocations({ ...deps, tariffTimeZone: (id) => ownTariffs.timeZoneOf(id) });
  return { ownLocations, ownTariffs };
}
