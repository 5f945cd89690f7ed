import type { RoutedRole } from '../../routing/agreements';
import { OcpiError, OcpiStatus, ocpiErrorOf, ocpiErrors } from '../../ocpi/ocpi-errors';
import { TokenType } from './tokens.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';

/** Pure helpers of the tokens module: how a token is named in URLs, and where an authorization goes. */

/** A token as a URL names it: tokens are identified by uid and type together (mod_tokens.asciidoc, Token). */
export interface TokenRef {
  uid: string;
  type: TokenType;
}

/** `?type=` may be omitted: the spec's default for every tokens URL. */
export const DEFAULT_TOKEN_TYPE: TokenType = 'RFID';

/** Reads `?type=` (absent or empty: RFID); anything but one TokenType is 2001. */
export function tokenTypeParam(value: string | string[] | undefined): TokenType {
  if (Array.isArray(value)) throw ocpiErrors.invalidParameters('type may be given only once');
  if (value === undefined || value === '') return DEFAULT_TOKEN_TYPE;
  const parsed = TokenType.safeParse(value);
  if (!parsed.success) throw ocpiErrors.invalidParameters(`type must be one of ${TokenType.options.join(', ')}`);
  return parsed.data;
}

/**
 * The token's path under a Receiver endpoint. `?type=` is always written, even for RFID, so a CPO
 * never has to rely on the default to tell an APP_USER token from an RFID card with the same uid.
 */
export function receiverPath(owner: PartyAddress, ref: TokenRef): string {
  return `/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(ref.uid)}?type=${ref.type}`;
}

export function unknownToken(ref: TokenRef): OcpiError {
  // mod_tokens.asciidoc, POST: an unknown token is HTTP 404 with 2004; the Receiver GET/PATCH follow it.
  return ocpiErrors.notFound(`Unknown token ${ref.uid} of type ${ref.type}`, OcpiStatus.UNKNOWN_TOKEN);
}

const UNREACHABLE = new Set<number>([OcpiStatus.RECEIVER_NOT_CONNECTED, OcpiStatus.FORWARD_TIMEOUT, OcpiStatus.UNKNOWN_RECEIVER]);

/**
 * Whether a failed real-time authorization failed because the eMSP could not be asked at all (not
 * connected, timed out, unknown), as opposed to an answer: the one case in which a token list may
 * decide for an ALLOWED_OFFLINE token. The OCPI statuses this reads are named here only.
 */
export function emspUnreachable(error: unknown): boolean {
  // The router raises RoutingError; ocpiErrorOf gives the OCPI status either kind of error stands for.
  const answer = ocpiErrorOf(error);
  return answer !== undefined && UNREACHABLE.has(answer.statusCode);
}

/** One way a calling CPO role reaches an eMSP it has a roaming agreement with. */
export interface AuthorizationRoute {
  from: RoleAddress;
  to: RoutedRole;
}

const sameParty = (a: PartyAddress, b: PartyAddress) => a.countryCode === b.countryCode && a.partyId === b.partyId;

/** The route to the eMSP named in OCPI-to-*: it must be one of the caller's counterparts, else 4001. */
export function routeToNamedEmsp(routes: AuthorizationRoute[], to: PartyAddress): AuthorizationRoute {
  const route = routes.find((r) => sameParty(r.to, to));
  if (!route) {
    throw new OcpiError(
      OcpiStatus.UNKNOWN_RECEIVER,
      `Unknown receiver ${to.countryCode}/${to.partyId}: not a connected eMSP you have a roaming agreement with`,
    );
  }
  return route;
}

/**
 * The route to the eMSP that owns the token, from the owners the hub's store knows among the
 * caller's counterparts. None: 2004 (a token of an eMSP without an agreement is not revealed);
 * several: the uid and type alone do not say whose, so OCPI-to-* has to.
 */
export function routeToOwner(routes: AuthorizationRoute[], owners: PartyAddress[], ref: TokenRef): AuthorizationRoute {
  if (owners.length === 0) throw unknownToken(ref);
  if (owners.length > 1) {
    const names = owners.map((o) => `${o.countryCode}/${o.partyId}`).join(', ');
    throw ocpiErrors.invalidParameters(
      `Token ${ref.uid} of type ${ref.type} is known at several eMSPs (${names}); name one with OCPI-to-country-code/party-id`,
    );
  }
  return routeToNamedEmsp(routes, owners[0]);
}

/** The least an AuthorizationInfo must be for a CPO to act on it; the rest is passed on unchanged. */
export function looksLikeAuthorizationInfo(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && typeof (data as { allowed?: unknown }).allowed === 'string';
}
