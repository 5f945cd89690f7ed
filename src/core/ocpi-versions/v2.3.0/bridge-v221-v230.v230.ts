import type { Translation } from '../loss-report';
import { commandTypeOfBody, hasAnyField as has } from '../object-kinds';
import type { TranslationContext, VersionBridge } from '../translate';
import {
  activeChargingProfileResultFromV230,
  chargingProfileResponseFromV230,
  chargingProfilesObjectToV230,
  clientInfoFromV230,
  clientInfoToV230,
  commandFromV230,
  commandObjectToV230,
  commandResponseFromV230,
  commandResultFromV230,
  setChargingProfileFromV230,
} from './modules.v230-translation';
import { cdrFromV230, cdrToV230 } from './cdrs.v230-translation';
import { credentialsFromV230, credentialsToV230 } from './credentials.v230-translation';
import type { CredentialsRoleV230 } from './credentials.v230.schema';
import type { JsonObject } from './hub-form-values.v221';
import {
  connectorFromV230,
  connectorPatchFromV230,
  evseFromV230,
  evsePatchFromV230,
  locationFromV230,
  locationPatchFromV230,
  locationToV230,
} from './locations.v230-translation';
import { sessionFromV230, sessionPatchFromV230, sessionToV230 } from './sessions.v230-translation';
import { tariffFromV230, tariffToV230 } from './tariffs.v230-translation';
import { authorizationInfoFromV230, locationReferencesFromV230, tokenFromV230, tokenPatchFromV230, tokenToV230 } from './tokens.v230-translation';

/**
 * The bridge between the hub form (2.2.1) and 2.3.0 for translateObject (translate.ts): `up` is
 * 2.2.1 → 2.3.0, `down` 2.3.0 → 2.2.1. A step receives only the object, so which object of a module
 * it is (a Location, an EVSE or a Connector; a command request, response or result) is read from the
 * fields it carries, each object having fields the others lack. Payments has no step: the module
 * does not exist in 2.2.1, so translateObject refuses it (payments objects pass between 2.3.0
 * partners as sent).
 */

const CONNECTOR_ONLY = ['standard', 'format', 'power_type', 'max_voltage', 'max_amperage', 'max_electric_power', 'tariff_ids', 'terms_and_conditions'];
const EVSE_ONLY = ['uid', 'evse_id', 'status', 'status_schedule', 'connectors', 'floor_level', 'physical_reference', 'parking_restrictions', 'parking', 'accepted_service_providers'];
const LOCATION_ONLY = ['address', 'city', 'publish', 'evses', 'time_zone', 'parking_places', 'help_phone', 'operator', 'facilities', 'opening_times'];

function locationsDown(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = value as JsonObject;
  if (!has(object, ...LOCATION_ONLY) && has(object, ...CONNECTOR_ONLY) && !has(object, ...EVSE_ONLY)) {
    return context.partial ? connectorPatchFromV230(object as never) : connectorFromV230(object as never);
  }
  if (!has(object, ...LOCATION_ONLY) && has(object, ...EVSE_ONLY)) {
    return context.partial ? evsePatchFromV230(object as never) : evseFromV230(object as never);
  }
  return context.partial ? locationPatchFromV230(object as never) : locationFromV230(object as never);
}

function commandsDown(value: unknown): Translation<unknown> {
  const object = value as JsonObject;
  if (has(object, 'result')) return has(object, 'timeout') ? commandResponseFromV230(object) : commandResultFromV230(object);
  const type = commandTypeOfBody(object);
  return commandFromV230(type, object);
}

function chargingProfilesDown(value: unknown): Translation<unknown> {
  const object = value as JsonObject;
  if (has(object, 'charging_profile')) return setChargingProfileFromV230(object);
  if (has(object, 'timeout')) return chargingProfileResponseFromV230(object);
  return activeChargingProfileResultFromV230(object); // a result: ActiveChargingProfileResult's schema is the widest of the three
}

export const BRIDGE_V221_V230: VersionBridge = {
  older: '2.2.1',
  newer: '2.3.0',
  up: {
    credentials: (value, context) => credentialsToV230(value as JsonObject, (context.reachable ?? []) as CredentialsRoleV230[]),
    locations: (value, context) => locationToV230(value as JsonObject, context.acceptedServiceProviders),
    tariffs: (value) => tariffToV230(value as JsonObject),
    sessions: (value) => sessionToV230(value as JsonObject),
    cdrs: (value) => cdrToV230(value as JsonObject),
    tokens: (value) => tokenToV230(value as JsonObject),
    commands: (value) => commandObjectToV230(value as JsonObject),
    chargingprofiles: (value) => chargingProfilesObjectToV230(value as JsonObject),
    hubclientinfo: (value) => clientInfoToV230(value as JsonObject),
  },
  down: {
    credentials: (value) => credentialsFromV230(value as never),
    locations: locationsDown,
    tariffs: (value) => tariffFromV230(value as never),
    sessions: (value, context) => (context.partial ? sessionPatchFromV230(value as never) : sessionFromV230(value as never)),
    cdrs: (value) => cdrFromV230(value as never),
    tokens: (value, context) => {
      const object = value as JsonObject;
      if (has(object, 'allowed')) return authorizationInfoFromV230(object as never);
      // A real-time authorization request's body: only LocationReferences has location_id.
      if (has(object, 'location_id')) return locationReferencesFromV230(object);
      return context.partial ? tokenPatchFromV230(object as never) : tokenFromV230(object as never);
    },
    commands: commandsDown,
    chargingprofiles: chargingProfilesDown,
    hubclientinfo: (value) => clientInfoFromV230(value as JsonObject),
  },
};
