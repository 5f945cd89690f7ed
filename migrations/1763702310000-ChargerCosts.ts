import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OCPP 2.1 stations calculate a transaction's cost themselves (from the tariff the hub gives them):
 * the cost they report (TransactionEvent costDetails) is kept on the transaction and checked once
 * against the CDR (`charger_cost_checked_at`), a difference flagged on the CDR's rating.
 */
export class ChargerCosts1763702310000 implements MigrationInterface {
  name = 'ChargerCosts1763702310000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpp_transactions ADD COLUMN charger_cost jsonb, ADD COLUMN charger_cost_checked_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpp_transactions DROP COLUMN charger_cost, DROP COLUMN charger_cost_checked_at`);
  }
}
