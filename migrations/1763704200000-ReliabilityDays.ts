import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Day totals of every EVSE (docs/reliability.md, "Day totals"): one row per EVSE and UTC day, kept by
 * the nightly reliability-days job, so a report sums stored days instead of reading every fact again.
 * The numeric columns are the core's ReliabilityTotals of the day (given the day before); the edge
 * columns are what lets a period starting on the day be computed as if read alone from its start.
 */
export class ReliabilityDays1763704200000 implements MigrationInterface {
  name = 'ReliabilityDays1763704200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reliability_evse_days (
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        location_id text NOT NULL,
        evse_uid text NOT NULL,
        day date NOT NULL,
        period_ms bigint NOT NULL,
        uk_reliable_ms bigint NOT NULL,
        uk_not_reliable_ms bigint NOT NULL,
        uk_ineligible_ms bigint NOT NULL,
        uk_excluded_ms bigint NOT NULL,
        unmeasured_ms bigint NOT NULL,
        nevi_up_ms bigint NOT NULL,
        nevi_outage_ms bigint NOT NULL,
        nevi_excluded_outage_ms bigint NOT NULL,
        not_in_service_ms bigint NOT NULL,
        failures integer NOT NULL,
        attempts integer NOT NULL,
        successes integer NOT NULL,
        not_started integer NOT NULL,
        ended_abnormally integer NOT NULL,
        pending integer NOT NULL,
        refused_tokens integer NOT NULL,
        visits integer NOT NULL,
        first_attempt_successes integer NOT NULL,
        delivered_wh double precision NOT NULL,
        expected_wh double precision NOT NULL,
        power_samples integer NOT NULL,
        power_shortfalls integer NOT NULL,
        meter_anomalies integer NOT NULL,
        faults integer NOT NULL,
        reboots integer NOT NULL,
        disconnects integer NOT NULL,
        -- stop reason -> count of abnormal ends; null when none
        abnormal_by_reason jsonb,
        -- the edges (core/reliability/reliability-days.ts DayEdges)
        known boolean NOT NULL,
        carry_failure smallint NOT NULL,
        carry_retries jsonb,
        has_meter boolean NOT NULL,
        carry_meter_anomaly smallint NOT NULL,
        streak_succeeded boolean NOT NULL,
        streak_not_started integer NOT NULL,
        end_status text NOT NULL,
        carry_out jsonb NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (country_code, party_id, location_id, evse_uid, day)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE reliability_evse_days`);
  }
}
