import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The hub's re-rating of every CDR that passes through it: match, mismatch (with the differences) or unrated (why). */
export class CdrRatings1763700400000 implements MigrationInterface {
  name = 'CdrRatings1763700400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE cdr_ratings (
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        cdr_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('match', 'mismatch', 'unrated')),
        reason text,
        tariff_id text,
        currency text,
        time_zone text,
        computed jsonb,
        differences jsonb NOT NULL DEFAULT '[]',
        notes jsonb NOT NULL DEFAULT '[]',
        rated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (country_code, party_id, cdr_id)
      )`);
    await db.query(`CREATE INDEX cdr_ratings_by_status ON cdr_ratings (status, rated_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE cdr_ratings`);
  }
}
