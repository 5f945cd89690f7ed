import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guarded playbooks for the own chargers (docs/reliability.md, "Playbooks"): which sites opted in and
 * their daily limit, and the audit of every automatic decision — actions sent with the charger's
 * answer, and the ones the guards held back with why.
 */
export class ReliabilityPlaybooks1763703210000 implements MigrationInterface {
  name = 'ReliabilityPlaybooks1763703210000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reliability_playbooks (
        site_id text PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
        enabled boolean NOT NULL DEFAULT false,
        max_actions_per_day integer NOT NULL DEFAULT 3 CHECK (max_actions_per_day BETWEEN 1 AND 24),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE reliability_actions (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        ocpp_connector text,
        site_id text,
        trigger text NOT NULL,
        subject text NOT NULL,
        -- null: the guards held the playbook back (outcome 'skipped', reason says why)
        action text CHECK (action IN ('soft_reset', 'hard_reset', 'inoperative')),
        outcome text NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'refused', 'no_answer', 'skipped')),
        reason text NOT NULL,
        call jsonb,
        answer jsonb,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX reliability_actions_by_charger ON reliability_actions (charger_id, at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE reliability_actions`);
    await db.query(`DROP TABLE reliability_playbooks`);
  }
}
