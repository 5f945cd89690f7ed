import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleets (docs/scheduling.md, "Bookings by a fleet"): a name and the tokens the fleet owns, and the
 * keys the operator issued to it for the bookings API (only their SHA-256 is stored).
 */
export class Fleets1763704700000 implements MigrationInterface {
  name = 'Fleets1763704700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE fleets (
        id text PRIMARY KEY,
        name text NOT NULL,
        tokens text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE fleet_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fleet_id text NOT NULL REFERENCES fleets(id) ON DELETE CASCADE,
        label text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX fleet_keys_fleet ON fleet_keys (fleet_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE fleet_keys`);
    await db.query(`DROP TABLE fleets`);
  }
}
