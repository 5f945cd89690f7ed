import type { DataSource, EntityManager } from 'typeorm';
import {
  DAY_MS,
  emptyTotals,
  evseDay,
  HEALTH_TOTALS,
  monthStartOf,
  type CountedAggregate,
  type DayCarryOut,
  type EvseDay,
  type EvseStatus,
  type HealthWindow,
  type Interval,
  type MeterReading,
  type ReliabilityTotals,
} from '../../core/reliability/reliability-core';
import { evseKeyOf, type EvseRef, type ReliabilityFacts } from './reliability-facts';

/** EVSEs computed together, and days read at once per EVSE, by the catch-up. */
const DAYS_BATCH = 500;
const DAYS_CHUNK = 31;
/**
 * Days computed again at every run: facts that arrive or change late (a session ending after
 * midnight, a CDR days later, a partner's delayed push) reach the stored days within this many days.
 */
export const LATE_DAYS = 7;

type Section = 'time' | 'sessions' | 'events';
/** The numeric columns of reliability_evse_days and the totals each holds (column = the key in snake case). */
const COLUMNS: [Section, string, 'bigint' | 'integer' | 'double precision'][] = [
  ...(['periodMs', 'ukReliableMs', 'ukNotReliableMs', 'ukIneligibleMs', 'ukExcludedMs', 'unmeasuredMs', 'neviUpMs', 'neviOutageMs', 'neviExcludedOutageMs', 'notInServiceMs'] as const).map(
    (k): [Section, string, 'bigint'] => ['time', k, 'bigint'],
  ),
  ['time', 'failures', 'integer'],
  ...(['attempts', 'successes', 'notStarted', 'endedAbnormally', 'pending', 'refusedTokens', 'visits', 'firstAttemptSuccesses'] as const).map((k): [Section, string, 'integer'] => ['sessions', k, 'integer']),
  ['sessions', 'deliveredWh', 'double precision'],
  ['sessions', 'expectedWh', 'double precision'],
  ...(['powerSamples', 'powerShortfalls', 'meterAnomalies'] as const).map((k): [Section, string, 'integer'] => ['sessions', k, 'integer']),
  ...(['faults', 'reboots', 'disconnects'] as const).map((k): [Section, string, 'integer'] => ['events', k, 'integer']),
];
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const NUMERIC = COLUMNS.map(([, k]) => snake(k));
/** The columns the health fold reads (HEALTH_TOTALS), in COLUMNS order. */
const HEALTH_COLUMNS = COLUMNS.filter(([section, key]) => (HEALTH_TOTALS[section] as string[]).includes(key));
const EDGE_COLUMNS: [string, string][] = [
  ['abnormal_by_reason', 'jsonb'],
  ['known', 'boolean'],
  ['carry_failure', 'smallint'],
  ['carry_retries', 'jsonb'],
  ['has_meter', 'boolean'],
  ['carry_meter_anomaly', 'smallint'],
  ['streak_succeeded', 'boolean'],
  ['streak_not_started', 'integer'],
  ['end_status', 'text'],
  ['carry_out', 'jsonb'],
];
const KEY_COLUMNS: [string, string][] = [
  ['country_code', 'varchar(2)'],
  ['party_id', 'varchar(3)'],
  ['location_id', 'text'],
  ['evse_uid', 'text'],
  ['day', 'date'],
];
const ALL_COLUMNS: [string, string][] = [...KEY_COLUMNS, ...COLUMNS.map(([, k, type]): [string, string] => [snake(k), type]), ...EDGE_COLUMNS];

/** Totals from numbers in the order of `columns` (COLUMNS, or some of them: the others stay 0). */
function totalsOf(values: number[], reasons: Record<string, number> | null, columns = COLUMNS): ReliabilityTotals {
  const t = emptyTotals();
  columns.forEach(([section, key], i) => {
    (t[section] as unknown as Record<string, number>)[key] = values[i];
  });
  t.sessions.abnormalByReason = reasons ?? {};
  return t;
}

const KEY = 'country_code, party_id, location_id, evse_uid';
const MONTH_EDGES = ['abnormal_by_reason', 'known', 'carry_failure', 'carry_retries', 'has_meter', 'carry_meter_anomaly', 'streak_succeeded', 'streak_not_started', 'carry_out'];
/**
 * Writes the month rows (reliability_evse_months) of the stored days `source` selects (a FROM clause
 * naming them `d`, whole months of them): per EVSE and month the sums of its days, how many there are,
 * and the month's edges as a run of days (core/reliability/reliability-months.ts monthOfDays). A month
 * computed again replaces its row.
 */
const monthsFromDays = (source: string) => `
  WITH s AS (SELECT d.*, date_trunc('month', d.day)::date AS month,
                    max(d.day) FILTER (WHERE d.streak_succeeded) OVER (PARTITION BY d.country_code, d.party_id, d.location_id, d.evse_uid, date_trunc('month', d.day)) AS last_success
               ${source}),
       r AS (SELECT ${KEY}, month, jsonb_object_agg(reason, n) AS reasons
               FROM (SELECT ${KEY}, s.month, e.key AS reason, sum(e.value::int) AS n FROM s, jsonb_each(s.abnormal_by_reason) e GROUP BY ${KEY}, s.month, e.key) x
              GROUP BY ${KEY}, month)
  INSERT INTO reliability_evse_months (${KEY}, month, days, ${NUMERIC.join(', ')}, ${MONTH_EDGES.join(', ')})
  SELECT ${KEY}, s.month, count(*), ${NUMERIC.map((c) => `sum(s.${c})`).join(', ')}, min(r.reasons::text)::jsonb, bool_or(s.known),
         coalesce((array_agg(s.carry_failure ORDER BY s.day) FILTER (WHERE s.known))[1], 0), (array_agg(s.carry_retries ORDER BY s.day))[1],
         bool_or(s.has_meter), coalesce((array_agg(s.carry_meter_anomaly ORDER BY s.day) FILTER (WHERE s.has_meter))[1], 0), bool_or(s.streak_succeeded),
         coalesce(sum(s.streak_not_started) FILTER (WHERE s.last_success IS NULL OR s.day >= s.last_success), 0), (array_agg(s.carry_out ORDER BY s.day DESC))[1]
    FROM s LEFT JOIN r USING (${KEY}, month)
   GROUP BY ${KEY}, s.month
  ON CONFLICT (${KEY}, month) DO UPDATE SET days = EXCLUDED.days, ${[...NUMERIC, ...MONTH_EDGES].map((n) => `${n} = EXCLUDED.${n}`).join(', ')}, computed_at = now()`;

/**
 * Forgets the stored days of a location's EVSEs (or of one) from `from` on, and the months they were in
 * (the month of `from` keeps the sums of the days before it), in one transaction: reports read those
 * EVSEs from the facts until the reliability-days job has computed the days (and so their months) again.
 */
export async function forgetStoredDays(db: DataSource, scope: { countryCode: string; partyId: string; locationId: string; evseUid: string | null }, from: Date): Promise<void> {
  const of = (t: string) => `${t}.country_code = $1 AND ${t}.party_id = $2 AND ${t}.location_id = $3 AND ($4::text IS NULL OR ${t}.evse_uid = $4)`;
  const day = `($5::timestamptz AT TIME ZONE 'UTC')::date`;
  const month = `date_trunc('month', $5::timestamptz AT TIME ZONE 'UTC')::date`;
  const params = [scope.countryCode, scope.partyId, scope.locationId, scope.evseUid, from];
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM reliability_evse_days d WHERE ${of('d')} AND d.day >= ${day}`, params);
    await tx.query(`DELETE FROM reliability_evse_months m WHERE ${of('m')} AND m.month >= ${month}`, params);
    await tx.query(monthsFromDays(`FROM reliability_evse_days d WHERE ${of('d')} AND d.day >= ${month} AND d.day < (${month} + interval '1 month')::date`), params);
  });
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const KEYS_CTE = `k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(cc, pid, loc, evse))`;
const keysOf = (refs: EvseRef[]) => [refs.map((r) => r.countryCode), refs.map((r) => r.partyId), refs.map((r) => r.locationId), refs.map((r) => r.evseUid)];
const JOIN = `d.country_code = k.cc AND d.party_id = k.pid AND d.location_id = k.loc AND d.evse_uid = k.evse`;

/**
 * Day totals of every EVSE, kept in reliability_evse_days (docs/reliability.md, "Day totals"): the
 * nightly reliability-days job computes each EVSE's days not stored yet, up to yesterday (UTC), from
 * the facts (ReliabilityFacts) and the day before's carry, from the hub's first day on; re-running a day
 * writes the same row, and the months of the days written are computed again from the stored days in the
 * same transaction (reliability_evse_months). Reports read sums of stored months (`aggregateMonths`) and
 * days (`aggregate`), and the health's days (`healthWindow`).
 */
export class ReliabilityDays {
  constructor(private readonly deps: { db: DataSource; facts: ReliabilityFacts; now?: () => Date }) {}

  /** The hub's first day (UTC midnight): facts start with its first run. Null before any. */
  async firstDay(): Promise<number | null> {
    const [row] = await this.deps.db.query(
      `SELECT least((SELECT min(started_at) FROM hub_presence), (SELECT min(received_at) FROM evse_status_history)) AS at`,
    );
    return row?.at ? Math.floor(new Date(row.at).getTime() / DAY_MS) * DAY_MS : null;
  }

  /** The last stored day of each EVSE, epoch ms (absent: none stored). */
  async lastStored(refs: EvseRef[]): Promise<Map<string, number>> {
    const rows: { cc: string; pid: string; loc: string; evse: string; last: string }[] = await this.deps.db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse, (SELECT max(d.day)::text FROM reliability_evse_days d WHERE ${JOIN}) AS last FROM k`,
      keysOf(refs),
    );
    return new Map(rows.filter((r) => r.last).map((r) => [`${r.cc}/${r.pid}/${r.loc}/${r.evse}`, Date.parse(`${r.last}T00:00:00Z`)]));
  }

  /**
   * Computes and stores every EVSE's days from the one after its last stored day (or the hub's first day;
   * the last LATE_DAYS again) up to the day before `until` (today's start by default). Answers the rows written.
   */
  async catchUp(until = Math.floor((this.deps.now?.() ?? new Date()).getTime() / DAY_MS) * DAY_MS): Promise<{ evses: number; rows: number }> {
    const first = await this.firstDay();
    if (first === null || first >= until) return { evses: 0, rows: 0 };
    const refs = await this.deps.facts.evses();
    const gaps = await this.deps.facts.hubGaps({ from: 0, to: until });
    let rows = 0;
    let evses = 0;
    for (let i = 0; i < refs.length; i += DAYS_BATCH) {
      const batch = refs.slice(i, i + DAYS_BATCH);
      const last = await this.lastStored(batch);
      const next = new Map(
        batch.map((r) => {
          const stored = last.get(evseKeyOf(r));
          return [evseKeyOf(r), stored === undefined ? first : Math.max(first, Math.min(stored + DAY_MS, until - LATE_DAYS * DAY_MS))];
        }),
      );
      const due = batch.filter((r) => next.get(evseKeyOf(r))! < until);
      if (due.length === 0) continue;
      evses += due.length;
      const carries = await this.carriesBefore(due.filter((r) => next.get(evseKeyOf(r))! > first), next);
      const from = Math.min(...due.map((r) => next.get(evseKeyOf(r))!));
      for (let chunk = from; chunk < until; chunk += DAYS_CHUNK * DAY_MS) {
        const to = Math.min(until, chunk + DAYS_CHUNK * DAY_MS);
        const inChunk = due.filter((r) => next.get(evseKeyOf(r))! < to);
        const histories = await this.deps.facts.histories(inChunk, { from: chunk, to }, gaps);
        const out: { ref: EvseRef; day: EvseDay }[] = [];
        histories.forEach((h, j) => {
          const ref = inChunk[j];
          const key = evseKeyOf(ref);
          for (let day = Math.max(chunk, next.get(key)!); day < to; day += DAY_MS) {
            const computed = evseDay(h, day, carries.get(key));
            carries.set(key, computed.edges.carryOut);
            out.push({ ref, day: computed });
          }
        });
        rows += await this.write(out);
      }
    }
    return { evses, rows };
  }

  /** What each EVSE's day before `next` left (its stored carry). */
  private async carriesBefore(refs: EvseRef[], next: Map<string, number>): Promise<Map<string, DayCarryOut>> {
    if (refs.length === 0) return new Map();
    const rows: { cc: string; pid: string; loc: string; evse: string; carry_out: DayCarryOut }[] = await this.deps.db.query(
      `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS k(cc, pid, loc, evse, day))
       SELECT k.cc, k.pid, k.loc, k.evse, d.carry_out FROM k JOIN reliability_evse_days d ON ${JOIN} AND d.day = k.day`,
      [...keysOf(refs), refs.map((r) => dayOf(next.get(evseKeyOf(r))! - DAY_MS))],
    );
    return new Map(rows.map((r) => [`${r.cc}/${r.pid}/${r.loc}/${r.evse}`, r.carry_out]));
  }

  /**
   * Stores computed days (a day computed again replaces its row: the same facts give the same row) and,
   * in the same transaction, computes again from the stored days the months they fall in.
   */
  async write(days: { ref: EvseRef; day: EvseDay }[]): Promise<number> {
    if (days.length === 0) return 0;
    const records = days.map(({ ref, day: { day, totals, edges } }) => {
      const r: Record<string, unknown> = { country_code: ref.countryCode, party_id: ref.partyId, location_id: ref.locationId, evse_uid: ref.evseUid, day: dayOf(day) };
      for (const [section, key] of COLUMNS) r[snake(key)] = (totals[section] as unknown as Record<string, number>)[key];
      Object.assign(r, {
        abnormal_by_reason: Object.keys(totals.sessions.abnormalByReason).length ? totals.sessions.abnormalByReason : null,
        known: edges.known,
        carry_failure: edges.carryFailure,
        carry_retries: edges.carryRetries.length ? edges.carryRetries : null,
        has_meter: edges.meter,
        carry_meter_anomaly: edges.carryMeterAnomaly,
        streak_succeeded: edges.streak.succeeded,
        streak_not_started: edges.streak.notStartedSince,
        end_status: edges.endStatus,
        carry_out: edges.carryOut,
      });
      return r;
    });
    const names = ALL_COLUMNS.map(([n]) => n);
    const update = names.filter((n) => !KEY_COLUMNS.some(([k]) => k === n));
    const months = new Map<string, [EvseRef, string]>();
    for (const { ref, day } of days) {
      const month = dayOf(monthStartOf(day.day));
      months.set(`${evseKeyOf(ref)}|${month}`, [ref, month]);
    }
    await this.deps.db.transaction(async (tx: EntityManager) => {
      for (let i = 0; i < records.length; i += 5000) {
        await tx.query(
          `INSERT INTO reliability_evse_days (${names.join(', ')})
           SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${ALL_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})
           ON CONFLICT (country_code, party_id, location_id, evse_uid, day) DO UPDATE SET ${update.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}, computed_at = now()`,
          [JSON.stringify(records.slice(i, i + 5000))],
        );
      }
      const touched = [...months.values()];
      await tx.query(
        monthsFromDays(`FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS k(cc, pid, loc, evse, month)
                        JOIN reliability_evse_days d ON ${JOIN} AND d.day >= k.month AND d.day < (k.month + interval '1 month')::date`),
        [...keysOf(touched.map(([ref]) => ref)), touched.map(([, month]) => month)],
      );
    });
    return records.length;
  }

  /**
   * The stored days of [whole.from, whole.to) summed per EVSE, in SQL (what DaysAggregate holds), with the
   * number of days found: an EVSE missing a day there has fewer.
   */
  aggregate(refs: EvseRef[], whole: Interval): Promise<Map<string, CountedAggregate>> {
    return this.sums(refs, whole, { table: 'reliability_evse_days', unit: 'day', days: 'count(*)', last: `$6::date - 1` });
  }

  /**
   * The stored months of [months.from, months.to) (UTC month starts) summed per EVSE, as `aggregate` sums
   * days, with the number of days they hold: an EVSE missing a day or a month there has fewer.
   */
  aggregateMonths(refs: EvseRef[], months: Interval): Promise<Map<string, CountedAggregate>> {
    return this.sums(refs, months, { table: 'reliability_evse_months', unit: 'month', days: 'sum(d.days)', last: `($6::date - interval '1 month')::date` });
  }

  /** Rows of day or month totals of [range.from, range.to) summed per EVSE, with the first rows' edges and the last row's carry. */
  private async sums(refs: EvseRef[], range: Interval, t: { table: string; unit: 'day' | 'month'; days: string; last: string }): Promise<Map<string, CountedAggregate>> {
    const pick = (column: string, row: string) => `(SELECT d.${column} FROM ${t.table} d WHERE ${JOIN.replace(/k\./g, 'a.')} AND d.${t.unit} = ${row})`;
    const rows: Record<string, unknown>[] = await this.deps.db.query(
      `WITH ${KEYS_CTE},
       a AS (SELECT k.cc, k.pid, k.loc, k.evse, (${t.days})::int AS days,
                    ${NUMERIC.map((c) => `sum(d.${c})::float8 AS ${c}`).join(', ')},
                    jsonb_agg(d.abnormal_by_reason) FILTER (WHERE d.abnormal_by_reason IS NOT NULL) AS reasons,
                    min(d.${t.unit}) FILTER (WHERE d.known) AS first_known, min(d.${t.unit}) FILTER (WHERE d.has_meter) AS first_meter
               FROM k JOIN ${t.table} d ON ${JOIN} AND d.${t.unit} >= $5::date AND d.${t.unit} < $6::date
              GROUP BY k.cc, k.pid, k.loc, k.evse)
       SELECT a.*,
              ${pick('carry_retries', '$5::date')} AS first_retries,
              ${pick('carry_failure', 'a.first_known')} AS first_known_failure,
              ${pick('carry_meter_anomaly', 'a.first_meter')} AS first_meter_anomaly,
              ${pick('carry_out', t.last)} AS last_carry
         FROM a`,
      [...keysOf(refs), dayOf(range.from), dayOf(range.to)],
    );
    const out = new Map<string, CountedAggregate>();
    for (const r of rows) {
      const reasons: Record<string, number> = {};
      for (const byReason of (r.reasons as Record<string, number>[] | null) ?? []) for (const [reason, n] of Object.entries(byReason)) reasons[reason] = (reasons[reason] ?? 0) + n;
      out.set(`${r.cc}/${r.pid}/${r.loc}/${r.evse}`, {
        days: r.days as number,
        totals: totalsOf(NUMERIC.map((c) => r[c] as number), reasons),
        firstCarryRetries: (r.first_retries as [number, 0 | 1][] | null) ?? [],
        firstKnownCarryFailure: (r.first_known_failure as 0 | 1 | null) ?? null,
        firstMeterCarryAnomaly: (r.first_meter_anomaly as 0 | 1 | null) ?? null,
        lastCarryOut: (r.last_carry as DayCarryOut | null) ?? { lastKnown: undefined, drivers: [] },
      });
    }
    return out;
  }

  /**
   * Each EVSE's stored days of [from, to) as the health fold reads them (HealthWindow: the HEALTH_TOTALS
   * columns, the meter edge, the streak, the end status; and the last day's meter carry), in day order.
   * The health needs 12 of the 31 totals and none of the JSON edges; each day comes as one line of
   * numbers led by its day's offset (so no ordering in SQL), which PostgreSQL writes and we split faster
   * than JSON arrays (measured: docs/reliability.md, "Month totals").
   */
  async healthWindow(refs: EvseRef[], period: Interval): Promise<Map<string, HealthWindow>> {
    const rows: { cc: string; pid: string; loc: string; evse: string; d: string | null; last_meter: MeterReading | null }[] = await this.deps.db.query(
      `WITH ${KEYS_CTE}
       SELECT k.cc, k.pid, k.loc, k.evse,
              (SELECT string_agg(concat_ws(',', d.day - $5::date, ${HEALTH_COLUMNS.map(([, key]) => `d.${snake(key)}`).join(', ')},
                                           d.has_meter::int, d.carry_meter_anomaly, d.streak_succeeded::int, d.streak_not_started, d.end_status), ';')
                 FROM reliability_evse_days d WHERE ${JOIN} AND d.day >= $5::date AND d.day < $6::date) AS d,
              (SELECT d.carry_out->'meter' FROM reliability_evse_days d WHERE ${JOIN} AND d.day = $6::date - 1) AS last_meter
         FROM k`,
      [...keysOf(refs), dayOf(period.from), dayOf(period.to)],
    );
    const out = new Map<string, HealthWindow>();
    const n = HEALTH_COLUMNS.length;
    for (const r of rows) {
      const days = (r.d ? r.d.split(';') : [])
        .map((line) => {
          const a = line.split(',');
          return {
            day: period.from + Number(a[0]) * DAY_MS,
            totals: totalsOf(a.slice(1, n + 1).map(Number), null, HEALTH_COLUMNS),
            meter: a[n + 1] === '1',
            carryMeterAnomaly: Number(a[n + 2]) as 0 | 1,
            streak: { succeeded: a[n + 3] === '1', notStartedSince: Number(a[n + 4]) },
            endStatus: a[n + 5] as EvseStatus | 'NO_DATA',
          };
        })
        .sort((x, y) => x.day - y.day);
      out.set(`${r.cc}/${r.pid}/${r.loc}/${r.evse}`, { days, ...(r.last_meter && { lastMeter: r.last_meter }) });
    }
    return out;
  }
}
