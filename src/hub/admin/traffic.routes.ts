import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { PartnerAlerts } from '../routing/partner-alerts';
import type { TrafficRecorder } from '../../http/traffic-recorder';

/** A record id: a bigserial, kept below int8's range so a long number is a 400/404, not a database error. */
const RECORD_ID = /^[1-9]\d{0,17}$/;
const Partner = z.string().regex(/^[A-Z]{2}\/[A-Z0-9]{3}$/, 'partner is CC/PID, e.g. NL/CPO');
const Instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

const ListQuery = z.strictObject({
  partner: Partner.optional(),
  module: z.string().regex(/^[a-z]{1,30}$/, 'module is an OCPI module name, e.g. locations').optional(),
  direction: z.enum(['in', 'out']).optional(),
  /** ok, error, or a status code: 100–999 an HTTP status, 1000–9999 an OCPI status_code. */
  status: z.union([z.enum(['ok', 'error']), z.coerce.number().int().min(100).max(9999)]).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  /** Matches the X-Request-ID or the X-Correlation-ID. */
  request_id: z.string().regex(/^[\x21-\x7e]{1,100}$/, 'request_id is an X-Request-ID or X-Correlation-ID: printable ASCII, at most 100').optional(),
  cursor: z.string().regex(RECORD_ID, 'cursor is the next_cursor of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const BUCKETS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '1d': 86_400 } as const;
const MAX_BUCKETS = 2000;

const StatsQuery = z.strictObject({
  partner: Partner.optional(),
  direction: z.enum(['in', 'out']).optional(),
  bucket: z.enum(Object.keys(BUCKETS) as [keyof typeof BUCKETS, ...(keyof typeof BUCKETS)[]]).default('1h'),
  from: Instant.optional(),
  to: Instant.optional(),
});

const SUMMARY = `id::text, at, direction, partner, party_uuid AS party_id, method, module, path, object_id, http_status,
  ocpi_status, failed, error, ms, request_bytes, response_bytes, request_id, correlation_id`;

/**
 * The traffic recorder's rows (docs/traffic.md): `GET /admin/traffic` lists them newest first with
 * keyset pagination (`cursor` = the last id seen, so a page never shifts while new rows arrive),
 * `GET /admin/traffic/{id}` one with its headers and bodies when they were kept, and
 * `GET /admin/traffic/stats` each partner's requests, error rate and latency percentiles per time
 * bucket, computed in one SQL aggregate. `GET /admin/alerts` is what the dashboard banner shows.
 */
export function trafficAdminRouter(deps: { db: DataSource; traffic: TrafficRecorder; alerts: PartnerAlerts }): Router {
  const router = new Router({ prefix: '/admin' });

  router.get('/traffic', async (ctx) => {
    const q = parseAdminBody(ListQuery, { ...ctx.query });
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.partner) add((p) => `partner = ${p}`, q.partner);
    if (q.module) add((p) => `module = ${p}`, q.module);
    if (q.direction) add((p) => `direction = ${p}`, q.direction);
    if (q.status === 'ok') where.push('NOT failed');
    else if (q.status === 'error') where.push('failed');
    else if (typeof q.status === 'number') add((p) => (q.status as number) >= 1000 ? `ocpi_status = ${p}` : `http_status = ${p}`, q.status);
    if (q.from) add((p) => `at >= ${p}`, q.from);
    if (q.to) add((p) => `at < ${p}`, q.to);
    if (q.request_id) add((p) => `(request_id = ${p} OR correlation_id = ${p})`, q.request_id);
    if (q.cursor) add((p) => `id < ${p}`, q.cursor);
    params.push(q.limit + 1);
    const rows: { id: string }[] = await deps.db.query(
      `SELECT ${SUMMARY} FROM traffic_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    ctx.body = { records: page, next_cursor: rows.length > q.limit ? page[page.length - 1].id : null };
  });

  router.get('/traffic/stats', async (ctx) => {
    const q = parseAdminBody(StatsQuery, { ...ctx.query });
    const seconds = BUCKETS[q.bucket];
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 24 * 3_600_000);
    if (from >= to) throw new AdminError(400, 'invalid_request', 'from must be before to');
    if ((to.getTime() - from.getTime()) / 1000 / seconds > MAX_BUCKETS) {
      throw new AdminError(400, 'invalid_request', `At most ${MAX_BUCKETS} buckets: take a larger bucket or a shorter window`);
    }
    const rows: { partner: string; start: Date | null; requests: number; errors: number; p50: number; p95: number; p99: number }[] = await deps.db.query(
      `SELECT partner, start, count(*)::int AS requests, count(*) FILTER (WHERE failed)::int AS errors,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
         FROM (SELECT coalesce(partner, 'unknown') AS partner, ms, failed,
                      to_timestamp(floor(extract(epoch FROM at) / $3::int) * $3::int) AS start
                 FROM traffic_records
                WHERE at >= $1 AND at < $2 AND ($4::text IS NULL OR partner = $4) AND ($5::text IS NULL OR direction = $5)) t
        GROUP BY GROUPING SETS ((partner, start), (partner))
        ORDER BY partner, start NULLS FIRST`,
      [from, to, seconds, q.partner ?? null, q.direction ?? null],
    );
    const figures = (r: (typeof rows)[number]) => ({
      requests: r.requests,
      errors: r.errors,
      error_rate: r.requests ? r.errors / r.requests : 0,
      p50_ms: r.p50,
      p95_ms: r.p95,
      p99_ms: r.p99,
    });
    const partners = new Map<string, { partner: string; totals: ReturnType<typeof figures>; buckets: (ReturnType<typeof figures> & { start: string })[] }>();
    for (const r of rows) {
      // The grouping set (partner) alone comes first (NULLS FIRST): the partner's totals over the window.
      if (r.start === null) partners.set(r.partner, { partner: r.partner, totals: figures(r), buckets: [] });
      else partners.get(r.partner)!.buckets.push({ start: new Date(r.start).toISOString(), ...figures(r) });
    }
    ctx.body = { bucket_seconds: seconds, from: from.toISOString(), to: to.toISOString(), partners: [...partners.values()] };
  });

  router.get('/traffic/:id', async (ctx) => {
    if (!RECORD_ID.test(ctx.params.id)) throw new AdminError(404, 'not_found', `No traffic record ${ctx.params.id}`);
    const [row] = await deps.db.query(
      `SELECT ${SUMMARY}, request_headers, request_body, response_body FROM traffic_records WHERE id = $1`,
      [ctx.params.id],
    );
    if (!row) throw new AdminError(404, 'not_found', `No traffic record ${ctx.params.id} (pruned, or never recorded)`);
    ctx.body = { ...row, bodies_kept: row.request_headers !== null };
  });

  router.get('/alerts', async (ctx) => {
    const [partners, webhook] = await Promise.all([deps.alerts.current(), deps.alerts.webhookBacklog()]);
    ctx.body = {
      partners,
      webhook,
      traffic: { recording: deps.traffic.enabled, dropped: deps.traffic.dropped, pending: deps.traffic.pending },
    };
  });

  return router;
}
