import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * AFIR Art. 20: a CPO's data go to the National Access Point only when its operator opts in. One row
 * per CPO role (the own CPO's or a partner's); `publish` false keeps the decision visible.
 */
export class NapPublications1763702400000 implements MigrationInterface {
  name = 'NapPublications1763702400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE nap_publications (
        cpo_role_id uuid PRIMARY KEY REFERENCES party_roles(id) ON DELETE CASCADE,
        publish boolean NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE nap_publications`);
  }
}
