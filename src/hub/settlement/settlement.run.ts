/**
 * One settlement run of one period: the rules of core/settlement carried out in SQL over every stored
 * CDR, in one transaction: one aggregate over the CDRs, then one statement that writes the versions.
 *
 * Why SQL: a run reads up to millions of CDRs; it reads their amounts as typed columns kept when each
 * CDR was stored (settlement_cdr_amounts, no JSON decoded at run time) and each statement's version
 * (its lines as columns of CDR ids, re-rating statuses and disputes, and its totals) is one aggregate,
 * so a run costs about what a plain aggregate over the stored CDRs costs (bench/settlement.ts). Each
 * rule has one definition: periods, statement ids and late periods come from the core, line fields
 * from settlement.sql.ts, and test/hub/settlement/settlement.sql.test.ts checks
 * that the statements equal the core's settlePeriod on the same CDRs.
 *
 * Why one transaction: a crash half-way leaves nothing (no run, no statement, no version); statement
 * ids are derived from what a statement is, so running again gives the same statements, lines and
 * totals. A statement whose content (fingerprint) equals its latest version gets no new version.
 */
import type { EntityManager } from 'typeorm';
import { latePeriodsFor, SQL_TRUNC_UNIT, type Period } from '../../core/settlement/settlement-core';
import { AMOUNT_FIELDS, CDR_AMOUNTS, CDR_AMOUNTS_FROM_JSON, SOME_CDR_UNDECODED } from './settlement.sql';

export interface RunOutcome {
  runId: string;
  statements: { id: string; version: number; changed: boolean }[];
  linesWritten: number;
}

/** Serialises runs across instances and requests: two runs at once would race for version numbers. */
export const RUN_LOCK = 'ocpi-hub:settlement-run';

/**
 * The run's aggregate: one row per statement with its totals and lines, into a temporary table (a
 * CREATE TABLE AS may use parallel workers, as a plain aggregate does; an INSERT … SELECT may not).
 * It reads the CDRs' typed amounts (CDR_AMOUNTS), or their JSON (`fromJson`) while some stored CDR's
 * JSON was refused by the decoding, so such a CDR fails the run as it did before the typed columns.
 * Parameters: $1 kind, $2 period start, $3 its date_trunc unit, $4/$5 the late (statement key,
 * natural period start) pairs, $6 the keys whose statement of this period is closed, $7 the time zone
 * of a pair without one of its own (a CDR's period is cut in its pair's zone: core periodOf).
 * - candidates: CDRs of this period, or late from a period listed in $4/$5, of no closed statement of
 *   this period, and not on any closed statement already (settled);
 * - the statement id is `md5(kind|start|cpo|emsp|currency)::uuid`, the core's statementId;
 * - flagged lines are those whose re-rating is 'mismatch' or 'unrated': their status is kept;
 * - the fingerprint is made of order-free sums of 64-bit hashes of the lines' CDR ids, of the
 *   flagged lines with their status, and of the disputes: equal content, equal
 *   fingerprint (the CDRs themselves never change).
 */
const aggregateSql = (parts: { fromJson: boolean; late: boolean; closedNow: boolean; disputes: boolean; settled: boolean; zones: boolean }) => `
  CREATE TEMP TABLE settlement_run_statements ON COMMIT DROP AS
  WITH run_params AS (SELECT $4::text[] AS late_keys, $5::date[] AS late_starts, $6::text[] AS closed_keys),
  settled AS (
    SELECT s.cpo, u.cdr_id
      FROM settlement_statements s
      JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.closed_version,
           unnest(v.cdr_ids) AS u(cdr_id)
     WHERE s.status = 'closed'
  ),
  -- Only the re-ratings worth listing: a line rated 'match' (or never rated) has nothing to keep.
  flagged_ratings AS (SELECT country_code, party_id, cdr_id, status FROM cdr_ratings WHERE status <> 'match'),
  latest_disputes AS (
    SELECT DISTINCT ON (cpo, cdr_id) id, cpo, cdr_id FROM settlement_disputes ORDER BY cpo, cdr_id, created_at DESC, id
  ),
  lines AS (
    SELECT c.owner AS cpo, c.emsp, c.currency, c.country_code, c.party_id, ${AMOUNT_FIELDS},
           ${parts.zones
             ? `coalesce(z.time_zone, $7::text) AS time_zone,
           date_trunc($3::text, c.end_date_time AT TIME ZONE coalesce(z.time_zone, $7::text))::date AS natural_start`
             : // Every pair in UTC, the session's zone: no join, no conversion per CDR.
               `$7::text AS time_zone, date_trunc($3::text, c.end_date_time)::date AS natural_start`}
      FROM ${parts.fromJson ? CDR_AMOUNTS_FROM_JSON : CDR_AMOUNTS}
      ${parts.zones ? `LEFT JOIN settlement_time_zones z ON z.cpo = c.owner AND z.emsp = c.emsp` : ''}
  ),
  candidates AS (
    SELECT l.*, r.status AS rating_status, ${parts.disputes ? 'd.id' : 'NULL::uuid'} AS dispute_id
      FROM lines l
      LEFT JOIN flagged_ratings r ON r.country_code = l.country_code AND r.party_id = l.party_id AND r.cdr_id = l.cdr_id
      ${parts.disputes ? `LEFT JOIN latest_disputes d ON d.cpo = l.cpo AND d.cdr_id = CASE WHEN l.credit THEN l.credit_reference_id ELSE l.cdr_id END` : ''}
     WHERE (l.natural_start = $2::text::date
            ${parts.late ? `OR (l.cpo || '|' || l.emsp || '|' || l.currency, l.natural_start) IN (SELECT unnest(late_keys), unnest(late_starts) FROM run_params)` : ''})
       ${parts.closedNow ? `AND l.cpo || '|' || l.emsp || '|' || l.currency NOT IN (SELECT unnest(closed_keys) FROM run_params)` : ''}
       ${parts.settled ? 'AND NOT EXISTS (SELECT 1 FROM settled s WHERE s.cpo = l.cpo AND s.cdr_id = l.cdr_id)' : ''}
  ),
  statements AS (
    SELECT md5($1::text || '|' || $2::text || '|' || cpo || '|' || emsp || '|' || currency)::uuid AS statement_id, cpo, emsp, currency,
           min(time_zone) AS time_zone,
           count(*)::int AS line_count, (count(*) FILTER (WHERE credit))::int AS credit_line_count,
           sum(energy_kwh) AS energy_kwh, sum(time_hours) AS time_hours, sum(parking_hours) AS parking_hours,
           -- Σ vat = Σ (gross − net) over the lines that state VAT, summed as Σ gross − Σ net (exact decimals).
           sum(net) AS net, coalesce(sum(gross), 0) - coalesce(sum(net) FILTER (WHERE gross IS NOT NULL), 0) AS vat, coalesce(sum(gross), 0) AS gross,
           (count(*) FILTER (WHERE gross IS NULL))::int AS lines_without_vat,
           (count(*) FILTER (WHERE rating_status = 'mismatch'))::int AS mismatch_count,
           count(dispute_id)::int AS disputed_line_count,
           array_agg(cdr_id) AS cdr_ids,
           coalesce(array_agg(cdr_id) FILTER (WHERE rating_status IS NOT NULL), '{}') AS flagged_cdr_ids,
           coalesce(array_agg(rating_status) FILTER (WHERE rating_status IS NOT NULL), '{}') AS flagged_statuses,
           coalesce(array_agg(cdr_id) FILTER (WHERE dispute_id IS NOT NULL), '{}') AS disputed_cdr_ids,
           coalesce(array_agg(dispute_id) FILTER (WHERE dispute_id IS NOT NULL), '{}') AS dispute_ids,
           concat_ws('/', count(*), sum(hashtextextended(cdr_id, 0)),
             sum(hashtextextended(cdr_id || rating_status, 1)) FILTER (WHERE rating_status IS NOT NULL),
             sum(hashtextextended(cdr_id || dispute_id::text, 2)) FILTER (WHERE dispute_id IS NOT NULL)) AS fingerprint
      FROM candidates GROUP BY cpo, emsp, currency
  )
  SELECT * FROM statements`;

/**
 * Versions for the statements whose content changed, from the run's aggregate (a temporary table).
 * Parameters: $1 run id, $2 kind, $3 period start, $4 period end, $5 label.
 */
const WRITE_VERSIONS = `
  WITH statements AS (SELECT * FROM settlement_run_statements),
  previous AS (
    SELECT s.id, s.latest_version, v.fingerprint
      FROM settlement_statements s
      LEFT JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = s.latest_version
     WHERE s.id IN (SELECT statement_id FROM statements)
  ),
  changed AS (
    SELECT n.*, coalesce(p.latest_version, 0) + 1 AS version
      FROM statements n LEFT JOIN previous p ON p.id = n.statement_id
     WHERE p.fingerprint IS DISTINCT FROM n.fingerprint
  ),
  upserted AS (
    INSERT INTO settlement_statements (id, period_kind, period_start, period_end, period_label, cpo, emsp, currency, time_zone, latest_version)
    SELECT statement_id, $2::text, $3::text::date, $4::text::date, $5::text, cpo, emsp, currency, time_zone, version FROM changed
    ON CONFLICT (id) DO UPDATE SET latest_version = EXCLUDED.latest_version
    RETURNING id
  ),
  versions AS (
    INSERT INTO settlement_statement_versions (statement_id, version, run_id, line_count, credit_line_count, energy_kwh, time_hours,
      parking_hours, net, vat, gross, lines_without_vat, mismatch_count, disputed_line_count, cdr_ids, flagged_cdr_ids, flagged_statuses,
      disputed_cdr_ids, dispute_ids, fingerprint)
    SELECT statement_id, version, $1::bigint, line_count, credit_line_count, energy_kwh, time_hours, parking_hours, net, vat, gross,
           lines_without_vat, mismatch_count, disputed_line_count, cdr_ids, flagged_cdr_ids, flagged_statuses, disputed_cdr_ids, dispute_ids, fingerprint
      FROM changed
    RETURNING statement_id
  )
  SELECT n.statement_id::text AS id, coalesce(c.version, p.latest_version) AS version, c.statement_id IS NOT NULL AS changed,
         n.line_count, (SELECT count(*) FROM upserted) + (SELECT count(*) FROM versions) AS writes
    FROM statements n
    LEFT JOIN changed c ON c.statement_id = n.statement_id
    LEFT JOIN previous p ON p.id = n.statement_id
   ORDER BY n.statement_id`;

/** Runs settlement of `period` inside `tx` (a transaction the caller opened). */
export async function runSettlement(
  tx: EntityManager,
  period: Period,
  trigger: 'manual' | 'schedule',
  defaultTimeZone = 'UTC',
): Promise<RunOutcome> {
  // Instants are cut into periods in each pair's zone (AT TIME ZONE); the session zone stays UTC. The aggregate holds every statement's CDR ids in
  // memory (about 50 bytes a line): give it room rather than spill to disk.
  await tx.query(`SET LOCAL timezone = 'UTC'`);
  await tx.query(`SET LOCAL work_mem = '256MB'`);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [RUN_LOCK]);
  const [{ id: runId }] = await tx.query(
    `INSERT INTO settlement_runs (period_kind, period_start, period_end, trigger) VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
    [period.kind, period.start, period.end, trigger],
  );

  // Closed statements decide where late CDRs go (core: latePeriodsFor) and which statements are final.
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
  const late = [...closedByKey].flatMap(([key, starts]) => latePeriodsFor(period, starts).map((start) => [key, start] as const));
  const closedNow = [...closedByKey].filter(([, starts]) => starts.has(period.start)).map(([key]) => key);

  // The optional parts of the query are left out when they can match nothing, so a run without late
  // CDRs, closed statements or disputes pays nothing for them per CDR.
  const [{ disputes, settled, pairZones, fromJson }] = await tx.query(
    `SELECT EXISTS (SELECT 1 FROM settlement_disputes) AS disputes, EXISTS (SELECT 1 FROM settlement_statements WHERE status = 'closed') AS settled,
            EXISTS (SELECT 1 FROM settlement_time_zones) AS "pairZones", ${SOME_CDR_UNDECODED} AS "fromJson"`,
  );
  const zones = pairZones || defaultTimeZone !== 'UTC';
  const sql = aggregateSql({ fromJson, late: late.length > 0, closedNow: closedNow.length > 0, disputes, settled, zones });
  await tx.query(sql, [period.kind, period.start, SQL_TRUNC_UNIT[period.kind], late.map(([key]) => key), late.map(([, start]) => start), closedNow, defaultTimeZone]);
  const rows: { id: string; version: number; changed: boolean; line_count: number }[] = await tx.query(WRITE_VERSIONS, [
    runId,
    period.kind,
    period.start,
    period.end,
    period.label,
  ]);
  const outcome: RunOutcome = {
    runId,
    statements: rows.map((r) => ({ id: r.id, version: r.version, changed: r.changed })),
    linesWritten: rows.filter((r) => r.changed).reduce((n, r) => n + r.line_count, 0),
  };
  await tx.query(
    `UPDATE settlement_runs SET finished_at = clock_timestamp(), statements = $2, versions_written = $3, lines_written = $4 WHERE id = $1`,
    [runId, outcome.statements.length, outcome.statements.filter((s) => s.changed).length, outcome.linesWritten],
  );
  return outcome;
}
