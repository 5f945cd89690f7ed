import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Driver payments with Stripe at the hub's own chargers (holds, captures, refunds), the webhook events
 * already processed, CPO payouts per statement, and the Stripe Connect account each party is paid to.
 * Money columns are integers of the currency's minor unit, as Stripe counts them.
 */
export class Payments1763700700000 implements MigrationInterface {
  name = 'Payments1763700700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- what the driver's session is authorized with at the charger (OCPP idTag, at most 20 characters)
        id_tag text NOT NULL UNIQUE,
        charger_id text NOT NULL,
        connector text NOT NULL,
        status text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'held', 'settling', 'captured', 'canceled', 'failed')),
        currency text NOT NULL,
        hold_amount bigint NOT NULL CHECK (hold_amount > 0),
        payment_intent_id text UNIQUE,
        client_secret text,
        held_amount bigint,
        last_cost bigint,
        cdr_id text,
        final_cost bigint,
        captured_amount bigint,
        uncollected_amount bigint,
        refunded_amount bigint NOT NULL DEFAULT 0,
        failure text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One paid session at a time per connector: the open holds of a connector are looked up by it.
    await db.query(`CREATE INDEX payments_open_by_connector ON payments (charger_id, connector) WHERE status IN ('held', 'settling')`);
    await db.query(`
      CREATE TABLE payment_refunds (
        payment_id uuid NOT NULL REFERENCES payments(id),
        credit_cdr_id text NOT NULL,
        credit_amount bigint NOT NULL,
        amount bigint NOT NULL,
        stripe_refund_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (payment_id, credit_cdr_id)
      )`);
    await db.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        payment_id uuid,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE payouts (
        statement_id text PRIMARY KEY,
        destination_account text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        stripe_transfer_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        paid_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE payout_accounts (
        party_uuid uuid PRIMARY KEY REFERENCES parties(id) ON DELETE CASCADE,
        stripe_account text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE payout_accounts`);
    await db.query(`DROP TABLE payouts`);
    await db.query(`DROP TABLE stripe_events`);
    await db.query(`DROP TABLE payment_refunds`);
    await db.query(`DROP TABLE payments`);
  }
}
