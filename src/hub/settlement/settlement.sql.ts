/**
 * The line rules of core/settlement/lines.ts written once in SQL, used by the run (for totals) and by
 * every read of a statement's lines (API, CSV), so both show the same line for the same CDR. The
 * test/hub/settlement/settlement.sql.test.ts checks them against the core on generated CDRs.
 */

/**
 * What the totals of a line need from a CDR; a run reads only these (jsonb_to_record copies every
 * column it names). Numbers are taken as jsonb and cast (jsonb → numeric is exact and skips the text
 * round trip jsonb_to_record would make for a numeric column); the CDR schema makes them numbers.
 */
const AMOUNT_COLUMNS = `cdr_token jsonb, currency text, end_date_time timestamptz, credit boolean, credit_reference_id text,
  total_cost jsonb, total_energy jsonb, total_time jsonb, total_parking_time jsonb`;

/**
 * The CDR fields a line reads, decoded from the stored JSON once per CDR (each `data->…` would
 * decompress the JSON again): `FROM ocpi_objects o ${CDR_RECORD}` gives alias `c`.
 * CDR_AMOUNTS_RECORD is the same with only what totals need.
 */
export const CDR_RECORD = `CROSS JOIN LATERAL jsonb_to_record(o.data) AS c(${AMOUNT_COLUMNS},
  start_date_time timestamptz, session_id text, cdr_location jsonb, charging_periods jsonb, tariffs jsonb)`;
export const CDR_AMOUNTS_RECORD = `CROSS JOIN LATERAL jsonb_to_record(o.data) AS c(${AMOUNT_COLUMNS})`;

/** The eMSP of a CDR: its token's issuer, upper case as the hub routes it. */
export const EMSP_OF_C = `upper(c.cdr_token->>'country_code') || '/' || upper(c.cdr_token->>'party_id')`;

/** The sign policy (core signed): a credit line is −|value|, others as sent. */
const signed = (value: string) => `CASE WHEN coalesce(c.credit, false) THEN -abs(${value}) ELSE ${value} END`;

/** A line's amounts and quantities (core lineOf), from CDR_AMOUNTS_RECORD; instants as timestamptz. */
export const AMOUNT_FIELDS = `
  o.object_id AS cdr_id,
  coalesce(c.credit, false) AS credit,
  CASE WHEN c.credit THEN c.credit_reference_id END AS credit_reference_id,
  c.end_date_time,
  ${signed('c.total_energy::numeric')} AS energy_kwh,
  ${signed('c.total_time::numeric')} AS time_hours,
  ${signed('coalesce(c.total_parking_time::numeric, 0)')} AS parking_hours,
  ${signed("(c.total_cost->'excl_vat')::numeric")} AS net,
  ${signed("(c.total_cost->'incl_vat')::numeric")} - ${signed("(c.total_cost->'excl_vat')::numeric")} AS vat,
  ${signed("(c.total_cost->'incl_vat')::numeric")} AS gross`;

/** Every field of a line (core lineOf), from CDR_RECORD. */
export const LINE_FIELDS = `${AMOUNT_FIELDS},
  c.session_id,
  c.cdr_location->>'id' AS location_id,
  c.cdr_location->>'evse_uid' AS evse_uid,
  c.cdr_location->>'evse_id' AS evse_id,
  c.start_date_time,
  coalesce(c.charging_periods->0->>'tariff_id', c.tariffs->0->>'id') AS tariff_id`;

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
      JOIN ocpi_objects o ON o.module = 'cdrs' AND o.country_code = split_part(m.cpo, '/', 1) AND o.party_id = split_part(m.cpo, '/', 2)
                         AND o.object_id = m.cdr_id AND o.object_type = ''
      ${CDR_RECORD}
      LEFT JOIN cdr_ratings r ON r.country_code = o.country_code AND r.party_id = o.party_id AND r.cdr_id = o.object_id
  ),
  first_credits AS (
    SELECT DISTINCT ON (credit_reference_id) credit_reference_id AS original_id, cdr_id AS credit_id
      FROM lines WHERE credit ORDER BY credit_reference_id, end_date_time, cdr_id COLLATE "C"
  )
  SELECT l.*, CASE WHEN l.credit THEN original.cdr_id ELSE first_credit.credit_id END AS nets_against
    FROM lines l
    LEFT JOIN lines original ON l.credit AND NOT original.credit AND original.cdr_id = l.credit_reference_id
    LEFT JOIN first_credits first_credit ON NOT l.credit AND first_credit.original_id = l.cdr_id`;
