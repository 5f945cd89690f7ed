import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub's own charge points (OCPP 1.6J and 2.0.1): the registry with their hashed passwords and the
 * mapping of their connectors onto the hub's OCPI location, the last status of each connector, and the
 * notifications they send that later features read (firmware, diagnostics, security events).
 */
export class Chargers1763700300000 implements MigrationInterface {
  name = 'Chargers1763700300000';

  async up(db: QueryRunner): Promise<void> {
    // The id is the charge point identity in the connection URL and the Basic auth username:
    // OCPP 2.0.1 identifierString without ':' (which would end the username), 48 characters at most.
    await db.query(`
      CREATE TABLE chargers (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9*_=+|@.-]{0,47}$'),
        password_hash text NOT NULL,
        protocol text CHECK (protocol IN ('ocpp1.6', 'ocpp2.0.1')),
        status text NOT NULL DEFAULT 'ACCEPTED' CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED')),
        location_id text,
        evses jsonb NOT NULL DEFAULT '[]',
        boot_info jsonb,
        last_heartbeat_at timestamptz,
        last_connected_at timestamptz,
        connected_instance text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // identifierString is case-insensitive: CP1 and cp1 cannot both be registered.
    await db.query(`CREATE UNIQUE INDEX chargers_id_case_insensitive ON chargers (lower(id))`);
    await db.query(`
      CREATE TABLE charger_connector_status (
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        connector_id text NOT NULL,
        status text NOT NULL,
        error_code text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charger_id, connector_id)
      )`);
    await db.query(`
      CREATE TABLE ocpp_events (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        action text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ocpp_events_by_charger ON ocpp_events (charger_id, received_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ocpp_events`);
    await db.query(`DROP TABLE charger_connector_status`);
    await db.query(`DROP TABLE chargers`);
  }
}
