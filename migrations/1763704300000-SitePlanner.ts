import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The planner live (docs/scheduling.md, "The planner live"): which sites plan over time instead of
 * allocating the instant, the absolute schedule each charger accepted, and the capacity a building or
 * grid operator's energy management system sets with a site-scoped key (only its SHA-256 is stored).
 */
export class SitePlanner1763704300000 implements MigrationInterface {
  name = 'SitePlanner1763704300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE site_planner_settings (
        site_id text PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
        enabled boolean NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // What the charger accepted as an absolute schedule (null: a constant limit_amps).
    await db.query(`ALTER TABLE site_connector_limits ADD COLUMN schedule jsonb`);
    await db.query(`
      CREATE TABLE site_ems_keys (
        id bigserial PRIMARY KEY,
        site_id text NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        label text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE site_ems_limits (
        site_id text PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
        limit_w integer NOT NULL CHECK (limit_w >= 0),
        given jsonb NOT NULL,
        valid_until timestamptz,
        set_at timestamptz NOT NULL,
        key_id bigint REFERENCES site_ems_keys(id) ON DELETE SET NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE site_ems_limits`);
    await db.query(`DROP TABLE site_ems_keys`);
    await db.query(`ALTER TABLE site_connector_limits DROP COLUMN schedule`);
    await db.query(`DROP TABLE site_planner_settings`);
  }
}
