import { EMSP_SIDE, type RoutedRole } from '../routing/agreements';
import type { HubRouter } from '../routing/router';
import type { PartyAddress, RoleAddress } from '../ocpi/party-address';

/**
 * Sessions and CDRs belong to one eMSP: the one whose token started the session. They are "specific
 * to only one party and are possibly even protected by GDPR" (transport_and_format.asciidoc,
 * Broadcast Push), so the hub sends each to one receiver only and shows each eMSP only its own
 * (`respondMergedList(…, { ownTokensOnly: true })`). Shared by the sessions and cdrs modules.
 */

/** The issuer fields of a CdrToken. */
export interface TokenIssuer {
  country_code: string;
  party_id: string;
}

const issuerOf = (token: TokenIssuer): PartyAddress => ({ countryCode: token.country_code.toUpperCase(), partyId: token.party_id.toUpperCase() });

export function issuedBy(token: TokenIssuer, party: PartyAddress): boolean {
  const issuer = issuerOf(token);
  return issuer.countryCode === party.countryCode && issuer.partyId === party.partyId;
}

/**
 * The one receiver of a session or CDR: the party named in OCPI-to-* (direct), otherwise the eMSP
 * that issued the token (open routing). Never a broadcast: OCPI-to naming the hub is read as open
 * routing. 4001 when the receiver is not a counterpart of the CPO (no agreement, not connected).
 */
export function receiverOf(router: HubRouter, owner: RoleAddress, to: PartyAddress | undefined, token: TokenIssuer): Promise<RoutedRole> {
  return router.counterpart(owner, to && !router.isHub(to) ? to : issuerOf(token), EMSP_SIDE);
}
