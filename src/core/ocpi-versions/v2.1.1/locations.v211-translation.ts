import type { LossRecorder, Translation } from '../loss-report';
import {
  CapabilityV211,
  ConnectorTypeV211,
  FacilityV211,
  type ConnectorV211,
  type EvseV211,
  type LocationV211,
  PowerTypeV211,
} from './locations.v211.schema';
import {
  copy,
  drop,
  emptiedList,
  type FieldHandler,
  isObject,
  type JsonObject,
  keepKnownValues,
  mapArray,
  OWNER_CARRIED_ELSEWHERE,
  type PartyIdentity,
  type PatchReceivedAtContext,
  rename,
  translatedFromV211,
  translatedToV211,
  translateFields,
  withOwner,
  withReceivedAt,
} from './translation-kit.v211';

/**
 * Locations, EVSEs and Connectors between OCPI 2.1.1 and the hub form (2.2.1).
 *
 * 2.1.1 → 2.2.1: the owner comes from the sender's address; `type` becomes `parking_type` (OTHER has
 * no 2.2.1 value; UNKNOWN is an absent parking_type); `publish` is true (2.1.1 locations are for every eMSP); a 2.1.1
 * location without time_zone (optional there, required in 2.2.1) takes the time zone the operator
 * configured for the sender, or is refused. Connector voltage/amperage/tariff_id become
 * max_voltage/max_amperage/tariff_ids.
 *
 * 2.2.1 → 2.1.1: enum values 2.1.1 lacks are dropped (a connector whose standard or power type 2.1.1
 * cannot name is left out, and an EVSE left without connectors too); a missing postal_code (required in
 * 2.1.1) refuses the location.
 */

const CAPABILITIES_V211: readonly string[] = CapabilityV211.options;
const FACILITIES_V211: readonly string[] = FacilityV211.options;
const CONNECTOR_TYPES_V211: readonly string[] = ConnectorTypeV211.options;
const POWER_TYPES_V211: readonly string[] = PowerTypeV211.options;

/** 2.1.1 LocationType → 2.2.1 ParkingType; OTHER and UNKNOWN have none. */
const PARKING_TYPE_FROM_V211: Record<string, string> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
};

export interface LocationFromV211Context extends PatchReceivedAtContext {
  /** The CPO the location belongs to: the sender's address. */
  owner: PartyIdentity;
  /** The time zone the operator configured for this sender, for locations that omit time_zone. */
  timeZone?: string;
}

// The fields 2.1.1 and 2.2.1 share under the same name and meaning, copied in both directions.

const CONNECTOR_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  id: copy,
  standard: copy,
  format: copy,
  power_type: copy,
  terms_and_conditions: copy,
  last_updated: copy,
};

const EVSE_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  uid: copy,
  evse_id: copy,
  status: copy,
  status_schedule: copy,
  floor_level: copy,
  coordinates: copy,
  physical_reference: copy,
  directions: copy,
  parking_restrictions: copy,
  images: copy,
  last_updated: copy,
};

const LOCATION_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  id: copy,
  name: copy,
  address: copy,
  city: copy,
  postal_code: copy,
  country: copy,
  coordinates: copy,
  related_locations: copy,
  directions: copy,
  operator: copy,
  suboperator: copy,
  owner: copy,
  time_zone: copy,
  charging_when_closed: copy,
  images: copy,
  energy_mix: copy,
  last_updated: copy,
};

// ---------------------------------------------------------------- 2.1.1 → 2.2.1

function connectorFromV211(connector: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    connector,
    path,
    rec,
    {
      ...CONNECTOR_FIELDS_IN_BOTH,
      voltage: rename('max_voltage'),
      amperage: rename('max_amperage'),
      tariff_id: (value, out) => {
        out.tariff_ids = [value];
      },
    },
    'Connector',
  );
}

function evseFromV211(evse: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    evse,
    path,
    rec,
    {
      ...EVSE_FIELDS_IN_BOTH,
      capabilities: copy,
      connectors: (value, out, p, r) => {
        out.connectors = mapArray(value, p, (c, cp) => (isObject(c) ? connectorFromV211(c, cp, r) : c));
      },
    },
    'EVSE',
  );
}

function locationFromV211(location: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    location,
    path,
    rec,
    {
      ...LOCATION_FIELDS_IN_BOTH,
      type: (value, out, p, r) => {
        const parkingType = typeof value === 'string' ? PARKING_TYPE_FROM_V211[value] : undefined;
        if (parkingType !== undefined) out.parking_type = parkingType;
        // UNKNOWN ("not known by the operator") says what an absent 2.2.1 parking_type says: no loss.
        else if (value !== 'UNKNOWN') r.record(p, 'value_dropped', `OCPI 2.2.1 has no parking type for LocationType ${String(value)}`);
      },
      evses: (value, out, p, r) => {
        out.evses = mapArray(value, p, (e, ep) => (isObject(e) ? evseFromV211(e, ep, r) : e));
      },
      facilities: copy,
      opening_times: (value, out) => {
        // 2.1.1 Hours is a choice: regular_hours, or twentyfourseven. 2.2.1 requires twentyfourseven;
        // regular hours given means "not 24/7".
        if (isObject(value) && value.twentyfourseven === undefined && value.regular_hours !== undefined) {
          out.opening_times = { ...value, twentyfourseven: false };
        } else out.opening_times = value;
      },
    },
    'Location',
  );
}

/** A whole 2.1.1 Location → the hub form; refused without a time zone (none given and none configured). */
export function fromV211Location(location: LocationV211, ctx: LocationFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => {
    const body = locationFromV211(location, '', rec);
    if (body.time_zone === undefined) {
      if (ctx.timeZone === undefined) {
        rec.refuse(`location ${location.id} has no time_zone (required in 2.2.1) and no time zone is configured for its sender`);
      }
      body.time_zone = ctx.timeZone;
    }
    return withOwner(ctx.owner, { publish: true, ...body });
  });
}

/** A 2.1.1 Location PATCH → a hub-form Location PATCH. */
export function fromV211LocationPatch(patch: Partial<LocationV211>, ctx: Partial<LocationFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(locationFromV211(patch, '', rec), ctx.receivedAt));
}

/** A 2.1.1 EVSE (whole, or a PATCH) → the hub form. */
export function fromV211Evse(evse: Partial<EvseV211>, ctx: Partial<LocationFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(evseFromV211(evse, '', rec), ctx.receivedAt));
}

/** A 2.1.1 Connector (whole, or a PATCH) → the hub form. */
export function fromV211Connector(connector: Partial<ConnectorV211>, ctx: Partial<LocationFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(connectorFromV211(connector, '', rec), ctx.receivedAt));
}

// ---------------------------------------------------------------- 2.2.1 → 2.1.1

/** 2.2.1 ParkingType → 2.1.1 LocationType: the two 2.2.1 additions are "none of the given possibilities". */
const LOCATION_TYPE_TO_V211: Record<string, string> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
};

/** Whether 2.1.1 can name this connector at all: `standard` and `power_type` are required there. */
function connectorExpressibleInV211(connector: JsonObject, path: string, rec: LossRecorder): boolean {
  for (const [field, known] of [
    ['standard', CONNECTOR_TYPES_V211],
    ['power_type', POWER_TYPES_V211],
  ] as const) {
    const value = connector[field];
    if (typeof value === 'string' && !known.includes(value)) {
      rec.record(path, 'value_dropped', `OCPI 2.1.1 has no ${field} ${value}: connector ${String(connector.id)} left out`);
      return false;
    }
  }
  return true;
}

function connectorToV211(connector: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    connector,
    path,
    rec,
    {
      ...CONNECTOR_FIELDS_IN_BOTH,
      max_voltage: rename('voltage'),
      max_amperage: rename('amperage'),
      max_electric_power: drop('OCPI 2.1.1 connectors have no max_electric_power'),
      tariff_ids: (value, out, p, r) => {
        if (!Array.isArray(value) || value.length === 0) return;
        out.tariff_id = value[0];
        if (value.length > 1) {
          r.record(p, 'value_narrowed', `OCPI 2.1.1 has one tariff_id per connector: ${value[0]} kept, ${value.slice(1).join(', ')} left out`);
        }
      },
    },
    'Connector',
  );
}

function evseToV211(evse: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    evse,
    path,
    rec,
    {
      ...EVSE_FIELDS_IN_BOTH,
      capabilities: keepKnownValues(CAPABILITIES_V211, 'capability'),
      connectors: (value, out, p, r) => {
        out.connectors = mapArray(value, p, (c, cp) => {
          if (!isObject(c)) return c;
          return connectorExpressibleInV211(c, cp, r) ? connectorToV211(c, cp, r) : undefined;
        });
      },
    },
    'EVSE',
  );
}

/** An EVSE of a whole location: left out (and named) when none of its connectors is expressible. */
function wholeEvseToV211(evse: unknown, path: string, rec: LossRecorder): unknown {
  if (!isObject(evse)) return evse;
  const value = evseToV211(evse, path, rec);
  if (emptiedList(evse.connectors, value.connectors)) {
    rec.record(path, 'value_dropped', `EVSE ${String(evse.uid)} has no connector OCPI 2.1.1 can name: left out`);
    return undefined;
  }
  return value;
}

export function locationToV211(location: JsonObject, path: string, rec: LossRecorder, whole: boolean): JsonObject {
  const value = translateFields(
    location,
    path,
    rec,
    {
      ...OWNER_CARRIED_ELSEWHERE,
      ...LOCATION_FIELDS_IN_BOTH,
      publish: (v, _out, p, r) => {
        // 2.1.1 locations are for every eMSP; only a location not to be published loses something.
        if (v === false) r.record(p, 'field_dropped', 'OCPI 2.1.1 has no publish: a 2.1.1 receiver treats every location as published');
      },
      publish_allowed_to: drop('OCPI 2.1.1 has no publish_allowed_to'),
      state: drop('OCPI 2.1.1 locations have no state'),
      parking_type: (v, out, p, r) => {
        const type = typeof v === 'string' ? LOCATION_TYPE_TO_V211[v] : undefined;
        if (type !== undefined) out.type = type;
        else {
          r.record(p, 'value_narrowed', `OCPI 2.1.1 has no LocationType ${String(v)}: sent as OTHER ("none of the given possibilities")`);
          out.type = 'OTHER';
        }
      },
      evses: (v, out, p, r) => {
        // A PATCH that names evses replaces the list, so its EVSEs are whole ones too.
        out.evses = mapArray(v, p, (e, ep) => wholeEvseToV211(e, ep, r));
      },
      facilities: keepKnownValues(FACILITIES_V211, 'facility'),
      opening_times: copy,
    },
    'Location',
  );
  if (whole) {
    // 2.1.1 requires a type; "UNKNOWN" is its own default ("not known by the operator").
    if (value.type === undefined) value.type = 'UNKNOWN';
    if (value.postal_code === undefined) rec.refuse(`location ${String(location.id)} has no postal_code, which OCPI 2.1.1 requires`);
  }
  return value;
}

/** A whole hub-form Location → 2.1.1; refused when it has no postal_code. */
export function toV211Location(location: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => locationToV211(location, '', rec, true));
}

/** A hub-form Location PATCH → 2.1.1. */
export function toV211LocationPatch(patch: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => locationToV211(patch, '', rec, false));
}

/** A hub-form EVSE (whole or PATCH) → 2.1.1; refused when a whole EVSE keeps no connector. */
export function toV211Evse(evse: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => {
    const value = evseToV211(evse, '', rec);
    if (emptiedList(evse.connectors, value.connectors)) rec.refuse(`EVSE ${String(evse.uid)} has no connector OCPI 2.1.1 can name`);
    return value;
  });
}

/** A hub-form Connector (whole or PATCH) → 2.1.1; refused when 2.1.1 cannot name its standard or power type. */
export function toV211Connector(connector: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => {
    if (!connectorExpressibleInV211(connector, '', rec)) rec.refuse(rec.losses[rec.losses.length - 1].detail);
    return connectorToV211(connector, '', rec);
  });
}
