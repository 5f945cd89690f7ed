import type { Connector, Evse, Location } from './locations.schema';

/** Where in a Location a change lands: the location, one EVSE, or one connector. */
export interface LocationPath {
  locationId: string;
  evseUid?: string;
  connectorId?: string;
}

export type LocationChangeProblem = 'unknown_location' | 'unknown_evse' | 'unknown_connector';

export class LocationChangeError extends Error {
  constructor(readonly problem: LocationChangeProblem, message: string) {
    super(message);
  }
}

function replaceOrAppend<T>(list: T[] | undefined, item: T, same: (t: T) => boolean): T[] {
  const items = list ?? [];
  return items.some(same) ? items.map((t) => (same(t) ? item : t)) : [...items, item];
}

/**
 * The Location after a PUT or PATCH at any level (mod_locations.asciidoc, Receiver interface): a
 * sub-object is replaced (PUT) or merged (PATCH) in place, and its parents take its last_updated.
 * Pure: the caller validated the body and matched its ids to the URL.
 */
export function applyLocationChange(
  current: Location | null,
  path: LocationPath,
  method: 'PUT' | 'PATCH',
  body: Record<string, unknown>,
): Location {
  const lastUpdated = body.last_updated as string;
  if (!path.evseUid) {
    if (method === 'PUT') return body as Location;
    if (!current) throw new LocationChangeError('unknown_location', `Unknown location ${path.locationId}`);
    return { ...current, ...body } as Location;
  }
  if (!current) throw new LocationChangeError('unknown_location', `Unknown location ${path.locationId}`);
  const evse = current.evses?.find((e) => e.uid === path.evseUid);
  let nextEvse: Evse;
  if (!path.connectorId) {
    if (method === 'PATCH' && !evse) throw new LocationChangeError('unknown_evse', `Unknown EVSE ${path.evseUid}`);
    nextEvse = (method === 'PUT' ? body : { ...evse, ...body }) as Evse;
  } else {
    if (!evse) throw new LocationChangeError('unknown_evse', `Unknown EVSE ${path.evseUid}`);
    const connector = evse.connectors.find((c) => c.id === path.connectorId);
    if (method === 'PATCH' && !connector) throw new LocationChangeError('unknown_connector', `Unknown connector ${path.connectorId}`);
    const nextConnector = (method === 'PUT' ? body : { ...connector, ...body }) as Connector;
    nextEvse = {
      ...evse,
      connectors: replaceOrAppend(evse.connectors, nextConnector, (c) => c.id === path.connectorId),
      last_updated: lastUpdated,
    };
  }
  return {
    ...current,
    evses: replaceOrAppend(current.evses, nextEvse, (e) => e.uid === path.evseUid),
    last_updated: lastUpdated,
  };
}

/** The object a GET at this path names, or undefined. */
export function pickLocationPart(location: Location, path: LocationPath): Location | Evse | Connector | undefined {
  if (!path.evseUid) return location;
  const evse = location.evses?.find((e) => e.uid === path.evseUid);
  if (!path.connectorId || !evse) return evse;
  return evse.connectors.find((c) => c.id === path.connectorId);
}
