import type { DataSource } from 'typeorm';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { TariffsService } from '../../hub/modules/tariffs/tariffs.service';
import type { Charger, ChargersService } from '../chargers/chargers.service';
import { chargerEvseStatuses, combinedEvseStatus } from './evse-status';
import type { EvseStatus } from '../../core/charging/connector-status';
import { OwnLocations, tariffUses } from './own-locations';
import { OwnTariffs } from './own-tariffs';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** The own CPO's locations and tariffs, each checking the other (tariffs in use, dynamic tariffs' time zones). Stateless. */
export interface OwnCatalogueDeps {
  db: DataSource;
  locations: LocationsService;
  tariffs: TariffsService;
  ownCpo: RoleAddress;
  /** The own chargers, whose reports an EVSE's status keeps (absent: the operator's status stands). */
  chargers?: ChargersService;
}

export function ownCatalogue(deps: OwnCatalogueDeps) {
  const { chargers } = deps;
  const ownTariffs: OwnTariffs = new OwnTariffs({
    ...deps,
    ownLocations: () => ownLocations.list(),
    // A tariff offered to other eMSPs: each location naming it is pushed again (a new version), so every
    // eMSP's connectors name the tariffs it may now see.
    republishLocations: async (tariffId) => {
      const ids = new Set(tariffUses(await ownLocations.list(), tariffId).map((use) => use.locationId));
      for (const locationId of ids) await ownLocations.change({ locationId }, 'PUT', withoutLastUpdated(await ownLocations.get(locationId)));
    },
  });
  const ownLocations: OwnLocations = new OwnLocations({
    ...deps,
    tariffTimeZone: (id) => ownTariffs.timeZoneOf(id),
    chargerEvseStatuses: chargers && (async (locationId) => liveStatuses((await chargers.list()).filter((c) => c.locationId === locationId))),
  });
  return { ownLocations, ownTariffs };
}

/** Per EVSE, what the chargers serving it report (several chargers on one EVSE: the most telling status). */
function liveStatuses(chargers: Charger[]): Map<string, EvseStatus> {
  const all = new Map<string, EvseStatus[]>();
  for (const charger of chargers) for (const [uid, status] of chargerEvseStatuses(charger)) all.set(uid, [...(all.get(uid) ?? []), status]);
  return new Map([...all].map(([uid, statuses]) => [uid, combinedEvseStatus(statuses)]));
}

/** A location with last_updated left out at every level, so a PUT of it stamps a new one throughout. */
function withoutLastUpdated(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLastUpdated);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'last_updated')
      .map(([key, v]) => [key, key === 'evses' || key === 'connectors' ? withoutLastUpdated(v) : v]),
  );
}
