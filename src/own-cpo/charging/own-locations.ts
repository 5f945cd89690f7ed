import { HubError } from '../../foundation/hub-errors';
import type { LocationPath } from '../../hub/modules/locations/locations.merge';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { TariffsService } from '../../hub/modules/tariffs/tariffs.service';
import type { Location } from '../../hub/modules/locations/locations.schema';
import { LIVE_EVSE_STATUSES } from './evse-status';
import type { EvseStatus } from '../../core/charging/connector-status';
import { asHubErrors, nextLastUpdated } from './own-objects';
import type { RoleAddress } from '../../hub/ocpi/party-address';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a connector of an own location names a tariff. */
export interface TariffUse {
  locationId: string;
  evseUid: string;
  connectorId: string;
  timeZone: string;
}

/** Every connector of these locations that names `tariffId` (ids compare case-insensitively, as CiStrings). */
export function tariffUses(locations: Location[], tariffId: string): TariffUse[] {
  const wanted = tariffId.toUpperCase();
  return locations.flatMap((location) =>
    (location.evses ?? []).flatMap((evse) =>
      evse.connectors
        .filter((connector) => connector.tariff_ids?.some((id) => id.toUpperCase() === wanted))
        .map((connector) => ({ locationId: location.id, evseUid: evse.uid, connectorId: connector.id, timeZone: location.time_zone })),
    ),
  );
}

/**
 * The own CPO's locations, changed by the operator. Everything goes through the same
 * LocationsService.change as a partner CPO's push (validation, storage, delivery to the eMSPs with
 * agreements); this only says what an operator may leave out: the owner ids, the ids in the path,
 * and last_updated (now, after the previous change) at every level.
 */
export class OwnLocations {
  constructor(
    private readonly deps: {
      locations: LocationsService;
      tariffs: TariffsService;
      ownCpo: RoleAddress;
      /** The time zone a dynamic own tariff's hours are local to; undefined for any other tariff. */
      tariffTimeZone: (tariffId: string) => Promise<string | undefined>;
      /** The status each EVSE of the location mapped to a charger has by that charger's reports (evse-status.ts). */
      chargerEvseStatuses?: (locationId: string) => Promise<Map<string, EvseStatus>>;
      now?: () => Date;
    },
  ) {}

  async change(path: LocationPath, method: 'PUT' | 'PATCH', rawBody: unknown): Promise<{ outcome: 'created' | 'updated'; location: Location }> {
    if (!isObject(rawBody)) throw new HubError('invalid', 'The body must be a JSON object');
    const { ownCpo } = this.deps;
    const current = await this.get(path.locationId).catch((error) => {
      if (error instanceof HubError && error.kind === 'not_found') return undefined;
      throw error;
    });
    const stamp = nextLastUpdated(this.deps.now?.() ?? new Date(), current && new Date(current.last_updated));
    const body: Json = structuredClone(rawBody);
    if (!path.evseUid) {
      for (const field of ['country_code', 'party_id'] as const) {
        const own = field === 'country_code' ? ownCpo.countryCode : ownCpo.partyId;
        if (body[field] !== undefined && String(body[field]).toUpperCase() !== own) {
          throw new HubError('invalid', `${field} ${JSON.stringify(body[field])} is not the own CPO's (${ownCpo.countryCode}/${ownCpo.partyId}); leave it out`);
        }
        if (method === 'PUT') body[field] = own;
      }
    }
    if (method === 'PUT') {
      if (path.connectorId) body.id ??= path.connectorId;
      else if (path.evseUid) body.uid ??= path.evseUid;
      else body.id ??= path.locationId;
    }
    stampLastUpdated(body, stamp);
    await this.keepChargerStatuses(body, path);
    await this.checkTariffs(body, path, current);
    const outcome = await asHubErrors(() => this.deps.locations.change(ownCpo, undefined, path, method, body));
    return { outcome, location: await this.get(path.locationId) };
  }

  /**
   * An EVSE served by a charger shows what the charger reported (UNKNOWN before it ever did), whatever
   * status the operator's body says: a location written again must not make a silent charger AVAILABLE.
   */
  private async keepChargerStatuses(body: Json, path: LocationPath): Promise<void> {
    if (path.connectorId || !this.deps.chargerEvseStatuses) return;
    const evses = path.evseUid ? [{ ...body, uid: body.uid ?? path.evseUid }] : Array.isArray(body.evses) ? body.evses.filter(isObject) : [];
    if (!evses.some((evse) => typeof evse.status === 'string' && LIVE_EVSE_STATUSES.includes(evse.status))) return;
    const live = await this.deps.chargerEvseStatuses(path.locationId);
    const targets = path.evseUid ? [body] : (evses as Json[]);
    evses.forEach((evse, i) => {
      const status = typeof evse.uid === 'string' ? live.get(evse.uid) : undefined;
      if (status && typeof evse.status === 'string' && LIVE_EVSE_STATUSES.includes(evse.status)) targets[i].status = status;
    });
  }

  async get(locationId: string): Promise<Location> {
    const stored = await this.deps.locations.storedOf(this.deps.ownCpo, locationId);
    if (!stored) throw new HubError('not_found', `No own location with id ${locationId}`);
    return stored;
  }

  /** Every own location, oldest change first. */
  async list(): Promise<Location[]> {
    return this.deps.locations.allOf(this.deps.ownCpo);
  }

  /**
   * A connector of an own location must name tariffs the own CPO publishes: a session at a connector
   * whose tariff does not exist would have no price. A dynamic tariff's hours are local hours of its
   * time zone, so the location must be in that zone.
   */
  private async checkTariffs(body: Json, path: LocationPath, current: Location | undefined): Promise<void> {
    const timeZone = typeof body.time_zone === 'string' && !path.evseUid ? body.time_zone : current?.time_zone;
    const ids = new Set<string>();
    collectTariffIds(body, ids);
    // A location moving to another zone must still match the dynamic tariffs its connectors name.
    if (!path.evseUid && typeof body.time_zone === 'string' && current) collectTariffIds(current as Json, ids);
    for (const id of ids) {
      if (!(await this.deps.tariffs.storedOf(this.deps.ownCpo, id))) {
        throw new HubError('invalid', `A connector names tariff ${id}, which the own CPO does not publish; PUT /admin/tariffs/${id} first`);
      }
      const tariffZone = await this.deps.tariffTimeZone(id);
      if (tariffZone && timeZone && tariffZone !== timeZone) {
        throw new HubError('invalid', `Tariff ${id} has day-ahead hours in ${tariffZone}, but location ${path.locationId} is in ${timeZone}`);
      }
    }
  }
}

/** last_updated where the operator left it out: on the changed object and on the EVSEs and connectors in it. */
function stampLastUpdated(object: Json, stamp: string): void {
  object.last_updated ??= stamp;
  for (const list of [object.evses, object.connectors]) {
    if (Array.isArray(list)) for (const child of list) if (isObject(child)) stampLastUpdated(child, stamp);
  }
}

function collectTariffIds(object: Json, into: Set<string>): void {
  if (Array.isArray(object.tariff_ids)) for (const id of object.tariff_ids) if (typeof id === 'string') into.add(id);
  for (const list of [object.evses, object.connectors]) {
    if (Array.isArray(list)) for (const child of list) if (isObject(child)) collectTariffIds(child, into);
  }
}
