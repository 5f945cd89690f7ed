import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PartyAddress } from '../ocpi/party-address';
import {
  COMMAND_SESSION_LEAD_MS,
  COMMAND_SESSION_WINDOW_MS,
  commandAttempts,
  emptyHistory,
  type ChargingAttempt,
  type EvseHistory,
  type EvseStatus,
  type ExclusionCause,
  type ForwardedStart,
  type Interval,
  type PowerOffer,
  type TransactionReading,
  transactionPower,
} from '../../core/reliability/reliability-core';

/** One EVSE the hub has a status history of: its CPO, location and uid, and whether it is the own CPO's. */
export interface EvseRef {
  countryCode: string;
  partyId: string;
  locationId: string;
  evseUid: string;
  own: boolean;
  maxPowerKw: number;
}

/** The EVSE's key in reports and URLs: CC/PID/LOCATION/EVSE_UID. */
export const evseKeyOf = (r: Pick<EvseRef, 'countryCode' | 'partyId' | 'locationId' | 'evseUid'>) => `${r.countryCode}/${r.partyId}/${r.locationId}/${r.evseUid}`;

export interface EvseFilter {
  /** CC/PID of a CPO. */
  cpo?: string;
  location?: string;
  /** An EVSE key (evseKeyOf). */
  evse?: string;
}

/** An EVSE's history with no facts yet: its identity in the core's terms. */
export const historyOf = (r: EvseRef): EvseHistory =>
  emptyHistory({ evseId: evseKeyOf(r), chargerId: evseKeyOf(r), locationId: r.locationId, cpoId: `${r.countryCode}/${r.partyId}`, kind: r.own ? 'own' : 'partner', maxPowerKw: r.maxPowerKw });

/**
 * How long after an accepted Authorize a transaction of the same token must start, or the Authorize is a
 * failed attempt of its own: OCPP's ConnectionTimeOut (how long a charger waits for the cable after an
 * authorization) is typically 30–120 s; 5 minutes leaves room for a slow one.
 */
export const AUTHORIZE_WINDOW_MS = 5 * 60_000;

const byEvse = (refs: EvseRef[], get: (cc: string, pid: string, loc: string, evse: string) => EvseHistory | undefined) =>
  refs.map((r) => get(r.countryCode, r.partyId, r.locationId, r.evseUid)).filter((h): h is EvseHistory => h !== undefined);

/** WebSocket close codes of an orderly close: 1000 normal, 1001 going away (a charger shutting down to restart as asked). */
const CLEAN_CLOSE = new Set([1000, 1001]);

/**
 * An own charger's offline periods and reboots from its connection history and its boots (epoch ms):
 * - offline: from a recorded disconnection to the next connection (or `until`), unless it began in a
 *   hub gap or in the 3 minutes before one (the hub itself went down: no data, not the charger's);
 * - reboot: a BootNotification while the charger was connected and had booted on that connection
 *   already, or the first boot of a connection that followed one closed without a clean close (code
 *   other than 1000/1001). A first connection, or one after a clean close, boots without it being a reboot.
 */
export function chargerConnectionFacts(conns: [number, number | null, number | null][], boots: number[], until: number, hubGaps: Interval[]): { offline: Interval[]; reboots: number[] } {
  const offline: Interval[] = [];
  conns.forEach(([, closedAt], i) => {
    if (closedAt === null) return;
    const end = i + 1 < conns.length ? conns[i + 1][0] : until;
    if (end <= closedAt) return;
    if (hubGaps.some((g) => closedAt >= g.from - 180_000 && closedAt < g.to)) return;
    offline.push({ from: closedAt, to: end });
  });
  const reboots: number[] = [];
  let bootedOn = -1;
  for (const t of boots) {
    let c = -1;
    for (let i = 0; i < conns.length && conns[i][0] <= t; i++) c = i;
    if (c < 0) continue;
    const again = bootedOn === c;
    const previous = c > 0 ? conns[c - 1] : undefined;
    const afterUncleanClose = !again && previous !== undefined && previous[2] !== null && !CLEAN_CLOSE.has(previous[2]);
    if (again || afterUncleanClose) reboots.push(t);
    bootedOn = c;
  }
  return { offline, reboots };
}

/** A stable, non-identifying key of a driver's token for grouping retries (never the uid itself). */
const driverKeyOf = (uid: string | null) => (uid ? createHash('sha256').update(uid).digest('hex').slice(0, 16) : undefined);

type Keys = [string[], string[], string[], string[]];
const keysOf = (refs: EvseRef[]): Keys => [refs.map((r) => r.countryCode), refs.map((r) => r.partyId), refs.map((r) => r.locationId), refs.map((r) => r.evseUid)];
const KEYS_CTE = `k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(cc, pid, loc, evse))`;

/**
 * Reads what the reliability core needs from storage (docs/reliability.md, "Adapters"), per batch of
 * EVSEs and period, each fact kind in one query for the whole batch:
 *
 * - statuses: evse_status_history, the last change before the period (the status in force) and those in it;
 * - hub gaps: the time between the hub's runs (hub_presence) — the hub saw nothing then;
 * - excluded periods: reliability_exclusions (operator-entered, for a location or one EVSE);
 * - own EVSEs: attempts from ocpp_transactions (one transaction is one attempt; a token the eMSP
 *   refused is `refused_token`), faults from 1.6 StatusNotifications with an errorCode (ocpp_events),
 *   meter registers from ocpp_meter_values, offered power (connector_power_offers, the load manager's)
 *   against the meter values' power, and each transaction's expected energy from it;
 * - partner EVSEs: attempts from OCPI sessions, and from CDRs whose session the hub never saw (a session
 *   and its CDR are one attempt), and from forwarded START_SESSION commands no session followed
 *   (forwarded_start_sessions; a command and its session are one attempt).
 */
export class ReliabilityFacts {
  constructor(private readonly deps: { db: DataSource; ownCpo: PartyAddress; now?: () => Date }) {}

  /** Every EVSE with a status history (evse_status_current: one row per EVSE), in key order, matching the filter. */
  async evses(filter: EvseFilter = {}): Promise<EvseRef[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql.replace(/\$(\d)/g, (_, i) => `$${params.length + Number(i)}`));
      params.push(...values);
    };
    if (filter.cpo) add(`country_code = $1 AND party_id = $2`, ...filter.cpo.split('/'));
    if (filter.location) add(`location_id = $1`, filter.location);
    if (filter.evse) {
      const [cc, pid, loc, ...uid] = filter.evse.split('/');
      add(`country_code = $1 AND party_id = $2 AND location_id = $3 AND evse_uid = $4`, cc, pid, loc, uid.join('/'));
    }
    const rows: { country_code: string; party_id: string; location_id: string; evse_uid: string; own: boolean; max_power_kw: number | null }[] = await this.deps.db.query(
      `SELECT country_code, party_id, location_id, evse_uid, own, max_power_kw
         FROM evse_status_current ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY country_code, party_id, location_id, evse_uid`,
      params,
    );
    return rows.map((r) => ({ countryCode: r.country_code, partyId: r.party_id, locationId: r.location_id, evseUid: r.evse_uid, own: r.own, maxPowerKw: r.max_power_kw ?? 0 }));
  }

  /** The hub's gaps in [from, to): time no run of the hub covered (a run is alive until its last mark plus 2 minutes). */
  async hubGaps(period: Interval): Promise<Interval[]> {
    const runs: { started_at: Date; last_seen_at: Date }[] = await this.deps.db.query(
      `SELECT started_at, last_seen_at FROM hub_presence WHERE last_seen_at >= $1::timestamptz - interval '2 minutes' AND started_at < $2 ORDER BY started_at`,
      [new Date(period.from), new Date(period.to)],
    );
    const [first] = await this.deps.db.query(`SELECT min(started_at) AS at FROM hub_presence`);
    const gaps: Interval[] = [];
    // Before the hub's first run nothing was measured by anyone: that is not a gap (statuses start with its first run).
    let coveredTo = Math.max(period.from, first?.at ? new Date(first.at).getTime() : period.to);
    const now = (this.deps.now?.() ?? new Date()).getTime();
    for (const run of runs) {
      const start = run.started_at.getTime();
      const end = Math.min(now, run.last_seen_at.getTime() + 120_000);
      if (start > coveredTo) gaps.push({ from: coveredTo, to: Math.min(start, period.to) });
      coveredTo = Math.max(coveredTo, end);
    }
    if (coveredTo < Math.min(period.to, now) && runs.length > 0) gaps.push({ from: coveredTo, to: Math.min(period.to, now) });
    return gaps.filter((g) => g.to > g.from);
  }

  /** The histories of a batch of EVSEs over [from, to): every fact the core reads, in time order. */
  async histories(refs: EvseRef[], period: Interval, hubGaps?: Interval[]): Promise<EvseHistory[]> {
    const { db } = this.deps;
    const gaps = hubGaps ?? (await this.hubGaps(period));
    const byKey = new Map<string, EvseHistory>();
    for (const r of refs) {
      const h = historyOf(r);
      h.hubGaps = gaps;
      byKey.set(h.evseId, h);
    }
    const get = (cc: string, pid: string, loc: string, evse: string) => byKey.get(`${cc}/${pid}/${loc}/${evse}`);
    const keys = keysOf(refs);
    const from = new Date(period.from);
    const to = new Date(period.to);

    // One row per EVSE with its statuses as JSON numbers and words: parsing one JSON text costs far less
    // than a driver row (and two Dates) per status, which dominated the reading of a year.
    const statuses: { cc: string; pid: string; loc: string; evse: string; s: string | null }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse,
              (SELECT json_agg(json_build_array(h.status, (extract(epoch FROM h.status_at) * 1000)::bigint, (extract(epoch FROM h.received_at) * 1000)::bigint) ORDER BY h.received_at)::text
                 FROM ((SELECT status, status_at, received_at FROM evse_status_history h
                         WHERE h.country_code = k.cc AND h.party_id = k.pid AND h.location_id = k.loc AND h.evse_uid = k.evse AND h.received_at < $5
                         ORDER BY received_at DESC LIMIT 1)
                       UNION ALL
                       (SELECT status, status_at, received_at FROM evse_status_history h
                         WHERE h.country_code = k.cc AND h.party_id = k.pid AND h.location_id = k.loc AND h.evse_uid = k.evse AND h.received_at >= $5 AND h.received_at < $6)) h) AS s
         FROM k`,
      [...keys, from, to],
    );
    for (const row of statuses) {
      const h = get(row.cc, row.pid, row.loc, row.evse);
      if (!h || !row.s) continue;
      for (const [status, at, receivedAt] of JSON.parse(row.s) as [EvseStatus, number, number][]) h.statuses.push({ at, status, receivedAt });
    }

    const exclusions: { cc: string; pid: string; loc: string; evse: string; cause: ExclusionCause; from_at: Date; to_at: Date }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, x.cause, x.from_at, x.to_at FROM k JOIN reliability_exclusions x
           ON x.country_code = k.cc AND x.party_id = k.pid AND x.location_id = k.loc AND (x.evse_uid IS NULL OR x.evse_uid = k.evse)
        WHERE x.to_at > $5 AND x.from_at < $6 ORDER BY x.from_at`,
      [...keys, from, to],
    );
    for (const x of exclusions) get(x.cc, x.pid, x.loc, x.evse)?.excluded.push({ from: x.from_at.getTime(), to: x.to_at.getTime(), cause: x.cause });

    const own = refs.filter((r) => r.own);
    if (own.length > 0) await this.ownFacts(own, from, to, get);
    const partner = refs.filter((r) => !r.own);
    if (partner.length > 0) await this.partnerFacts(partner, from, to, get);
    return refs.map((r) => byKey.get(evseKeyOf(r))!);
  }

  private async ownFacts(refs: EvseRef[], from: Date, to: Date, get: (cc: string, pid: string, loc: string, evse: string) => EvseHistory | undefined) {
    const { db } = this.deps;
    const keys = keysOf(refs);
    const transactions: {
      cc: string; pid: string; loc: string; evse: string; id: string; started_at: Date; stopped_at: Date | null; stop_reason: string | null;
      energy_wh: number | null; id_token: string | null; auth_status: string | null; charger_id: string;
    }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, t.id::text AS id, t.started_at, t.stopped_at, t.stop_reason, t.id_token, t.charger_id,
              coalesce(t.meter_stop_wh, t.last_energy_wh) - t.meter_start_wh AS energy_wh, t.auth->>'status' AS auth_status
         FROM k JOIN ocpp_transactions t ON t.location_id = k.loc AND t.evse_uid = k.evse
        WHERE t.started_at >= $5 AND t.started_at < $6 ORDER BY t.started_at`,
      [...keys, from, to],
    );
    for (const t of transactions) {
      const h = get(t.cc, t.pid, t.loc, t.evse);
      if (!h) continue;
      h.chargerId = t.charger_id;
      const energy = t.energy_wh ?? 0;
      const attempt: ChargingAttempt = {
        id: `ocpp:${t.id}`,
        at: t.started_at.getTime(),
        origin: 'ocpp_transaction',
        authorization: t.auth_status === null || t.auth_status === 'ALLOWED' ? 'accepted' : 'refused_token',
        ...(energy > 0 && { startedAt: t.started_at.getTime() }),
        ...(t.stopped_at && { endedAt: t.stopped_at.getTime() }),
        ...(t.stop_reason && { stopReason: t.stop_reason }),
        energyWh: energy,
        driverKey: driverKeyOf(t.id_token),
      };
      h.attempts.push(attempt);
    }
    // Faults: 1.6 StatusNotification errorCode other than NoError, at the EVSE its connector is mapped to.
    const faults: { cc: string; pid: string; loc: string; evse: string; at: Date }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, e.received_at AS at
         FROM k JOIN chargers c ON c.location_id = k.loc
         CROSS JOIN LATERAL jsonb_array_elements(c.evses) m
         JOIN ocpp_events e ON e.charger_id = c.id AND e.action = 'StatusNotification' AND e.received_at >= $5 AND e.received_at < $6
        WHERE m->>'evse_uid' = k.evse AND m->>'ocpp_connector' = e.payload->>'connectorId'
          AND coalesce(e.payload->>'errorCode', 'NoError') <> 'NoError'
        ORDER BY e.received_at`,
      [...keys, from, to],
    );
    for (const f of faults) get(f.cc, f.pid, f.loc, f.evse)?.faults.push(f.at.getTime());
    const meter: { cc: string; pid: string; loc: string; evse: string; at: Date; wh: number; tx: string }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, v.sampled_at AS at, v.energy_wh AS wh, t.id::text AS tx
         FROM k JOIN ocpp_transactions t ON t.location_id = k.loc AND t.evse_uid = k.evse
         JOIN ocpp_meter_values v ON v.transaction_pk = t.id
        WHERE v.sampled_at >= $5 AND v.sampled_at < $6 AND v.energy_wh IS NOT NULL AND t.started_at < $6 AND (t.stopped_at IS NULL OR t.stopped_at >= $5)
        ORDER BY v.sampled_at`,
      [...keys, from, to],
    );
    for (const m of meter) get(m.cc, m.pid, m.loc, m.evse)?.meter.push({ at: m.at.getTime(), registerWh: m.wh, transactionId: m.tx });

    await this.offeredPower(refs, from, to, get);

    // Authorize-only attempts: an Authorize at a charger of this EVSE alone that no transaction of the
    // same token followed within AUTHORIZE_WINDOW_MS (a transaction that follows is the attempt itself).
    const authorizations: { cc: string; pid: string; loc: string; evse: string; at: Date; id_token: string; status: string }[] = await db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, a.at, a.id_token, a.status
         FROM k JOIN chargers c ON c.location_id = k.loc
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.evses) m WHERE m->>'evse_uid' = k.evse)
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.evses) m WHERE m->>'evse_uid' <> k.evse)
         JOIN charger_authorizations a ON a.charger_id = c.id AND a.at >= $5 AND a.at < $6
        WHERE NOT EXISTS (SELECT 1 FROM ocpp_transactions t WHERE t.charger_id = c.id AND t.id_token = a.id_token
                            AND t.started_at >= a.at AND t.started_at < a.at + make_interval(secs => $7::float8 / 1000))
        ORDER BY a.at`,
      [...keys, from, to, AUTHORIZE_WINDOW_MS],
    );
    const nowMs = (this.deps.now?.() ?? new Date()).getTime();
    const lastOf = new Map<string, number>();
    for (const a of authorizations) {
      const h = get(a.cc, a.pid, a.loc, a.evse);
      if (!h) continue;
      const at = a.at.getTime();
      const key = `${h.evseId}|${a.id_token}`;
      const previous = lastOf.get(key);
      lastOf.set(key, at);
      if (previous !== undefined && at - previous <= AUTHORIZE_WINDOW_MS) continue; // the same driver tapping again
      h.attempts.push({
        id: `ocpp_authorize:${a.cc}/${a.pid}/${a.loc}/${a.evse}/${at}`,
        at,
        origin: 'ocpp_authorize',
        authorization: a.status === 'ALLOWED' ? 'accepted' : 'refused_token',
        // Over once the window has passed with no transaction: not started (a failed attempt); pending before.
        ...(nowMs >= at + AUTHORIZE_WINDOW_MS && { endedAt: at + AUTHORIZE_WINDOW_MS }),
        driverKey: driverKeyOf(a.id_token),
      });
    }
    if (authorizations.length > 0) for (const h of byEvse(refs, get)) h.attempts.sort((x, y) => x.at - y.at);

    // The charger's connections (from the two before the period on) and its boots since then: offline
    // periods and reboots, charger-wide, given to each of its EVSEs (chargerConnectionFacts).
    const connections: { cc: string; pid: string; loc: string; evse: string; charger: string; conns: string | null; boots: string | null }[] = await db.query(
      `WITH ${KEYS_CTE},
       ch AS (SELECT k.cc, k.pid, k.loc, k.evse, c.id AS charger,
                     coalesce((SELECT l.connected_at FROM charger_connection_log l WHERE l.charger_id = c.id AND l.connected_at < $5
                                ORDER BY l.connected_at DESC OFFSET 1 LIMIT 1), '-infinity'::timestamptz) AS since
                FROM k JOIN chargers c ON c.location_id = k.loc
               WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(c.evses) m WHERE m->>'evse_uid' = k.evse))
       SELECT ch.cc, ch.pid, ch.loc, ch.evse, ch.charger,
              (SELECT json_agg(json_build_array((extract(epoch FROM l.connected_at) * 1000)::bigint, (extract(epoch FROM l.disconnected_at) * 1000)::bigint, l.close_code) ORDER BY l.connected_at)::text
                 FROM charger_connection_log l WHERE l.charger_id = ch.charger AND l.connected_at >= ch.since) AS conns,
              (SELECT json_agg((extract(epoch FROM b.booted_at) * 1000)::bigint ORDER BY b.booted_at)::text
                 FROM charger_boots b WHERE b.charger_id = ch.charger AND b.booted_at >= ch.since AND b.booted_at < $6) AS boots
         FROM ch`,
      [...keys, from, to],
    );
    const now = (this.deps.now?.() ?? new Date()).getTime();
    for (const row of connections) {
      const h = get(row.cc, row.pid, row.loc, row.evse);
      if (!h || !row.conns) continue;
      const facts = chargerConnectionFacts(JSON.parse(row.conns), row.boots ? JSON.parse(row.boots) : [], Math.min(now, to.getTime()), h.hubGaps);
      h.offline.push(...facts.offline.filter((o) => o.to > from.getTime() && o.from < to.getTime()));
      h.reboots.push(...facts.reboots.filter((t) => t >= from.getTime() && t < to.getTime()));
    }
  }

  /**
   * Offered against delivered power of own transactions (transactionPower): the power samples in the
   * period of every transaction overlapping it, and the expected energy of the period's transactions
   * (their attempts). Offers are the load manager's (connector_power_offers, matched to the transaction's
   * connector as the load manager matches them); a charger it never managed is skipped.
   */
  private async offeredPower(refs: EvseRef[], from: Date, to: Date, get: (cc: string, pid: string, loc: string, evse: string) => EvseHistory | undefined) {
    const rows: { cc: string; pid: string; loc: string; evse: string; id: string; readings: string | null; offers: string | null }[] = await this.deps.db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, t.id::text AS id,
              (SELECT json_agg(json_build_array(r.ms, r.wh, r.w) ORDER BY r.ms)::text FROM (
                 SELECT (extract(epoch FROM t.started_at) * 1000)::bigint AS ms, t.meter_start_wh AS wh, NULL::float8 AS w
                 UNION ALL
                 SELECT (extract(epoch FROM v.sampled_at) * 1000)::bigint, v.energy_wh, v.power_w FROM ocpp_meter_values v
                  WHERE v.transaction_pk = t.id AND v.sampled_at >= t.started_at AND (t.stopped_at IS NULL OR v.sampled_at <= t.stopped_at)
                 UNION ALL
                 SELECT (extract(epoch FROM t.stopped_at) * 1000)::bigint, t.meter_stop_wh, NULL WHERE t.stopped_at IS NOT NULL AND t.meter_stop_wh IS NOT NULL) r) AS readings,
              (SELECT json_agg(json_build_array((extract(epoch FROM o.from_at) * 1000)::bigint, o.watts, o.car_bound) ORDER BY o.from_at)::text
                 FROM connector_power_offers o
                WHERE o.charger_id = t.charger_id AND (o.ocpp_connector = t.ocpp_connector OR (position('/' in t.ocpp_connector) = 0 AND o.ocpp_connector LIKE t.ocpp_connector || '/%'))
                  AND o.from_at <= coalesce(t.stopped_at, $6)
                  AND o.from_at >= coalesce((SELECT max(p.from_at) FROM connector_power_offers p
                                              WHERE p.charger_id = o.charger_id AND p.ocpp_connector = o.ocpp_connector AND p.from_at <= t.started_at), t.started_at)) AS offers
         FROM k JOIN ocpp_transactions t ON t.location_id = k.loc AND t.evse_uid = k.evse
        WHERE t.started_at < $6 AND (t.stopped_at IS NULL OR t.stopped_at >= $5)
          AND EXISTS (SELECT 1 FROM connector_power_offers o WHERE o.charger_id = t.charger_id)`,
      [...keysOf(refs), from, to],
    );
    const touched = new Set<EvseHistory>();
    for (const row of rows) {
      const h = get(row.cc, row.pid, row.loc, row.evse);
      if (!h || !row.offers || !row.readings) continue;
      const offers: PowerOffer[] = (JSON.parse(row.offers) as [number, number, boolean][]).map(([at, watts, carBound]) => ({ from: at, watts, ...(carBound && { carBound }) }));
      const readings: TransactionReading[] = (JSON.parse(row.readings) as [number, number | null, number | null][]).map(([at, wh, w]) => ({
        at,
        ...(wh !== null && { registerWh: wh }),
        ...(w !== null && { powerW: w }),
      }));
      const { samples, expectedEnergyWh } = transactionPower(offers, readings);
      h.power.push(...samples.filter((x) => x.at >= from.getTime() && x.at < to.getTime()));
      const attempt = h.attempts.find((a) => a.id === `ocpp:${row.id}`);
      if (attempt && expectedEnergyWh !== undefined) attempt.expectedEnergyWh = expectedEnergyWh;
      touched.add(h);
    }
    for (const h of touched) h.power.sort((x, y) => x.at - y.at);
  }

  private async partnerFacts(refs: EvseRef[], from: Date, to: Date, get: (cc: string, pid: string, loc: string, evse: string) => EvseHistory | undefined) {
    const keys = keysOf(refs);
    // A session, or else the CDR of a session the hub never saw: one attempt each; one JSON text per EVSE (see statuses).
    const rows: { cc: string; pid: string; loc: string; evse: string; a: string | null }[] = await this.deps.db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, (
         SELECT json_agg(json_build_array(x.id, x.origin, x.status, x.start_ms, x.end_ms, x.updated_ms, x.kwh, x.uid) ORDER BY x.start_ms)::text FROM (
           SELECT o.object_id AS id, 'ocpi_session' AS origin, o.data->>'status' AS status,
                  (extract(epoch FROM (o.data->>'start_date_time')::timestamptz) * 1000)::bigint AS start_ms,
                  (extract(epoch FROM (o.data->>'end_date_time')::timestamptz) * 1000)::bigint AS end_ms,
                  (extract(epoch FROM o.last_updated) * 1000)::bigint AS updated_ms, (o.data->>'kwh')::float8 AS kwh, o.data->'cdr_token'->>'uid' AS uid
             FROM ocpi_objects o
            WHERE o.module = 'sessions' AND o.country_code = k.cc AND o.party_id = k.pid AND o.data->>'location_id' = k.loc AND o.data->>'evse_uid' = k.evse
              AND (o.data->>'start_date_time')::timestamptz >= $5 AND (o.data->>'start_date_time')::timestamptz < $6
           UNION ALL
           SELECT c.object_id, 'ocpi_cdr', 'COMPLETED',
                  (extract(epoch FROM (c.data->>'start_date_time')::timestamptz) * 1000)::bigint,
                  (extract(epoch FROM (c.data->>'end_date_time')::timestamptz) * 1000)::bigint,
                  (extract(epoch FROM c.last_updated) * 1000)::bigint, (c.data->>'total_energy')::float8, c.data->'cdr_token'->>'uid'
             FROM ocpi_objects c
            WHERE c.module = 'cdrs' AND c.country_code = k.cc AND c.party_id = k.pid
              AND c.data->'cdr_location'->>'id' = k.loc AND c.data->'cdr_location'->>'evse_uid' = k.evse
              AND (c.data->>'start_date_time')::timestamptz >= $5 AND (c.data->>'start_date_time')::timestamptz < $6
              AND NOT EXISTS (SELECT 1 FROM ocpi_objects s WHERE s.module = 'sessions' AND s.country_code = c.country_code
                               AND s.party_id = c.party_id AND s.object_id = c.data->>'session_id')) x) AS a
         FROM k`,
      [...keys, from, to],
    );
    for (const row of rows) {
      const h = get(row.cc, row.pid, row.loc, row.evse);
      if (!h || !row.a) continue;
      const items = JSON.parse(row.a) as [string, 'ocpi_session' | 'ocpi_cdr', string | null, number, number | null, number, number | null, string | null][];
      for (const [id, origin, status, start, end, updated, kwh, uid] of items) {
        const energyWh = kwh === null ? undefined : kwh * 1000;
        const ended = status === 'COMPLETED' || status === 'INVALID';
        h.attempts.push({
          id: `${origin}:${id}`,
          at: start,
          origin,
          authorization: 'accepted',
          ...((energyWh ?? 0) > 0 && { startedAt: start }),
          ...(ended && { endedAt: end ?? updated, ocpiEndStatus: status as 'COMPLETED' | 'INVALID' }),
          ...(energyWh !== undefined && { energyWh }),
          driverKey: driverKeyOf(uid),
        });
      }
    }
    await this.forwardedStarts(refs, from, to, get);
  }

  /**
   * Forwarded START_SESSION commands at partner EVSEs (forwarded_start_sessions) as attempts
   * (commandAttempts): at the EVSE named, or at the location's only EVSE when none was named. Commands
   * from two windows before the period to one after it and sessions around them are read too, so an
   * attempt is judged the same whichever period reads it (a repeat across midnight, a session just after
   * the period).
   */
  private async forwardedStarts(refs: EvseRef[], from: Date, to: Date, get: (cc: string, pid: string, loc: string, evse: string) => EvseHistory | undefined) {
    const keys = keysOf(refs);
    const context = 2 * COMMAND_SESSION_WINDOW_MS;
    const commands: { cc: string; pid: string; loc: string; evse: string; id: string; at: Date; uid: string; response: string | null; result: string | null; result_at: Date | null }[] =
      await this.deps.db.query(
        `WITH ${KEYS_CTE}
         SELECT k.cc, k.pid, k.loc, k.evse, f.request_id::text AS id, f.requested_at AS at, f.token_uid AS uid, f.response_result AS response, f.result, f.result_at
           FROM k JOIN forwarded_start_sessions f ON f.cpo_country_code = k.cc AND f.cpo_party_id = k.pid AND f.location_id = k.loc
          WHERE f.requested_at >= $5::timestamptz - make_interval(secs => $7::float8 / 1000)
            AND f.requested_at < $6::timestamptz + make_interval(secs => $8::float8 / 1000)
            AND (f.evse_uid = k.evse OR (f.evse_uid IS NULL AND ARRAY[k.evse] = (
                  SELECT array_agg(e->>'uid') FROM ocpi_objects l CROSS JOIN LATERAL jsonb_array_elements(l.data->'evses') e
                   WHERE l.module = 'locations' AND l.country_code = k.cc AND l.party_id = k.pid AND l.object_id = k.loc
                     AND coalesce(e->>'status', '') <> 'REMOVED')))
          ORDER BY f.requested_at`,
        [...keys, from, to, context, COMMAND_SESSION_WINDOW_MS],
      );
    if (commands.length === 0) return;
    // Each EVSE's commands and candidate sessions, grouped once (rows come in time order).
    const startsOf = new Map<EvseHistory, ForwardedStart[]>();
    for (const c of commands) {
      const h = get(c.cc, c.pid, c.loc, c.evse);
      if (!h) continue;
      const start: ForwardedStart = { id: c.id, at: c.at.getTime(), driverKey: driverKeyOf(c.uid), response: c.response, result: c.result, ...(c.result_at && { resultAt: c.result_at.getTime() }) };
      const list = startsOf.get(h);
      if (list) list.push(start);
      else startsOf.set(h, [start]);
    }
    const withCommands = refs.filter((r) => {
      const h = get(r.countryCode, r.partyId, r.locationId, r.evseUid);
      return h !== undefined && startsOf.has(h);
    });
    // The sessions (and CDRs of sessions never seen) a command may be: from the lead before the first to the window after the last.
    const sessions: { cc: string; pid: string; loc: string; evse: string; id: string; at: Date; uid: string | null }[] = await this.deps.db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, 's:' || o.object_id AS id, (o.data->>'start_date_time')::timestamptz AS at, o.data->'cdr_token'->>'uid' AS uid
         FROM k JOIN ocpi_objects o ON o.module = 'sessions' AND o.country_code = k.cc AND o.party_id = k.pid AND o.data->>'location_id' = k.loc AND o.data->>'evse_uid' = k.evse
        WHERE (o.data->>'start_date_time')::timestamptz >= $5 AND (o.data->>'start_date_time')::timestamptz <= $6
       UNION ALL
       SELECT k.cc, k.pid, k.loc, k.evse, 'c:' || c.object_id, (c.data->>'start_date_time')::timestamptz, c.data->'cdr_token'->>'uid'
         FROM k JOIN ocpi_objects c ON c.module = 'cdrs' AND c.country_code = k.cc AND c.party_id = k.pid
          AND c.data->'cdr_location'->>'id' = k.loc AND c.data->'cdr_location'->>'evse_uid' = k.evse
        WHERE (c.data->>'start_date_time')::timestamptz >= $5 AND (c.data->>'start_date_time')::timestamptz <= $6
          AND NOT EXISTS (SELECT 1 FROM ocpi_objects s WHERE s.module = 'sessions' AND s.country_code = c.country_code
                           AND s.party_id = c.party_id AND s.object_id = c.data->>'session_id')`,
      [
        ...keysOf(withCommands),
        new Date(commands[0].at.getTime() - COMMAND_SESSION_LEAD_MS),
        new Date(commands[commands.length - 1].at.getTime() + COMMAND_SESSION_WINDOW_MS),
      ],
    );
    const candidatesOf = new Map<EvseHistory, { id: string; at: number; driverKey: string | undefined }[]>();
    for (const x of sessions) {
      const h = get(x.cc, x.pid, x.loc, x.evse);
      if (!h) continue;
      const candidate = { id: x.id, at: x.at.getTime(), driverKey: driverKeyOf(x.uid) };
      const list = candidatesOf.get(h);
      if (list) list.push(candidate);
      else candidatesOf.set(h, [candidate]);
    }
    const now = (this.deps.now?.() ?? new Date()).getTime();
    for (const h of byEvse(withCommands, get)) {
      const added = commandAttempts(startsOf.get(h)!, candidatesOf.get(h) ?? [], now).filter((a) => a.at >= from.getTime() && a.at < to.getTime());
      if (added.length === 0) continue;
      h.attempts.push(...added);
      h.attempts.sort((x, y) => x.at - y.at);
    }
  }
}
