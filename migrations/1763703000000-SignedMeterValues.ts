import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed meter values (Eichrecht, docs/own-chargers.md): the public keys the operator registered for
 * a charger's meters (`charger_meter_keys`), and, per transaction, each signed reading as checked when
 * its CDR was made (`ocpp_signed_readings`: the readings themselves stay as sent in
 * `ocpp_meter_values.sampled_values`) with the outcome for the CDR's rating (`signed_check`).
 */
export class SignedMeterValues1763703000000 implements MigrationInterface {
  name = 'SignedMeterValues1763703000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE charger_meter_keys (
        charger_id text NOT NULL REFERENCES chargers (id) ON DELETE CASCADE,
        -- base64 of the key's SubjectPublicKeyInfo DER (OCPI public_key), however it was written
        public_key text NOT NULL,
        label text,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charger_id, public_key)
      )`);
    await db.query(`
      CREATE TABLE ocpp_signed_readings (
        transaction_pk bigint NOT NULL REFERENCES ocpp_transactions (id) ON DELETE CASCADE,
        n integer NOT NULL,
        sampled_at timestamptz NOT NULL,
        context text,
        nature text NOT NULL,
        encoding_method text NOT NULL,
        public_key text,
        key_source text,
        verdict text NOT NULL CHECK (verdict IN ('verified', 'failed', 'unverified')),
        reason text,
        energy_wh float8,
        signed_data text NOT NULL,
        checked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (transaction_pk, n)
      )`);
    await db.query(`ALTER TABLE ocpp_transactions ADD COLUMN signed_check jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpp_transactions DROP COLUMN signed_check`);
    await db.query(`DROP TABLE ocpp_signed_readings`);
    await db.query(`DROP TABLE charger_meter_keys`);
  }
}
