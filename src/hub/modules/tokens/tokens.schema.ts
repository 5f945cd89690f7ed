import { z } from 'zod';
import { CiString, ObjectId, OcpiString, Ownership, TokenType as TokenTypeEnum } from '../../ocpi/ocpi-types';

/** Token, LocationReferences and their enums (mod_tokens.asciidoc, Object description and Data types). */

export const TokenType = TokenTypeEnum;
export type TokenType = z.infer<typeof TokenType>;

export const WhitelistType = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);

/** mod_sessions.asciidoc, ProfileType. */
export const ProfileType = z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']);

export const EnergyContract = z.looseObject({
  supplier_name: OcpiString(64),
  contract_id: OcpiString(64).optional(),
});

export const Token = z.looseObject({
  ...Ownership,
  uid: ObjectId(36),
  type: TokenType,
  contract_id: CiString(36),
  visual_number: OcpiString(64).optional(),
  issuer: OcpiString(64),
  group_id: CiString(36).optional(),
  valid: z.boolean(),
  whitelist: WhitelistType,
  language: z.string().length(2, 'must be an ISO 639-1 language code').optional(),
  default_profile_type: ProfileType.optional(),
  energy_contract: EnergyContract.optional(),
});

export type Token = z.infer<typeof Token>;

/** A PATCH names only the changed fields, plus last_updated (transport_and_format.asciidoc, PATCH). */
export const TokenPatch = Token.partial().required({ last_updated: true });

/** The optional body of a real-time authorization request. */
export const LocationReferences = z.looseObject({
  location_id: CiString(36),
  evse_uids: z.array(CiString(36)).optional(),
});
