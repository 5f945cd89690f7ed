/**
 * npm run bench:settlement — settlement of 1,000,000 CDRs beside a plain SQL aggregate over the same
 * rows, and the pricing engine's CDRs per second beside a trivial baseline, measured in the same run.
 *
 *   1. 1,000,000 CDRs (99 % normal, 1 % credit CDRs of them) of 100 CPO/eMSP pairs in one month are
 *      generated in the database (generate_series; realistic OCPI JSON of about 2 kB, with a carried
 *      tariff and two charging periods), each with its re-rating (1 % mismatches), then VACUUM ANALYZE.
 *      Storing them also fills the typed amounts a run reads (settlement_cdr_amounts, by trigger).
 *   2. Baseline: the plain aggregate (count, net and gross per CPO, eMSP and currency of the month) over
 *      the stored CDRs, written two ways (data->… and jsonb_to_record); the faster one is the baseline.
 *      Beside it, not as the baseline, the same aggregate over the typed amounts: what the run adds to
 *      reading them.
 *   3. The settlement run of that month (one transaction: 1,000,000 lines, netting, totals, versions),
 *      from no statements. Steps 2 and 3 alternate three times and each side reports its best (the
 *      machine may be shared); then a run over the same CDRs (no change: no new version).
 *   Last, what the typed amounts cost a CDR's intake: single-row INSERTs of stored CDRs' JSON with and
 *   without the projection's trigger (rolled back).
 *   4. priceSession(toPricingInput(…)) over multi-period CDRs of the spec's tariff_4_complex, beside a
 *      naive float loop over the same periods (best of 3 each, interleaved).
 * BENCH_CDRS (default 1,000,000; 0 runs the pricing part only), BENCH_PRICING_CDRS (default 200,000). DATABASE_URL, else embedded PostgreSQL.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../src/db/data-source';
import { createLogger } from '../src/foundation/log';
import { parsePeriodLabel, type Period } from '../src/core/settlement/settlement-core';
import { DEFAULT_PRICING_POLICY, priceSession, toPricingInput, validateTariff, type CdrForPricing, type Tariff } from '../src/core/pricing/pricing-core';
import { SettlementService } from '../src/hub/settlement/settlement.service';
import { example } from '../test/support/network';
import { benchDatabase, reportFigure } from './support';

const CDRS = Number(process.env.BENCH_CDRS ?? 1_000_000);
const PRICING_CDRS = Number(process.env.BENCH_PRICING_CDRS ?? 200_000);
const PAIRS = 100; // 10 CPOs × 10 eMSPs
/** Samples of each side, the best of which is reported. */
const SAMPLES = 3;
const MARCH = parsePeriodLabel('2024-03', 'monthly') as Period;

const print = (text: string) => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/**
 * The CDRs, straight into the hub's store. Originals are CDR<i>; every 99th is credited by
 * CDR<i>-C (same CPO, eMSP and data, negative total_cost): 990,000 + 10,000 = 1,000,000.
 */
const GENERATE = `
  WITH numbered AS (
    SELECT i, i % ${PAIRS} AS pair,
           timestamptz '2024-03-01' + ((i::bigint * 7919) % 2676000) * interval '1 second' AS started,
           1800 + (i * 31) % 7200 AS duration_s,
           round((5 + (i * 13) % 5000 / 100.0)::numeric, 3) AS kwh
      FROM generate_series(1, $1::int) AS i
  ),
  cdrs AS (
    SELECT i, pair, started, started + duration_s * interval '1 second' AS ended, kwh, round(duration_s / 3600.0, 4) AS hours,
           round(kwh * 0.25 + duration_s / 3600.0 * 1.0, 2) AS excl
      FROM numbered
  )
  INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated)
  SELECT 'cdrs', 'NL', 'C' || lpad((pair % 10)::text, 2, '0'), 'CDR' || i,
         jsonb_build_object(
           'country_code', 'NL', 'party_id', 'C' || lpad((pair % 10)::text, 2, '0'), 'id', 'CDR' || i,
           'start_date_time', to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'end_date_time', to_char(ended AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'session_id', 'SES' || i,
           'cdr_token', jsonb_build_object('country_code', 'DE', 'party_id', 'E' || lpad((pair / 10)::text, 2, '0'), 'uid', 'U' || (i % 50000),
                                           'type', 'RFID', 'contract_id', 'DE-E' || lpad((pair / 10)::text, 2, '0') || '-C' || (i % 50000)),
           'auth_method', 'WHITELIST',
           'cdr_location', jsonb_build_object('id', 'LOC' || (i % 2000), 'name', 'Station ' || (i % 2000), 'address', 'Keizersgracht ' || (i % 500),
             'city', 'Amsterdam', 'postal_code', '1015CJ', 'country', 'NLD',
             'coordinates', jsonb_build_object('latitude', '52.370216', 'longitude', '4.895168'),
             'evse_uid', 'EVSE' || (i % 8000), 'evse_id', 'NL*C00*E' || (i % 8000), 'connector_id', '1',
             'connector_standard', 'IEC_62196_T2', 'connector_format', 'SOCKET', 'connector_power_type', 'AC_3_PHASE'),
           'currency', 'EUR',
           'tariffs', jsonb_build_array(jsonb_build_object('country_code', 'NL', 'party_id', 'C00', 'id', 'T1', 'currency', 'EUR',
             'elements', jsonb_build_array(jsonb_build_object('price_components', jsonb_build_array(
               jsonb_build_object('type', 'ENERGY', 'price', 0.25, 'vat', 21.0, 'step_size', 1),
               jsonb_build_object('type', 'TIME', 'price', 1.00, 'vat', 21.0, 'step_size', 60)))),
             'last_updated', '2024-01-01T00:00:00Z')),
           'charging_periods', jsonb_build_array(
             jsonb_build_object('start_date_time', to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'tariff_id', 'T1',
               'dimensions', jsonb_build_array(jsonb_build_object('type', 'ENERGY', 'volume', round(kwh / 2, 3)), jsonb_build_object('type', 'TIME', 'volume', round(hours / 2, 4)))),
             jsonb_build_object('start_date_time', to_char((started + (ended - started) / 2) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'tariff_id', 'T1',
               'dimensions', jsonb_build_array(jsonb_build_object('type', 'ENERGY', 'volume', kwh - round(kwh / 2, 3)), jsonb_build_object('type', 'TIME', 'volume', hours - round(hours / 2, 4))))),
           'total_cost', jsonb_build_object('excl_vat', excl, 'incl_vat', round(excl * 1.21, 2)),
           'total_energy', kwh, 'total_energy_cost', jsonb_build_object('excl_vat', round(kwh * 0.25, 2)),
           'total_time', hours, 'total_time_cost', jsonb_build_object('excl_vat', round(hours * 1.0, 2)),
           'last_updated', to_char(ended AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
         ended
    FROM cdrs`;

const CREDITS = `
  INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated)
  SELECT module, country_code, party_id, object_id || '-C',
         data || jsonb_build_object('id', object_id || '-C', 'credit', true, 'credit_reference_id', object_id,
           'total_cost', jsonb_build_object('excl_vat', -(data->'total_cost'->>'excl_vat')::numeric, 'incl_vat', -(data->'total_cost'->>'incl_vat')::numeric)),
         last_updated
    FROM ocpi_objects WHERE module = 'cdrs' AND object_id ~ '^CDR[0-9]+$' AND substring(object_id from 4)::int % 99 = 0`;

const RATINGS = `
  INSERT INTO cdr_ratings (country_code, party_id, cdr_id, status, reason, tariff_id, currency, differences)
  SELECT country_code, party_id, object_id,
         CASE WHEN seq % 100 = 7 THEN 'mismatch' ELSE 'match' END,
         CASE WHEN seq % 100 = 7 THEN 'Differs from the tariff in total_cost.excl_vat' END, 'T1', 'EUR',
         CASE WHEN seq % 100 = 7 THEN '[{"field":"total_cost.excl_vat","computed":1,"reported":1.5,"difference":-0.5}]'::jsonb ELSE '[]' END
    FROM ocpi_objects WHERE module = 'cdrs'`;

/** The plain aggregate, as one would write it: count and sums per CPO, eMSP and currency of the month. */
const AGGREGATE_ARROWS = `
  SELECT owner, upper(data->'cdr_token'->>'country_code') || '/' || upper(data->'cdr_token'->>'party_id') AS emsp, data->>'currency' AS currency,
         count(*), sum((data->'total_cost'->>'excl_vat')::numeric) AS net, sum((data->'total_cost'->>'incl_vat')::numeric) AS gross
    FROM ocpi_objects
   WHERE module = 'cdrs' AND (data->>'end_date_time')::timestamptz >= $1::date AND (data->>'end_date_time')::timestamptz < $2::date
   GROUP BY 1, 2, 3`;

const AGGREGATE_RECORD = `
  SELECT o.owner, upper(c.cdr_token->>'country_code') || '/' || upper(c.cdr_token->>'party_id') AS emsp, c.currency,
         count(*), sum((c.total_cost->>'excl_vat')::numeric) AS net, sum((c.total_cost->>'incl_vat')::numeric) AS gross
    FROM ocpi_objects o, jsonb_to_record(o.data) AS c(cdr_token jsonb, currency text, end_date_time text, total_cost jsonb)
   WHERE o.module = 'cdrs' AND c.end_date_time::timestamptz >= $1::date AND c.end_date_time::timestamptz < $2::date
   GROUP BY 1, 2, 3`;

/** The same aggregate over the typed amounts the hub keeps per CDR (not the baseline: the JSON is what is stored). */
const AGGREGATE_TYPED = `
  SELECT owner, emsp, currency, count(*), sum(excl_vat) AS net, sum(incl_vat) AS gross
    FROM settlement_cdr_amounts
   WHERE end_date_time >= $1::date AND end_date_time < $2::date
   GROUP BY 1, 2, 3`;

const INTAKE_CDRS = 2000;

/**
 * Milliseconds per single-row INSERT of a CDR (the bodies given, new ids), one statement each in one
 * transaction that is rolled back; without the projection, its insert trigger is disabled inside it.
 */
async function singleRowInsertMs(db: DataSource, bodies: string[], withProjection: boolean): Promise<number> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    if (!withProjection) await runner.query(`ALTER TABLE ocpi_objects DISABLE TRIGGER settlement_cdr_amounts_insert`);
    const started = performance.now();
    for (const [i, body] of bodies.entries()) {
      await runner.query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('cdrs', 'NL', 'C00', $1, $2, now())`, [
        `INTAKE${i}`,
        body,
      ]);
    }
    return (performance.now() - started) / bodies.length;
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

async function settlementBench(): Promise<void> {
  const database = await benchDatabase();
  const db = await openDatabase({ url: database.url, poolSize: 4 });
  try {
    await db.query(`SET timezone = 'UTC'`);
    const originals = Math.round(CDRS * 0.99);
    const generated = await timed(async () => {
      await db.query(GENERATE, [originals]);
      await db.query(CREDITS);
      await db.query(RATINGS);
    });
    await db.query(`VACUUM ANALYZE ocpi_objects`);
    await db.query(`VACUUM ANALYZE cdr_ratings`);
    await db.query(`VACUUM ANALYZE settlement_cdr_amounts`);
    const [{ rows, size }] = await db.query(
      `SELECT count(*)::int AS rows, pg_size_pretty(pg_total_relation_size('ocpi_objects')) AS size FROM ocpi_objects WHERE module = 'cdrs'`,
    );
    print(`generated ${rows.toLocaleString('en')} CDRs (${size}) with their ratings in ${seconds(generated.ms)}`);

    const aggregates = [['data->…', AGGREGATE_ARROWS], ['jsonb_to_record', AGGREGATE_RECORD]] as const;
    const samples = new Map<string, { ms: number[]; groups: number }>(aggregates.map(([name]) => [name, { ms: [], groups: 0 }]));
    const settlement = new SettlementService(db, { periodKind: 'monthly', log: createLogger('silent') });
    const typedMs: number[] = [];
    const runs: number[] = [];
    let first!: Awaited<ReturnType<typeof settlement.run>>;
    // Best of 3 on both sides, interleaved (aggregates, then a run, three times), so a spell of load on the
    // shared machine falls on both; each run starts from no statements, so each does a first run's work.
    for (let round = 0; round < SAMPLES; round++) {
      for (const [name, sql] of aggregates) {
        const { ms, value } = await timed(() => db.query(sql, [MARCH.start, MARCH.end]));
        samples.get(name)!.ms.push(ms);
        samples.get(name)!.groups = value.length;
      }
      typedMs.push((await timed(() => db.query(AGGREGATE_TYPED, [MARCH.start, MARCH.end]))).ms);
      await db.query(`TRUNCATE settlement_statement_versions, settlement_statements, settlement_runs CASCADE`);
      const run = await timed(() => settlement.run(MARCH));
      runs.push(run.ms);
      first = run.value;
    }
    const again = await timed(() => settlement.run(MARCH));
    const [{ lines }] = await db.query(`SELECT sum(line_count)::int AS lines FROM settlement_statement_versions`);
    const baselines = [...samples].map(([name, { ms, groups }]) => ({ name, ms: Math.min(...ms), groups }));
    const baseline = baselines.reduce((best, b) => (b.ms < best.ms ? b : best));
    const runMs = Math.min(...runs);
    const typedBest = Math.min(...typedMs);

    const bodies: string[] = (await db.query(`SELECT data::text AS body FROM ocpi_objects WHERE module = 'cdrs' LIMIT ${INTAKE_CDRS}`)).map((r: { body: string }) => r.body);
    const intake = { with: Infinity, without: Infinity };
    for (let round = 0; round < SAMPLES; round++) {
      intake.with = Math.min(intake.with, await singleRowInsertMs(db, bodies, true));
      intake.without = Math.min(intake.without, await singleRowInsertMs(db, bodies, false));
    }

    print('');
    print(`| measure (${rows.toLocaleString('en')} CDRs, ${PAIRS} CPO/eMSP pairs, one month) | time |`);
    print('|---|---|');
    for (const b of baselines) print(`| plain SQL aggregate (${b.name}; ${b.groups} groups), best of ${SAMPLES} | ${seconds(b.ms)} |`);
    print(`| settlement run: ${first.statements.length} statements, ${lines.toLocaleString('en')} lines, netting, totals, one transaction, best of ${SAMPLES} (${runs.map(seconds).join(', ')}) | ${seconds(runMs)} |`);
    print(`| settlement re-run over the same CDRs (no new version) | ${seconds(again.ms)} |`);
    print(`| not the baseline: the plain aggregate over the typed amounts (settlement_cdr_amounts), best of ${SAMPLES} | ${seconds(typedBest)} |`);
    print('');
    print(`settlement / plain aggregate = ${(runMs / baseline.ms).toFixed(2)}x (goal <= 1.5x; baseline: ${baseline.name})`);
    print(`settlement / plain aggregate over the same typed amounts = ${(runMs / typedBest).toFixed(2)}x (the run's own work beyond reading them)`);
    const perCdr = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
    print(`intake: a single-row CDR INSERT takes ${perCdr(intake.with)} with the typed amounts kept, ${perCdr(intake.without)} without (+${perCdr(intake.with - intake.without)}; best of ${SAMPLES} × ${bodies.length.toLocaleString('en')}, one transaction)`);
    reportFigure({ figure: `settlement run of ${rows.toLocaleString('en')} CDRs`, value: runMs / 1000, unit: 's', baseline: baseline.ms / 1000, baselineName: `plain SQL aggregate (${baseline.name})`, goal: { ratioAtMost: 1.5, text: '≤ 1.5× plain aggregate' } });
    print(`(load average over the last minute: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores; other work on the machine moves both figures)`);
    if (again.value.statements.some((s) => s.changed)) throw new Error('the re-run wrote new versions over unchanged CDRs');
  } finally {
    await db.destroy();
    await database.close();
  }
}

/** Multi-period CDRs for tariff_4_complex: charging above and below 32 A, then parking, at varied times. */
function pricingCdrs(count: number): CdrForPricing[] {
  const cdrs: CdrForPricing[] = [];
  for (let i = 0; i < count; i++) {
    let at = Date.UTC(2024, 2, 1, 6) + ((i * 7919) % (28 * 86_400)) * 1000;
    const start = at;
    const stretch = (minutes: number, dimensions: { type: string; volume: number }[]) => {
      const period = { start_date_time: new Date(at).toISOString(), dimensions };
      at += minutes * 60_000;
      return period;
    };
    const fast = 20 + (i % 40);
    const slow = 10 + (i % 30);
    const parking = i % 3 === 0 ? 0 : 15 + (i % 50);
    const periods = [
      stretch(fast, [{ type: 'TIME', volume: fast / 60 }, { type: 'ENERGY', volume: fast * 0.35 }, { type: 'MIN_CURRENT', volume: 32 }, { type: 'MAX_CURRENT', volume: 48 }]),
      stretch(slow, [{ type: 'TIME', volume: slow / 60 }, { type: 'ENERGY', volume: slow * 0.12 }, { type: 'MIN_CURRENT', volume: 8 }, { type: 'MAX_CURRENT', volume: 16 }]),
      stretch(5, [{ type: 'TIME', volume: 5 / 60 }, { type: 'ENERGY', volume: 0.4 }, { type: 'MIN_CURRENT', volume: 32 }, { type: 'MAX_CURRENT', volume: 40 }]),
    ];
    if (parking) periods.push(stretch(parking, [{ type: 'PARKING_TIME', volume: parking / 60 }]));
    cdrs.push({ start_date_time: new Date(start).toISOString(), end_date_time: new Date(at).toISOString(), charging_periods: periods as CdrForPricing['charging_periods'] });
  }
  return cdrs;
}

function pricingBench(): void {
  const checked = validateTariff(example('tariff_4_complex.json'));
  if (!checked.ok) throw new Error('tariff_4_complex does not validate');
  const tariff: Tariff = checked.tariff;
  const cdrs = pricingCdrs(1000);
  // Trivial baseline: what any per-CDR loop over the periods costs (floats, no restrictions, no steps).
  const naive = () => {
    let total = 0;
    for (let i = 0; i < PRICING_CDRS; i++) {
      for (const period of cdrs[i % cdrs.length].charging_periods) {
        for (const d of period.dimensions) total += d.type === 'TIME' ? d.volume * 1.5 : d.type === 'PARKING_TIME' ? d.volume * 5 : 0;
      }
      total += 2.5;
    }
    return total;
  };
  let periods = 0;
  const engine = () => {
    let checksum = 0;
    for (let i = 0; i < PRICING_CDRS; i++) {
      const cdr = cdrs[i % cdrs.length];
      periods += cdr.charging_periods.length;
      const breakdown = priceSession(toPricingInput(tariff, cdr, 'Europe/Berlin'), DEFAULT_PRICING_POLICY);
      checksum += breakdown.total_cost.excl_vat;
    }
    return checksum;
  };
  engine(); // warm up the JIT on both before timing
  naive();
  // Best of 3 on both sides, interleaved, as for settlement.
  let engineMs = Infinity;
  let naiveMs = Infinity;
  for (let round = 0; round < SAMPLES; round++) {
    periods = 0;
    const t0 = performance.now();
    engine();
    engineMs = Math.min(engineMs, performance.now() - t0);
    const t1 = performance.now();
    naive();
    naiveMs = Math.min(naiveMs, performance.now() - t1);
  }
  print('');
  print(`| pricing (${PRICING_CDRS.toLocaleString('en')} CDRs of tariff_4_complex, ${(periods / PRICING_CDRS).toFixed(2)} periods each) | CDRs/s |`);
  print('|---|---|');
  print(`| priceSession(toPricingInput(…)), exact, best of ${SAMPLES} | ${Math.round(PRICING_CDRS / (engineMs / 1000)).toLocaleString('en')} |`);
  print(`| trivial float loop over the same periods (baseline), best of ${SAMPLES} | ${Math.round(PRICING_CDRS / (naiveMs / 1000)).toLocaleString('en')} |`);
  print(`(goal >= 200,000 CDRs/s for the engine; load average over the last minute: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
  reportFigure({ figure: 'pricing, multi-period CDRs (tariff_4_complex)', value: PRICING_CDRS / (engineMs / 1000), unit: 'CDRs/s', baseline: PRICING_CDRS / (naiveMs / 1000), baselineName: 'trivial float loop', goal: { atLeast: 200_000, text: '≥ 200,000 CDRs/s' } });
}

async function main(): Promise<void> {
  pricingBench();
  if (CDRS > 0) await settlementBench();
}

main().catch((error) => {
  process.stderr.write(`bench:settlement failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
