import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * settlement_cdr_amounts: what a settlement run's totals need of each stored CDR, as typed columns, so
 * a run reads narrow rows instead of decoding every CDR's ~2 kB JSON (issue 19; docs/settlement.md,
 * "How a run is fast").
 *
 * Kept by triggers on ocpi_objects, so every way a CDR is stored (partner pushes, the own CPO, bulk
 * INSERTs) fills it with one definition, in the transaction that stores the CDR. The decoding is
 * written once, in settlement_cdr_amounts_of: the trigger, the backfill below and a run over the JSON
 * all call it. The line rules over these columns (signs of credits, VAT) are AMOUNT_FIELDS in
 * src/hub/settlement/settlement.sql.ts. A change of the decoding is a new migration that replaces the
 * function and refills the table.
 *
 * A CDR whose JSON the decoding refuses (a value of the wrong type: possible only for rows written
 * around the CDR schema) is still stored, as before: its row says `decoded = false` and holds no
 * values, and a run then reads the JSON (where it fails as it always did).
 */
export class SettlementCdrAmounts1763705700000 implements MigrationInterface {
  name = 'SettlementCdrAmounts1763705700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE settlement_cdr_amounts (
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        object_id text NOT NULL,
        owner text GENERATED ALWAYS AS (country_code || '/' || party_id) STORED,
        decoded boolean NOT NULL,
        emsp text,
        currency text,
        end_date_time timestamptz,
        credit boolean,
        credit_reference_id text,
        total_energy numeric,
        total_time numeric,
        total_parking_time numeric,
        excl_vat numeric,
        incl_vat numeric,
        PRIMARY KEY (country_code, party_id, object_id)
      )`);
    // A run asks whether any CDR is undecodable; this index holds only those (none, normally).
    await db.query(`CREATE INDEX settlement_cdr_amounts_undecoded ON settlement_cdr_amounts (owner) WHERE NOT decoded`);
    // A run keeps the CDRs of one period (date_trunc(unit, end_date_time)::date = its start, units of
    // core SQL_TRUNC_UNIT). Without statistics on those expressions the planner guesses 0.5 % of the
    // rows and probes cdr_ratings' index once per CDR and sorts, instead of hashing the few flagged
    // ratings and the statements (300,000 CDRs: 0.99 s against 0.40 s).
    await db.query(`
      CREATE STATISTICS settlement_cdr_amounts_periods ON (date_trunc('day', end_date_time)::date), (date_trunc('week', end_date_time)::date),
        (date_trunc('month', end_date_time)::date) FROM settlement_cdr_amounts`);

    // The decoding: the eMSP is the token's issuer, upper case as the hub routes CDRs; numbers are
    // cast from jsonb (exact, no text round trip). Date-times without a zone are read in the session's
    // zone, so callers run it under UTC (OCPI: such a date-time is UTC). A plain SQL table function,
    // so a query calling it gets the expressions inlined.
    await db.query(`
      CREATE FUNCTION settlement_cdr_amounts_of(data jsonb)
      RETURNS TABLE (emsp text, currency text, end_date_time timestamptz, credit boolean, credit_reference_id text,
                     total_energy numeric, total_time numeric, total_parking_time numeric, excl_vat numeric, incl_vat numeric)
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT upper(j.cdr_token->>'country_code') || '/' || upper(j.cdr_token->>'party_id'), j.currency, j.end_date_time,
               j.credit, j.credit_reference_id, j.total_energy::numeric, j.total_time::numeric, j.total_parking_time::numeric,
               (j.total_cost->'excl_vat')::numeric, (j.total_cost->'incl_vat')::numeric
          FROM jsonb_to_record(data) AS j(cdr_token jsonb, currency text, end_date_time timestamptz, credit boolean,
                                          credit_reference_id text, total_cost jsonb, total_energy jsonb, total_time jsonb,
                                          total_parking_time jsonb)
      $$`);
    // The decoding for storing: never raises on a CDR's values (a store that worked before still
    // works); what the decoding refuses gives decoded = false and no values (a SELECT … INTO that
    // raises assigns nothing). The block's subtransaction writes nothing, so it takes no transaction id.
    await db.query(`
      CREATE FUNCTION settlement_cdr_amounts_decoded(data jsonb, OUT decoded boolean, OUT emsp text, OUT currency text,
        OUT end_date_time timestamptz, OUT credit boolean, OUT credit_reference_id text, OUT total_energy numeric,
        OUT total_time numeric, OUT total_parking_time numeric, OUT excl_vat numeric, OUT incl_vat numeric)
      LANGUAGE plpgsql STABLE SET timezone = 'UTC' AS $$
      BEGIN
        SELECT a.emsp, a.currency, a.end_date_time, a.credit, a.credit_reference_id, a.total_energy, a.total_time,
               a.total_parking_time, a.excl_vat, a.incl_vat
          INTO emsp, currency, end_date_time, credit, credit_reference_id, total_energy, total_time, total_parking_time, excl_vat, incl_vat
          FROM settlement_cdr_amounts_of(data) a;
        decoded := true;
      EXCEPTION WHEN data_exception THEN
        decoded := false;
      END $$`);
    await db.query(`
      CREATE FUNCTION settlement_cdr_amounts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          DELETE FROM settlement_cdr_amounts WHERE country_code = OLD.country_code AND party_id = OLD.party_id AND object_id = OLD.object_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.module = 'cdrs' AND NEW.object_type = '' THEN
          INSERT INTO settlement_cdr_amounts (country_code, party_id, object_id, decoded, emsp, currency, end_date_time, credit,
                                              credit_reference_id, total_energy, total_time, total_parking_time, excl_vat, incl_vat)
          SELECT NEW.country_code, NEW.party_id, NEW.object_id, a.* FROM settlement_cdr_amounts_decoded(NEW.data) a;
        END IF;
        RETURN NULL;
      END $$`);
    // CDRs are final (cdrs_are_final refuses UPDATE and DELETE), but the projection follows them anyway.
    const cdr = (row: 'NEW' | 'OLD') => `(${row}.module = 'cdrs' AND ${row}.object_type = '')`;
    for (const [name, event, when] of [
      ['settlement_cdr_amounts_insert', 'INSERT', cdr('NEW')],
      ['settlement_cdr_amounts_update', 'UPDATE', `${cdr('OLD')} OR ${cdr('NEW')}`],
      ['settlement_cdr_amounts_delete', 'DELETE', cdr('OLD')],
    ]) {
      await db.query(`CREATE TRIGGER ${name} AFTER ${event} ON ocpi_objects FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION settlement_cdr_amounts_keep()`);
    }
    await db.query(`
      CREATE FUNCTION settlement_cdr_amounts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE settlement_cdr_amounts;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER settlement_cdr_amounts_truncate AFTER TRUNCATE ON ocpi_objects FOR EACH STATEMENT EXECUTE FUNCTION settlement_cdr_amounts_truncate()`);

    // The CDRs stored so far (CREATE TRIGGER holds off other writers of ocpi_objects until commit).
    await db.query(`
      INSERT INTO settlement_cdr_amounts (country_code, party_id, object_id, decoded, emsp, currency, end_date_time, credit,
                                          credit_reference_id, total_energy, total_time, total_parking_time, excl_vat, incl_vat)
      SELECT o.country_code, o.party_id, o.object_id, a.*
        FROM ocpi_objects o CROSS JOIN LATERAL settlement_cdr_amounts_decoded(o.data) a
       WHERE o.module = 'cdrs' AND o.object_type = ''`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const name of ['settlement_cdr_amounts_insert', 'settlement_cdr_amounts_update', 'settlement_cdr_amounts_delete', 'settlement_cdr_amounts_truncate']) {
      await db.query(`DROP TRIGGER ${name} ON ocpi_objects`);
    }
    await db.query(`DROP FUNCTION settlement_cdr_amounts_truncate()`);
    await db.query(`DROP FUNCTION settlement_cdr_amounts_keep()`);
    await db.query(`DROP FUNCTION settlement_cdr_amounts_decoded(jsonb)`);
    await db.query(`DROP FUNCTION settlement_cdr_amounts_of(jsonb)`);
    await db.query(`DROP TABLE settlement_cdr_amounts`);
  }
}
