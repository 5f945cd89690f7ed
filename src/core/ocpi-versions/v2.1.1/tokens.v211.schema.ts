import { z } from 'zod';
import { DateTimeV211, DisplayTextV211, IdV211, StringV211 } from './types.v211.schema';

/** Token, AuthorizationInfo and LocationReferences of OCPI 2.1.1 (mod_tokens.md 3 and 4). */

export const TokenTypeV211 = z.enum(['OTHER', 'RFID']);
export const WhitelistTypeV211 = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);
export const AllowedV211 = z.enum(['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']);

/** Keyed by uid; `auth_id` is the contract id (2.2.1 renamed it contract_id). */
export const TokenV211 = z.looseObject({
  uid: IdV211(36),
  type: TokenTypeV211,
  auth_id: IdV211(36),
  visual_number: StringV211(64).optional(),
  issuer: StringV211(64),
  valid: z.boolean(),
  whitelist: WhitelistTypeV211,
  language: z.string().length(2).optional(),
  last_updated: DateTimeV211,
});
export type TokenV211 = z.infer<typeof TokenV211>;

export const TokenPatchV211 = TokenV211.partial();

export const LocationReferencesV211 = z.looseObject({
  location_id: IdV211(39),
  evse_uids: z.array(IdV211(39)).optional(),
  connector_ids: z.array(IdV211(36)).optional(),
});
export type LocationReferencesV211 = z.infer<typeof LocationReferencesV211>;

export const AuthorizationInfoV211 = z.looseObject({
  allowed: AllowedV211,
  location: LocationReferencesV211.optional(),
  info: DisplayTextV211.optional(),
});
export type AuthorizationInfoV211 = z.infer<typeof AuthorizationInfoV211>;
