/**
 * Guarded playbooks for the own chargers (docs/reliability.md, "Playbooks"): what the hub may do by
 * itself when an alert names one of its chargers, as a pure decision the adapter carries out and audits.
 *
 * - A charger that does not answer (charger_offline while still connected) or whose EVSE health drops:
 *   a soft reset first; a hard reset only when a soft one was already tried in the last day and at
 *   least SOFT_RESET_GRACE_MS ago (the charger had time to come back) without helping.
 * - A connector that fails while it says it is free (available_while_failing, success_rate_low):
 *   ChangeAvailability Inoperative for that connector, so drivers are no longer sent to it (its OCPI
 *   status follows from the StatusNotification the charger then sends); never twice in a day.
 * - Never while a transaction runs on the charger (a reset) or on the connector (availability).
 * - At most `maxPerDay` actions per charger in any 24 hours, counting every action tried.
 */

export type PlaybookAction = 'soft_reset' | 'hard_reset' | 'inoperative';
export type PlaybookTrigger = 'charger_offline' | 'health_dropping' | 'success_rate_low' | 'available_while_failing';

export interface PlaybookInput {
  trigger: PlaybookTrigger;
  /** The connector the alert names (OCPP key "1" or "1/1"); absent for a charger-wide alert. */
  ocppConnector?: string;
  now: number;
  /** Whether the charger's site opted in, and its daily limit. */
  enabled: boolean;
  maxPerDay: number;
  connected: boolean;
  /** Connectors with a running transaction. */
  activeConnectors: string[];
  /** Actions already tried on this charger (any outcome), newest last. */
  history: { action: PlaybookAction; at: number; ocppConnector?: string }[];
}

export type PlaybookDecision = { act: PlaybookAction; ocppConnector?: string; reason: string } | { act: null; reason: string };

export const PLAYBOOK_PARAMETERS = {
  DAY_MS: 86_400_000,
  /** A charger gets this long to come back after a soft reset before a hard one is considered. */
  SOFT_RESET_GRACE_MS: 30 * 60_000,
} as const;

export function playbookDecision(input: PlaybookInput): PlaybookDecision {
  const p = PLAYBOOK_PARAMETERS;
  if (!input.enabled) return { act: null, reason: 'playbooks are not enabled for this charger\'s site' };
  if (!input.connected) return { act: null, reason: 'the charger is not connected: nothing can be sent to it' };
  const today = input.history.filter((h) => h.at > input.now - p.DAY_MS);
  if (today.length >= input.maxPerDay) return { act: null, reason: `${today.length} actions in the last 24 hours: the limit is ${input.maxPerDay}` };

  if (input.trigger === 'available_while_failing' || input.trigger === 'success_rate_low') {
    const connector = input.ocppConnector;
    if (!connector) return { act: null, reason: 'no connector named' };
    if (input.activeConnectors.includes(connector)) return { act: null, reason: `a transaction is running on connector ${connector}` };
    if (today.some((h) => h.action === 'inoperative' && h.ocppConnector === connector)) return { act: null, reason: `connector ${connector} was already made Inoperative today` };
    return { act: 'inoperative', ocppConnector: connector, reason: `connector ${connector} fails while it reports itself free (${input.trigger})` };
  }

  if (input.activeConnectors.length > 0) return { act: null, reason: `a transaction is running (connector ${input.activeConnectors.join(', ')}): no reset during a transaction` };
  const softs = today.filter((h) => h.action === 'soft_reset');
  if (softs.length === 0) return { act: 'soft_reset', reason: `${input.trigger}: a soft reset first` };
  const lastSoft = softs[softs.length - 1].at;
  if (input.now - lastSoft < p.SOFT_RESET_GRACE_MS) return { act: null, reason: 'a soft reset was sent less than 30 minutes ago: waiting for the charger to come back' };
  if (today.some((h) => h.action === 'hard_reset')) return { act: null, reason: 'a hard reset was already tried today: the operator must look' };
  return { act: 'hard_reset', reason: `${input.trigger} persists after a soft reset: a hard reset` };
}
