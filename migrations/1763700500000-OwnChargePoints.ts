import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub's own charge points as a CPO: the own party, OCPP transactions with their meter values (the
 * source of the OCPI sessions and CDRs the hub publishes for them) and reservations.
 */
export class OwnChargePoints1763700500000 implements MigrationInterface {
  name = 'OwnChargePoints1763700500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE parties ADD COLUMN own boolean NOT NULL DEFAULT false`);
    // 1.6 transaction ids are integers the hub hands out; 2.0.1 stations choose their own.
    await db.query(`CREATE SEQUENCE ocpp16_transaction_ids AS integer START 1000`);
    await db.query(`
      CREATE TABLE ocpp_transactions (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        transaction_id text NOT NULL,
        ocpp_connector text NOT NULL,
        id_token text,
        id_token_type text,
        -- the authorization decision: result, the eMSP and token, authorization_reference, auth_method
        auth jsonb,
        session_id text NOT NULL UNIQUE,
        location_id text,
        evse_uid text,
        connector_id text,
        -- the tariff as it was when the transaction started: later price changes never reach it
        tariff jsonb,
        time_zone text,
        remote_start_id integer,
        reservation_id integer,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'STOPPED')),
        started_at timestamptz NOT NULL,
        stopped_at timestamptz,
        meter_start_wh double precision NOT NULL DEFAULT 0,
        meter_stop_wh double precision,
        stop_reason text,
        last_energy_wh double precision,
        last_power_w double precision,
        last_sample_at timestamptz,
        session_published_at timestamptz,
        cdr_id text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (charger_id, transaction_id)
      )`);
    await db.query(`CREATE INDEX ocpp_transactions_active ON ocpp_transactions (charger_id, ocpp_connector) WHERE status = 'ACTIVE'`);
    await db.query(`
      CREATE TABLE ocpp_meter_values (
        id bigserial PRIMARY KEY,
        transaction_pk bigint REFERENCES ocpp_transactions(id) ON DELETE CASCADE,
        charger_id text NOT NULL,
        ocpp_connector text NOT NULL,
        sampled_at timestamptz NOT NULL,
        energy_wh double precision,
        power_w double precision,
        current_a double precision,
        soc double precision,
        sampled_values jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ocpp_meter_values_by_transaction ON ocpp_meter_values (transaction_pk, sampled_at)`);
    await db.query(`
      CREATE TABLE ocpp_reservations (
        id integer PRIMARY KEY,
        charger_id text NOT NULL,
        ocpp_connector text,
        location_id text NOT NULL,
        evse_uid text,
        ocpi_reservation_id text NOT NULL,
        requester jsonb NOT NULL,
        id_token text NOT NULL,
        expires_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'REQUESTED' CHECK (status IN ('REQUESTED', 'ACTIVE', 'USED', 'CANCELLED', 'EXPIRED', 'REFUSED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE SEQUENCE ocpp_reservation_ids AS integer START 1`);
    await db.query(`CREATE INDEX ocpp_reservations_live ON ocpp_reservations (expires_at) WHERE status IN ('REQUESTED', 'ACTIVE')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ocpp_reservations`);
    await db.query(`DROP SEQUENCE ocpp_reservation_ids`);
    await db.query(`DROP TABLE ocpp_meter_values`);
    await db.query(`DROP TABLE ocpp_transactions`);
    await db.query(`DROP SEQUENCE ocpp16_transaction_ids`);
    await db.query(`ALTER TABLE parties DROP COLUMN own`);
  }
}
