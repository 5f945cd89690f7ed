import { z } from 'zod';
import { CiStringV230, OwnershipV230, StringV230, TokenTypeV230 } from './types.v230.schema';

/** Token and LocationReferences (OCPI 2.3.0 mod_tokens.asciidoc); TokenType adds EMAID. */

export const WhitelistTypeV230 = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);
export const ProfileTypeV230 = z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']);

export const EnergyContractV230 = z.looseObject({ supplier_name: StringV230(64), contract_id: StringV230(64).optional() });

export const TokenV230 = z.looseObject({
  ...OwnershipV230,
  uid: CiStringV230(36),
  type: TokenTypeV230,
  contract_id: CiStringV230(36),
  visual_number: StringV230(64).optional(),
  issuer: StringV230(64),
  group_id: CiStringV230(36).optional(),
  valid: z.boolean(),
  whitelist: WhitelistTypeV230,
  language: z.string().length(2).optional(),
  default_profile_type: ProfileTypeV230.optional(),
  energy_contract: EnergyContractV230.optional(),
});
export type TokenV230 = z.infer<typeof TokenV230>;

export const TokenPatchV230 = TokenV230.partial().required({ last_updated: true });
export type TokenPatchV230 = z.infer<typeof TokenPatchV230>;

export const LocationReferencesV230 = z.looseObject({ location_id: CiStringV230(36), evse_uids: z.array(CiStringV230(36)).optional() });

export const AuthorizationInfoV230 = z.looseObject({
  allowed: z.enum(['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']),
  token: TokenV230,
  location: LocationReferencesV230.optional(),
  authorization_reference: CiStringV230(36).optional(),
  info: z.looseObject({ language: z.string().min(2).max(2), text: StringV230(512) }).optional(),
});
export type AuthorizationInfoV230 = z.infer<typeof AuthorizationInfoV230>;
