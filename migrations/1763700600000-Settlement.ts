import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement between CPOs and eMSPs: runs, statements per (period, CPO, eMSP, currency), their
 * immutable versions and lines, and disputes of lines (docs/settlement.md).
 *
 * Immutability is the database's to keep, not only the code's: a version and its lines can never be
 * changed or deleted once the version row exists (a run writes lines first and their version row
 * last, inside one transaction), and a closed statement can never be changed.
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
        digest text NOT NULL,
        PRIMARY KEY (statement_id, version),
        UNIQUE (statement_id, run_id)
      )`);
    // One row per CDR per version; no foreign keys, so a million lines are written without a million checks.
    await db.query(`
      CREATE TABLE settlement_lines (
        statement_id uuid NOT NULL,
        run_id bigint NOT NULL,
        cdr_id text NOT NULL,
        credit boolean NOT NULL,
        credit_reference_id text,
        nets_against text,
        late boolean NOT NULL,
        session_id text,
        location_id text NOT NULL,
        evse_uid text NOT NULL,
        evse_id text NOT NULL,
        start_date_time timestamptz NOT NULL,
        end_date_time timestamptz NOT NULL,
        energy_kwh numeric NOT NULL,
        time_hours numeric NOT NULL,
        parking_hours numeric NOT NULL,
        tariff_id text,
        net numeric NOT NULL,
        vat numeric,
        gross numeric,
        rating_status text,
        rating_reason text,
        rating_differences jsonb,
        dispute_id uuid,
        PRIMARY KEY (statement_id, run_id, cdr_id)
      )`);
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
    await db.query(`
      CREATE FUNCTION settlement_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM settlement_statement_versions v WHERE v.statement_id = OLD.statement_id AND v.run_id = OLD.run_id) THEN
          RAISE EXCEPTION 'lines of settlement statement versions are immutable';
        END IF;
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await db.query(`
      CREATE TRIGGER settlement_lines_immutable BEFORE UPDATE OR DELETE ON settlement_lines
      FOR EACH ROW EXECUTE FUNCTION settlement_lines_immutable()`);
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
    await db.query(`DROP TABLE settlement_lines`);
    await db.query(`DROP TABLE settlement_statement_versions`);
    await db.query(`DROP TABLE settlement_statements`);
    await db.query(`DROP TABLE settlement_runs`);
    await db.query(`DROP FUNCTION settlement_versions_immutable()`);
    await db.query(`DROP FUNCTION settlement_lines_immutable()`);
    await db.query(`DROP FUNCTION settlement_closed_statements_immutable()`);
  }
}
