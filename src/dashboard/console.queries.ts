import type { DataSource } from 'typeorm';

/**
 * The console's long lists and a session's or CDR's whole story (docs/dashboard.md, "The console").
 * Every list is one SQL query, newest first, with keyset pagination: `cursor` is the last row's key
 * of the previous page (`next_cursor`), so a page never shifts while rows arrive.
 */

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Builds `$n` placeholders as conditions are added, so each filter is one line. */
class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];
  add(sql: (p: string) => string, value: unknown): void {
    if (value === undefined || value === null || value === '') return;
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
  }
  fixed(sql: string): void {
    this.parts.push(sql);
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
  limit(n: number): string {
    this.params.push(n + 1);
    return `LIMIT $${this.params.length}`;
  }
}

function page<T extends Record<string, unknown>>(rows: T[], limit: number, key: keyof T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next_cursor: more ? String(items[items.length - 1][key]) : null };
}

export interface ObjectSearch {
  owner?: string;
  location?: string;
  evse?: string;
  /** A token's uid or contract id. */
  token?: string;
  status?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** Sessions of every CPO (ocpi_objects), by party, location, EVSE, token, status and start period. */
export async function searchSessions(db: DataSource, q: ObjectSearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.fixed(`module = 'sessions'`);
  w.add((p) => `owner = ${p}`, q.owner);
  w.add((p) => `data->>'location_id' = ${p}`, q.location);
  w.add((p) => `data->>'evse_uid' = ${p}`, q.evse);
  w.add((p) => `(data->'cdr_token'->>'uid' = ${p} OR data->'cdr_token'->>'contract_id' = ${p} OR data->>'auth_id' = ${p})`, q.token);
  w.add((p) => `data->>'status' = ${p}`, q.status);
  w.add((p) => `(data->>'start_date_time')::timestamptz >= ${p}`, q.from);
  w.add((p) => `(data->>'start_date_time')::timestamptz < ${p}`, q.to);
  w.add((p) => `seq < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT seq::text AS cursor, country_code, party_id, object_id AS id, data->>'status' AS status,
            data->>'start_date_time' AS start_date_time, data->>'end_date_time' AS end_date_time,
            data->>'kwh' AS kwh, data->>'location_id' AS location_id, data->>'evse_uid' AS evse_uid,
            data->'cdr_token'->>'uid' AS token_uid, data->'cdr_token'->>'contract_id' AS contract_id,
            data->>'currency' AS currency, data->'total_cost'->>'excl_vat' AS total_excl_vat, last_updated
       FROM ocpi_objects ${w.sql} ORDER BY seq DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'cursor');
}

/** CDRs of every CPO, with their re-rating status (`status`: match, mismatch, unrated). */
export async function searchCdrs(db: DataSource, q: ObjectSearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.fixed(`o.module = 'cdrs'`);
  w.add((p) => `o.owner = ${p}`, q.owner);
  w.add((p) => `coalesce(o.data->'cdr_location'->>'id', o.data->>'location_id', o.data->'location'->>'id') = ${p}`, q.location);
  w.add((p) => `coalesce(o.data->'cdr_location'->>'evse_uid', o.data->'location'->'evses'->0->>'uid') = ${p}`, q.evse);
  w.add((p) => `(o.data->'cdr_token'->>'uid' = ${p} OR o.data->'cdr_token'->>'contract_id' = ${p} OR o.data->>'auth_id' = ${p})`, q.token);
  w.add((p) => `coalesce(r.status, 'unrated') = ${p}`, q.status);
  w.add((p) => `(o.data->>'start_date_time')::timestamptz >= ${p}`, q.from);
  w.add((p) => `(o.data->>'start_date_time')::timestamptz < ${p}`, q.to);
  w.add((p) => `o.seq < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT o.seq::text AS cursor, o.country_code, o.party_id, o.object_id AS id, coalesce(r.status, 'unrated') AS status,
            o.data->>'start_date_time' AS start_date_time, o.data->>'end_date_time' AS end_date_time,
            o.data->>'total_energy' AS kwh, coalesce(o.data->'cdr_location'->>'id', o.data->>'location_id', o.data->'location'->>'id') AS location_id,
            coalesce(o.data->'cdr_location'->>'evse_uid', o.data->'location'->'evses'->0->>'uid') AS evse_uid,
            o.data->'cdr_token'->>'uid' AS token_uid, o.data->'cdr_token'->>'contract_id' AS contract_id,
            o.data->>'currency' AS currency, coalesce(o.data->'total_cost'->>'excl_vat', o.data->>'total_cost') AS total_excl_vat,
            o.data->>'session_id' AS session_id, o.last_updated
       FROM ocpi_objects o
       LEFT JOIN cdr_ratings r ON r.country_code = o.country_code AND r.party_id = o.party_id AND r.cdr_id = o.object_id
       ${w.sql} ORDER BY o.seq DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'cursor');
}

/** Tokens of every eMSP, by party, uid or contract id, and validity (`status`: valid, invalid). */
export async function searchTokens(db: DataSource, q: ObjectSearch & { type?: string }): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.fixed(`module = 'tokens'`);
  w.add((p) => `owner = ${p}`, q.owner);
  w.add((p) => `(object_id = ${p} OR data->>'contract_id' = ${p} OR data->>'auth_id' = ${p} OR data->>'visual_number' = ${p})`, q.token);
  w.add((p) => `(data->>'valid')::boolean = (${p} = 'valid')`, q.status);
  w.add((p) => `coalesce(data->>'type', object_type) = ${p}`, q.type);
  w.add((p) => `last_updated >= ${p}`, q.from);
  w.add((p) => `last_updated < ${p}`, q.to);
  w.add((p) => `seq < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT seq::text AS cursor, country_code, party_id, object_id AS uid, coalesce(data->>'type', object_type) AS type,
            coalesce(data->>'contract_id', data->>'auth_id') AS contract_id, data->>'visual_number' AS visual_number,
            data->>'issuer' AS issuer, (data->>'valid')::boolean AS valid, data->>'whitelist' AS whitelist, last_updated
       FROM ocpi_objects ${w.sql} ORDER BY seq DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'cursor');
}

/** Locations of every CPO, by party, id or name (`location`), and an EVSE uid. */
export async function searchLocations(db: DataSource, q: ObjectSearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.fixed(`module = 'locations'`);
  w.add((p) => `owner = ${p}`, q.owner);
  w.add((p) => `(object_id = ${p} OR data->>'name' ILIKE '%' || ${p} || '%')`, q.location);
  w.add((p) => `data->'evses' @> jsonb_build_array(jsonb_build_object('uid', ${p}::text))`, q.evse);
  w.add((p) => `EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(data->'evses', '[]')) e WHERE e->>'status' = ${p})`, q.status);
  w.add((p) => `seq < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT seq::text AS cursor, country_code, party_id, object_id AS id, data->>'name' AS name, data->>'city' AS city,
            jsonb_array_length(coalesce(data->'evses', '[]')) AS evse_count,
            (SELECT jsonb_object_agg(s, n) FROM (SELECT e->>'status' AS s, count(*) AS n FROM jsonb_array_elements(coalesce(data->'evses', '[]')) e GROUP BY 1) c) AS evse_statuses,
            last_updated
       FROM ocpi_objects ${w.sql} ORDER BY seq DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'cursor');
}

export interface DeliverySearch {
  party?: string;
  status?: string;
  module?: string;
  /** Part of the object key (`NL/HUB/LOC1`). */
  object?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** Every outbox delivery (delivered, pending, failed, skipped), newest first. */
export async function searchDeliveries(db: DataSource, q: DeliverySearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.add((p) => `d.party_uuid = ${p}::uuid`, q.party);
  w.add((p) => `d.status = ${p}`, q.status);
  w.add((p) => `d.module = ${p}`, q.module);
  w.add((p) => `d.object_key LIKE '%' || ${p} || '%'`, q.object);
  w.add((p) => `d.created_at >= ${p}`, q.from);
  w.add((p) => `d.created_at < ${p}`, q.to);
  w.add((p) => `d.id < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT d.id::text AS id, d.party_uuid, p.country_code || '/' || p.party_id AS partner, d.module, d.method,
            coalesce(d.url, d.path) AS target, d.object_key, d.status, d.attempts, d.last_error, d.created_at, d.delivered_at, d.next_attempt_at
       FROM outbox d JOIN parties p ON p.id = d.party_uuid ${w.sql} ORDER BY d.id DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'id');
}

export interface EventSearch {
  charger?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** What the own chargers sent (ocpp_events: status notifications, faults, boots), newest first. */
export async function searchEvents(db: DataSource, q: EventSearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.add((p) => `charger_id = ${p}`, q.charger);
  w.add((p) => `action = ${p}`, q.action);
  w.add((p) => `received_at >= ${p}`, q.from);
  w.add((p) => `received_at < ${p}`, q.to);
  w.add((p) => `id < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(`SELECT id::text AS id, charger_id, action, payload, received_at FROM ocpp_events ${w.sql} ORDER BY id DESC ${limit}`, w.params);
  return page(rows, q.limit, 'id');
}

/**
 * A session's or CDR's whole story: the object; if it is the own CPO's, the OCPP transaction with its
 * meter values and the charger's messages during it; every OCPI push of it from the outbox with the
 * partner's answer (the traffic records of the same path); for a CDR its re-rating and statement line.
 */
export async function objectStory(db: DataSource, module: 'sessions' | 'cdrs', countryCode: string, partyId: string, id: string): Promise<Record<string, unknown> | null> {
  const [object] = await db.query(`SELECT data, last_updated FROM ocpi_objects WHERE module = $1 AND country_code = $2 AND party_id = $3 AND object_id = $4`, [module, countryCode, partyId, id]);
  if (!object) return null;
  const sessionId: string = module === 'sessions' ? id : (object.data.session_id ?? '');
  const [transaction] = await db.query(
    `SELECT charger_id, transaction_id, ocpp_connector, id_token, status, started_at, stopped_at, meter_start_wh, meter_stop_wh, stop_reason, cdr_id
       FROM ocpp_transactions WHERE ${module === 'sessions' ? 'session_id = $1' : '(cdr_id = $1 OR session_id = $2)'}`,
    module === 'sessions' ? [id] : [id, sessionId],
  );
  // The hub keeps a transaction's start and stop, its meter values and the notable events (faults,
  // notifications, tariff and cost calls), not every frame: the story is that timeline, each entry
  // saying where it comes from.
  const events: { id: string; action: string; payload: unknown; received_at: Date }[] = transaction
    ? await db.query(
        `SELECT id::text AS id, action, payload, received_at FROM ocpp_events
          WHERE charger_id = $1 AND received_at >= $2::timestamptz - interval '1 minute' AND received_at <= coalesce($3::timestamptz, now()) + interval '1 minute'
          ORDER BY id LIMIT 500`,
        [transaction.charger_id, transaction.started_at, transaction.stopped_at],
      )
    : [];
  const meterValues: { sampled_at: Date; energy_wh: number | null; power_w: number | null; current_a: number | null }[] = transaction
    ? await db.query(
        `SELECT sampled_at, energy_wh, power_w, current_a FROM ocpp_meter_values
          WHERE transaction_pk = (SELECT id FROM ocpp_transactions WHERE charger_id = $1 AND transaction_id = $2) ORDER BY sampled_at LIMIT 500`,
        [transaction.charger_id, transaction.transaction_id],
      )
    : [];
  const ocppMessages = transaction
    ? [
        { received_at: transaction.started_at, action: 'TransactionStarted', source: 'transaction', payload: { connector: transaction.ocpp_connector, id_token: transaction.id_token, meter_start_wh: transaction.meter_start_wh } },
        ...meterValues.map((m) => ({ received_at: m.sampled_at, action: 'MeterValues', source: 'meter_values', payload: { energy_wh: m.energy_wh, power_w: m.power_w, current_a: m.current_a } })),
        ...events.map((e) => ({ received_at: e.received_at, action: e.action, source: 'events', payload: e.payload })),
        ...(transaction.stopped_at ? [{ received_at: transaction.stopped_at, action: 'TransactionStopped', source: 'transaction', payload: { meter_stop_wh: transaction.meter_stop_wh, reason: transaction.stop_reason } }] : []),
      ].sort((a, b) => new Date(a.received_at).getTime() - new Date(b.received_at).getTime())
    : [];
  const objectPath = `${countryCode}/${partyId}/${id}`;
  const pushes = await db.query(
    `SELECT d.id::text AS id, p.country_code || '/' || p.party_id AS partner, d.method, coalesce(d.url, d.path) AS target, d.status,
            d.attempts, d.last_error, d.created_at, d.delivered_at,
            (SELECT jsonb_agg(jsonb_build_object('at', t.at, 'http_status', t.http_status, 'ocpi_status', t.ocpi_status, 'failed', t.failed, 'error', t.error, 'ms', t.ms, 'traffic_id', t.id::text) ORDER BY t.id)
               FROM traffic_records t
              WHERE t.direction = 'out' AND t.party_uuid = d.party_uuid AND t.module = d.module AND t.method = d.method
                -- A POST of a CDR has no object in its path: then the call of that method in the delivery's window.
                AND (t.object_id LIKE $3 || '%' OR (d.path = '' AND t.object_id IS NULL))
                AND t.at >= d.created_at AND (d.delivered_at IS NULL OR t.at <= d.delivered_at + interval '5 seconds')) AS answers
       FROM outbox d JOIN parties p ON p.id = d.party_uuid
      WHERE d.module = $1 AND (d.object_key = $2 OR d.object_key LIKE $2 || '/%' OR d.object_key LIKE $2 || '>%')
      ORDER BY d.id LIMIT 500`,
    [module, `${module}/${objectPath}`, objectPath],
  );
  const story: Record<string, unknown> = { module, country_code: countryCode, party_id: partyId, id, object: object.data, last_updated: object.last_updated, ocpp_transaction: transaction ?? null, ocpp_messages: ocppMessages, meter_values: meterValues, pushes };
  if (module === 'cdrs') {
    const [rating] = await db.query(`SELECT status, reason, tariff_id, currency, computed, differences, notes, rated_at FROM cdr_ratings WHERE country_code = $1 AND party_id = $2 AND cdr_id = $3`, [countryCode, partyId, id]);
    story.rating = rating ?? null;
    story.statement_lines = await db.query(
      `SELECT s.id AS statement_id, s.period_label, s.status, s.emsp, s.currency, v.version,
              $2 = ANY(v.disputed_cdr_ids) AS disputed, $2 = ANY(v.flagged_cdr_ids) AS flagged
         FROM settlement_statements s JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.latest_version
        WHERE s.cpo = $1 AND $2 = ANY(v.cdr_ids)`,
      [`${countryCode}/${partyId}`, id],
    );
  } else {
    const [cdr] = await db.query(`SELECT object_id AS id FROM ocpi_objects WHERE module = 'cdrs' AND country_code = $1 AND party_id = $2 AND data->>'session_id' = $3 LIMIT 1`, [countryCode, partyId, id]);
    story.cdr_id = cdr?.id ?? transaction?.cdr_id ?? null;
  }
  return story;
}

export interface AuditSearch {
  action?: string;
  target?: string;
  outcome?: string;
  actor?: string;
  client?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** The audit log, newest first; `action` and `target` match a part (`parties`, a party's id). */
export async function searchAudit(db: DataSource, q: AuditSearch): Promise<Page<Record<string, unknown>>> {
  const w = new Where();
  w.add((p) => `action LIKE '%' || ${p} || '%'`, q.action);
  w.add((p) => `target LIKE '%' || ${p} || '%'`, q.target);
  w.add((p) => `outcome = ${p}`, q.outcome);
  w.add((p) => `actor = ${p}`, q.actor);
  w.add((p) => `client = ${p}`, q.client);
  w.add((p) => `at >= ${p}`, q.from);
  w.add((p) => `at < ${p}`, q.to);
  w.add((p) => `id < ${p}::bigint`, q.cursor);
  const limit = w.limit(q.limit);
  const rows = await db.query(
    `SELECT id::text AS id, at, actor, client, method, path, action, target, http_status, outcome, error, request_body, before, after, request_id
       FROM admin_audit_log ${w.sql} ORDER BY id DESC ${limit}`,
    w.params,
  );
  return page(rows, q.limit, 'id');
}
