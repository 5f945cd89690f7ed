/**
 * How the hub's calls to a partner go, beside its ConnectionStatus (which keeps the hubclientinfo
 * meaning: OFFLINE only when the still-alive check got no answer). OK: the last call succeeded.
 * DEGRADED: the last call failed (an OCPI status other than 1xxx, an HTTP error, no answer).
 * DOWN: the last DOWN_AFTER_FAILURES calls in a row got no answer at all (connection refused, timeout).
 *
 * Pure, so the metrics (foundation) and the party registry (hub/routing) read the same rule.
 */
export type PartnerHealth = 'OK' | 'DEGRADED' | 'DOWN';

export const DOWN_AFTER_FAILURES = 3;

/** Failures that mean the partner did not answer at all (as opposed to answering with an error). */
const UNANSWERED = new Set(['network', 'timeout']);

export function partnerHealth(party: { callFailures: number; lastErrorKind: string | null }): PartnerHealth {
  if (party.callFailures === 0) return 'OK';
  return party.callFailures >= DOWN_AFTER_FAILURES && UNANSWERED.has(party.lastErrorKind ?? '') ? 'DOWN' : 'DEGRADED';
}
