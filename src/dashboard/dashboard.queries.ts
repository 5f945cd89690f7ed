import type { DataSource } from 'typeorm';
import { connectionStatus, partnerHealthView, type PartyRegistry } from '../hub/routing/parties';
import { partnerHealth } from '../core/partner-health';
import type { RoleAddress } from '../hub/ocpi/party-address';

/**
 * The figures of the operator's dashboard (docs/dashboard.md), each one SQL aggregate over the tables
 * the hub already keeps: ocpi_objects (locations and sessions of every CPO, own and partner), outbox,
 * chargers with their connector statuses and fault events, ocpp_transactions, and the load samples
 * of load management (site_load_samples) when that table exists. Nothing here writes.
 */

/** An OCPI DateTime column of a stored object, as timestamptz. */
const at = (field: string) => `(o.data->>'${field}')::timestamptz`;

/** When a session stopped occupying its EVSE: its end, now while it runs, else its last change. */
const SESSION_END = `coalesce(${at('end_date_time')}, CASE WHEN o.data->>'status' IN ('ACTIVE', 'PENDING', 'RESERVATION') THEN now() ELSE o.last_updated END)`;

export interface AnalyticsWindow {
  days: number;
  /** IANA zone the days and hours are counted in (checked by the caller). */
  timeZone: string;
}

export interface DashboardQueryDeps {
  db: DataSource;
  parties: PartyRegistry;
  ownCpo: RoleAddress;
  /** A connected charger silent for this long (no heartbeat) counts as offline in the maintenance list. */
  heartbeatIntervalSeconds: number;
}

type Row = Record<string, any>;

export class DashboardQueries {
  constructor(private readonly deps: DashboardQueryDeps) {}

  private get ownOwner(): string {
    return `${this.deps.ownCpo.countryCode}/${this.deps.ownCpo.partyId}`;
  }

  /** Partner parties with their connection state and what the outbox owes each (failures, backlog, last error). */
  async partners() {
    const [parties, deliveries] = await Promise.all([
      this.deps.parties.list(),
      this.deps.db.query(`
        SELECT party_uuid,
               count(*) FILTER (WHERE status = 'pending')::int AS pending,
               count(*) FILTER (WHERE status = 'failed')::int AS failed,
               min(created_at) FILTER (WHERE status = 'pending') AS oldest_pending_at,
               count(*) FILTER (WHERE status = 'delivered')::int AS delivered_24h,
               round(avg(extract(epoch FROM delivered_at - created_at)) FILTER (WHERE status = 'delivered')::numeric, 3)::float8 AS mean_latency_seconds_24h,
               (array_agg(last_error ORDER BY id DESC) FILTER (WHERE status = 'failed'))[1] AS last_error
          FROM outbox
         WHERE status <> 'delivered' OR delivered_at > now() - interval '24 hours'
         GROUP BY party_uuid`) as Promise<Row[]>,
    ]);
    const byParty = new Map(deliveries.map((d) => [d.party_uuid, d]));
    const partners = parties.map((p) => {
      const d = byParty.get(p.id);
      return {
        id: p.id,
        name: p.name,
        country_code: p.countryCode,
        party_id: p.partyId,
        roles: (p.roles ?? []).map((r) => `${r.role} ${r.countryCode}/${r.partyId}`),
        ocpi_version: p.version,
        status: connectionStatus(p),
        health: partnerHealthView(p),
        registered_at: p.registeredAt,
        last_seen_at: p.lastSeenAt,
        status_changed_at: p.statusChangedAt,
        outbox: {
          pending: d?.pending ?? 0,
          failed: d?.failed ?? 0,
          oldest_pending_at: d?.oldest_pending_at ?? null,
          delivered_24h: d?.delivered_24h ?? 0,
          mean_latency_seconds_24h: d?.mean_latency_seconds_24h ?? null,
          last_error: d?.last_error ?? null,
        },
      };
    });
    const count = (status: string) => partners.filter((p) => p.status === status).length;
    return {
      partners,
      totals: {
        partners: partners.length,
        connected: count('CONNECTED'),
        offline: count('OFFLINE'),
        planned: count('PLANNED'),
        suspended: count('SUSPENDED'),
        degraded: parties.filter((p) => partnerHealth(p) === 'DEGRADED').length,
        down: parties.filter((p) => partnerHealth(p) === 'DOWN').length,
        outbox_pending: partners.reduce((sum, p) => sum + p.outbox.pending, 0),
        outbox_failed: partners.reduce((sum, p) => sum + p.outbox.failed, 0),
      },
    };
  }

  /**
   * Locations of every CPO with each EVSE's status as last pushed (own EVSEs follow their chargers'
   * StatusNotifications live), own EVSEs with the charger that serves them; totals per EVSE status.
   */
  async locations(limit: number) {
    const { db } = this.deps;
    const own = this.ownOwner;
    const [locations, statuses, chargers]: Row[][] = await Promise.all([
      db.query(
        `SELECT o.owner, o.object_id AS id, o.data->>'name' AS name, o.data->>'address' AS address, o.data->>'city' AS city,
                o.data->'coordinates' AS coordinates, o.owner = $1 AS own, o.last_updated,
                coalesce(jsonb_agg(jsonb_build_object(
                  'uid', e->>'uid', 'evse_id', e->>'evse_id', 'status', e->>'status',
                  'charger_id', c.charger_id, 'charger_connected', c.connected) ORDER BY e->>'uid') FILTER (WHERE e IS NOT NULL), '[]') AS evses
           FROM ocpi_objects o
           LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.data->'evses') = 'array' THEN o.data->'evses' END) e ON true
           LEFT JOIN LATERAL (
             SELECT ch.id AS charger_id, ch.connected_instance IS NOT NULL AS connected
               FROM chargers ch, jsonb_array_elements(ch.evses) m
              WHERE o.owner = $1 AND ch.location_id = o.object_id AND m->>'evse_uid' = e->>'uid' LIMIT 1) c ON true
          WHERE o.module = 'locations' AND coalesce(e->>'status', '') <> 'REMOVED'
          GROUP BY o.owner, o.object_id, o.data, o.last_updated
          ORDER BY o.owner = $1 DESC, o.owner, o.object_id LIMIT $2`,
        [own, limit],
      ),
      db.query(
        `SELECT e->>'status' AS status, count(*)::int AS evses
           FROM ocpi_objects o, jsonb_array_elements(CASE WHEN jsonb_typeof(o.data->'evses') = 'array' THEN o.data->'evses' ELSE '[]' END) e
          WHERE o.module = 'locations' AND e->>'status' <> 'REMOVED' GROUP BY 1 ORDER BY 1`,
      ),
      db.query(`SELECT count(*)::int AS total, count(*) FILTER (WHERE connected_instance IS NOT NULL)::int AS connected FROM chargers`),
    ]);
    return {
      locations,
      evse_status: Object.fromEntries(statuses.map((s) => [s.status, s.evses])),
      chargers: chargers[0],
    };
  }

  /** Sessions of every CPO: the running ones, and the latest that ended; own ones with the charger's live power. */
  async sessions(limit: number) {
    const select = `
      SELECT o.object_id AS id, o.owner AS cpo, o.owner = $1 AS own,
             (o.data->'cdr_token'->>'country_code') || '/' || (o.data->'cdr_token'->>'party_id') AS emsp,
             o.data->>'status' AS status, o.data->>'location_id' AS location_id, o.data->>'evse_uid' AS evse_uid,
             ${at('start_date_time')} AS start_date_time, ${at('end_date_time')} AS end_date_time,
             (o.data->>'kwh')::float8 AS kwh, o.data->>'currency' AS currency,
             (o.data->'total_cost'->>'incl_vat')::float8 AS total_cost_incl_vat,
             t.charger_id, t.last_power_w AS power_w, o.last_updated
        FROM ocpi_objects o
        LEFT JOIN ocpp_transactions t ON o.owner = $1 AND t.session_id = o.object_id
       WHERE o.module = 'sessions'`;
    const [active, recent]: Row[][] = await Promise.all([
      this.deps.db.query(`${select} AND o.data->>'status' IN ('ACTIVE', 'PENDING') ORDER BY ${at('start_date_time')} DESC LIMIT $2`, [this.ownOwner, limit]),
      this.deps.db.query(`${select} AND o.data->>'status' NOT IN ('ACTIVE', 'PENDING') ORDER BY o.last_updated DESC LIMIT $2`, [this.ownOwner, limit]),
    ]);
    return { active, recent };
  }

  /**
   * Each site's allocated power against its limit, averaged into at most `points` buckets per site.
   * The samples are load management's (site_load_samples); until that table exists there are no sites.
   */
  async siteLoad(hours: number, points: number) {
    const { db } = this.deps;
    const [{ present, registry }]: Row[] = await db.query(
      `SELECT to_regclass('site_load_samples') IS NOT NULL AS present, to_regclass('sites') IS NOT NULL AS registry`,
    );
    if (!present) return { available: false, hours, sites: [] };
    const bucketSeconds = Math.max(1, Math.ceil((hours * 3600) / points));
    const rows: Row[] = await db.query(
      `SELECT site_id::text AS site_id,
              to_timestamp(floor(extract(epoch FROM at) / $2::numeric) * $2::numeric) AS at,
              round(avg(allocated_w)::numeric, 1)::float8 AS allocated_w,
              min(limit_w)::float8 AS limit_w  -- a site without a limit has none (null)
         FROM site_load_samples
        WHERE at > now() - make_interval(hours => $1::int)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [hours, bucketSeconds],
    );
    const sites = new Map<string, { at: Date; allocated_w: number; limit_w: number | null }[]>();
    // Sites configured but silent in the window are listed too, with an empty series.
    if (registry) for (const { id } of (await db.query(`SELECT id FROM sites ORDER BY id`)) as Row[]) sites.set(id, []);
    for (const r of rows) {
      const series = sites.get(r.site_id) ?? [];
      series.push({ at: r.at, allocated_w: r.allocated_w, limit_w: r.limit_w });
      sites.set(r.site_id, series);
    }
    return { available: true, hours, bucket_seconds: bucketSeconds, sites: [...sites].map(([site_id, samples]) => ({ site_id, samples })) };
  }

  /**
   * Sessions and energy per day, the peak-hour heat map (sessions started per ISO weekday × hour) and
   * utilisation per EVSE (share of the window it had a session), counted in `timeZone`.
   */
  async analytics(window: AnalyticsWindow) {
    const { db } = this.deps;
    const { days, timeZone } = window;
    // The window: whole days in the zone, from `days - 1` days ago to today.
    const [{ from, to }]: Row[] = await db.query(
      `SELECT (date_trunc('day', now() AT TIME ZONE $1::text) - make_interval(days => $2::int - 1)) AT TIME ZONE $1::text AS from, now() AS to`,
      [timeZone, days],
    );
    const started = `SELECT ${at('start_date_time')} AT TIME ZONE $1::text AS local_start, coalesce((o.data->>'kwh')::numeric, 0) AS kwh
                       FROM ocpi_objects o WHERE o.module = 'sessions' AND ${at('start_date_time')} >= $2::timestamptz`;
    const [perDay, heatmap, utilisation]: Row[][] = await Promise.all([
      db.query(
        `WITH s AS (${started})
         SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(s.local_start)::int AS sessions, coalesce(sum(s.kwh), 0)::float8 AS energy_kwh
           FROM generate_series(date_trunc('day', $2::timestamptz AT TIME ZONE $1::text), date_trunc('day', now() AT TIME ZONE $1::text), interval '1 day') d(day)
           LEFT JOIN s ON date_trunc('day', s.local_start) = d.day
          GROUP BY d.day ORDER BY d.day`,
        [timeZone, from],
      ),
      db.query(
        `WITH s AS (${started})
         SELECT extract(isodow FROM local_start)::int AS weekday, extract(hour FROM local_start)::int AS hour, count(*)::int AS sessions
           FROM s GROUP BY 1, 2 ORDER BY 1, 2`,
        [timeZone, from],
      ),
      db.query(
        `WITH evses AS (
           SELECT o.owner, o.object_id AS location_id, e->>'uid' AS evse_uid, e->>'evse_id' AS evse_id, e->>'status' AS status
             FROM ocpi_objects o, jsonb_array_elements(CASE WHEN jsonb_typeof(o.data->'evses') = 'array' THEN o.data->'evses' ELSE '[]' END) e
            WHERE o.module = 'locations' AND e->>'status' <> 'REMOVED'
         ), busy AS (
           SELECT o.owner, o.data->>'location_id' AS location_id, o.data->>'evse_uid' AS evse_uid, count(*)::int AS sessions,
                  sum(coalesce((o.data->>'kwh')::numeric, 0)) AS energy_kwh,
                  sum(extract(epoch FROM least(${SESSION_END}, now()) - greatest(${at('start_date_time')}, $1::timestamptz))) AS busy_seconds
             FROM ocpi_objects o
            WHERE o.module = 'sessions' AND ${SESSION_END} > $1::timestamptz
            GROUP BY 1, 2, 3
         )
         SELECT evses.owner, evses.location_id, evses.evse_uid, evses.evse_id, evses.status,
                coalesce(busy.sessions, 0) AS sessions, coalesce(busy.energy_kwh, 0)::float8 AS energy_kwh,
                round(least(1, greatest(0, coalesce(busy.busy_seconds, 0) / extract(epoch FROM now() - $1::timestamptz)))::numeric, 4)::float8 AS utilisation
           FROM evses LEFT JOIN busy USING (owner, location_id, evse_uid)
          ORDER BY utilisation DESC, evses.owner, evses.location_id, evses.evse_uid LIMIT 500`,
        [from],
      ),
    ]);
    return {
      from,
      to,
      time_zone: timeZone,
      days: perDay,
      totals: {
        sessions: perDay.reduce((sum, d) => sum + d.sessions, 0),
        energy_kwh: Math.round(perDay.reduce((sum, d) => sum + d.energy_kwh, 0) * 1000) / 1000,
      },
      heatmap,
      utilisation,
    };
  }

  /**
   * Own chargers that need a look: offline (no live connection, or silent for two heartbeat
   * intervals), faulted now, or that reported faults in the window; ranked by faults per day.
   */
  async maintenance(days: number) {
    return this.deps.db.query(
      `WITH faults AS (
         SELECT charger_id, count(*)::int AS faults, max(received_at) AS last_fault_at
           FROM ocpp_events WHERE action = 'StatusNotification' AND received_at > now() - make_interval(days => $1::int)
          GROUP BY charger_id
       ), faulted_now AS (
         SELECT charger_id, array_agg(connector_id || ' ' || status || coalesce(' ' || nullif(error_code, 'NoError'), '') ORDER BY connector_id) AS connectors
           FROM charger_connector_status WHERE status = 'Faulted' OR coalesce(error_code, 'NoError') <> 'NoError'
          GROUP BY charger_id
       )
       SELECT c.id AS charger_id, c.location_id, c.status AS registration_status,
              c.connected_instance IS NOT NULL AS connected,
              (c.connected_instance IS NULL OR coalesce(c.last_heartbeat_at, c.last_connected_at) < now() - make_interval(secs => $2::float8 * 2)) AS offline,
              c.last_connected_at, c.last_heartbeat_at,
              coalesce(f.faults, 0) AS faults, round(coalesce(f.faults, 0) / $1::numeric, 3)::float8 AS faults_per_day,
              f.last_fault_at, coalesce(n.connectors, '{}') AS faulted_connectors
         FROM chargers c
         LEFT JOIN faults f ON f.charger_id = c.id
         LEFT JOIN faulted_now n ON n.charger_id = c.id
        WHERE c.connected_instance IS NULL OR f.faults > 0 OR n.charger_id IS NOT NULL
           OR coalesce(c.last_heartbeat_at, c.last_connected_at) < now() - make_interval(secs => $2::float8 * 2)
        ORDER BY faults_per_day DESC, offline DESC, c.id`,
      [days, this.deps.heartbeatIntervalSeconds],
    );
  }
}
