import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operator wrote for each of the own CPO's tariffs (src/core/tariffs): kept beside the OCPI
 * Tariff built from it (in ocpi_objects), so a day-ahead update can merge into it and rebuild.
 */
export class OwnTariffs1763700800000 implements MigrationInterface {
  name = 'OwnTariffs1763700800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE own_tariff_descriptions (
        country_code text NOT NULL,
        party_id text NOT NULL,
        tariff_id text NOT NULL,
        description jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (country_code, party_id, tariff_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE own_tariff_descriptions`);
  }
}
