import { ocpiErrors } from '../../ocpi/ocpi-errors';
import type { CommandBody, CommandType } from './commands.schema';
import type { RoleAddress } from '../../ocpi/party-address';

/** Pure rules of routing commands through the hub (mod_commands.asciidoc). */

/** What names the CPO of a command when OCPI-to-* does not. */
export type CommandTarget = { by: 'location'; locationId: string } | { by: 'session'; sessionId: string } | { by: 'reservation'; reservationId: string };

export function commandTarget(command: CommandType, body: CommandBody): CommandTarget {
  switch (command) {
    case 'STOP_SESSION':
      return { by: 'session', sessionId: body.session_id! };
    case 'CANCEL_RESERVATION':
      return { by: 'reservation', reservationId: body.reservation_id! };
    default:
      return { by: 'location', locationId: body.location_id! };
  }
}

/**
 * The roles a command may be sent in. "An eMSP sending a StartSession (ReserveNow) SHALL only use
 * Tokens that are owned by this eMSP": the CPO must not check the token, and bills the session to
 * its owner, so the hub lets a token be used only by the role that owns it.
 */
export function rolesForToken(roles: RoleAddress[], body: CommandBody): RoleAddress[] {
  if (!body.token) return roles;
  const countryCode = body.token.country_code.toUpperCase();
  const partyId = body.token.party_id.toUpperCase();
  const owners = roles.filter((r) => r.countryCode === countryCode && r.partyId === partyId);
  if (owners.length === 0) {
    throw ocpiErrors.invalidParameters(`token: the token belongs to ${countryCode}/${partyId}; an eMSP may only use its own tokens in commands`);
  }
  return owners;
}

/** The id later commands are routed by: a CANCEL_RESERVATION goes where its RESERVE_NOW went. */
export function commandSubject(command: CommandType, body: CommandBody): string | undefined {
  return command === 'RESERVE_NOW' ? body.reservation_id : undefined;
}

/**
 * A CPO cancels a reservation by posting CANCELED_RESERVATION to the RESERVE_NOW's response_url,
 * after its first result (mod_commands.asciidoc, "Reservation canceled by the CPO"): that one
 * follow-up is accepted.
 */
export function followUpResult(operation: string, result: { result?: unknown }): string | undefined {
  return operation === 'RESERVE_NOW' && result.result === 'CANCELED_RESERVATION' ? 'CANCELED_RESERVATION' : undefined;
}
