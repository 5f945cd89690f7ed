/**
 * One settlement run of one period: the rules of core/settlement carried out in SQL over every stored
 * CDR, in one transaction.
 *
 * Why SQL: a run reads up to millions of CDRs; the JSON is read once per CDR inside PostgreSQL
 * (jsonb_to_record) and lines are written with one INSERT … SELECT, so a run costs about what a plain
 * aggregate over the same rows costs (bench/settlement.ts). Each rule has one definition, in the core:
 * the SQL uses the core's period units, statement ids, late-period lists and sign policy, and
 * test/settlement/settlement.sql.test.ts checks that both give the same statements on the same CDRs.
 *
 * Why one transaction: a crash half-way leaves nothing (no run, no statement, no line); the statement
 * ids are derived from what a statement is and lines are ordered by content, so running again gives
 * the same statements, lines and totals. A run whose content equals a statement's latest version
 * writes no new version (the lines it wrote are dropped before anyone can see them).
 */
import type { EntityManager } from 'typeorm';
import { latePeriodsFor, SQL_TRUNC_UNIT, type Period } from '../core/settlement';

export interface RunOutcome {
  runId: string;
  statements: { id: string; version: number; changed: boolean }[];
  linesWritten: number;
}

/** Serialises runs across instances and requests: two runs at once would race for version numbers. */
const RUN_LOCK = 'ocpi-hub:settlement-run';

/**
 * The candidate CDRs of a run with their line fields. A CDR is read once: jsonb_to_record decodes the
 * stored JSON a single time (each `data->…` would decompress it again). The statement id is
 * `md5(kind|start|cpo|emsp|currency)::uuid`, the core's statementId; the eMSP is the token's, upper
 * case as the hub routes it; end_date_time is read in UTC (the transaction's time zone).
 * Parameters: $1 run id, $2 kind, $3 period start, $4 date_trunc unit, $5/$6 late (key, start) pairs,
 * $7 keys whose statement for this period is closed.
 */
const INSERT_LINES = `
  WITH closed_lines AS (
    SELECT s.cpo, l.cdr_id
      FROM settlement_statements s
      JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.closed_version
      JOIN settlement_lines l ON l.statement_id = s.id AND l.run_id = v.run_id
     WHERE s.status = 'closed'
  ),
  latest_disputes AS (
    SELECT DISTINCT ON (cpo, cdr_id) id, cpo, cdr_id FROM settlement_disputes ORDER BY cpo, cdr_id, created_at DESC, id
  ),
  cdrs AS (
    SELECT o.owner AS cpo, o.country_code, o.party_id, o.object_id AS cdr_id,
           upper(c.cdr_token->>'country_code') || '/' || upper(c.cdr_token->>'party_id') AS emsp,
           c.currency, c.end_date_time::timestamptz AS end_at, c.start_date_time::timestamptz AS start_at,
           date_trunc($4::text, c.end_date_time::timestamptz)::date AS natural_start,
           coalesce(c.credit, false) AS credit, c.credit_reference_id, c.session_id, c.cdr_location,
           coalesce(c.charging_periods->0->>'tariff_id', c.tariffs->0->>'id') AS tariff_id,
           (c.total_cost->>'excl_vat')::numeric AS excl_vat, (c.total_cost->>'incl_vat')::numeric AS incl_vat,
           c.total_energy, c.total_time, coalesce(c.total_parking_time, 0) AS total_parking_time
      FROM ocpi_objects o,
           jsonb_to_record(o.data) AS c(cdr_token jsonb, currency text, start_date_time text, end_date_time text,
             credit boolean, credit_reference_id text, session_id text, cdr_location jsonb, charging_periods jsonb,
             tariffs jsonb, total_cost jsonb, total_energy numeric, total_time numeric, total_parking_time numeric)
     WHERE o.module = 'cdrs'
  ),
  candidates AS (
    SELECT * FROM cdrs
     WHERE (natural_start = $3::text::date
            OR (cpo || '|' || emsp || '|' || currency, natural_start) IN (SELECT * FROM unnest($5::text[], $6::date[])))
       AND NOT (cpo || '|' || emsp || '|' || currency = ANY($7::text[]))
  )
  INSERT INTO settlement_lines (statement_id, run_id, cdr_id, credit, credit_reference_id, late, session_id, location_id,
    evse_uid, evse_id, start_date_time, end_date_time, energy_kwh, time_hours, parking_hours, tariff_id, net, vat, gross,
    rating_status, rating_reason, rating_differences, dispute_id)
  SELECT md5($2::text || '|' || $3::text || '|' || k.cpo || '|' || k.emsp || '|' || k.currency)::uuid, $1, k.cdr_id, k.credit,
         CASE WHEN k.credit THEN k.credit_reference_id END, k.natural_start <> $3::text::date, k.session_id,
         k.cdr_location->>'id', k.cdr_location->>'evse_uid', k.cdr_location->>'evse_id', k.start_at, k.end_at,
         -- The sign policy (core/settlement/lines.ts signed): a credit line is −|value|, others as sent.
         CASE WHEN k.credit THEN -abs(k.total_energy) ELSE k.total_energy END,
         CASE WHEN k.credit THEN -abs(k.total_time) ELSE k.total_time END,
         CASE WHEN k.credit THEN -abs(k.total_parking_time) ELSE k.total_parking_time END,
         k.tariff_id,
         CASE WHEN k.credit THEN -abs(k.excl_vat) ELSE k.excl_vat END,
         CASE WHEN k.credit THEN -abs(k.incl_vat) + abs(k.excl_vat) ELSE k.incl_vat - k.excl_vat END,
         CASE WHEN k.credit THEN -abs(k.incl_vat) ELSE k.incl_vat END,
         r.status, r.reason, CASE WHEN r.status = 'mismatch' THEN r.differences END, d.id
    FROM candidates k
    LEFT JOIN cdr_ratings r ON r.country_code = k.country_code AND r.party_id = k.party_id AND r.cdr_id = k.cdr_id
    LEFT JOIN latest_disputes d ON d.cpo = k.cpo AND d.cdr_id = CASE WHEN k.credit THEN k.credit_reference_id ELSE k.cdr_id END
   WHERE NOT EXISTS (SELECT 1 FROM closed_lines s WHERE s.cpo = k.cpo AND s.cdr_id = k.cdr_id)`;

/**
 * Netting (core/settlement/statement.ts netCredits): a credit line names its original when both are
 * on this version; an original names its first credit (by end time, then id).
 */
const NET_CREDITS = `
  WITH pairs AS (
    SELECT c.statement_id, c.cdr_id AS credit_id, c.end_date_time AS credit_end, o.cdr_id AS original_id
      FROM settlement_lines c
      JOIN settlement_lines o ON o.statement_id = c.statement_id AND o.run_id = c.run_id AND o.cdr_id = c.credit_reference_id AND NOT o.credit
     WHERE c.run_id = $1 AND c.credit
  ),
  nets AS (
    SELECT statement_id, credit_id AS cdr_id, original_id AS other FROM pairs
    UNION ALL
    (SELECT DISTINCT ON (statement_id, original_id) statement_id, original_id, credit_id
       FROM pairs ORDER BY statement_id, original_id, credit_end, credit_id COLLATE "C")
  )
  UPDATE settlement_lines l SET nets_against = n.other
    FROM nets n
   WHERE l.statement_id = n.statement_id AND l.run_id = $1 AND l.cdr_id = n.cdr_id`;

/** Totals (core statementTotals) and a digest of the content, per statement this run wrote lines for. */
const TOTALS = `
  SELECT statement_id, count(*)::int AS line_count, (count(*) FILTER (WHERE credit))::int AS credit_line_count,
         sum(energy_kwh) AS energy_kwh, sum(time_hours) AS time_hours, sum(parking_hours) AS parking_hours,
         sum(net) AS net, coalesce(sum(vat), 0) AS vat, coalesce(sum(gross), 0) AS gross,
         (count(*) FILTER (WHERE gross IS NULL))::int AS lines_without_vat,
         (count(*) FILTER (WHERE rating_status = 'mismatch'))::int AS mismatch_count,
         (count(*) FILTER (WHERE dispute_id IS NOT NULL))::int AS disputed_line_count,
         md5(string_agg(concat_ws('|', cdr_id, credit, credit_reference_id, nets_against, late, session_id, location_id,
             evse_uid, evse_id, start_date_time, end_date_time, energy_kwh, time_hours, parking_hours, tariff_id, net, vat,
             gross, rating_status, rating_reason, rating_differences, dispute_id), E'\\n'
           ORDER BY end_date_time, cdr_id COLLATE "C")) AS digest
    FROM settlement_lines WHERE run_id = $1 GROUP BY statement_id ORDER BY statement_id`;

/** Who a new statement is between: its key is its CDRs' key, so one line's CDR names it. */
const NEW_STATEMENT_KEYS = `
  SELECT s.id, o.owner AS cpo, upper(o.data->'cdr_token'->>'country_code') || '/' || upper(o.data->'cdr_token'->>'party_id') AS emsp,
         o.data->>'currency' AS currency
    FROM unnest($2::uuid[]) AS s(id)
    CROSS JOIN LATERAL (SELECT cdr_id FROM settlement_lines l WHERE l.statement_id = s.id AND l.run_id = $1 LIMIT 1) one
    JOIN ocpi_objects o ON o.module = 'cdrs' AND o.object_id = one.cdr_id
   WHERE md5($3::text || '|' || $4::text || '|' || o.owner || '|' || upper(o.data->'cdr_token'->>'country_code') || '/'
             || upper(o.data->'cdr_token'->>'party_id') || '|' || (o.data->>'currency'))::uuid = s.id`;

interface TotalsRow {
  statement_id: string;
  line_count: number;
  credit_line_count: number;
  energy_kwh: string;
  time_hours: string;
  parking_hours: string;
  net: string;
  vat: string;
  gross: string;
  lines_without_vat: number;
  mismatch_count: number;
  disputed_line_count: number;
  digest: string;
}

/** Runs settlement of `period` inside `tx` (a transaction the caller opened). */
export async function runSettlement(tx: EntityManager, period: Period, trigger: 'manual' | 'schedule'): Promise<RunOutcome> {
  // Times are read and compared in UTC, as the core reads them; output formats are fixed for the digest.
  await tx.query(`SET LOCAL timezone = 'UTC'`);
  await tx.query(`SET LOCAL datestyle = 'ISO, YMD'`);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [RUN_LOCK]);
  const [{ id: runId }] = await tx.query(
    `INSERT INTO settlement_runs (period_kind, period_start, period_end, trigger) VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
    [period.kind, period.start, period.end, trigger],
  );

  // Closed statements decide which CDRs are settled and where late ones go (core: settlePeriod).
  const closedRows: { key: string; start: string }[] = await tx.query(
    `SELECT cpo || '|' || emsp || '|' || currency AS key, to_char(period_start, 'YYYY-MM-DD') AS start
       FROM settlement_statements WHERE status = 'closed' AND period_kind = $1`,
    [period.kind],
  );
  const closedByKey = new Map<string, Set<string>>();
  for (const row of closedRows) {
    if (!closedByKey.has(row.key)) closedByKey.set(row.key, new Set());
    closedByKey.get(row.key)!.add(row.start);
  }
  const late: [string, string][] = [...closedByKey].flatMap(([key, starts]) => latePeriodsFor(period, starts).map((start) => [key, start] as [string, string]));
  const closedNow = [...closedByKey].filter(([, starts]) => starts.has(period.start)).map(([key]) => key);

  await tx.query(INSERT_LINES, [
    runId,
    period.kind,
    period.start,
    SQL_TRUNC_UNIT[period.kind],
    late.map(([key]) => key),
    late.map(([, start]) => start),
    closedNow,
  ]);
  await tx.query(NET_CREDITS, [runId]);
  const totals: TotalsRow[] = await tx.query(TOTALS, [runId]);

  const known: { id: string; latest_version: number; digest: string | null }[] = await tx.query(
    `SELECT s.id, s.latest_version, v.digest FROM settlement_statements s
       LEFT JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.latest_version
      WHERE s.id = ANY($1::uuid[])`,
    [totals.map((t) => t.statement_id)],
  );
  const knownById = new Map(known.map((k) => [k.id, k]));
  const fresh = totals.filter((t) => !knownById.has(t.statement_id)).map((t) => t.statement_id);
  if (fresh.length) {
    const keys: { id: string; cpo: string; emsp: string; currency: string }[] = await tx.query(NEW_STATEMENT_KEYS, [runId, fresh, period.kind, period.start]);
    await tx.query(
      `INSERT INTO settlement_statements (id, period_kind, period_start, period_end, period_label, cpo, emsp, currency, latest_version)
       SELECT id, $2, $3, $4, $5, cpo, emsp, currency, 0 FROM unnest($1::uuid[], $6::text[], $7::text[], $8::text[]) AS k(id, cpo, emsp, currency)`,
      [keys.map((k) => k.id), period.kind, period.start, period.end, period.label, keys.map((k) => k.cpo), keys.map((k) => k.emsp), keys.map((k) => k.currency)],
    );
  }

  const outcome: RunOutcome = { runId, statements: [], linesWritten: 0 };
  for (const t of totals) {
    const previous = knownById.get(t.statement_id);
    if (previous?.digest === t.digest) {
      // Same content as the latest version: no new version; these lines were never visible to anyone.
      await tx.query(`DELETE FROM settlement_lines WHERE statement_id = $1 AND run_id = $2`, [t.statement_id, runId]);
      outcome.statements.push({ id: t.statement_id, version: previous.latest_version, changed: false });
      continue;
    }
    const version = (previous?.latest_version ?? 0) + 1;
    await tx.query(`UPDATE settlement_statements SET latest_version = $2 WHERE id = $1`, [t.statement_id, version]);
    // The version row comes last: from here on its lines can never change (migration 1763700600000).
    await tx.query(
      `INSERT INTO settlement_statement_versions (statement_id, version, run_id, line_count, credit_line_count, energy_kwh, time_hours,
         parking_hours, net, vat, gross, lines_without_vat, mismatch_count, disputed_line_count, digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [t.statement_id, version, runId, t.line_count, t.credit_line_count, t.energy_kwh, t.time_hours, t.parking_hours, t.net, t.vat, t.gross,
        t.lines_without_vat, t.mismatch_count, t.disputed_line_count, t.digest],
    );
    outcome.statements.push({ id: t.statement_id, version, changed: true });
    outcome.linesWritten += t.line_count;
  }
  await tx.query(
    `UPDATE settlement_runs SET finished_at = clock_timestamp(), statements = $2, versions_written = $3, lines_written = $4 WHERE id = $1`,
    [runId, outcome.statements.length, outcome.statements.filter((s) => s.changed).length, outcome.linesWritten],
  );
  return outcome;
}
