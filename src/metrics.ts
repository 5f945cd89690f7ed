import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * The hub's Prometheus metrics: the one registry, and the only code that knows metric names. Other
 * modules call the small functions below at the point where the thing happens (an OCPP answer, an
 * OCPI response, an outbox delivery, a settlement run); figures that live in the database (outbox
 * depth) are read when /metrics is scraped, so every instance reports the same shared backlog.
 *
 * One registry per process: a process is one hub (tests that start several hubs in one process see
 * their sums, which is what "this process" means to a scraper).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ocpi_hub_' });

const connectedChargers = new Gauge({
  name: 'ocpi_hub_ocpp_connected_chargers',
  help: 'Charge points connected to this instance over OCPP',
  registers: [registry],
});

const ocppMessages = new Counter({
  name: 'ocpi_hub_ocpp_messages_total',
  help: 'OCPP calls from charge points answered by this instance, by action and result (accepted, refused: a CALLERROR the hub chose, error: a handler failure)',
  labelNames: ['action', 'result'] as const,
  registers: [registry],
});

const ocpiRequests = new Counter({
  name: 'ocpi_hub_ocpi_requests_total',
  help: 'OCPI requests answered, by module, HTTP status and OCPI status_code (none when the body has none)',
  labelNames: ['module', 'http_status', 'ocpi_status'] as const,
  registers: [registry],
});

const ocpiRequestSeconds = new Histogram({
  name: 'ocpi_hub_ocpi_request_duration_seconds',
  help: 'Time to answer an OCPI request, by module',
  labelNames: ['module'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const outboxDepth = new Gauge({
  name: 'ocpi_hub_outbox_deliveries',
  help: 'Deliveries owed to partners (all instances: read from the database at scrape time), by status',
  labelNames: ['status'] as const,
  registers: [registry],
});

const outboxOldestPending = new Gauge({
  name: 'ocpi_hub_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest pending delivery (0 when none is pending)',
  registers: [registry],
});

const outboxAttempts = new Counter({
  name: 'ocpi_hub_outbox_attempts_total',
  help: 'Delivery attempts by this instance, by outcome (delivered, retry, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const outboxLatency = new Histogram({
  name: 'ocpi_hub_outbox_delivery_latency_seconds',
  help: 'From enqueueing a delivery to the partner accepting it (retries included)',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers: [registry],
});

const settlementRunSeconds = new Histogram({
  name: 'ocpi_hub_settlement_run_duration_seconds',
  help: 'Duration of settlement runs, by trigger (manual, schedule) and outcome (ok, error)',
  labelNames: ['trigger', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [registry],
});

/** The OCPI modules a path can name; anything else is counted as `other` (bounded label values). */
const OCPI_MODULES = new Set(['credentials', 'hubclientinfo', 'locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands', 'chargingprofiles']);

/** The module an OCPI path belongs to: `/ocpi/2.2.1/sender/locations/…` → locations, `/ocpi/versions` → versions. */
export function ocpiModuleOf(path: string): string {
  const parts = path.split('/').filter(Boolean); // ['ocpi', '2.2.1', 'sender', 'locations', …]
  if (parts[0] !== 'ocpi') return 'other';
  if (parts.length === 1 || parts[1] === 'versions' || (parts.length === 2 && /^\d/.test(parts[1]))) return 'versions';
  const candidate = parts[2] === 'sender' || parts[2] === 'receiver' ? parts[3] : parts[2];
  // The hub's own hubclientinfo endpoint is /clientinfo.
  const name = candidate === 'clientinfo' ? 'hubclientinfo' : candidate;
  return name && OCPI_MODULES.has(name) ? name : 'other';
}

export const metrics = {
  chargerConnected(): void {
    connectedChargers.inc();
  },
  chargerDisconnected(): void {
    connectedChargers.dec();
  },
  ocppMessage(action: string, result: 'accepted' | 'refused' | 'error'): void {
    ocppMessages.inc({ action, result });
  },
  /** Called by the request log for every /ocpi response. */
  ocpiRequest(path: string, httpStatus: number, body: unknown, seconds: number): void {
    const module = ocpiModuleOf(path);
    const code = (body as { status_code?: unknown } | null | undefined)?.status_code;
    ocpiRequests.inc({ module, http_status: String(httpStatus), ocpi_status: typeof code === 'number' ? String(code) : 'none' });
    ocpiRequestSeconds.observe({ module }, seconds);
  },
  outboxAttempt(outcome: 'delivered' | 'retry' | 'failed', enqueuedAt?: Date): void {
    outboxAttempts.inc({ outcome });
    if (outcome === 'delivered' && enqueuedAt) outboxLatency.observe(Math.max(0, (Date.now() - enqueuedAt.getTime()) / 1000));
  },
  /** Times a settlement run; the outcome label says whether it threw. */
  async timeSettlementRun<T>(trigger: string, run: () => Promise<T>): Promise<T> {
    const end = settlementRunSeconds.startTimer({ trigger });
    try {
      const result = await run();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  },
};

/** Reads the figures kept in the database; called just before the registry is rendered. */
export async function refreshDatabaseMetrics(db: DataSource): Promise<void> {
  const [row]: { pending: string; failed: string; oldest_age: number | null }[] = await db.query(`
    SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest_age
      FROM outbox WHERE status <> 'delivered'`);
  outboxDepth.set({ status: 'pending' }, Number(row.pending));
  outboxDepth.set({ status: 'failed' }, Number(row.failed));
  outboxOldestPending.set(row.oldest_age ?? 0);
}
