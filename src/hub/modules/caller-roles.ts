import type { Context } from 'koa';
import type { Role } from '../../db/entities';
import type { AuthenticatedParty } from '../routing/parties';
import { OcpiError, OcpiStatus } from '../ocpi/ocpi-errors';
import { readRoutingHeaders } from '../ocpi/routing-headers';
import type { RoleAddress } from '../ocpi/party-address';

function rolesOf(caller: AuthenticatedParty, roles: readonly Role[]): RoleAddress[] {
  return (caller.party.roles ?? [])
    .filter((r) => roles.includes(r.role))
    .map((r) => ({ role: r.role, countryCode: r.countryCode, partyId: r.partyId }));
}

/**
 * The caller's role that owns the object at `/{country_code}/{party_id}/…`. A party may only write
 * under its own country code and party id, in a role it holds: anything else is a 404
 * (transport_and_format.asciidoc, client-owned object push, Errors) and changes nothing.
 */
export function ownedRole(caller: AuthenticatedParty, countryCode: string, partyId: string, roles: readonly Role[]): RoleAddress {
  const cc = countryCode.toUpperCase();
  const pid = partyId.toUpperCase();
  const match = rolesOf(caller, roles).find((r) => r.countryCode === cc && r.partyId === pid);
  if (!match) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `${cc}/${pid} is not one of your ${roles.join('/')} roles`, 404);
  }
  return match;
}

/**
 * The caller's roles a request acts in: the one named in OCPI-from-* (it must be the caller's), or
 * every role of the given kinds. A party without such a role is answered 404.
 */
export function actingRoles(ctx: Context, caller: AuthenticatedParty, roles: readonly Role[]): RoleAddress[] {
  const { from } = readRoutingHeaders(ctx);
  const held = rolesOf(caller, roles);
  if (from) {
    const match = held.find((r) => r.countryCode === from.countryCode && r.partyId === from.partyId);
    if (!match) {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, `OCPI-from ${from.countryCode}/${from.partyId} is not one of your ${roles.join('/')} roles`, 404);
    }
    return [match];
  }
  if (held.length === 0) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `Your party holds no ${roles.join('/')} role`, 404);
  return held;
}
