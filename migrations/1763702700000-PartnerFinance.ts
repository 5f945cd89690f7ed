import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partners' own finance API (docs/settlement.md, "Statements for the partners"): finance keys
 * per party, disputes raised and answered by partners with every step kept, and the invoices
 * partners reconcile against statements.
 */
export class PartnerFinance1763702700000 implements MigrationInterface {
  name = 'PartnerFinance1763702700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE finance_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_uuid uuid NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
        label text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX finance_keys_party ON finance_keys (party_uuid)`);

    // Who raised a dispute (a party as CC/PID, or 'operator'), what it claims, and its evidence.
    await db.query(`
      ALTER TABLE settlement_disputes
        ADD COLUMN raised_by text NOT NULL DEFAULT 'operator',
        ADD COLUMN amount_claimed numeric,
        ADD COLUMN evidence jsonb`);
    await db.query(`
      CREATE TABLE settlement_dispute_steps (
        id bigserial PRIMARY KEY,
        dispute_id uuid NOT NULL REFERENCES settlement_disputes(id),
        kind text NOT NULL CHECK (kind IN ('raised', 'answered', 'commented', 'resolved')),
        author text NOT NULL,
        message text NOT NULL,
        evidence jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX settlement_dispute_steps_by_dispute ON settlement_dispute_steps (dispute_id, id)`);
    // Disputes raised before partners could: their first step, from what they kept.
    await db.query(`
      INSERT INTO settlement_dispute_steps (dispute_id, kind, author, message, created_at)
      SELECT id, 'raised', 'operator', reason, created_at FROM settlement_disputes`);
    await db.query(`
      INSERT INTO settlement_dispute_steps (dispute_id, kind, author, message, created_at)
      SELECT id, 'resolved', 'operator', resolution || coalesce(': ' || note, ''), resolved_at FROM settlement_disputes WHERE status = 'resolved'`);
    // Steps are a record: never changed or removed.
    await db.query(`
      CREATE FUNCTION settlement_dispute_steps_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'dispute steps cannot be changed or deleted'; END $$`);
    await db.query(`
      CREATE TRIGGER settlement_dispute_steps_are_kept BEFORE UPDATE OR DELETE ON settlement_dispute_steps
      FOR EACH ROW EXECUTE FUNCTION settlement_dispute_steps_are_kept()`);

    await db.query(`
      CREATE TABLE invoice_reconciliations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        statement_id uuid NOT NULL REFERENCES settlement_statements(id),
        version integer NOT NULL,
        submitted_by text NOT NULL,
        invoice_reference text,
        basis text NOT NULL CHECK (basis IN ('net', 'gross')),
        report jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX invoice_reconciliations_by_statement ON invoice_reconciliations (statement_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE invoice_reconciliations`);
    await db.query(`DROP TABLE settlement_dispute_steps`);
    await db.query(`DROP FUNCTION settlement_dispute_steps_are_kept`);
    await db.query(`ALTER TABLE settlement_disputes DROP COLUMN raised_by, DROP COLUMN amount_claimed, DROP COLUMN evidence`);
    await db.query(`DROP TABLE finance_keys`);
  }
}
