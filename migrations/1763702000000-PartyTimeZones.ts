import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The time zone the operator configures for a partner (docs/versions.md): an OCPI 2.1.1 Location may
 * omit time_zone, which 2.2.1 requires, and the hub does not guess one; a 2.1.1 CPO's locations
 * without one take this zone, and are refused when the party has none.
 */
export class PartyTimeZones1763702000000 implements MigrationInterface {
  name = 'PartyTimeZones1763702000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE parties ADD COLUMN time_zone text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE parties DROP COLUMN time_zone`);
  }
}
