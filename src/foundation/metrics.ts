import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { partnerHealth } from '../core/partner-health';

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

const translationLosses = new Counter({
  name: 'ocpi_hub_translation_losses_total',
  help: "Fields or values a receiver's OCPI version could not carry, by module and partner (docs/versions.md)",
  labelNames: ['module', 'partner'] as const,
  registers: [registry],
});

const settlementRunSeconds = new Histogram({
  name: 'ocpi_hub_settlement_run_duration_seconds',
  help: 'Duration of settlement runs, by trigger (manual, schedule) and outcome (ok, error)',
  labelNames: ['trigger', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [registry],
});

const partnerRequests = new Counter({
  name: 'ocpi_hub_partner_requests_total',
  help: 'OCPI requests per partner and module, from partners (direction in) and to them (out), by result (ok: OCPI 1xxx, ocpi_error: another status_code, http_error: no OCPI envelope, no_answer: connection failed or timed out, refused: the outbound guard would not call)',
  labelNames: ['direction', 'partner', 'module', 'result'] as const,
  registers: [registry],
});

const partnerRequestSeconds = new Histogram({
  name: 'ocpi_hub_partner_request_duration_seconds',
  help: 'Time to answer a partner (in) or for a partner to answer (out), per partner and module',
  labelNames: ['direction', 'partner', 'module'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

const outboxPartnerAttempts = new Counter({
  name: 'ocpi_hub_outbox_partner_attempts_total',
  help: 'Delivery attempts by this instance per partner, by outcome (delivered, retry, failed)',
  labelNames: ['partner', 'outcome'] as const,
  registers: [registry],
});

const outboxPartnerDepth = new Gauge({
  name: 'ocpi_hub_outbox_partner_deliveries',
  help: 'Deliveries owed to each registered partner (all instances: read from the database at scrape time), by status',
  labelNames: ['partner', 'status'] as const,
  registers: [registry],
});

const partnerHealthGauge = new Gauge({
  name: 'ocpi_hub_partner_health',
  help: 'Health of each registered partner as the hub\'s calls see it: 0 OK, 1 DEGRADED, 2 DOWN (read from the database at scrape time)',
  labelNames: ['partner'] as const,
  registers: [registry],
});

const trafficRecordedRows = new Counter({
  name: 'ocpi_hub_traffic_recorded_total',
  help: 'OCPI requests in and out written by this instance\'s traffic recorder (docs/traffic.md)',
  registers: [registry],
});

const trafficDroppedRows = new Counter({
  name: 'ocpi_hub_traffic_dropped_total',
  help: 'Traffic records this instance dropped: its buffer was full or a batch could not be written',
  registers: [registry],
});

const reliabilityOpenAlerts = new Gauge({
  name: 'ocpi_hub_reliability_open_alerts',
  help: 'Reliability alerts open now, by kind (health_dropping, success_rate_low, available_while_failing, charger_offline; read from the database at scrape time)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const reliabilityProbes = new Counter({
  name: 'ocpi_hub_reliability_probes_total',
  help: 'OCPP probes (TriggerMessage Heartbeat) this instance sent to silent own chargers, by outcome (answered, no_answer)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const cdrRatingMismatches = new Gauge({
  name: 'ocpi_hub_cdr_rating_mismatches',
  help: 'CDRs whose totals differ from the hub\'s re-rating (settlement statement mismatches; read from the database at scrape time)',
  registers: [registry],
});

const HEALTH_VALUE = { OK: 0, DEGRADED: 1, DOWN: 2 } as const;

/**
 * The partner label: `CC/PID` of a registered party, else `unknown` (a token A caller, no caller),
 * so label values are bounded by the registry the operator keeps.
 */
export function partnerLabel(party?: { countryCode: string; partyId: string; registeredAt?: Date | null } | null): string {
  return party?.registeredAt ? `${party.countryCode}/${party.partyId}` : 'unknown';
}

/** The modules a call to a partner can name (from the caller; anything else is `other`). */
const CALL_MODULES = new Set(['versions', 'credentials', 'hubclientinfo', 'locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands', 'chargingprofiles']);

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
  /** Called by the request log for every /ocpi response; `partner` from partnerLabel(). */
  ocpiRequest(path: string, httpStatus: number, body: unknown, seconds: number, partner = 'unknown'): void {
    const module = ocpiModuleOf(path);
    const code = (body as { status_code?: unknown } | null | undefined)?.status_code;
    ocpiRequests.inc({ module, http_status: String(httpStatus), ocpi_status: typeof code === 'number' ? String(code) : 'none' });
    ocpiRequestSeconds.observe({ module }, seconds);
    const result = typeof code !== 'number' ? 'http_error' : code >= 1000 && code < 2000 ? 'ok' : 'ocpi_error';
    partnerRequests.inc({ direction: 'in', partner, module, result });
    partnerRequestSeconds.observe({ direction: 'in', partner, module }, seconds);
  },
  /** Called for every call of the OCPI client to a partner. */
  ocpiCall(partner: string, module: string | undefined, failure: string | undefined, seconds: number): void {
    const label = module && CALL_MODULES.has(module) ? module : 'other';
    const result =
      failure === undefined ? 'ok'
      : failure === 'status' ? 'ocpi_error'
      : failure === 'network' || failure === 'timeout' ? 'no_answer'
      : failure === 'refused' ? 'refused'
      : 'http_error';
    partnerRequests.inc({ direction: 'out', partner, module: label, result });
    partnerRequestSeconds.observe({ direction: 'out', partner, module: label }, seconds);
  },
  outboxAttempt(outcome: 'delivered' | 'retry' | 'failed', enqueuedAt?: Date, partner = 'unknown'): void {
    outboxAttempts.inc({ outcome });
    outboxPartnerAttempts.inc({ partner, outcome });
    if (outcome === 'delivered' && enqueuedAt) outboxLatency.observe(Math.max(0, (Date.now() - enqueuedAt.getTime()) / 1000));
  },
  reliabilityProbe(outcome: 'answered' | 'no_answer'): void {
    reliabilityProbes.inc({ outcome });
  },
  trafficRecorded(rows: number): void {
    trafficRecordedRows.inc(rows);
  },
  trafficDropped(rows: number): void {
    trafficDroppedRows.inc(rows);
  },
  translationLosses(module: string, count: number, partner = 'unknown'): void {
    translationLosses.inc({ module, partner }, count);
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
  const [ratings]: { mismatches: string }[] = await db.query(`SELECT count(*) AS mismatches FROM cdr_ratings WHERE status = 'mismatch'`);
  cdrRatingMismatches.set(Number(ratings.mismatches));
  const open: { kind: string; n: string }[] = await db.query(`SELECT kind, count(*) AS n FROM reliability_alert_state GROUP BY kind`);
  reliabilityOpenAlerts.reset();
  for (const kind of ['health_dropping', 'success_rate_low', 'available_while_failing', 'charger_offline']) reliabilityOpenAlerts.set({ kind }, 0);
  for (const r of open) reliabilityOpenAlerts.set({ kind: r.kind }, Number(r.n));
  const perPartner: { partner: string; pending: string; failed: string; call_failures: number; last_error_kind: string | null }[] = await db.query(`
    SELECT p.country_code || '/' || p.party_id AS partner, p.call_failures, p.last_error_kind,
           count(o.id) FILTER (WHERE o.status = 'pending') AS pending,
           count(o.id) FILTER (WHERE o.status = 'failed') AS failed
      FROM parties p LEFT JOIN outbox o ON o.party_uuid = p.id AND o.status <> 'delivered'
     WHERE p.registered_at IS NOT NULL AND NOT p.own
     GROUP BY p.id`);
  // Reset first: a deleted partner's series disappear instead of staying at their last value.
  outboxPartnerDepth.reset();
  partnerHealthGauge.reset();
  for (const r of perPartner) {
    partnerHealthGauge.set({ partner: r.partner }, HEALTH_VALUE[partnerHealth({ callFailures: r.call_failures, lastErrorKind: r.last_error_kind })]);
    outboxPartnerDepth.set({ partner: r.partner, status: 'pending' }, Number(r.pending));
    outboxPartnerDepth.set({ partner: r.partner, status: 'failed' }, Number(r.failed));
  }
}
