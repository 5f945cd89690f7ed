import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type PartnerHealth, partnerHealth } from '../../core/partner-health';
import { backoffMs } from '../../core/retry-backoff';
import { SIGNATURE_HEADER, signAlert, TIMESTAMP_HEADER } from '../../core/traffic/alert-signature';

/** A change of a partner's health, as logged, posted to the webhook and shown on the dashboard. */
export interface PartnerAlert {
  type: 'partner_health';
  party_id: string;
  partner: string;
  status: PartnerHealth;
  previous: PartnerHealth;
  consecutive_failures: number;
  failing_since: string | null;
  last_error: string | null;
  last_error_at: string | null;
  at: string;
}

/** What the dashboard banner shows: every partner not OK now, with since when and its last error. */
export interface CurrentProblem {
  party_id: string;
  partner: string;
  name: string;
  status: PartnerHealth;
  consecutive_failures: number;
  failing_since: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface PartnerAlertsOptions {
  db: DataSource;
  log: Logger;
  webhook?: { url: string; secret: string };
  /** Attempts of one webhook post before it is given up (kept, with its last error). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  timeoutMs?: number;
  now?: () => Date;
}

interface PartyHealthRow {
  id: string;
  partner: string;
  name: string;
  call_failures: number;
  last_error_kind: string | null;
  failing_since: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  alerted_health: PartnerHealth;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Alerts when a partner's health (core/partner-health: OK, DEGRADED, DOWN) changes. `check` compares
 * each registered partner's health with the one last alerted (`parties.alerted_health`, shared by
 * every instance, and claimed with a guarded UPDATE so one change alerts once) and logs the change at
 * warn (error for DOWN); with a webhook configured it queues a signed post, which `deliver` sends and
 * retries with backoff (its own small queue: alerts are for the operator, not partner deliveries, and
 * must still go out while the outbox is the thing that is stuck). Both run from the scheduler every
 * 10 seconds, so a partner going DOWN is alerted within seconds of its health changing.
 */
export class PartnerAlerts {
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: PartnerAlertsOptions) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseBackoffMs = options.baseBackoffMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? (() => new Date());
  }

  private async partners(): Promise<PartyHealthRow[]> {
    return this.options.db.query(`
      SELECT id, country_code || '/' || party_id AS partner, name, call_failures, last_error_kind, failing_since,
             last_error, last_error_at, alerted_health
        FROM parties WHERE registered_at IS NOT NULL AND NOT own ORDER BY country_code, party_id`);
  }

  /** Finds health changes since the last check and alerts each once; returns the alerts made. */
  async check(): Promise<PartnerAlert[]> {
    const alerts: PartnerAlert[] = [];
    for (const row of await this.partners()) {
      const status = partnerHealth({ callFailures: row.call_failures, lastErrorKind: row.last_error_kind });
      if (status === row.alerted_health) continue;
      const [, claimed] = await this.options.db.query(`UPDATE parties SET alerted_health = $2 WHERE id = $1 AND alerted_health = $3`, [row.id, status, row.alerted_health]);
      if (!claimed) continue; // another instance alerted this change
      const alert: PartnerAlert = {
        type: 'partner_health',
        party_id: row.id,
        partner: row.partner,
        status,
        previous: row.alerted_health,
        consecutive_failures: row.call_failures,
        failing_since: iso(row.failing_since),
        last_error: row.last_error,
        last_error_at: iso(row.last_error_at),
        at: this.now().toISOString(),
      };
      alerts.push(alert);
      const level = status === 'DOWN' ? 'error' : status === 'DEGRADED' ? 'warn' : 'info';
      this.options.log[level]({ alert }, `partner ${row.partner} is ${status}`);
      await this.enqueue(alert);
    }
    return alerts;
  }

  /**
   * Queues any alert (this one's, and the reliability alerts', hub/reliability) for the webhook, when one
   * is configured: one queue, one signature, one retry policy for every alert the hub sends.
   */
  async enqueue(alert: object): Promise<void> {
    if (this.options.webhook) await this.options.db.query(`INSERT INTO alert_webhooks (body) VALUES ($1)`, [JSON.stringify(alert)]);
  }

  /** Posts the due webhook alerts, oldest first; a failed post is retried with backoff, then given up. */
  async deliver(): Promise<{ delivered: number; failed: number }> {
    const webhook = this.options.webhook;
    if (!webhook) return { delivered: 0, failed: 0 };
    const due: { id: string; body: string; attempts: number }[] = await this.options.db.query(
      `SELECT id, body, attempts FROM alert_webhooks
        WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT 50`,
      [this.now()],
    );
    let delivered = 0;
    let failed = 0;
    for (const row of due) {
      const error = await this.post(webhook, row.body);
      if (!error) {
        await this.options.db.query(`UPDATE alert_webhooks SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id]);
        delivered++;
        continue;
      }
      failed++;
      const attempts = row.attempts + 1;
      const giveUp = attempts >= this.maxAttempts;
      const next = new Date(this.now().getTime() + backoffMs(attempts, this.baseBackoffMs, 600_000));
      await this.options.db.query(
        `UPDATE alert_webhooks SET attempts = $2, last_error = $3, next_attempt_at = $4, failed_at = CASE WHEN $5 THEN now() END WHERE id = $1`,
        [row.id, attempts, error.slice(0, 500), next, giveUp],
      );
      this.options.log.warn({ alertWebhook: row.id, attempts, err: error }, giveUp ? 'alert webhook given up' : 'alert webhook failed, will retry');
    }
    return { delivered, failed };
  }

  /** Sends one post; returns why it failed, or undefined when the receiver took it (2xx). */
  private async post(webhook: { url: string; secret: string }, body: string): Promise<string | undefined> {
    const timestamp = Math.floor(this.now().getTime() / 1000);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signAlert(webhook.secret, timestamp, body),
        },
      });
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).name ?? 'failed';
    }
  }

  /** Every partner not OK now (for the dashboard banner and GET /admin/alerts). */
  async current(): Promise<CurrentProblem[]> {
    return (await this.partners())
      .map((row) => ({ row, status: partnerHealth({ callFailures: row.call_failures, lastErrorKind: row.last_error_kind }) }))
      .filter(({ status }) => status !== 'OK')
      .map(({ row, status }) => ({
        party_id: row.id,
        partner: row.partner,
        name: row.name,
        status,
        consecutive_failures: row.call_failures,
        failing_since: iso(row.failing_since),
        last_error: row.last_error,
        last_error_at: iso(row.last_error_at),
      }));
  }

  /** Webhook posts not delivered yet, and given up (the banner says so: alerts that did not reach the operator). */
  async webhookBacklog(): Promise<{ pending: number; failed: number }> {
    const [row] = await this.options.db.query(
      `SELECT count(*) FILTER (WHERE failed_at IS NULL) AS pending, count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
         FROM alert_webhooks WHERE delivered_at IS NULL`,
    );
    return { pending: Number(row.pending), failed: Number(row.failed) };
  }
}
