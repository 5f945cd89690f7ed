import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every Authorize an own charger sent and the hub's answer (docs/reliability.md, "Authorize-only
 * attempts"): an accepted token that no transaction follows is a failed charging attempt.
 */
export class ChargerAuthorizations1763704220000 implements MigrationInterface {
  name = 'ChargerAuthorizations1763704220000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE charger_authorizations (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        id_token text NOT NULL,
        -- the hub's decision (OCPI AllowedType-like: ALLOWED, BLOCKED, EXPIRED, NO_CREDIT, NOT_ALLOWED, UNKNOWN)
        status text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX charger_authorizations_by_charger ON charger_authorizations (charger_id, at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_authorizations`);
  }
}
