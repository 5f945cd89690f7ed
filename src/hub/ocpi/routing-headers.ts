import type { Context } from 'koa';
import { ocpiErrors } from './ocpi-errors';
import type { PartyAddress } from './party-address';

export interface RoutingHeaders {
  to?: PartyAddress;
  from?: PartyAddress;
}

const COUNTRY_CODE = /^[A-Za-z]{2}$/;
const PARTY_ID = /^[A-Za-z0-9]{3}$/;

function address(ctx: Context, direction: 'to' | 'from'): PartyAddress | undefined {
  const countryCode = ctx.get(`OCPI-${direction}-country-code`);
  const partyId = ctx.get(`OCPI-${direction}-party-id`);
  if (!countryCode && !partyId) return undefined;
  if (!countryCode || !partyId) {
    throw ocpiErrors.invalidParameters(
      `OCPI-${direction}-country-code and OCPI-${direction}-party-id must be sent together`,
    );
  }
  if (!COUNTRY_CODE.test(countryCode)) {
    throw ocpiErrors.invalidParameters(`OCPI-${direction}-country-code must be a 2-letter country code`);
  }
  if (!PARTY_ID.test(partyId)) {
    throw ocpiErrors.invalidParameters(`OCPI-${direction}-party-id must be 3 letters or digits`);
  }
  // CiString: compare case-insensitively by storing upper case.
  return { countryCode: countryCode.toUpperCase(), partyId: partyId.toUpperCase() };
}

/**
 * Parses and validates the routing headers of a functional-module request. Configuration modules
 * (versions, credentials, hubclientinfo) never read them (transport_and_format.asciidoc, Message Routing).
 */
export function readRoutingHeaders(ctx: Context): RoutingHeaders {
  return { to: address(ctx, 'to'), from: address(ctx, 'from') };
}

export function routingHeaderValues({ to, from }: RoutingHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  if (to) {
    headers['OCPI-to-country-code'] = to.countryCode;
    headers['OCPI-to-party-id'] = to.partyId;
  }
  if (from) {
    headers['OCPI-from-country-code'] = from.countryCode;
    headers['OCPI-from-party-id'] = from.partyId;
  }
  return headers;
}
