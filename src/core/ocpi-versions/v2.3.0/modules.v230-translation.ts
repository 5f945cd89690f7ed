import { LossRecorder, type Translation } from '../loss-report';
import type { OcpiVersion } from '../ocpi-versions';
import {
  ActiveChargingProfileResultV230,
  ChargingProfileResponseV230,
  ChargingProfileResultV230,
  ClearProfileResultV230,
  SetChargingProfileV230,
} from './chargingprofiles.v230.schema';
import { COMMAND_BODIES_V230, CommandResponseV230, CommandResultV230 } from './commands.v230.schema';
import { ClientInfoV230 } from './hubclientinfo.v230.schema';
import { COMMAND_TYPES_V221, type JsonObject } from './hub-form-values.v221';
import { tokenFieldsFromV230 } from './tokens.v230-translation';
import { withoutUndocumentedFields } from './undocumented-fields.v230';
import type { z } from 'zod';

/**
 * Commands, ChargingProfiles and HubClientInfo between OCPI 2.3.0 and the hub form (2.2.1). Their
 * objects did not change in 2.3.0, except that CommandType became an OpenEnum, the Token inside
 * StartSession/ReserveNow has the 2.3.0 TokenType, and Role lost HUB. So 2.3.0 → 2.2.1 leaves out
 * undocumented fields (and narrows EMAID tokens); 2.2.1 → 2.3.0 is a copy, but for a ClientInfo of
 * role HUB, which 2.3.0 cannot express (refused).
 */

const fromV230 = () => new LossRecorder('2.3.0', '2.2.1');
const copy = <T>(value: JsonObject): Translation<T> => ({ value: structuredClone(value) as T, losses: [] });

/** A command request body (POST {command}); a command type 2.2.1 does not have is refused. */
export function commandFromV230(type: string, body: JsonObject): Translation<JsonObject> {
  const losses = fromV230();
  if (!COMMAND_TYPES_V221.includes(type)) losses.refuse(`command ${type} does not exist in OCPI 2.2.1`);
  const schema = COMMAND_BODIES_V230[type as keyof typeof COMMAND_BODIES_V230];
  const clean = withoutUndocumentedFields(schema, body, '', losses);
  const value = clean.token ? { ...clean, token: tokenFieldsFromV230(clean.token as JsonObject, 'token', losses) } : clean;
  return { value, losses: losses.losses };
}
export const commandToV230 = (body: JsonObject) => copy<JsonObject>(body);

function onlyDocumented(schema: z.ZodType, value: JsonObject): Translation<JsonObject> {
  const losses = fromV230();
  return { value: withoutUndocumentedFields(schema, value, '', losses), losses: losses.losses };
}

export const commandResponseFromV230 = (response: JsonObject) => onlyDocumented(CommandResponseV230, response);
export const commandResultFromV230 = (result: JsonObject) => onlyDocumented(CommandResultV230, result);
export const setChargingProfileFromV230 = (body: JsonObject) => onlyDocumented(SetChargingProfileV230, body);
export const chargingProfileResponseFromV230 = (response: JsonObject) => onlyDocumented(ChargingProfileResponseV230, response);
export const activeChargingProfileResultFromV230 = (result: JsonObject) => onlyDocumented(ActiveChargingProfileResultV230, result);
export const chargingProfileResultFromV230 = (result: JsonObject) => onlyDocumented(ChargingProfileResultV230, result);
export const clearProfileResultFromV230 = (result: JsonObject) => onlyDocumented(ClearProfileResultV230, result);
export const clientInfoFromV230 = (info: JsonObject) => onlyDocumented(ClientInfoV230, info);

/** The hub-form object as 2.3.0 (they are unchanged): a copy. */
export const chargingProfilesObjectToV230 = (value: JsonObject) => copy<JsonObject>(value);
export const commandObjectToV230 = (value: JsonObject) => copy<JsonObject>(value);

export function clientInfoToV230(info: JsonObject): Translation<z.infer<typeof ClientInfoV230>> {
  const losses = new LossRecorder('2.2.1', '2.3.0');
  if (info.role === 'HUB') losses.refuse(`ClientInfo ${String(info.country_code)}/${String(info.party_id)} has role HUB, which OCPI 2.3.0 does not have`);
  return copy(info);
}

/**
 * The Payments module exists only in 2.3.0: its objects are kept and passed on as 2.3.0 (undocumented
 * fields included) and never translated; a receiver of another version is refused.
 */
export function paymentsObjectFor<T>(to: OcpiVersion, object: T): Translation<T> {
  if (to !== '2.3.0') new LossRecorder('2.3.0', to).refuse('the Payments module does not exist in this version');
  return { value: structuredClone(object), losses: [] };
}
