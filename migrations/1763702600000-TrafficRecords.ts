import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The traffic recorder (docs/traffic.md): one row per OCPI request to the hub and per call from it,
 * kept for TRAFFIC_RETENTION_HOURS and at most TRAFFIC_MAX_ROWS rows (pruned by the scheduler).
 * Bodies and headers only when TRAFFIC_BODIES keeps them, redacted and capped before they get here.
 * No foreign key to parties: a deleted partner's traffic stays readable until it ages out, and the
 * recorder's batch insert must never fail on a row whose party went away meanwhile.
 *
 * Alerts: each party's health as last alerted (a change since is a new alert), and a small queue of
 * signed webhook posts with their retries.
 */
export class TrafficRecords1763702600000 implements MigrationInterface {
  name = 'TrafficRecords1763702600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE traffic_records (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        direction text NOT NULL CHECK (direction IN ('in', 'out')),
        party_uuid uuid,
        partner text,
        method text NOT NULL,
        module text NOT NULL,
        path text NOT NULL,
        object_id text,
        http_status integer,
        ocpi_status integer,
        failed boolean NOT NULL,
        error text,
        ms double precision NOT NULL,
        request_bytes integer NOT NULL,
        response_bytes integer NOT NULL,
        request_id text,
        correlation_id text,
        request_headers jsonb,
        request_body text,
        response_body text
      )`);
    // Keyset pages walk id downwards; the filters that narrow most have their own index.
    // BRIN: rows arrive in time order, so a block range index finds a window (stats, pruning) at a
    // fraction of a B-tree's cost per insert.
    await db.query(`CREATE INDEX traffic_records_at ON traffic_records USING brin (at)`);
    await db.query(`CREATE INDEX traffic_records_partner ON traffic_records (partner, id)`);
    await db.query(`CREATE INDEX traffic_records_request_id ON traffic_records (request_id)`);
    await db.query(`CREATE INDEX traffic_records_correlation_id ON traffic_records (correlation_id)`);
    await db.query(`ALTER TABLE parties ADD COLUMN alerted_health text NOT NULL DEFAULT 'OK'`);
    await db.query(`
      CREATE TABLE alert_webhooks (
        id bigserial PRIMARY KEY,
        body text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        failed_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX alert_webhooks_due ON alert_webhooks (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE alert_webhooks`);
    await db.query(`ALTER TABLE parties DROP COLUMN alerted_health`);
    await db.query(`DROP TABLE traffic_records`);
  }
}
