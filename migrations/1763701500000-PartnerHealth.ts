import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A partner's health as seen from the hub's calls to it: consecutive failures, since when, the last error. */
export class PartnerHealth1763701500000 implements MigrationInterface {
  name = 'PartnerHealth1763701500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE parties
        ADD COLUMN call_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN failing_since timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN last_error_kind text,
        ADD COLUMN last_error_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE parties DROP COLUMN call_failures, DROP COLUMN failing_since, DROP COLUMN last_error,
        DROP COLUMN last_error_kind, DROP COLUMN last_error_at`);
  }
}
