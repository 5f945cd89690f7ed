import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The driver's page (docs/drivers.md): every own charger connector has a short code printed on its
 * sticker (`/c/<code>`), kept for good once given so a printed sticker never goes stale; a payment made
 * through Stripe Checkout remembers its Checkout Session (its PaymentIntent is only known once the
 * driver paid) and the digest of the secret in the driver's cookie, which binds the page to the payment.
 */
export class DriverPage1763702500000 implements MigrationInterface {
  name = 'DriverPage1763702500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE evse_short_codes (
        code text PRIMARY KEY CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{10}$'),
        charger_id text NOT NULL,
        -- the OCPP connector as the charger's EVSE mapping names it ("1", or "1/1" for 2.0.1)
        ocpp_connector text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (charger_id, ocpp_connector)
      )`);
    await db.query(`
      ALTER TABLE payments
        ADD COLUMN checkout_session_id text UNIQUE,
        ADD COLUMN driver_secret_digest text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments DROP COLUMN checkout_session_id, DROP COLUMN driver_secret_digest`);
    await db.query(`DROP TABLE evse_short_codes`);
  }
}
