import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement between CPOs and eMSPs: runs, statements per (period, CPO, eMSP, currency), their
 * immutable versions and lines, and disputes of lines (docs/settlement.md).
 *
 * Immutability is the database's to keep, not only the code's: a version (with its lines) can never
 * be changed or deleted, a closed statement can never be changed, and neither can a stored CDR.
 */
export class Settlement1763700600000 implements MigrationInterface {
  name = 'Settlement1763700600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE settlement_runs (
        id bigserial PRIMARY KEY,
        period_kind text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule')),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        statements integer NOT NULL DEFAULT 0,
        versions_written integer NOT NULL DEFAULT 0,
        lines_written bigint NOT NULL DEFAULT 0
      )`);
    await db.query(`
      CREATE TABLE settlement_statements (
        id uuid PRIMARY KEY,
        period_kind text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        period_label text NOT NULL,
        cpo text NOT NULL,
        emsp text NOT NULL,
        currency text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        latest_version integer NOT NULL,
        closed_version integer,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (period_kind, period_start, cpo, emsp, currency)
      )`);
    await db.query(`CREATE INDEX settlement_statements_closed ON settlement_statements (period_kind, cpo, emsp, currency) WHERE status = 'closed'`);
    // A version holds its lines as columns: the CDR ids, and what may change after the run as it was:
    // the re-rating status of the lines rated 'mismatch' or 'unrated' (flagged_*) and the disputes
    // (disputed_*).
    // Every other line field is read from the CDR itself, which can never change (trigger below);
    // totals are computed once, by the run.
    await db.query(`
      CREATE TABLE settlement_statement_versions (
        statement_id uuid NOT NULL REFERENCES settlement_statements(id),
        version integer NOT NULL,
        run_id bigint NOT NULL REFERENCES settlement_runs(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        line_count integer NOT NULL,
        credit_line_count integer NOT NULL,
        energy_kwh numeric NOT NULL,
        time_hours numeric NOT NULL,
        parking_hours numeric NOT NULL,
        net numeric NOT NULL,
        vat numeric NOT NULL,
        gross numeric NOT NULL,
        lines_without_vat integer NOT NULL,
        mismatch_count integer NOT NULL,
        disputed_line_count integer NOT NULL,
        cdr_ids text[] NOT NULL,
        flagged_cdr_ids text[] NOT NULL,
        flagged_statuses text[] NOT NULL,
        disputed_cdr_ids text[] NOT NULL,
        dispute_ids uuid[] NOT NULL,
        fingerprint text NOT NULL,
        PRIMARY KEY (statement_id, version),
        UNIQUE (statement_id, run_id)
      )`);
    // Stored uncompressed: compressing a million CDR ids costs a run more time than the disk it saves.
    for (const column of ['cdr_ids', 'flagged_cdr_ids', 'flagged_statuses', 'disputed_cdr_ids', 'dispute_ids']) {
      await db.query(`ALTER TABLE settlement_statement_versions ALTER COLUMN ${column} SET STORAGE EXTERNAL`);
    }
    await db.query(`
      CREATE TABLE settlement_disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        statement_id uuid NOT NULL REFERENCES settlement_statements(id),
        cpo text NOT NULL,
        cdr_id text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution text CHECK (resolution IN ('credited', 'withdrawn', 'rejected')),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX settlement_disputes_one_open ON settlement_disputes (cpo, cdr_id) WHERE status = 'open'`);
    await db.query(`CREATE INDEX settlement_disputes_by_cdr ON settlement_disputes (cpo, cdr_id, created_at)`);
    // Credit CDRs by the CDR they credit: a dispute shows the credits its CPO has sent.
    await db.query(`
      CREATE INDEX ocpi_objects_credit_cdrs ON ocpi_objects (owner, (data->>'credit_reference_id'))
      WHERE module = 'cdrs' AND data->'credit' = 'true'::jsonb`);

    await db.query(`
      CREATE FUNCTION settlement_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'settlement statement versions are immutable';
      END $$`);
    await db.query(`
      CREATE TRIGGER settlement_versions_immutable BEFORE UPDATE OR DELETE ON settlement_statement_versions
      FOR EACH ROW EXECUTE FUNCTION settlement_versions_immutable()`);
    // A CDR is final (mod_cdrs: "it cannot be changed or replaced once sent"; corrections are credit
    // CDRs), and statement lines are read from it: the database refuses to change or delete one.
    await db.query(`
      CREATE FUNCTION cdrs_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'CDR %/%/% is final: CDRs are never changed or deleted (send a credit CDR)', OLD.country_code, OLD.party_id, OLD.object_id;
      END $$`);
    await db.query(`
      CREATE TRIGGER cdrs_are_final BEFORE UPDATE OR DELETE ON ocpi_objects
      FOR EACH ROW WHEN (OLD.module = 'cdrs') EXECUTE FUNCTION cdrs_are_final()`);
    await db.query(`
      CREATE FUNCTION settlement_closed_statements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'closed' THEN
          RAISE EXCEPTION 'settlement statement % is closed', OLD.id;
        END IF;
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await db.query(`
      CREATE TRIGGER settlement_closed_statements_immutable BEFORE UPDATE OR DELETE ON settlement_statements
      FOR EACH ROW EXECUTE FUNCTION settlement_closed_statements_immutable()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ocpi_objects_credit_cdrs`);
    await db.query(`DROP TABLE settlement_disputes`);
    await db.query(`DROP TRIGGER cdrs_are_final ON ocpi_objects`);
    await db.query(`DROP FUNCTION cdrs_are_final()`);
    await db.query(`DROP TABLE settlement_statement_versions`);
    await db.query(`DROP TABLE settlement_statements`);
    await db.query(`DROP TABLE settlement_runs`);
    await db.query(`DROP FUNCTION settlement_versions_immutable()`);
    await db.query(`DROP FUNCTION settlement_closed_statements_immutable()`);
  }
}
