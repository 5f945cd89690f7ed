import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Transactions the hub closed itself because the charger lost them (docs/own-chargers.md, "Transactions a charger lost"). */
export class LostTransactions1763701250000 implements MigrationInterface {
  name = 'LostTransactions1763701250000';

  async up(db: QueryRunner): Promise<void> {
    // Closed from the last stored reading, not from a stop the charger sent: its CDR says so in `remark`.
    await db.query(`ALTER TABLE ocpp_transactions ADD COLUMN closed_by_hub boolean NOT NULL DEFAULT false`);
    // When a charger's connection ended: how long it has been unreachable (a charger may never send a Heartbeat).
    await db.query(`ALTER TABLE chargers ADD COLUMN disconnected_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE chargers DROP COLUMN disconnected_at`);
    await db.query(`ALTER TABLE ocpp_transactions DROP COLUMN closed_by_hub`);
  }
}
