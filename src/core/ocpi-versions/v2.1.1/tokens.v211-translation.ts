import type { LossRecorder, Translation } from '../loss-report';
import type { AuthorizationInfoV211, LocationReferencesV211, TokenV211 } from './tokens.v211.schema';
import {
  copy,
  drop,
  type FieldHandler,
  isObject,
  type JsonObject,
  type KnownToken,
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
 * Tokens between OCPI 2.1.1 and the hub form (2.2.1). 2.1.1 `auth_id` is 2.2.1 `contract_id`; the
 * owner (country_code/party_id) is not in a 2.1.1 token: it is the sending eMSP's address.
 */

const TOKEN_TYPES_V211 = ['OTHER', 'RFID'];

export interface TokenFromV211Context extends PatchReceivedAtContext {
  /** The eMSP the token belongs to: the sender's address. */
  owner: PartyIdentity;
}

/** The Token fields 2.1.1 and 2.2.1 share under the same name and meaning, copied in both directions. */
const TOKEN_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  uid: copy,
  visual_number: copy,
  issuer: copy,
  valid: copy,
  whitelist: copy,
  language: copy,
  last_updated: copy,
};

/** A 2.1.1 token's fields in the hub form (no owner added); losses under `path`. */
function tokenFromV211(token: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    token,
    path,
    rec,
    {
      ...TOKEN_FIELDS_IN_BOTH,
      type: copy,
      auth_id: rename('contract_id'),
    },
    'Token',
  );
}

/** A whole 2.1.1 Token → the hub form, owned by `ctx.owner`. */
export function fromV211Token(token: TokenV211, ctx: TokenFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => withOwner(ctx.owner, tokenFromV211(token, '', rec)));
}

/** A 2.1.1 Token PATCH → a hub-form Token PATCH. */
export function fromV211TokenPatch(patch: Partial<TokenV211>, ctx: Partial<TokenFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(tokenFromV211(patch, '', rec), ctx.receivedAt));
}

/** The `token` field of an object that carries a whole 2.1.1 Token (a command), owned by `owner`. */
export function tokenFieldFromV211(owner: PartyIdentity): FieldHandler {
  return (value, out, path, rec) => {
    out.token = isObject(value) ? withOwner(owner, tokenFromV211(value, path, rec)) : value;
  };
}

/** The `token` field of an object that carries a whole Token (a command) → 2.1.1. */
export const tokenFieldToV211: FieldHandler = (value, out, path, rec) => {
  out.token = isObject(value) ? tokenToV211(value, path, rec) : value;
};

function tokenToV211(token: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    token,
    path,
    rec,
    {
      ...OWNER_CARRIED_ELSEWHERE,
      ...TOKEN_FIELDS_IN_BOTH,
      type: (value, out, p, r) => {
        if (typeof value === 'string' && !TOKEN_TYPES_V211.includes(value)) {
          r.record(p, 'value_narrowed', `OCPI 2.1.1 has no token type ${value}: sent as OTHER`);
          out.type = 'OTHER';
        } else out.type = value;
      },
      contract_id: rename('auth_id'),
      group_id: drop('OCPI 2.1.1 tokens have no group_id'),
      default_profile_type: drop('OCPI 2.1.1 has no charging profile types'),
      energy_contract: drop('OCPI 2.1.1 tokens have no energy_contract'),
    },
    'Token',
  );
}

/** A hub-form Token (whole or PATCH) → 2.1.1. */
export function toV211Token(token: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => tokenToV211(token, '', rec));
}

/** LocationReferences 2.1.1 → 2.2.1: 2.2.1 has no connector_ids. */
export function fromV211LocationReferences(refs: LocationReferencesV211): Translation<JsonObject> {
  return translatedFromV211((rec) => locationReferencesFromV211(refs, '', rec));
}

function locationReferencesFromV211(refs: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    refs,
    path,
    rec,
    { ...LOCATION_REFERENCES_FIELDS_IN_BOTH, connector_ids: drop('OCPI 2.2.1 LocationReferences name EVSEs, not connectors') },
    'LocationReferences',
  );
}

/** LocationReferences fields 2.1.1 and 2.2.1 share. */
const LOCATION_REFERENCES_FIELDS_IN_BOTH: Record<string, FieldHandler> = { location_id: copy, evse_uids: copy };

export function toV211LocationReferences(refs: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => locationReferencesToV211(refs, '', rec));
}

function locationReferencesToV211(refs: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(refs, path, rec, LOCATION_REFERENCES_FIELDS_IN_BOTH, 'LocationReferences');
}

export interface AuthorizationInfoFromV211Context {
  /** The token the authorization was asked for, as the hub knows it: 2.2.1 AuthorizationInfo requires it. */
  token?: KnownToken;
}

/** A 2.1.1 AuthorizationInfo (the eMSP's answer) → 2.2.1; refused without the token the hub asked about. */
export function fromV211AuthorizationInfo(info: AuthorizationInfoV211, ctx: AuthorizationInfoFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => {
    if (ctx.token === undefined) rec.refuse('a 2.2.1 AuthorizationInfo carries the Token; the hub must pass the token it asked about');
    const value = translateFields(
      info,
      '',
      rec,
      {
        allowed: copy,
        location: (v, out, p, r) => {
          out.location = isObject(v) ? locationReferencesFromV211(v, p, r) : v;
        },
        info: copy,
      },
      'AuthorizationInfo',
    );
    return { allowed: value.allowed, token: ctx.token, ...value };
  });
}

/** A 2.2.1 AuthorizationInfo → 2.1.1 (the CPO's view of the eMSP's answer). */
export function toV211AuthorizationInfo(info: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) =>
    translateFields(
      info,
      '',
      rec,
      {
        allowed: copy,
        token: drop('OCPI 2.1.1 AuthorizationInfo does not return the Token (the CPO keeps the one it asked about)'),
        location: (v, out, p, r) => {
          out.location = isObject(v) ? locationReferencesToV211(v, p, r) : v;
        },
        authorization_reference: drop('OCPI 2.1.1 has no authorization_reference: the CPO cannot quote it in the session or CDR'),
        info: copy,
      },
      'AuthorizationInfo',
    ),
  );
}
