import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statement periods in the time zone of each CPO/eMSP pair (core/settlement/period.ts): the zone a
 * pair's statements are cut in, and on each statement the zone it was cut in. A pair without a row
 * uses SETTLEMENT_TIME_ZONE (UTC by default).
 */
export class SettlementTimeZones1763701700000 implements MigrationInterface {
  name = 'SettlementTimeZones1763701700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE settlement_time_zones (
        cpo text NOT NULL,
        emsp text NOT NULL,
        time_zone text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cpo, emsp)
      )`);
    await db.query(`ALTER TABLE settlement_statements ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE settlement_statements DROP COLUMN time_zone`);
    await db.query(`DROP TABLE settlement_time_zones`);
  }
}
