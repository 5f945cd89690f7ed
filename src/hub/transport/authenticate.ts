import type { Middleware } from 'koa';
import type { AuthenticatedParty, PartyRegistry } from '../routing/parties';
import { parseAuthorizationHeader } from '../ocpi/credentials-token';
import { OcpiError, OcpiStatus, ocpiErrors } from '../ocpi/ocpi-errors';
import { readRoutingHeaders } from '../ocpi/routing-headers';

export interface AuthenticateOptions {
  /** Token A opens only the versions and credentials modules (transport_and_format.asciidoc). */
  allowTokenA: boolean;
}

declare module 'koa' {
  interface DefaultState {
    caller?: AuthenticatedParty;
  }
}

/**
 * OCPI-from-* names the party a request comes from (transport_and_format.asciidoc, Message Routing):
 * with a token C it must be one of that token's own roles, on every route, or the hub would pass on
 * a sender the token does not prove. Another party is answered 404, as any address not the caller's.
 */
function refuseForeignSender(ctx: Parameters<Middleware>[0], caller: AuthenticatedParty): void {
  const { from } = readRoutingHeaders(ctx);
  if (!from) return;
  const own = (caller.party.roles ?? []).some((r) => r.countryCode === from.countryCode && r.partyId === from.partyId);
  if (!own) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `OCPI-from ${from.countryCode}/${from.partyId} is not one of your roles`, 404);
}

/** Identifies the calling party from `Authorization: Token …` (Base64 or raw) and sets `ctx.state.caller`. */
export function authenticate(parties: PartyRegistry, { allowTokenA }: AuthenticateOptions): Middleware {
  return async (ctx, next) => {
    const caller = await parties.findByCredentialsToken(parseAuthorizationHeader(ctx.get('Authorization')));
    if (!caller) throw ocpiErrors.unauthorized();
    if (caller.kind === 'A' && !allowTokenA) {
      throw ocpiErrors.unauthorized('Token A opens only the versions and credentials modules');
    }
    if (caller.party.suspendedAt) throw ocpiErrors.suspended();
    await parties.rememberEncoding(caller.party, caller.encoding);
    if (caller.kind === 'C') {
      await parties.recordActivity(caller.party);
      refuseForeignSender(ctx, caller);
    }
    ctx.state.caller = caller;
    await next();
  };
}
