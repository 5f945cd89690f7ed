import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the reliability measures read from storage (docs/reliability.md, "Adapters"): every EVSE status
 * change of own and partner EVSEs with its time, the hub's own presence (so time the hub saw nothing is
 * a hub gap, not downtime), operator-entered excluded periods, and which EVSE alerts were raised.
 */
export class ReliabilityHistory1763703200000 implements MigrationInterface {
  name = 'ReliabilityHistory1763703200000';

  async up(db: QueryRunner): Promise<void> {
    // status_at: the EVSE's last_updated as its CPO sent it; received_at: when the hub stored it
    // (the clock rule of core/reliability picks one of the two).
    await db.query(`
      CREATE TABLE evse_status_history (
        id bigserial PRIMARY KEY,
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        location_id text NOT NULL,
        evse_uid text NOT NULL,
        own boolean NOT NULL,
        status text NOT NULL,
        status_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        max_power_kw double precision
      )`);
    await db.query(`CREATE INDEX evse_status_history_by_evse ON evse_status_history (country_code, party_id, location_id, evse_uid, received_at)`);
    await db.query(`CREATE INDEX evse_status_history_by_time ON evse_status_history (received_at)`);
    // Which EVSEs have a history, with their latest status: the reports' list of EVSEs without a scan of the history.
    await db.query(`
      CREATE TABLE evse_status_current (
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        location_id text NOT NULL,
        evse_uid text NOT NULL,
        own boolean NOT NULL,
        status text NOT NULL,
        received_at timestamptz NOT NULL,
        max_power_kw double precision,
        PRIMARY KEY (country_code, party_id, location_id, evse_uid)
      )`);
    // One row per hub process run: started, last seen alive (every minute). Between runs the hub saw nothing.
    await db.query(`
      CREATE TABLE hub_presence (
        instance text NOT NULL,
        started_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (instance, started_at)
      )`);
    await db.query(`
      CREATE TABLE reliability_exclusions (
        id bigserial PRIMARY KEY,
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        location_id text NOT NULL,
        evse_uid text,
        cause text NOT NULL CHECK (cause IN ('utility_outage', 'vehicle_fault', 'scheduled_maintenance', 'vandalism', 'natural_disaster', 'outside_hours')),
        from_at timestamptz NOT NULL,
        to_at timestamptz NOT NULL CHECK (to_at > from_at),
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // An alert of one kind for one EVSE is raised once until its condition clears (claimed by insert).
    await db.query(`
      CREATE TABLE reliability_alert_state (
        evse_key text NOT NULL,
        kind text NOT NULL,
        raised_at timestamptz NOT NULL DEFAULT now(),
        detail jsonb NOT NULL,
        PRIMARY KEY (evse_key, kind)
      )`);
    // Partner sessions and CDRs are read per EVSE: an expression index on the stored objects.
    await db.query(`CREATE INDEX ocpi_objects_sessions_by_evse ON ocpi_objects (module, country_code, party_id, (data->>'location_id'), (data->>'evse_uid')) WHERE module = 'sessions'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ocpi_objects_sessions_by_evse`);
    await db.query(`DROP TABLE reliability_alert_state`);
    await db.query(`DROP TABLE reliability_exclusions`);
    await db.query(`DROP TABLE hub_presence`);
    await db.query(`DROP TABLE evse_status_current`);
    await db.query(`DROP TABLE evse_status_history`);
  }
}
