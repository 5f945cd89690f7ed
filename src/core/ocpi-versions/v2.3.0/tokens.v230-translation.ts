import { LossRecorder, type Translation } from '../loss-report';
import type { JsonObject } from './hub-form-values.v221';
import { tokenTypeFromV230 } from './price.v230-translation';
import {
  AuthorizationInfoV230,
  LocationReferencesV230,
  TokenPatchV230,
  TokenV230,
  type AuthorizationInfoV230 as AuthorizationInfo,
  type TokenPatchV230 as TokenPatch,
  type TokenV230 as Token,
} from './tokens.v230.schema';
import { joinPath, withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * Tokens between OCPI 2.3.0 and the hub form (2.2.1): the only difference is the TokenType, which
 * adds EMAID and became an OpenEnum. EMAID (or a custom type) is carried as OTHER (value_narrowed):
 * 2.2.1's own catch-all, with uid and contract_id unchanged. 2.2.1 → 2.3.0 loses nothing.
 */

const fromV230 = () => new LossRecorder('2.3.0', '2.2.1');

/** The fields of a Token (whole or PATCH), its type narrowed where 2.2.1 lacks it. Paths relative to `path`. */
export function tokenFieldsFromV230(token: JsonObject, path: string, losses: LossRecorder): JsonObject {
  if (typeof token.type !== 'string') return token;
  return { ...token, type: tokenTypeFromV230(token.type, joinPath(path, 'type'), losses) };
}

export function tokenFromV230(token: Token): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(TokenV230, token, '', losses) as JsonObject;
  return { value: tokenFieldsFromV230(clean, '', losses), losses: losses.losses };
}

export function tokenPatchFromV230(patch: TokenPatch): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(TokenPatchV230, patch, '', losses) as JsonObject;
  return { value: tokenFieldsFromV230(clean, '', losses), losses: losses.losses };
}

/** The answer to a real-time authorization (POST {token_uid}/authorize). */
export function authorizationInfoFromV230(info: AuthorizationInfo): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(AuthorizationInfoV230, info, '', losses) as JsonObject;
  return { value: { ...clean, token: tokenFieldsFromV230(clean.token as JsonObject, 'token', losses) }, losses: losses.losses };
}

/**
 * LocationReferences, the body of a real-time authorization request: the same two fields in both
 * versions, so only undocumented fields are lost (read as a Token, its location_id would be dropped).
 */
export function locationReferencesFromV230(references: JsonObject): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(LocationReferencesV230, references, '', losses) as JsonObject;
  return { value: clean, losses: losses.losses };
}

export function tokenToV230(token: JsonObject): Translation<Token> {
  return { value: structuredClone(token) as Token, losses: [] };
}
export function tokenPatchToV230(patch: JsonObject): Translation<TokenPatch> {
  return { value: structuredClone(patch) as TokenPatch, losses: [] };
}
export function authorizationInfoToV230(info: JsonObject): Translation<AuthorizationInfo> {
  return { value: structuredClone(info) as AuthorizationInfo, losses: [] };
}
