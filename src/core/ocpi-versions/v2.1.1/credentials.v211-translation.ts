import type { Translation } from '../loss-report';
import type { CredentialsV211, VersionDetailsV211 } from './credentials.v211.schema';
import { at, copy, isObject, type JsonObject, type PartyIdentity, translatedFromV211, translatedToV211, translateFields } from './translation-kit.v211';

/**
 * Credentials and version details between OCPI 2.1.1 and the hub form (2.2.1). A 2.1.1 credentials
 * object is one party with no role (business_details, party_id, country_code at the top level); the
 * role is what the hub registered the party as. 2.1.1 endpoints have no SENDER/RECEIVER role: it
 * follows from the party's role (a CPO sends locations and receives tokens, an eMSP the reverse).
 * The version list has the same shape in both versions (version, url) and needs no translation.
 */

export type PartyRoleV211 = 'CPO' | 'EMSP';

export interface CredentialsFromV211Context {
  /** The role the hub registered this 2.1.1 party in (2.1.1 credentials do not say). */
  role: PartyRoleV211;
}

/** 2.1.1 Credentials → 2.2.1 Credentials with the one party as its one role. */
export function fromV211Credentials(credentials: CredentialsV211, ctx: CredentialsFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => {
    const value = translateFields(
      credentials,
      '',
      rec,
      {
        token: copy,
        url: copy,
        business_details: copy,
        party_id: copy,
        country_code: copy,
      },
      'Credentials',
    );
    return {
      token: value.token,
      url: value.url,
      roles: [{ role: ctx.role, business_details: value.business_details, party_id: value.party_id, country_code: value.country_code }],
    };
  });
}

export interface CredentialsToV211Context {
  /** Which role to present when the 2.2.1 credentials list several parties. */
  party?: PartyIdentity;
}

/** 2.2.1 Credentials → 2.1.1: one role, or the one `ctx.party` names; refused when that is ambiguous. */
export function toV211Credentials(credentials: JsonObject, ctx: CredentialsToV211Context = {}): Translation<JsonObject> {
  return translatedToV211((rec) => {
    const roles = Array.isArray(credentials.roles) ? credentials.roles.filter(isObject) : [];
    let chosen = roles.length === 1 ? 0 : -1;
    if (roles.length > 1 && ctx.party !== undefined) {
      const { country_code, party_id } = ctx.party;
      chosen = roles.findIndex((r) => r.country_code === country_code && r.party_id === party_id);
    }
    if (chosen < 0) {
      rec.refuse(roles.length === 0 ? 'the credentials list no role' : 'OCPI 2.1.1 credentials carry one party: the hub must say which of the roles to present');
    }
    roles.forEach((role, i) => {
      if (i === chosen) return;
      // Skipped silently when it is the same party in another role: 2.1.1 names the party, not its roles.
      const same = role.country_code === roles[chosen].country_code && role.party_id === roles[chosen].party_id;
      if (!same) rec.record(at('roles', i), 'value_dropped', `OCPI 2.1.1 credentials carry one party: ${String(role.country_code)}/${String(role.party_id)} left out`);
    });
    const role = roles[chosen];
    const value = translateFields(
      { token: credentials.token, url: credentials.url, ...withoutRole(credentials) },
      '',
      rec,
      { token: copy, url: copy },
      'Credentials',
    );
    return { ...value, business_details: role.business_details, party_id: role.party_id, country_code: role.country_code };
  });
}

function withoutRole(credentials: JsonObject): JsonObject {
  const { roles: _roles, token: _token, url: _url, ...rest } = credentials;
  return rest;
}

/**
 * The 2.2.1 role of each 2.1.1 module endpoint, by the role of the party that offers it: the interface
 * a party of that role implements (the hub offers a 2.1.1 party the other side, hub-versions.ts).
 */
export const PARTY_INTERFACES: Record<PartyRoleV211, Record<string, 'SENDER' | 'RECEIVER'>> = {
  CPO: { credentials: 'SENDER', locations: 'SENDER', tariffs: 'SENDER', sessions: 'SENDER', cdrs: 'SENDER', tokens: 'RECEIVER', commands: 'RECEIVER' },
  EMSP: { credentials: 'SENDER', locations: 'RECEIVER', tariffs: 'RECEIVER', sessions: 'RECEIVER', cdrs: 'RECEIVER', tokens: 'SENDER', commands: 'SENDER' },
};

/** 2.1.1 VersionDetails → 2.2.1, the roles derived from the party's role; custom modules are left out. */
export function fromV211VersionDetails(details: VersionDetailsV211, ctx: CredentialsFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => {
    const endpoints: JsonObject[] = [];
    details.endpoints.forEach((endpoint, i) => {
      const role = PARTY_INTERFACES[ctx.role][endpoint.identifier];
      if (role === undefined) {
        rec.record(at('endpoints', i), 'value_dropped', `module ${endpoint.identifier} is not an OCPI 2.1.1 module the hub can give a 2.2.1 role`);
        return;
      }
      endpoints.push({ identifier: endpoint.identifier, role, url: endpoint.url });
    });
    return { version: details.version, endpoints };
  });
}

const MODULES_V211 = ['cdrs', 'commands', 'credentials', 'locations', 'sessions', 'tariffs', 'tokens'];

/** 2.2.1 VersionDetails → 2.1.1: roles dropped, one endpoint per module, modules 2.1.1 lacks left out. */
export function toV211VersionDetails(details: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => {
    const endpoints: JsonObject[] = [];
    const endpointList = Array.isArray(details.endpoints) ? details.endpoints.filter(isObject) : [];
    endpointList.forEach((endpoint, i) => {
      const identifier = String(endpoint.identifier);
      if (!MODULES_V211.includes(identifier)) {
        rec.record(at('endpoints', i), 'value_dropped', `OCPI 2.1.1 has no module ${identifier}`);
        return;
      }
      const earlier = endpoints.find((e) => e.identifier === identifier);
      if (earlier !== undefined) {
        // The same module in both roles: 2.1.1 lists a module once.
        if (earlier.url !== endpoint.url) rec.record(at('endpoints', i), 'value_dropped', `OCPI 2.1.1 lists module ${identifier} once: ${String(endpoint.role)} endpoint left out`);
        return;
      }
      endpoints.push({ identifier, url: endpoint.url });
    });
    return { version: details.version, endpoints };
  });
}
