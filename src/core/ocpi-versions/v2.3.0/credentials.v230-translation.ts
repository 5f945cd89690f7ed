import { LossRecorder, type Translation } from '../loss-report';
import { CredentialsV230, type CredentialsRoleV230, type CredentialsV230 as Credentials } from './credentials.v230.schema';
import type { JsonObject } from './hub-form-values.v221';
import { withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * Credentials between OCPI 2.3.0 and the hub form (2.2.1). The texts disagree on hubs:
 *  - 2.2.1: "A Hub SHALL only reports itself as role: Hub. A Hub SHALL NOT report all the other
 *    connected parties as a role on the platform" (they go in HubClientInfo);
 *  - 2.3.0: no HUB role; "A Platform that supports Hub functionality with the Message routing
 *    headers SHALL give the country code and party ID of the Hub in the hub_party_id field", and
 *    "Roaming Hubs' platforms are expected to include the parties that are reachable through the
 *    Roaming Hub in the list in roles".
 * ocpi/ocpi#544 asks how the two meet and the text gives no answer. What the hub does:
 *  - towards a 2.2.1 partner the hub presents itself as before, with its HUB role (the 2.2.1 form
 *    is what the hub keeps, so nothing changes there);
 *  - towards a 2.3.0 partner (credentialsToV230): the HUB role becomes hub_party_id (its
 *    business_details have no place: value_narrowed), and `roles` lists the hub's other roles
 *    plus the parties reachable through it, which the caller passes in (the hub's party registry;
 *    a credentials object alone does not hold them). Empty roles are refused (2.3.0 requires +).
 *  - from a 2.3.0 partner (credentialsFromV230): its roles are kept as they are (in the hub form a
 *    platform with many roles is normal, and each is a party reachable over that connection);
 *    hub_party_id is named as dropped (2.2.1 would need a HUB role with business_details 2.3.0 does
 *    not give, and no details may be invented); hubPartyOfV230 gives it to the caller.
 */

export interface PartyRef {
  country_code: string;
  party_id: string;
}

/** hub_party_id split into its country code and party id, or undefined for a platform without hub functionality. */
export function hubPartyOfV230(credentials: Pick<Credentials, 'hub_party_id'>): PartyRef | undefined {
  const id = credentials.hub_party_id;
  if (!id) return undefined;
  return { country_code: id.slice(0, 2).toUpperCase(), party_id: id.slice(2).toUpperCase() };
}

export function credentialsFromV230(credentials: Credentials): Translation<JsonObject> {
  const losses = new LossRecorder('2.3.0', '2.2.1');
  const clean = withoutUndocumentedFields(CredentialsV230, credentials, '', losses) as JsonObject;
  const { hub_party_id, ...out } = clean;
  if (hub_party_id) {
    losses.record(
      'hub_party_id',
      'field_dropped',
      `hub party ${String(hub_party_id)}: OCPI 2.2.1 names a hub by a HUB role with business_details, which 2.3.0 does not give; the roles (in 2.3.0 including the parties reachable through the hub) are kept`,
    );
  }
  return { value: out, losses: losses.losses };
}

const roleKey = (role: JsonObject | CredentialsRoleV230) =>
  `${String(role.role)}/${String(role.country_code).toUpperCase()}/${String(role.party_id).toUpperCase()}`;

/**
 * @param reachable the parties reachable through the hub, as 2.3.0 CredentialsRoles (used only when
 *   `credentials` has a HUB role; a 2.2.1 HUB role never lists them itself).
 */
export function credentialsToV230(credentials: JsonObject, reachable: readonly CredentialsRoleV230[] = []): Translation<Credentials> {
  const losses = new LossRecorder('2.2.1', '2.3.0');
  const roles = (credentials.roles as JsonObject[]) ?? [];
  const hubRoles = roles.map((role, index) => ({ role, index })).filter(({ role }) => role.role === 'HUB');
  if (hubRoles.length > 1) losses.refuse('OCPI 2.3.0 has one hub_party_id per platform; these credentials name more than one HUB role');
  const out: JsonObject = { ...structuredClone(credentials) };
  let own = roles.filter((role) => role.role !== 'HUB').map((role) => structuredClone(role));
  if (hubRoles.length === 1) {
    const { role: hub, index } = hubRoles[0];
    out.hub_party_id = `${String(hub.country_code).toUpperCase()}${String(hub.party_id).toUpperCase()}`;
    losses.record(`roles[${index}]`, 'value_narrowed', `the HUB role is carried as hub_party_id ${String(out.hub_party_id)}; OCPI 2.3.0 has no HUB role, so its business_details are not carried`);
    const seen = new Set(own.map(roleKey));
    for (const party of reachable) {
      if (seen.has(roleKey(party))) continue;
      seen.add(roleKey(party));
      own = [...own, structuredClone(party) as JsonObject];
    }
  }
  if (own.length === 0) losses.refuse('OCPI 2.3.0 credentials need at least one role, and neither own roles nor reachable parties were given');
  out.roles = own;
  return { value: out as Credentials, losses: losses.losses };
}
