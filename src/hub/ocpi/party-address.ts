import type { Role } from '../../db/entities';

/** A party as OCPI addresses it: in routing headers and client-owned object URLs. */
export interface PartyAddress {
  countryCode: string;
  partyId: string;
}

/** A party in one of its roles: the owner or sender of a request, a receiver of a push. */
export interface RoleAddress extends PartyAddress {
  role: Role;
}
