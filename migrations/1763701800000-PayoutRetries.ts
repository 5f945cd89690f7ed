import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A payout that fails when its statement closes is retried by a job (statement-payouts.ts) until it
 * is paid or an operator holds it: its attempts, last error and next attempt are kept on it.
 */
export class PayoutRetries1763701800000 implements MigrationInterface {
  name = 'PayoutRetries1763701800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE payouts
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN last_attempt_at timestamptz,
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN held_at timestamptz`);
    await db.query(`CREATE INDEX payouts_due ON payouts (next_attempt_at) WHERE stripe_transfer_id IS NULL AND held_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX payouts_due`);
    await db.query(`ALTER TABLE payouts DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN last_attempt_at, DROP COLUMN next_attempt_at, DROP COLUMN held_at`);
  }
}
