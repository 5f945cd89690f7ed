import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remote starts (and stops) the hub asked its own chargers for (OCPI START_SESSION): the token the eMSP sent and the
 * command awaiting its result. Kept in the database because the command may arrive on one hub instance
 * and the charger's StartTransaction on another.
 */
export class RemoteStarts1763701000000 implements MigrationInterface {
  name = 'RemoteStarts1763701000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ocpp_remote_starts (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        ocpp_connector text NOT NULL,
        id_token text NOT NULL,
        remote_start_id integer NOT NULL,
        auth jsonb NOT NULL,
        command_request_id text,
        expires_at timestamptz NOT NULL,
        transaction_pk bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ocpp_remote_starts_waiting ON ocpp_remote_starts (charger_id, id_token) WHERE transaction_pk IS NULL`);
    await db.query(`CREATE SEQUENCE ocpp_remote_start_ids AS integer START 1`);
    // A STOP_SESSION awaiting the stop, which any instance may receive.
    await db.query(`ALTER TABLE ocpp_transactions ADD COLUMN stop_command_request_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpp_transactions DROP COLUMN stop_command_request_id`);
    await db.query(`DROP SEQUENCE ocpp_remote_start_ids`);
    await db.query(`DROP TABLE ocpp_remote_starts`);
  }
}
