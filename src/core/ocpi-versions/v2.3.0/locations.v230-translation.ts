import { LossRecorder, type Translation } from '../loss-report';
import {
  CAPABILITIES_V221,
  CONNECTOR_TYPES_V221,
  FACILITIES_V221,
  PARKING_RESTRICTIONS_V221,
  PARKING_TYPES_V221,
  TOKEN_TYPES_V221,
  type JsonObject,
} from './hub-form-values.v221';
import {
  ConnectorPatchV230,
  ConnectorV230,
  EvsePatchV230,
  EvseV230,
  LocationPatchV230,
  LocationV230,
  type ConnectorPatchV230 as ConnectorPatch,
  type ConnectorV230 as Connector,
  type EvsePatchV230 as EvsePatch,
  type EvseV230 as Evse,
  type LocationPatchV230 as LocationPatch,
  type LocationV230 as Location,
} from './locations.v230.schema';
import { businessDetailsFromV230, dropIfCarried, energyMixFromV230, imagesFromV230, knownValuesOnly } from './open-enums.v230-translation';
import { joinPath, withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * Locations between OCPI 2.3.0 and the hub form (2.2.1). 2.2.1 → 2.3.0 loses nothing: every 2.2.1
 * field and value exists in 2.3.0. 2.3.0 → 2.2.1 leaves out what 2.2.1 has no place for, each named:
 *  - parking_places, help_phone (Location), parking, accepted_service_providers (EVSE) and
 *    capabilities (Connector): field_dropped;
 *  - OpenEnum values 2.2.1's closed lists lack (facilities, parking_type, EVSE capabilities,
 *    parking_restrictions, image categories, publish_allowed_to token types): value_dropped;
 *  - a connector whose standard 2.2.1 lacks (MCS, SAE_J3400, custom values) is left out of its EVSE
 *    (value_dropped on its `standard`): a connector's standard is required and no 2.2.1 value may be
 *    invented. An EVSE left without connectors is left out of the Location (value_dropped on the
 *    EVSE). A connector or EVSE pushed on its own that cannot be expressed is refused.
 */

const fromV230 = () => new LossRecorder('2.3.0', '2.2.1');

function translated<T>(losses: LossRecorder, value: T): Translation<T> {
  return { value, losses: losses.losses };
}

export function locationFromV230(location: Location): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(LocationV230, location, '', losses);
  return translated(losses, locationFields(clean as JsonObject, '', losses));
}

export function locationPatchFromV230(patch: LocationPatch): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(LocationPatchV230, patch, '', losses);
  return translated(losses, locationFields(clean as JsonObject, '', losses));
}

/** An EVSE PUT (or an EVSE inside a Location PATCH): refused when none of its connectors can be expressed. */
export function evseFromV230(evse: Evse): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(EvseV230, evse, '', losses);
  const value = evseFields(clean as JsonObject, '', losses);
  if (Array.isArray(value.connectors) && value.connectors.length === 0) losses.refuse(`EVSE ${evse.uid} has no connector whose standard OCPI 2.2.1 knows`);
  return translated(losses, value);
}

export function evsePatchFromV230(patch: EvsePatch): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(EvsePatchV230, patch, '', losses);
  const value = evseFields(clean as JsonObject, '', losses);
  if (Array.isArray(value.connectors) && value.connectors.length === 0) losses.refuse('the patch leaves the EVSE without a connector whose standard OCPI 2.2.1 knows');
  return translated(losses, value);
}

/** A Connector PUT or PATCH: refused when its standard does not exist in 2.2.1. */
export function connectorFromV230(connector: Connector): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(ConnectorV230, connector, '', losses);
  return translated(losses, connectorOrRefuse(clean as JsonObject, losses));
}

export function connectorPatchFromV230(patch: ConnectorPatch): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(ConnectorPatchV230, patch, '', losses);
  return translated(losses, connectorOrRefuse(clean as JsonObject, losses));
}

function connectorOrRefuse(connector: JsonObject, losses: LossRecorder): JsonObject {
  if (connector.standard !== undefined && !CONNECTOR_TYPES_V221.includes(String(connector.standard))) {
    losses.refuse(`connector standard ${String(connector.standard)} does not exist in OCPI 2.2.1`);
  }
  return connectorFields(connector, '', losses) as JsonObject;
}

/**
 * 2.2.1 → 2.3.0: a copy; every 2.2.1 field and value is valid 2.3.0. With `acceptedServiceProviders`
 * (context, for the own CPO) every whole EVSE in the object — the Location's, or the EVSE pushed on its
 * own — gets them as `accepted_service_providers`; a PATCH without `connectors` (a status) is left as is.
 */
export function locationToV230(location: JsonObject, acceptedServiceProviders?: readonly string[]): Translation<Location> {
  const value = structuredClone(location);
  if (acceptedServiceProviders) {
    const isEvse = (o: unknown): o is JsonObject => Boolean(o) && typeof o === 'object' && Array.isArray((o as JsonObject).connectors);
    const evses = Array.isArray(value.evses) ? value.evses : isEvse(value) ? [value] : [];
    for (const evse of evses.filter(isEvse)) evse.accepted_service_providers = [...acceptedServiceProviders];
  }
  return { value: value as Location, losses: [] };
}
export function locationPatchToV230(patch: JsonObject): Translation<LocationPatch> {
  return { value: structuredClone(patch) as LocationPatch, losses: [] };
}
export function evseToV230(evse: JsonObject): Translation<Evse> {
  return { value: structuredClone(evse) as Evse, losses: [] };
}
export function evsePatchToV230(patch: JsonObject): Translation<EvsePatch> {
  return { value: structuredClone(patch) as EvsePatch, losses: [] };
}
export function connectorToV230(connector: JsonObject): Translation<Connector> {
  return { value: structuredClone(connector) as Connector, losses: [] };
}
export function connectorPatchToV230(patch: JsonObject): Translation<ConnectorPatch> {
  return { value: structuredClone(patch) as ConnectorPatch, losses: [] };
}

function locationFields(location: JsonObject, path: string, losses: LossRecorder): JsonObject {
  const { parking_places, help_phone, ...out } = location;
  dropIfCarried(losses, joinPath(path, 'parking_places'), parking_places, 'OCPI 2.2.1 has no Parking objects (added in 2.3.0 for AFIR reporting)');
  dropIfCarried(losses, joinPath(path, 'help_phone'), help_phone, 'OCPI 2.2.1 Locations have no help_phone');
  if (typeof out.parking_type === 'string' && !PARKING_TYPES_V221.includes(out.parking_type)) {
    losses.record(joinPath(path, 'parking_type'), 'value_dropped', `parking type ${out.parking_type} does not exist in OCPI 2.2.1; left out`);
    delete out.parking_type;
  }
  if (Array.isArray(out.facilities)) out.facilities = knownValuesOnly(out.facilities as string[], FACILITIES_V221, joinPath(path, 'facilities'), 'facility', losses);
  if (Array.isArray(out.images)) out.images = imagesFromV230(out.images as JsonObject[], joinPath(path, 'images'), losses);
  for (const field of ['operator', 'suboperator', 'owner'] as const) {
    if (out[field]) out[field] = businessDetailsFromV230(out[field] as JsonObject, joinPath(path, field), losses);
  }
  if (out.energy_mix) out.energy_mix = energyMixFromV230(out.energy_mix as JsonObject, joinPath(path, 'energy_mix'), losses);
  if (Array.isArray(out.publish_allowed_to)) {
    // An entry names who may see an unpublished Location; without its type it would match more
    // tokens than the CPO allowed, so an entry with a type 2.2.1 lacks is left out whole.
    out.publish_allowed_to = (out.publish_allowed_to as JsonObject[]).filter((entry, index) => {
      if (entry.type === undefined || TOKEN_TYPES_V221.includes(String(entry.type))) return true;
      losses.record(
        joinPath(joinPath(joinPath(path, 'publish_allowed_to'), index), 'type'),
        'value_dropped',
        `token type ${String(entry.type)} does not exist in OCPI 2.2.1; the entry is left out (without its type it would allow more tokens)`,
      );
      return false;
    });
  }
  if (Array.isArray(out.evses)) {
    out.evses = (out.evses as JsonObject[]).flatMap((evse, index) => {
      const evsePath = joinPath(joinPath(path, 'evses'), index);
      const translatedEvse = evseFields(evse, evsePath, losses);
      if (Array.isArray(translatedEvse.connectors) && translatedEvse.connectors.length === 0) {
        losses.record(evsePath, 'value_dropped', `EVSE ${String(evse.uid)} has no connector whose standard OCPI 2.2.1 knows; the EVSE is left out`);
        return [];
      }
      return [translatedEvse];
    });
  }
  return out;
}

function evseFields(evse: JsonObject, path: string, losses: LossRecorder): JsonObject {
  const { parking, accepted_service_providers, ...out } = evse;
  dropIfCarried(losses, joinPath(path, 'parking'), parking, 'OCPI 2.2.1 EVSEs have no parking references (Parking objects are 2.3.0)');
  dropIfCarried(losses, joinPath(path, 'accepted_service_providers'), accepted_service_providers, 'OCPI 2.2.1 EVSEs have no accepted_service_providers');
  if (Array.isArray(out.capabilities)) out.capabilities = knownValuesOnly(out.capabilities as string[], CAPABILITIES_V221, joinPath(path, 'capabilities'), 'capability', losses);
  if (Array.isArray(out.parking_restrictions)) {
    out.parking_restrictions = knownValuesOnly(out.parking_restrictions as string[], PARKING_RESTRICTIONS_V221, joinPath(path, 'parking_restrictions'), 'parking restriction', losses);
  }
  if (Array.isArray(out.images)) out.images = imagesFromV230(out.images as JsonObject[], joinPath(path, 'images'), losses);
  if (Array.isArray(out.connectors)) {
    out.connectors = (out.connectors as JsonObject[]).flatMap((connector, index) => {
      const connectorPath = joinPath(joinPath(path, 'connectors'), index);
      if (!CONNECTOR_TYPES_V221.includes(String(connector.standard))) {
        losses.record(
          joinPath(connectorPath, 'standard'),
          'value_dropped',
          `connector standard ${String(connector.standard)} does not exist in OCPI 2.2.1; connector ${String(connector.id)} is left out`,
        );
        return [];
      }
      return [connectorFields(connector, connectorPath, losses)];
    });
  }
  return out;
}

function connectorFields(connector: JsonObject, path: string, losses: LossRecorder): JsonObject {
  const { capabilities, ...out } = connector;
  if (Array.isArray(capabilities) && capabilities.length > 0) {
    losses.record(joinPath(path, 'capabilities'), 'field_dropped', `OCPI 2.2.1 Connectors have no capabilities (${capabilities.join(', ')})`);
  }
  return out;
}
