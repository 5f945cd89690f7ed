import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Month totals of every EVSE (docs/reliability.md, "Month totals"): one row per EVSE and calendar month
 * (UTC), the sums of its stored days in reliability_evse_days, kept by the reliability-days job in the
 * transaction that writes the days, so a report over a year sums 12 rows per EVSE instead of 365. Every
 * numeric column of reliability_evse_days has its namesake here (test/hub/reliability/reliability-months-store.test.ts);
 * `days` says how many stored days the month holds (fewer than the calendar's: one is missing). The
 * months of the days stored so far are filled here, as the job would compute them.
 */
export class ReliabilityMonths1763705400000 implements MigrationInterface {
  name = 'ReliabilityMonths1763705400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE reliability_evse_months (
        country_code varchar(2) NOT NULL,
        party_id varchar(3) NOT NULL,
        location_id text NOT NULL,
        evse_uid text NOT NULL,
        month date NOT NULL,
        days integer NOT NULL,
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
        -- stop reason -> count of abnormal ends over the month; null when none
        abnormal_by_reason jsonb,
        -- the month's edges as a run of days (core/reliability/reliability-months.ts EvseMonth):
        -- some day has a known state; the carried failure of the first such day; the first day's carried retries;
        -- some day has a meter reading; the carried anomaly of the first such day; the month's effect on the run
        -- of failed starts; what its last day left
        known boolean NOT NULL,
        carry_failure smallint NOT NULL,
        carry_retries jsonb,
        has_meter boolean NOT NULL,
        carry_meter_anomaly smallint NOT NULL,
        streak_succeeded boolean NOT NULL,
        streak_not_started integer NOT NULL,
        carry_out jsonb NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (country_code, party_id, location_id, evse_uid, month)
      )`);
    // The months of the days already stored (the same sums the job's ReliabilityDays.refreshMonths writes).
    const sums = [
      'period_ms', 'uk_reliable_ms', 'uk_not_reliable_ms', 'uk_ineligible_ms', 'uk_excluded_ms', 'unmeasured_ms', 'nevi_up_ms', 'nevi_outage_ms',
      'nevi_excluded_outage_ms', 'not_in_service_ms', 'failures', 'attempts', 'successes', 'not_started', 'ended_abnormally', 'pending', 'refused_tokens',
      'visits', 'first_attempt_successes', 'delivered_wh', 'expected_wh', 'power_samples', 'power_shortfalls', 'meter_anomalies', 'faults', 'reboots', 'disconnects',
    ];
    const key = 'country_code, party_id, location_id, evse_uid';
    await db.query(`
      WITH s AS (SELECT d.*, date_trunc('month', d.day)::date AS month,
                        max(d.day) FILTER (WHERE d.streak_succeeded) OVER (PARTITION BY ${key}, date_trunc('month', d.day)) AS last_success
                   FROM reliability_evse_days d),
           r AS (SELECT ${key}, month, jsonb_object_agg(reason, n) AS reasons
                   FROM (SELECT ${key}, s.month, e.key AS reason, sum(e.value::int) AS n FROM s, jsonb_each(s.abnormal_by_reason) e GROUP BY ${key}, s.month, e.key) x
                  GROUP BY ${key}, month)
      INSERT INTO reliability_evse_months (${key}, month, days, ${sums.join(', ')}, abnormal_by_reason, known, carry_failure, carry_retries, has_meter,
                                           carry_meter_anomaly, streak_succeeded, streak_not_started, carry_out)
      SELECT ${key}, s.month, count(*), ${sums.map((c) => `sum(s.${c})`).join(', ')}, min(r.reasons::text)::jsonb, bool_or(s.known),
             coalesce((array_agg(s.carry_failure ORDER BY s.day) FILTER (WHERE s.known))[1], 0), (array_agg(s.carry_retries ORDER BY s.day))[1],
             bool_or(s.has_meter), coalesce((array_agg(s.carry_meter_anomaly ORDER BY s.day) FILTER (WHERE s.has_meter))[1], 0), bool_or(s.streak_succeeded),
             coalesce(sum(s.streak_not_started) FILTER (WHERE s.last_success IS NULL OR s.day >= s.last_success), 0), (array_agg(s.carry_out ORDER BY s.day DESC))[1]
        FROM s LEFT JOIN r USING (${key}, month)
       GROUP BY ${key}, s.month`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE reliability_evse_months`);
  }
}
