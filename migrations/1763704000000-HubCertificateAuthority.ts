import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub's certificate authority for its own charge points (docs/security.md): the CA it signs with
 * (`hub_certificate_authorities`: made on first use or imported by the operator; one active at a
 * time, earlier ones kept so the certificates they issued still name their issuer), its private key
 * sealed with the hub's token encryption key, and every certificate it issued (`charger_certificates`),
 * with its delivery to the charger and its revocation. Issued certificates do not reference `chargers`:
 * a revocation outlives the charger's deletion.
 */
export class HubCertificateAuthority1763704000000 implements MigrationInterface {
  name = 'HubCertificateAuthority1763704000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE hub_certificate_authorities (
        id bigserial PRIMARY KEY,
        active boolean NOT NULL DEFAULT true,
        origin text NOT NULL CHECK (origin IN ('generated', 'imported')),
        -- the CA certificate first, then its issuers (PEM)
        certificate_pem text NOT NULL,
        -- PKCS#8 PEM sealed with TokenVault (v1.<iv>.<tag>.<ciphertext>)
        sealed_private_key text NOT NULL,
        subject text NOT NULL,
        not_after timestamptz NOT NULL,
        fingerprint_sha256 text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX hub_certificate_authorities_one_active ON hub_certificate_authorities (active) WHERE active`);
    await db.query(`
      CREATE TABLE charger_certificates (
        -- lower-case hex, as Node's TLS peer certificate gives it (upper-cased there)
        serial text PRIMARY KEY,
        charger_id text NOT NULL,
        authority_id bigint NOT NULL REFERENCES hub_certificate_authorities (id),
        certificate_type text NOT NULL,
        subject text NOT NULL,
        public_key text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        fingerprint_sha256 text NOT NULL,
        certificate_pem text NOT NULL,
        state text NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'revoked')),
        issued_at timestamptz NOT NULL DEFAULT now(),
        issued_by text NOT NULL,
        delivery text NOT NULL DEFAULT 'pending' CHECK (delivery IN ('pending', 'accepted', 'rejected', 'error', 'timeout')),
        delivery_action_id bigint,
        revoked_at timestamptz,
        revoked_by text,
        revocation_reason text
      )`);
    await db.query(`CREATE INDEX charger_certificates_charger ON charger_certificates (charger_id, issued_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_certificates`);
    await db.query(`DROP TABLE hub_certificate_authorities`);
  }
}
