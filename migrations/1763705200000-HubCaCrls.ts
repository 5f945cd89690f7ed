import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The CRLs the hub's certificate authority signed (docs/security.md, "Revocation"): one row per CRL,
 * numbered per CA. The primary key (authority, number) makes a second CRL with a number already
 * taken fail instead of being published; the numbers are given under a lock of the CA's row, so
 * instances sharing the database sign them one after the other. `revoked_count` says how many revoked
 * certificates the CRL lists, so any instance can tell a revocation came after it.
 */
export class HubCaCrls1763705200000 implements MigrationInterface {
  name = 'HubCaCrls1763705200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE hub_ca_crls (
        authority_id bigint NOT NULL REFERENCES hub_certificate_authorities (id),
        crl_number bigint NOT NULL CHECK (crl_number > 0),
        this_update timestamptz NOT NULL,
        next_update timestamptz NOT NULL,
        revoked_count integer NOT NULL,
        der bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (authority_id, crl_number)
      )`);
    await db.query(`CREATE INDEX charger_certificates_revoked ON charger_certificates (authority_id) WHERE state = 'revoked'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX charger_certificates_revoked`);
    await db.query(`DROP TABLE hub_ca_crls`);
  }
}
