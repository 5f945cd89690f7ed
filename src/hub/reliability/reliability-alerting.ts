import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ReliabilityReport } from './reliability-report';

const DAY_MS = 86_400_000;

/** An alert about an EVSE or an own charger, as logged, posted to the alert webhook and kept open until it clears. */
export interface EvseReliabilityAlert {
  type: 'reliability';
  kind: 'health_dropping' | 'success_rate_low' | 'available_while_failing' | 'charger_offline';
  /** `raised`, or `cleared` once the condition is gone. */
  state: 'raised' | 'cleared';
  /** An EVSE key CC/PID/LOCATION/EVSE_UID, or `charger:<id>`. */
  subject: string;
  message: string;
  details: Record<string, unknown>;
  at: string;
}

/** Answers whether an own charger answered a probe (TriggerMessage Heartbeat) within its time: services.ts builds it on ChargerCalls. */
export type ChargerProbe = (chargerId: string) => Promise<boolean>;

export interface ReliabilityAlertingOptions {
  db: DataSource;
  log: Logger;
  report: ReliabilityReport;
  /** Queues a post on the alert webhook (the partner alerts' queue: one way to send alerts). */
  send: (alert: EvseReliabilityAlert) => Promise<void>;
  probe: ChargerProbe;
  /** A connected charger silent this long (no heartbeat) is probed; one disconnected this long is probed too. */
  silentAfterMs: number;
  /** The period the EVSE alerts read (the core's windows: 7 days of attempts, the health's 45 days). */
  windowMs?: number;
  now?: () => Date;
}

interface SuspectRow {
  id: string;
  connected_instance: string | null;
  last_heartbeat_at: Date | null;
  last_connected_at: Date | null;
  disconnected_at: Date | null;
}

/**
 * Reliability alerts through the existing alert delivery (docs/reliability.md, "Alerts"):
 *
 * - EVSE alerts from the core (health dropping, success rate under its threshold, a partner EVSE
 *   AVAILABLE while its attempts fail), read from storage by ReliabilityReport;
 * - an own charger offline, only once an OCPP probe confirms it: a connected charger that has been
 *   silent for `silentAfterMs`, or one disconnected that long, is sent TriggerMessage Heartbeat; an
 *   answer (even a CALLERROR) means it lives and nothing is raised, no answer raises `charger_offline`.
 *
 * Each (subject, kind) is raised once (claimed by an INSERT in reliability_alert_state, so several
 * instances raise it once) and cleared once its condition is gone; both are logged and queued on the
 * alert webhook.
 */
export class ReliabilityAlerting {
  constructor(private readonly options: ReliabilityAlertingOptions) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The EVSE alerts: what the core says of each EVSE over the last window, raised and cleared. */
  async checkEvses(): Promise<EvseReliabilityAlert[]> {
    const to = this.now().getTime();
    const report = await this.options.report.run({}, { from: to - (this.options.windowMs ?? 7 * DAY_MS), to });
    const current = new Map<string, { message: string; details: Record<string, unknown> }>();
    for (const evse of report.evses)
      for (const a of evse.alerts) current.set(`${evse.evse}\n${a.kind}`, { message: `${evse.evse}: ${a.message}`, details: { ...a.details, score: evse.health.score, explanation: evse.health.explanation } });
    return this.reconcile(current, (kind) => kind !== 'charger_offline');
  }

  /** Own chargers silent or disconnected for silentAfterMs are probed; those that do not answer are raised. */
  async checkChargers(): Promise<EvseReliabilityAlert[]> {
    const now = this.now();
    const since = new Date(now.getTime() - this.options.silentAfterMs);
    const suspects: SuspectRow[] = await this.options.db.query(
      `SELECT id, connected_instance, last_heartbeat_at, last_connected_at, disconnected_at FROM chargers
        WHERE status = 'ACCEPTED' AND (last_connected_at IS NOT NULL OR disconnected_at IS NOT NULL)
          AND ((connected_instance IS NULL AND coalesce(disconnected_at, last_connected_at) < $1)
            OR (connected_instance IS NOT NULL AND GREATEST(last_heartbeat_at, last_connected_at) < $1))`,
      [since],
    );
    const current = new Map<string, { message: string; details: Record<string, unknown> }>();
    // Probed at once: each may take the whole probe timeout, and one silent charger must not delay the others.
    const answers = await Promise.all(suspects.map((row) => (row.connected_instance !== null ? this.options.probe(row.id) : Promise.resolve(false))));
    for (const [i, row] of suspects.entries()) {
      if (answers[i]) continue;
      const lastSeen = [row.last_heartbeat_at, row.last_connected_at, row.disconnected_at].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
      current.set(`charger:${row.id}\ncharger_offline`, {
        message: row.connected_instance
          ? `charger ${row.id} is connected but did not answer a TriggerMessage Heartbeat probe`
          : `charger ${row.id} has been disconnected since ${row.disconnected_at?.toISOString() ?? 'unknown'}`,
        details: { charger: row.id, connected: row.connected_instance !== null, probe: row.connected_instance ? 'no_answer' : 'not_connected', last_seen: lastSeen?.toISOString() ?? null },
      });
    }
    return this.reconcile(current, (kind) => kind === 'charger_offline');
  }

  /** Raises what is new in `current`, clears what is open (of the kinds `mine` owns) and no longer there. */
  private async reconcile(current: Map<string, { message: string; details: Record<string, unknown> }>, mine: (kind: string) => boolean): Promise<EvseReliabilityAlert[]> {
    const { db, log } = this.options;
    const at = this.now().toISOString();
    const made: EvseReliabilityAlert[] = [];
    for (const [key, alert] of current) {
      const [subject, kind] = key.split('\n') as [string, EvseReliabilityAlert['kind']];
      const claimed: unknown[] = await db.query(
        `INSERT INTO reliability_alert_state (evse_key, kind, detail) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING kind`,
        [subject, kind, JSON.stringify({ message: alert.message, ...alert.details })],
      );
      if (claimed.length === 0) continue;
      made.push({ type: 'reliability', kind, state: 'raised', subject, message: alert.message, details: alert.details, at });
    }
    const open: { evse_key: string; kind: EvseReliabilityAlert['kind']; detail: { message?: string } }[] = await db.query(`SELECT evse_key, kind, detail FROM reliability_alert_state`);
    for (const row of open) {
      if (!mine(row.kind) || current.has(`${row.evse_key}\n${row.kind}`)) continue;
      const [deleted] = await db.query(`DELETE FROM reliability_alert_state WHERE evse_key = $1 AND kind = $2 RETURNING kind`, [row.evse_key, row.kind]);
      if (!deleted) continue; // another instance cleared it
      made.push({ type: 'reliability', kind: row.kind, state: 'cleared', subject: row.evse_key, message: `cleared: ${row.detail.message ?? row.kind}`, details: {}, at });
    }
    for (const alert of made) {
      log[alert.state === 'raised' ? 'warn' : 'info']({ alert }, alert.message);
      await this.options.send(alert);
    }
    return made;
  }

  /** The alerts open now (for GET /admin/reliability/alerts and the dashboard). */
  async open(): Promise<{ subject: string; kind: string; raised_at: string; detail: Record<string, unknown> }[]> {
    const rows: { evse_key: string; kind: string; raised_at: Date; detail: Record<string, unknown> }[] = await this.options.db.query(
      `SELECT evse_key, kind, raised_at, detail FROM reliability_alert_state ORDER BY raised_at DESC, evse_key`,
    );
    return rows.map((r) => ({ subject: r.evse_key, kind: r.kind, raised_at: r.raised_at.toISOString(), detail: r.detail }));
  }
}
