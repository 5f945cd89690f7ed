import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { InterfaceRole, OutboxEntry } from '../../db/entities';
import { endpointUrl, OcpiCallError, type OcpiClient } from '../outbound/ocpi-client';
import { connectionStatus, type PartyRegistry } from './parties';
import { metrics, partnerLabel } from '../../foundation/metrics';
import { HUB_FORM_VERSION, isOcpiVersion, type OcpiVersion, VERSION_FORM, VERSION_TRANSPORT } from '../../core/ocpi-versions/ocpi-versions';
import { type Loss, TranslationRefused } from '../../core/ocpi-versions/loss-report';
import { type OcpiModuleId, type TranslationContext, translateObject } from '../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../core/ocpi-versions/version-bridges';
import { backoffMs } from '../../core/retry-backoff';
import type { VersionContexts } from './version-context';
import { NO_WAL_WAIT } from '../../db/no-wal-wait';

/** A delivery the hub owes a partner. */
export interface NewDelivery {
  partyUuid: string;
  module: string;
  interfaceRole: InterfaceRole;
  method: OutboxEntry['method'];
  /** Appended to the partner's endpoint URL for `module`/`interfaceRole`, e.g. `/NL/ABC`. */
  path: string;
  /** An absolute target instead of an endpoint (a result for a `response_url`); `path` is then ignored. */
  url?: string;
  body?: unknown;
  /** The OCPI version `body` is in (the sender's); translated to the receiver's when delivered. Default: the hub form. */
  bodyVersion?: OcpiVersion;
  /** What a translation of `body` needs beyond it (e.g. the sender of a 2.1.1 object). */
  translationContext?: TranslationContext;
  headers?: Record<string, string>;
  /** Deliveries of the same object reach a partner in order, one at a time. */
  objectKey: string;
  /** With objectKey, makes enqueueing idempotent: the same version is delivered once. */
  objectVersion: string;
}

export interface OutboxOptions {
  maxAttempts: number;
  /** Deliveries running at once per hub instance. */
  concurrency?: number;
  /** Deliveries running at once per partner, so a slow partner cannot take every slot. */
  perPartyConcurrency?: number;
  /** The fallback when no notification comes (retries that fall due, a LISTEN connection down). */
  pollIntervalMs?: number;
  /**
   * How long a claimed delivery stays locked before another instance may take it over: the lease a
   * killed instance leaves behind. By default twice the request timeout plus 5 s (a delivery cannot
   * take longer than its timeout and the write that records it), so after a crash its deliveries run
   * again within seconds rather than minutes.
   */
  lockSeconds?: number;
  timeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface PartyBacklog {
  partyUuid: string;
  pending: number;
  failed: number;
  oldestPendingAt: Date | null;
}

export interface UndeliveredEntry {
  id: string;
  party_uuid: string;
  module: string;
  method: string;
  target: string;
  status: 'pending' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
}

interface ClaimedRow {
  id: string;
  party_uuid: string;
  module: string;
  interface_role: InterfaceRole;
  method: OutboxEntry['method'];
  path: string;
  url: string | null;
  body: unknown;
  body_version: string;
  /** Set by an earlier attempt that translated the body (null: none did). */
  delivered_version: string | null;
  translation_context: TranslationContext | null;
  headers: Record<string, string>;
  attempts: number;
  created_at: Date;
}

/** A delivery whose body the receiver's version could not carry whole (the loss report). */
export interface DeliveryLosses {
  id: string;
  module: string;
  method: string;
  target: string;
  status: string;
  body_version: string;
  delivered_version: string;
  losses: Loss[];
  created_at: Date;
}

/** Routing headers and request ids, which a 2.1.1 receiver does not know (VERSION_TRANSPORT). */
const VERSIONED_HEADERS = /^(ocpi-(to|from)-(country-code|party-id)|x-request-id|x-correlation-id)$/i;

/** The NOTIFY channel of enqueue: other instances look for due deliveries at once (payload: the sender's id). */
export const OUTBOX_CHANNEL = 'outbox_due';

/** A row that may be claimed now: pending, due, and not leased by a running delivery. */
const claimable = (t: string) => `${t}.status = 'pending' AND ${t}.next_attempt_at <= now() AND (${t}.locked_until IS NULL OR ${t}.locked_until <= now())`;

/** What an attempt records of its translation: the version the body went out in (null: as sent) and its losses. */
interface TranslationRecord {
  deliveredVersion: OcpiVersion | null;
  losses: Loss[];
}

/** SET clause writing a TranslationRecord from parameters $n (record given?), $n+1, $n+2; no record leaves the row's as it is. */
const RECORD_SET = (n: number) =>
  `delivered_version = CASE WHEN $${n}::boolean THEN $${n + 1}::text ELSE delivered_version END,
   losses = CASE WHEN $${n}::boolean THEN $${n + 2}::jsonb ELSE losses END`;

const recordValues = (record?: TranslationRecord) => [
  record !== undefined,
  record?.deliveredVersion ?? null,
  record && record.losses.length > 0 ? JSON.stringify(record.losses) : null,
];

/**
 * The durable outbox: deliveries are rows in PostgreSQL, claimed with SKIP LOCKED (so several hub
 * instances share the work), retried with bounded exponential backoff, kept in order per object and
 * per partner, and they survive a restart. One slow or dead partner never delays another: each
 * delivery runs on its own with a timeout, and a partner holds at most `perPartyConcurrency` slots.
 */
export class Outbox {
  private readonly opts: Required<OutboxOptions>;
  private running = false;
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private nudgedWhilePumping = false;
  private readonly idleWaiters: (() => void)[] = [];
  /** Tells this instance's own notifications from other instances'. */
  private readonly instanceId = randomUUID();
  private contexts?: VersionContexts;

  constructor(
    private readonly db: DataSource,
    private readonly parties: PartyRegistry,
    private readonly client: OcpiClient,
    private readonly log: Logger,
    options: OutboxOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.opts = {
      concurrency: 64,
      perPartyConcurrency: 4,
      pollIntervalMs: 500,
      lockSeconds: Math.ceil((2 * timeoutMs) / 1000) + 5,
      timeoutMs,
      baseBackoffMs: 1_000,
      maxBackoffMs: 10 * 60_000,
      ...options,
    };
  }

  /**
   * Runs `work` in one transaction and looks for due deliveries once it committed: what a push stores
   * and the deliveries it queues (`enqueue(…, tx)`) commit together or not at all (a transactional
   * outbox), so no crash can leave a stored change undelivered.
   */
  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(work);
    this.nudge();
    return result;
  }

  /**
   * Adds deliveries; an (object, version, method) already queued for a partner is not queued again.
   * Given a transaction (`transaction()`), they are queued in it, so they exist only if it commits.
   */
  async enqueue(deliveries: NewDelivery[], tx?: EntityManager): Promise<void> {
    if (deliveries.length === 0) return;
    const columns = ['party_uuid', 'module', 'interface_role', 'method', 'path', 'url', 'body', 'body_version', 'translation_context', 'headers', 'object_key', 'object_version'];
    const values: unknown[] = [];
    const rows = deliveries.map((d, i) => {
      values.push(
        d.partyUuid,
        d.module,
        d.interfaceRole,
        d.method,
        d.path,
        d.url ?? null,
        d.body === undefined ? null : JSON.stringify(d.body),
        d.bodyVersion ?? HUB_FORM_VERSION,
        d.translationContext ? JSON.stringify(d.translationContext) : null,
        JSON.stringify(d.headers ?? {}),
        d.objectKey,
        d.objectVersion,
      );
      return `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(', ')})`;
    });
    // NOTIFY is transactional: the other instances are woken when the rows are committed, not before.
    await (tx ?? this.db.manager).query(
      `WITH queued AS (
         INSERT INTO outbox (${columns.join(', ')}) VALUES ${rows.join(', ')}
         ON CONFLICT (party_uuid, object_key, object_version, method) DO NOTHING RETURNING 1
       )
       SELECT pg_notify($${values.length + 1}, $${values.length + 2}) FROM (SELECT 1 FROM queued LIMIT 1) q`,
      [...values, OUTBOX_CHANNEL, this.instanceId],
    );
    // In a transaction the rows are not visible before it commits: transaction() nudges then.
    if (!tx) this.nudge();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.nudge();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pumping;
    await this.whenIdle();
  }

  /** A NOTIFY on OUTBOX_CHANNEL: deliveries queued by another instance (this one nudged itself already). */
  notified(fromInstance: string): void {
    if (fromInstance !== this.instanceId) this.nudge();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  nudge(): void {
    if (!this.running) return;
    // A nudge while a claim runs may concern rows that claim did not see: pump again right after it,
    // rather than at the next poll.
    if (this.pumping) {
      this.nudgedWhilePumping = true;
      return;
    }
    this.nudgedWhilePumping = false;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.nudgedWhilePumping) this.nudge();
      else this.schedule();
    });
  }

  /** Resolves when no delivery is running (tests and shutdown wait on it). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Pending and failed deliveries per partner, for the operator. */
  async backlog(): Promise<PartyBacklog[]> {
    const rows: { party_uuid: string; pending: string; failed: string; oldest: Date | null }[] = await this.db.query(`
      SELECT party_uuid,
             count(*) FILTER (WHERE status = 'pending') AS pending,
             count(*) FILTER (WHERE status = 'failed') AS failed,
             min(created_at) FILTER (WHERE status = 'pending') AS oldest
        FROM outbox WHERE status <> 'delivered' GROUP BY party_uuid`);
    return rows.map((r) => ({ partyUuid: r.party_uuid, pending: Number(r.pending), failed: Number(r.failed), oldestPendingAt: r.oldest }));
  }

  /** Deliveries not yet delivered (pending or failed), newest first, for the operator. */
  async undelivered(filter: { status?: 'pending' | 'failed'; partyUuid?: string; limit: number }): Promise<UndeliveredEntry[]> {
    return this.db.query(
      `SELECT id, party_uuid, module, method, coalesce(url, path) AS target, status, attempts, last_error,
              created_at, next_attempt_at
         FROM outbox
        WHERE status IN ('pending', 'failed') AND ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR party_uuid = $2)
        ORDER BY id DESC LIMIT $3`,
      [filter.status ?? null, filter.partyUuid ?? null, filter.limit],
    );
  }

  /** Puts a partner's failed deliveries back in the queue (after the operator fixed the cause). */
  async retryFailed(partyUuid: string): Promise<number> {
    const [rows] = await this.db.query(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
        WHERE party_uuid = $1 AND status = 'failed' RETURNING id`,
      [partyUuid],
    );
    this.nudge();
    return rows.length;
  }

  /**
   * A statement of the outbox's own bookkeeping (a claim's lease, an attempt's outcome), committed
   * without waiting for the WAL flush. A claim's commit lies between every push and its first
   * delivery, and each outcome's flush competed with the next push's commit: on a busy disk both were
   * the fan-out's tail. What a PostgreSQL crash (not a hub crash: the server still flushes) may lose
   * is the last fraction of a second of these writes: a lease, whose row is then claimed again, or an
   * outcome, whose delivery is then sent again. Both were already possible when the hub stops between
   * a delivery and its outcome; deliveries are idempotent per object version. What a push stores and
   * queues (`transaction`, `enqueue`) still waits for its flush.
   */
  private bookkeeping(sql: string, params: unknown[]): Promise<[unknown[], number]> {
    // One statement (its UPDATE joins NO_WAL_WAIT): a BEGIN … COMMIT of four round trips held a pooled
    // connection for each delivery's outcome, and a push to ten eMSPs made ten of them at once.
    if (!sql.includes(NO_WAL_WAIT)) throw new Error('an outbox bookkeeping statement must join NO_WAL_WAIT');
    return this.db.query(sql, params) as Promise<[unknown[], number]>;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => this.nudge(), this.opts.pollIntervalMs);
  }

  private async pump(): Promise<void> {
    try {
      while (this.running && this.inFlight < this.opts.concurrency) {
        const claimed = await this.claim(this.opts.concurrency - this.inFlight);
        if (claimed.length === 0) return;
        for (const row of claimed) {
          this.inFlight++;
          void this.deliver(row).finally(() => {
            this.inFlight--;
            if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
            this.nudge();
          });
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'outbox: claiming deliveries failed');
    }
  }

  /**
   * Claims due deliveries: only the oldest pending one of each object (order per object), at most
   * perPartyConcurrency running per partner, rows locked by other instances skipped.
   */
  private async claim(limit: number): Promise<ClaimedRow[]> {
    // Per partner with pending rows, its first due heads (the oldest pending row of an object), oldest
    // first, as many as its free slots: each partner's scan starts at its own oldest row
    // (outbox_party_pending), so a large backlog of one partner neither slows nor starves the others.
    // Exactly one claim across instances: the heads come from the statement's snapshot, so a row another
    // instance claimed (or delivered) and committed since may be among them. Locking a row that changed
    // re-evaluates the locking query's WHERE on its newest version (READ COMMITTED), so `claimable` is
    // repeated there (and in the UPDATE): such a row drops out instead of being claimed twice.
    // MATERIALIZED and `= ANY (ARRAY(…))` keep that order of work (heads first, then primary-key
    // lookups): inlined, the planner may drive the join from every due row of the table.
    const [rows] = await this.bookkeeping(
      `WITH partners AS (
         SELECT p.id AS party_uuid FROM parties p WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.party_uuid = p.id AND o.status = 'pending')
       ), slots AS (
         SELECT p.party_uuid,
                $3 - (SELECT count(*) FROM outbox r WHERE r.party_uuid = p.party_uuid AND r.status = 'pending' AND r.locked_until > now()) AS free
           FROM partners p
       ), due AS MATERIALIZED (
         SELECT c.id FROM slots s
          CROSS JOIN LATERAL (
            SELECT o.id FROM outbox o
             WHERE o.party_uuid = s.party_uuid AND ${claimable('o')}
               AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.party_uuid = o.party_uuid AND e.object_key = o.object_key
                                                        AND e.status = 'pending' AND e.id < o.id)
             ORDER BY o.id LIMIT greatest(s.free, 0)) c
       ), locked AS MATERIALIZED (
         SELECT o.id FROM outbox o
          WHERE o.id = ANY (ARRAY(SELECT id FROM due)) AND ${claimable('o')}
          ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE outbox SET locked_until = now() + make_interval(secs => $2), attempts = attempts + 1
         FROM ${NO_WAL_WAIT}
        WHERE id = ANY (ARRAY(SELECT id FROM locked)) AND ${claimable('outbox')}
       RETURNING id, party_uuid, module, interface_role, method, path, url, body, body_version, delivered_version, translation_context, headers, attempts, created_at`,
      [limit, this.opts.lockSeconds, this.opts.perPartyConcurrency],
    );
    return (rows as ClaimedRow[] | undefined) ?? [];
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    let partner = 'unknown';
    // What this attempt's translation changes on the row, written with the attempt's outcome (one write).
    let record: TranslationRecord | undefined;
    try {
      const party = await this.parties.get(row.party_uuid);
      partner = partnerLabel(party);
      const status = party ? connectionStatus(party) : 'PLANNED';
      if (!party || status === 'PLANNED' || status === 'SUSPENDED') {
        return await this.finish(row, 'failed', `receiver is ${status}`);
      }
      const endpoint = row.url ? undefined : this.parties.endpoint(party, row.module, row.interface_role);
      if (!row.url && !endpoint) {
        return await this.finish(row, 'failed', `receiver has no ${row.module} ${row.interface_role} endpoint`);
      }
      const version = isOcpiVersion(party.version) ? party.version : HUB_FORM_VERSION;
      let body: unknown;
      try {
        ({ body, record } = await this.translated(row, version, partner));
      } catch (error) {
        // Not retried: the same body cannot be expressed in that version tomorrow either.
        if (error instanceof TranslationRefused) return await this.finish(row, 'failed', error.message);
        throw error;
      }
      const transport = VERSION_TRANSPORT[version];
      const headers = transport.routingHeaders ? row.headers : Object.fromEntries(Object.entries(row.headers).filter(([name]) => !VERSIONED_HEADERS.test(name)));
      await this.client.request({
        method: row.method,
        url: row.url ?? endpointUrl(endpoint!.url, pathInVersion(row.module, row.path, version)),
        token: this.parties.tokenB(party),
        encoding: party.tokenEncoding,
        body,
        headers,
        correlationId: row.headers['X-Correlation-ID'],
        requestIds: transport.requestIds,
        timeoutMs: this.opts.timeoutMs,
        party,
        module: row.module,
      });
      await this.finish(row, 'delivered', null, record);
      metrics.outboxAttempt('delivered', row.created_at, partner);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A 2xxx answer is the receiver rejecting the content: retrying the same body cannot help. Nor
      // can retrying a URL the outbound guard refuses (the reason is kept as the last error).
      const permanent =
        error instanceof OcpiCallError &&
        (error.kind === 'refused' || (error.kind === 'status' && (error.statusCode ?? 0) >= 2000 && (error.statusCode ?? 0) < 3000));
      if (permanent || row.attempts >= this.opts.maxAttempts) {
        this.log.warn({ delivery: row.id, party: row.party_uuid, err: message }, 'outbox: delivery failed for good');
        metrics.outboxAttempt('failed', undefined, partner);
        await this.finish(row, 'failed', message, record).catch((e) => this.log.error({ err: e }, 'outbox: recording a failure failed'));
      } else {
        const delay = backoffMs(row.attempts, this.opts.baseBackoffMs, this.opts.maxBackoffMs);
        metrics.outboxAttempt('retry', undefined, partner);
        await this.bookkeeping(
          `UPDATE outbox SET locked_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3), ${RECORD_SET(4)} FROM ${NO_WAL_WAIT} WHERE id = $1`,
          [row.id, message, delay / 1000, ...recordValues(record)],
        ).catch((e) => this.log.error({ err: e }, 'outbox: scheduling a retry failed'));
      }
    }
  }

  /**
   * What the hub knows that deliveries to versions whose objects lack it need (the Location of a
   * session or CDR going to 2.1.1): looked up when delivered (wired in services.ts; the router
   * that reads it is built on the outbox).
   */
  useVersionContexts(contexts: VersionContexts): void {
    this.contexts = contexts;
  }

  /**
   * The body in the receiver's version, and what the delivery records of it: the version it went out
   * in and what that version could not carry, written with the attempt's outcome (delivered, failed or
   * retried), so the report holds even when the partner fails, at no extra write per delivery.
   */
  private async translated(row: ClaimedRow, version: OcpiVersion, partner: string): Promise<{ body: unknown; record?: TranslationRecord }> {
    if (row.body === null || row.body === undefined) return { body: undefined };
    const from = isOcpiVersion(row.body_version) ? row.body_version : HUB_FORM_VERSION;
    if (from === version) {
      // The receiver moved to the body's version since an earlier attempt translated it: the original
      // goes out whole, so that attempt's losses no longer describe the delivery.
      return { body: row.body, record: row.delivered_version !== null ? { deliveredVersion: null, losses: [] } : undefined };
    }
    const known = VERSION_FORM[version].contextFromHub && this.contexts ? await this.contexts.ofObject(row.module, row.body, ownerInPath(row.path)) : {};
    const context: TranslationContext = { ...(row.translation_context ?? {}), ...known, partial: row.method === 'PATCH' };
    const { value, losses } = translateObject(VERSION_BRIDGES, row.module as OcpiModuleId, row.body, from, version, context);
    if (losses.length > 0) metrics.translationLosses(row.module, losses.length, partner);
    return { body: value, record: { deliveredVersion: version, losses } };
  }

  /** A partner's deliveries that lost something in translation, newest first (admin API, dashboard). */
  async losses(partyUuid: string, limit: number): Promise<DeliveryLosses[]> {
    return this.db.query(
      `SELECT id, module, method, coalesce(url, path) AS target, status, body_version, delivered_version, losses, created_at
         FROM outbox WHERE party_uuid = $1 AND losses IS NOT NULL ORDER BY id DESC LIMIT $2`,
      [partyUuid, limit],
    );
  }

  private async finish(row: ClaimedRow, status: 'delivered' | 'failed', error: string | null, record?: TranslationRecord): Promise<void> {
    await this.bookkeeping(
      `UPDATE outbox SET status = $2, last_error = $3, locked_until = NULL,
              delivered_at = CASE WHEN $2 = 'delivered' THEN now() END, ${RECORD_SET(4)} FROM ${NO_WAL_WAIT} WHERE id = $1`,
      [row.id, status, error, ...recordValues(record)],
    );
  }
}

/** The owner of a pushed object from its path under a Receiver endpoint: `/{country_code}/{party_id}/…`. */
function ownerInPath(path: string): { countryCode: string; partyId: string } | undefined {
  const match = /^\/([A-Za-z]{2})\/([A-Za-z0-9]{3})(\/|$)/.exec(path);
  return match ? { countryCode: match[1], partyId: match[2] } : undefined;
}

/** A push's path under the receiver's endpoint as its version writes it (2.1.1 token URLs have no `?type=`). */
function pathInVersion(module: string, path: string, version: OcpiVersion): string {
  const query = path.indexOf('?');
  if (module !== 'tokens' || VERSION_FORM[version].tokenTypeInUrl || query < 0) return path;
  const params = new URLSearchParams(path.slice(query + 1));
  params.delete('type');
  const rest = params.toString();
  return `${path.slice(0, query)}${rest ? `?${rest}` : ''}`;
}
