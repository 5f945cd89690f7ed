import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hub routing: roaming agreements between CPO and eMSP roles, the store of client-owned OCPI objects
 * (locations, tariffs, sessions, CDRs, tokens), forwarded request/result pairs (commands, charging
 * profiles) and absolute-URL deliveries in the outbox (results to a response_url).
 */
export class Routing1763700100000 implements MigrationInterface {
  name = 'Routing1763700100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE roaming_agreements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cpo_role_id uuid NOT NULL REFERENCES party_roles(id) ON DELETE CASCADE,
        emsp_role_id uuid NOT NULL REFERENCES party_roles(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (cpo_role_id, emsp_role_id)
      )`);
    await db.query(`
      CREATE TABLE ocpi_objects (
        module text NOT NULL,
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        object_id text NOT NULL,
        object_type text NOT NULL DEFAULT '',
        data jsonb NOT NULL,
        last_updated timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL,
        owner text GENERATED ALWAYS AS (country_code || '/' || party_id) STORED,
        PRIMARY KEY (module, country_code, party_id, object_id, object_type)
      )`);
    // Lists are always "these owners' objects, oldest first": one index serves the filter, the order and the count.
    await db.query(`CREATE INDEX ocpi_objects_by_owner ON ocpi_objects (module, owner, last_updated, seq)`);
    await db.query(`CREATE UNIQUE INDEX ocpi_objects_by_seq ON ocpi_objects (seq)`);
    await db.query(`CREATE INDEX ocpi_objects_by_id ON ocpi_objects (module, object_id)`);
    await db.query(`
      CREATE TABLE forwarded_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        name text NOT NULL,
        subject text,
        requester_party_uuid uuid REFERENCES parties(id) ON DELETE SET NULL,
        requester_country_code varchar(2) NOT NULL,
        requester_party_id varchar(3) NOT NULL,
        receiver_party_uuid uuid REFERENCES parties(id) ON DELETE SET NULL,
        receiver_country_code varchar(2) NOT NULL,
        receiver_party_id varchar(3) NOT NULL,
        response_url text NOT NULL,
        correlation_id text,
        deadline timestamptz,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'answered', 'timed_out')),
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX forwarded_requests_pending ON forwarded_requests (deadline) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX forwarded_requests_by_subject ON forwarded_requests (kind, name, subject, created_at DESC)`);
    await db.query(`ALTER TABLE outbox ADD COLUMN url text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox DROP COLUMN url`);
    await db.query(`DROP TABLE forwarded_requests`);
    await db.query(`DROP TABLE ocpi_objects`);
    await db.query(`DROP TABLE roaming_agreements`);
  }
}
