import {
  attemptOutcome,
  COMMAND_SESSION_LEAD_MS,
  COMMAND_SESSION_WINDOW_MS,
  commandAttempts,
  commandRefused,
  type ForwardedStart,
} from '../../../src/core/reliability/reliability-core';

const M = 60_000;
const T = Date.UTC(2026, 2, 1, 10);
const command = (id: string, at: number, response: string | null = 'ACCEPTED', result: string | null = 'ACCEPTED', driverKey = 'drv-a'): ForwardedStart => ({
  id, at, driverKey, response, result, ...(result && { resultAt: at + 5_000 }),
});
const session = (id: string, at: number, driverKey = 'drv-a') => ({ id, at, driverKey });
const outcomes = (commands: ForwardedStart[], sessions: ReturnType<typeof session>[], now = T + 60 * M) =>
  commandAttempts(commands, sessions, now).map((a) => [a.id, a.origin, attemptOutcome(a)]);

describe('forwarded START_SESSION commands as attempts', () => {
  it('accepted and a session of the token follows: the session is the attempt, the command adds none', () => {
    expect(outcomes([command('c1', T)], [session('s1', T + 2 * M)])).toEqual([]);
  });

  it('a session up to a minute before the request (clocks apart) is still the command\'s; earlier is not', () => {
    expect(outcomes([command('c1', T)], [session('s1', T - COMMAND_SESSION_LEAD_MS)])).toEqual([]);
    expect(outcomes([command('c1', T)], [session('s1', T - 10 * M)])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
  });

  it('a session after the window, or of another token, is not the command\'s: the command failed', () => {
    expect(outcomes([command('c1', T)], [session('s1', T + COMMAND_SESSION_WINDOW_MS + 1)])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
    expect(outcomes([command('c1', T)], [session('s1', T + M, 'drv-b')])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
  });

  it('no session yet: pending until the window is over, then failed (ended at the window\'s end)', () => {
    expect(outcomes([command('c1', T)], [], T + 4 * M)).toEqual([['ocpi_command:c1', 'ocpi_command', 'pending']]);
    const [failed] = commandAttempts([command('c1', T)], [], T + COMMAND_SESSION_WINDOW_MS);
    expect(failed).toMatchObject({ at: T, endedAt: T + COMMAND_SESSION_WINDOW_MS, authorization: 'accepted', driverKey: 'drv-a' });
  });

  it('rejected by the CPO (its response or its result): failed at once, and a session that follows is another attempt, not this one', () => {
    expect(outcomes([command('c1', T, 'REJECTED', null)], [], T + M)).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
    expect(outcomes([command('c2', T, 'ACCEPTED', 'EVSE_OCCUPIED')], [session('s1', T + M)], T + M)).toEqual([['ocpi_command:c2', 'ocpi_command', 'not_started']]);
    expect(commandRefused(command('c3', T, 'ACCEPTED', 'FAILED'))).toBe(true);
    expect(commandRefused(command('c4', T, 'NOT_SUPPORTED', null))).toBe(true);
  });

  it('TIMEOUT with no session is failed; TIMEOUT and a session that started is the session (the result was lost, not the charge)', () => {
    expect(outcomes([command('c1', T, 'ACCEPTED', 'TIMEOUT')], [])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
    expect(outcomes([command('c1', T, 'ACCEPTED', 'TIMEOUT')], [session('s1', T + 3 * M)])).toEqual([]);
    // The CPO never answered the forward (null): failed once the window is over, unless a session follows.
    expect(outcomes([command('c2', T, null, null)], [])).toEqual([['ocpi_command:c2', 'ocpi_command', 'not_started']]);
  });

  it('two commands of the same token within the window are one attempt; one session is claimed once', () => {
    // Pressed twice, one session: no attempt beside the session.
    expect(outcomes([command('c1', T), command('c2', T + 30_000)], [session('s1', T + M)])).toEqual([]);
    // Pressed twice, nothing started: one failed attempt, at the first press.
    expect(outcomes([command('c1', T), command('c2', T + 30_000)], [])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
    // The second press's session, after the first's window: still the same attempt, which succeeded.
    expect(outcomes([command('c1', T), command('c2', T + 4 * M)], [session('s1', T + 8 * M)])).toEqual([]);
    // Far apart, one session after the first: the second command failed on its own.
    expect(outcomes([command('c1', T), command('c2', T + 20 * M)], [session('s1', T + M)])).toEqual([['ocpi_command:c2', 'ocpi_command', 'not_started']]);
    // One session cannot be two commands': the other token's command is not served by it.
    expect(outcomes([command('c1', T), command('c2', T + 10_000, 'ACCEPTED', 'ACCEPTED', 'drv-b')], [session('s1', T + M)])).toEqual([
      ['ocpi_command:c2', 'ocpi_command', 'not_started'],
    ]);
  });

  it('a rejected command and then an accepted one with a session: the rejection is a failed attempt, the session the other', () => {
    expect(outcomes([command('c1', T, 'REJECTED', null), command('c2', T + M)], [session('s1', T + 2 * M)])).toEqual([['ocpi_command:c1', 'ocpi_command', 'not_started']]);
  });
});
