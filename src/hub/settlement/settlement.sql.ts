/**
 * The line rules of core/settlement/lines.ts written once in SQL, used by the run (for totals) and by
 * every read of a statement's lines (API, CSV), so both show the same line for the same CDR. The
 * test/hub/settlement/settlement.sql.test.ts checks them against the core on generated CDRs.
 */

/**
 * What the totals of a line need from each stored CDR, as typed columns (alias `c`): the table
 * settlement_cdr_amounts, which triggers on ocpi_objects keep in the transaction that stores a CDR, by
 * the one decoding settlement_cdr_amounts_of (migrations/1763705700000-SettlementCdrAmounts.ts). A run
 * reads these narrow rows instead of decoding every CDR's JSON. Columns: country_code, party_id,
 * object_id, owner (the CPO), emsp (the token's issuer, upper case as the hub routes it), currency,
 * end_date_time, credit, credit_reference_id, total_energy, total_time, total_parking_time, excl_vat and
 * incl_vat (of total_cost; numeric, exact).
 */
export const CDR_AMOUNTS = 'settlement_cdr_amounts c';

/**
 * The same columns decoded from the JSON at read time, by the same function: a run reads them when a
 * stored CDR's JSON was refused by the decoding (`decoded = false`), and fails on it as it always did.
 * Run under timezone UTC (a date-time without a zone is UTC).
 */
export const CDR_AMOUNTS_FROM_JSON = `(
  SELECT o.country_code, o.party_id, o.object_id, o.owner, a.*
    FROM ocpi_objects o CROSS JOIN LATERAL settlement_cdr_amounts_of(o.data) AS a
   WHERE o.module = 'cdrs' AND o.object_type = '') c`;

/** Whether some stored CDR's JSON was refused by the decoding (a partial index holds only those). */
export const SOME_CDR_UNDECODED = 'EXISTS (SELECT 1 FROM settlement_cdr_amounts WHERE NOT decoded)';

/**
 * The CDR fields a line shows beyond its amounts, decoded from the stored JSON once per CDR (each
 * `data->…` would decompress the JSON again): `FROM ocpi_objects o ${CDR_DETAILS_RECORD}` gives alias `details`.
 */
export const CDR_DETAILS_RECORD = `CROSS JOIN LATERAL jsonb_to_record(o.data) AS details(
  start_date_time timestamptz, session_id text, cdr_location jsonb, charging_periods jsonb, tariffs jsonb)`;

/** The sign policy (core signed): a credit line is −|value|, others as sent. */
const signed = (value: string) => `CASE WHEN coalesce(c.credit, false) THEN -abs(${value}) ELSE ${value} END`;

/** A line's amounts and quantities (core lineOf), from CDR_AMOUNTS (alias `c`); instants as timestamptz. */
export const AMOUNT_FIELDS = `
  c.object_id AS cdr_id,
  coalesce(c.credit, false) AS credit,
  CASE WHEN c.credit THEN c.credit_reference_id END AS credit_reference_id,
  c.end_date_time,
  ${signed('c.total_energy')} AS energy_kwh,
  ${signed('c.total_time')} AS time_hours,
  ${signed('coalesce(c.total_parking_time, 0)')} AS parking_hours,
  ${signed('c.excl_vat')} AS net,
  ${signed('c.incl_vat')} - ${signed('c.excl_vat')} AS vat,
  ${signed('c.incl_vat')} AS gross`;

/** Every field of a line (core lineOf), from CDR_AMOUNTS (`c`) and CDR_DETAILS_RECORD (`details`). */
export const LINE_FIELDS = `${AMOUNT_FIELDS},
  details.session_id,
  details.cdr_location->>'id' AS location_id,
  details.cdr_location->>'evse_uid' AS evse_uid,
  details.cdr_location->>'evse_id' AS evse_id,
  details.start_date_time,
  coalesce(details.charging_periods->0->>'tariff_id', details.tariffs->0->>'id') AS tariff_id`;

/**
 * The lines of one version, with netting (core netCredits: a credit names its original when both are
 * on the version; an original names its first credit by end time, then id) and `late` (the CDR's own
 * period is not the statement's). $1 statement id, $2 version, $3 the date_trunc unit of its period.
 */
export const VERSION_LINES = `
  WITH version AS (
    SELECT s.cpo, s.period_start, s.time_zone, v.cdr_ids, v.flagged_cdr_ids, v.flagged_statuses, v.disputed_cdr_ids, v.dispute_ids
      FROM settlement_statement_versions v JOIN settlement_statements s ON s.id = v.statement_id
     WHERE v.statement_id = $1 AND v.version = $2
  ),
  flagged AS (SELECT f.* FROM version, unnest(version.flagged_cdr_ids, version.flagged_statuses) AS f(cdr_id, status)),
  disputed AS (SELECT d.* FROM version, unnest(version.disputed_cdr_ids, version.dispute_ids) AS d(cdr_id, dispute_id)),
  members AS (
    SELECT version.cpo, version.period_start, version.time_zone, m.cdr_id,
           f.status AS flagged_status, d.dispute_id
      FROM version CROSS JOIN unnest(version.cdr_ids) AS m(cdr_id)
      LEFT JOIN flagged f ON f.cdr_id = m.cdr_id
      LEFT JOIN disputed d ON d.cdr_id = m.cdr_id
  ),
  lines AS (
    SELECT ${LINE_FIELDS},
           date_trunc($3::text, c.end_date_time AT TIME ZONE m.time_zone)::date <> m.period_start AS late,
           -- A line the run did not flag shows 'match' when its CDR is rated so, else nothing.
           coalesce(m.flagged_status, CASE WHEN r.status = 'match' THEN 'match' END) AS rating_status,
           CASE WHEN m.flagged_status IS NOT NULL THEN r.reason END AS rating_reason,
           CASE WHEN m.flagged_status IS NOT NULL THEN r.differences END AS rating_differences, m.dispute_id
      FROM members m
      JOIN ${CDR_AMOUNTS} ON c.country_code = split_part(m.cpo, '/', 1) AND c.party_id = split_part(m.cpo, '/', 2) AND c.object_id = m.cdr_id
      JOIN ocpi_objects o ON o.module = 'cdrs' AND o.country_code = c.country_code AND o.party_id = c.party_id
                         AND o.object_id = c.object_id AND o.object_type = ''
      ${CDR_DETAILS_RECORD}
      LEFT JOIN cdr_ratings r ON r.country_code = c.country_code AND r.party_id = c.party_id AND r.cdr_id = c.object_id
  ),
  first_credits AS (
    SELECT DISTINCT ON (credit_reference_id) credit_reference_id AS original_id, cdr_id AS credit_id
      FROM lines WHERE credit ORDER BY credit_reference_id, end_date_time, cdr_id COLLATE "C"
  )
  SELECT l.*, CASE WHEN l.credit THEN original.cdr_id ELSE first_credit.credit_id END AS nets_against
    FROM lines l
    LEFT JOIN lines original ON l.credit AND NOT original.credit AND original.cdr_id = l.credit_reference_id
    LEFT JOIN first_credits first_credit ON NOT l.credit AND first_credit.original_id = l.cdr_id`;
