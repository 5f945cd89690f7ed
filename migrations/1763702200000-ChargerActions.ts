import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator's calls to the own chargers (POST /admin/chargers/{id}/actions/{action} and its
 * shortcuts), each kept with who asked, what was sent and what came back; and the files chargers
 * exchange with the hub over one-time URLs (diagnostics and logs they upload, firmware they download),
 * kept in PostgreSQL like everything else the hub holds, bounded in size by the service.
 */
export class ChargerActions1763702200000 implements MigrationInterface {
  name = 'ChargerActions1763702200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE charger_actions (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        protocol text NOT NULL,
        action text NOT NULL,
        params jsonb NOT NULL,
        answer jsonb,
        status text NOT NULL CHECK (status IN ('accepted', 'rejected', 'error', 'timeout')),
        error_code text,
        error_message text,
        duration_ms integer NOT NULL
      )`);
    await db.query(`CREATE INDEX charger_actions_by_charger ON charger_actions (charger_id, id DESC)`);
    await db.query(`
      CREATE TABLE charger_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('diagnostics', 'log', 'firmware')),
        token_hash bytea NOT NULL UNIQUE,
        file_name text,
        content_type text,
        content bytea,
        size_bytes integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        uploaded_at timestamptz,
        downloads integer NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX charger_files_by_charger ON charger_files (charger_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_files`);
    await db.query(`DROP TABLE charger_actions`);
  }
}
