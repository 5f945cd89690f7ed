import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two facts the reliability measures read (docs/reliability.md, "Forwarded START_SESSION" and
 * "Offered power"):
 * - forwarded_start_sessions: every START_SESSION the hub forwarded to a CPO, with the CPO's
 *   CommandResponse and CommandResult. forwarded_requests cannot serve: it keeps no EVSE or token,
 *   and its row is deleted when the CPO refuses (no result is awaited), which is exactly a failed attempt.
 *   `request_id` is that forwarded_requests id (no foreign key: the request row may be gone);
 * - connector_power_offers: the limit the load manager put into force per own connector, one row per
 *   change (an offer holds until the next row).
 */
export class ReliabilityFacts1763705300000 implements MigrationInterface {
  name = 'ReliabilityFacts1763705300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE forwarded_start_sessions (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL UNIQUE,
        cpo_country_code text NOT NULL,
        cpo_party_id text NOT NULL,
        emsp_country_code text NOT NULL,
        emsp_party_id text NOT NULL,
        location_id text NOT NULL,
        -- optional in StartSession: the EVSE is then known only when the location has a single one
        evse_uid text,
        token_uid text NOT NULL,
        requested_at timestamptz NOT NULL,
        -- CommandResponse.result; null while forwarding or when the CPO did not answer
        response_result text,
        -- CommandResult.result (TIMEOUT when the hub gave up waiting) and when it came
        result text,
        result_at timestamptz
      )`);
    await db.query(`CREATE INDEX forwarded_start_sessions_by_location ON forwarded_start_sessions (cpo_country_code, cpo_party_id, location_id, requested_at)`);
    await db.query(`
      CREATE TABLE connector_power_offers (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        ocpp_connector text NOT NULL,
        watts double precision NOT NULL,
        -- the limit was the car's own (give-back: capped near its draw), not what the site could give
        car_bound boolean NOT NULL DEFAULT false,
        from_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX connector_power_offers_by_connector ON connector_power_offers (charger_id, ocpp_connector, from_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE connector_power_offers`);
    await db.query(`DROP TABLE forwarded_start_sessions`);
  }
}
