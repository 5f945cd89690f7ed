import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Load management of the own chargers (docs/load-management.md): sites and their chargers, the limit in
 * force on every connector (what the chargers accepted), each charger's profile state, the samples the
 * dashboard plots, and the OCPI charging preferences and profiles of own sessions.
 */
export class LoadManagement1763700900000 implements MigrationInterface {
  name = 'LoadManagement1763700900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sites (
        id text PRIMARY KEY,
        config jsonb NOT NULL,
        last_allocation jsonb,
        next_boundary_at timestamptz,
        allocated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A charger is in at most one site: the primary key says so.
    await db.query(`
      CREATE TABLE site_chargers (
        charger_id text PRIMARY KEY,
        site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX site_chargers_site ON site_chargers (site_id)`);
    await db.query(`
      CREATE TABLE site_connector_limits (
        site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        connector_key text NOT NULL,
        limit_amps double precision NOT NULL,
        phases smallint NOT NULL,
        loaded_phases text[] NOT NULL,
        since timestamptz NOT NULL,
        PRIMARY KEY (site_id, connector_key)
      )`);
    await db.query(`
      CREATE TABLE site_charger_states (
        site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
        charger_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('ok', 'retrying', 'excluded', 'offline')),
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_failure_at timestamptz,
        excluded_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, charger_id)
      )`);
    // The dashboard plots allocated power against the limit from exactly this table.
    await db.query(`
      CREATE TABLE site_load_samples (
        site_id text NOT NULL,
        at timestamptz NOT NULL,
        allocated_w double precision NOT NULL,
        limit_w double precision,
        PRIMARY KEY (site_id, at)
      )`);
    await db.query(`
      CREATE TABLE session_charging_preferences (
        session_id text PRIMARY KEY,
        profile_type text NOT NULL,
        departure_time timestamptz,
        energy_need_kwh double precision,
        discharge_allowed boolean,
        set_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE session_charging_profiles (
        session_id text PRIMARY KEY,
        profile jsonb NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE session_charging_profiles`);
    await db.query(`DROP TABLE session_charging_preferences`);
    await db.query(`DROP TABLE site_load_samples`);
    await db.query(`DROP TABLE site_charger_states`);
    await db.query(`DROP TABLE site_connector_limits`);
    await db.query(`DROP TABLE site_chargers`);
    await db.query(`DROP TABLE sites`);
  }
}
