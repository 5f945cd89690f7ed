/**
 * Forwarded OCPI START_SESSION commands as charging attempts (docs/reliability.md, "Forwarded
 * START_SESSION"). An eMSP's app asks a partner CPO to start; what the driver experiences is whether
 * a session of that token then starts at that EVSE. So:
 *
 * - a command whose token's session (or CDR-only attempt) at the same EVSE starts within
 *   [requested − COMMAND_SESSION_LEAD_MS, requested + COMMAND_SESSION_WINDOW_MS] is that session: the
 *   session is the attempt and the command adds none (never counted twice);
 * - a command the CPO refused (its CommandResponse other than ACCEPTED, or a CommandResult other than
 *   ACCEPTED and TIMEOUT) is a failed attempt of its own at once; a session of the token that follows
 *   anyway (the driver then used a card) is another attempt of the same visit, not this one;
 * - any other command (accepted, TIMEOUT, no answer yet) with no session in its window is pending
 *   until the window ends, then a failed attempt (not started). TIMEOUT may still claim a session: the
 *   hub's or the CPO's time-out says the result was lost, a session that starts says the charge was not;
 * - commands of the same token at the same EVSE not refused, each within the window of the one before,
 *   are one attempt (the driver pressing start again), as with a repeated Authorize: a session after
 *   any of them makes it a success, else it is one failed attempt at the first.
 *
 * Sessions are claimed once, by commands in time order, each the earliest unclaimed one in its window.
 */
import type { ChargingAttempt } from './reliability-input';

/**
 * A session may start this long after the request and still be the command's: OCPP's ConnectionTimeOut
 * (how long a charger waits for the cable after a remote start) is typically 30–120 s, and the CPO's
 * start_date_time may be when energy flowed; 5 minutes is the Authorize window too (AUTHORIZE_WINDOW_MS).
 */
export const COMMAND_SESSION_WINDOW_MS = 5 * 60_000;
/**
 * A session may start this long before the request and still be the command's: its start_date_time is
 * the CPO's clock, the request's time the hub's; a minute covers clocks apart and a CPO that dates the
 * session from the plug-in that came just before the app's start.
 */
export const COMMAND_SESSION_LEAD_MS = 60_000;

/** One forwarded START_SESSION at one EVSE, as kept by the hub. */
export interface ForwardedStart {
  id: string;
  at: number;
  /** The token's driver key (the same key the sessions carry). */
  driverKey?: string;
  /** The CPO's CommandResponse.result; null when it did not answer (or not yet). */
  response: string | null;
  /** The CommandResult.result (TIMEOUT when the hub gave up waiting); null while none came. */
  result: string | null;
  resultAt?: number;
}

/** CommandResponseType and CommandResultType values that are not a refusal. */
const NOT_REFUSED = new Set(['ACCEPTED', 'TIMEOUT']);

/** Whether the CPO said no: a response other than ACCEPTED, or a result other than ACCEPTED / TIMEOUT. */
export const commandRefused = (c: ForwardedStart) =>
  (c.response !== null && c.response !== 'ACCEPTED') || (c.result !== null && !NOT_REFUSED.has(c.result));

/**
 * The attempts the commands add at one EVSE, given the EVSE's session attempts (ocpi_session and
 * ocpi_cdr, which stay as they are) and the time now. Commands and sessions outside the period may be
 * given for context (a session just after it, a command just before); the caller keeps the attempts
 * whose `at` lies in its period.
 */
export function commandAttempts(commands: ForwardedStart[], sessions: Pick<ChargingAttempt, 'id' | 'at' | 'driverKey'>[], now: number): ChargingAttempt[] {
  const claimed = new Set<string>();
  const ordered = [...sessions].sort((a, b) => a.at - b.at);
  const claim = (c: ForwardedStart) => {
    const s = ordered.find((x) => x.driverKey === c.driverKey && !claimed.has(x.id) && x.at >= c.at - COMMAND_SESSION_LEAD_MS && x.at <= c.at + COMMAND_SESSION_WINDOW_MS);
    if (s) claimed.add(s.id);
    return s !== undefined;
  };
  const out: ChargingAttempt[] = [];
  // Per driver, the commands not refused so far that are one attempt: the first, the last one's time, whether a session followed.
  const open = new Map<string, { first: ForwardedStart; lastAt: number; session: boolean }>();
  const close = (g: { first: ForwardedStart; lastAt: number; session: boolean }) => {
    if (g.session) return;
    const over = g.lastAt + COMMAND_SESSION_WINDOW_MS;
    out.push(failed(g.first, now >= over ? over : undefined)); // pending until the window is over
  };
  for (const c of [...commands].sort((a, b) => a.at - b.at)) {
    if (commandRefused(c)) {
      out.push(failed(c, c.resultAt ?? c.at));
      continue;
    }
    // A command without a token key cannot be matched to a session: its own attempt, failed once its window is over.
    const key = c.driverKey ?? `(no key) ${c.id}`;
    const group = open.get(key);
    if (group && c.at - group.lastAt <= COMMAND_SESSION_WINDOW_MS) {
      group.lastAt = c.at;
      group.session ||= c.driverKey !== undefined && claim(c);
      continue;
    }
    if (group) close(group);
    open.set(key, { first: c, lastAt: c.at, session: c.driverKey !== undefined && claim(c) });
  }
  for (const g of open.values()) close(g);
  return out.sort((a, b) => a.at - b.at);
}

const failed = (c: ForwardedStart, endedAt: number | undefined): ChargingAttempt => ({
  id: `ocpi_command:${c.id}`,
  at: c.at,
  origin: 'ocpi_command',
  authorization: 'accepted',
  ...(endedAt !== undefined && { endedAt }),
  ...(c.driverKey && { driverKey: c.driverKey }),
});
