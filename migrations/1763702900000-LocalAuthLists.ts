import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Local authorization lists of the own chargers (own-cpo/charging/local-list-sync.ts):
 * - `local_list_contents`: a list's entries, once per distinct list (keyed by a digest of them), since
 *   most chargers hold the same list and 10,000 entries per charger would otherwise be kept a thousand times;
 * - `charger_local_lists`: per charger, the version the hub last set, the list the charger then held
 *   (null: unknown, a full list is due), whether the operator asked for a full list, how the last sync
 *   went, and the lease of the sync under way (one per charger across instances, without holding a
 *   connection for the whole sync as an advisory lock would).
 */
export class LocalAuthLists1763702900000 implements MigrationInterface {
  name = 'LocalAuthLists1763702900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE local_list_contents (
        digest text PRIMARY KEY,
        entries jsonb NOT NULL,
        entry_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE charger_local_lists (
        charger_id text PRIMARY KEY REFERENCES chargers(id) ON DELETE CASCADE,
        list_version integer NOT NULL DEFAULT 0,
        content_digest text REFERENCES local_list_contents(digest),
        full_requested boolean NOT NULL DEFAULT false,
        synced_at timestamptz,
        outcome text,
        detail text,
        update_type text,
        messages_sent integer NOT NULL DEFAULT 0,
        entries_sent integer NOT NULL DEFAULT 0,
        left_out jsonb,
        sync_instance text,
        sync_lease_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX charger_local_lists_content ON charger_local_lists (content_digest)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_local_lists`);
    await db.query(`DROP TABLE local_list_contents`);
  }
}
