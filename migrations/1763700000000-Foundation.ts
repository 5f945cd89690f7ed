import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Parties (partner platforms), their OCPI roles, and the durable outbox of deliveries to them. */
export class Foundation1763700000000 implements MigrationInterface {
  name = 'Foundation1763700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE parties (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        token_a_hash text UNIQUE,
        token_c_hash text UNIQUE,
        token_b_encrypted text,
        token_encoding text NOT NULL DEFAULT 'base64' CHECK (token_encoding IN ('base64', 'raw')),
        versions_url text,
        version text,
        endpoints jsonb NOT NULL DEFAULT '[]',
        registered_at timestamptz,
        suspended_at timestamptz,
        offline_since timestamptz,
        last_seen_at timestamptz,
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (country_code, party_id)
      )`);
    await db.query(`
      CREATE TABLE party_roles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_uuid uuid NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP')),
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        business_details jsonb,
        UNIQUE (role, country_code, party_id)
      )`);
    await db.query(`CREATE INDEX party_roles_party ON party_roles (party_uuid)`);
    await db.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        party_uuid uuid NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
        module text NOT NULL,
        interface_role text NOT NULL CHECK (interface_role IN ('SENDER', 'RECEIVER')),
        method text NOT NULL CHECK (method IN ('POST', 'PUT', 'PATCH', 'DELETE')),
        path text NOT NULL,
        body jsonb,
        headers jsonb NOT NULL DEFAULT '{}',
        object_key text NOT NULL,
        object_version text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (party_uuid, object_key, object_version, method)
      )`);
    await db.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX outbox_object_queue ON outbox (party_uuid, object_key, id) WHERE status = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP TABLE party_roles`);
    await db.query(`DROP TABLE parties`);
  }
}
