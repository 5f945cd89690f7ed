import type { Middleware } from 'koa';
import type { AuthenticatedParty, PartyRegistry } from '../hub/parties';
import { parseAuthorizationHeader } from './credentials-token';
import { ocpiErrors } from './ocpi-errors';

export interface AuthenticateOptions {
  /** Token A opens only the versions and credentials modules (transport_and_format.asciidoc). */
  allowTokenA: boolean;
}

declare module 'koa' {
  interface DefaultState {
    caller?: AuthenticatedParty;
  }
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
    if (caller.kind === 'C') await parties.recordActivity(caller.party);
    ctx.state.caller = caller;
    await next();
  };
}
