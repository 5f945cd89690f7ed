/**
 * bench:health, part 2 — the reliability adapter over PostgreSQL beside the pure core on the same EVSEs.
 *
 * BENCH_DB_EVSES simulated partner EVSEs (default 200; the machine is shared) get a year of facts written
 * to a fresh database the way the hub stores them: every status change in evse_status_history, every
 * attempt as an OCPI session in ocpi_objects, the hub's restarts as runs in hub_presence. Then the
 * report the admin API serves (ReliabilityReport: SQL reads per batch of 500 EVSEs, the core's period
 * totals and the 45-day health) runs over the year, and the pure core alone does the same work on the
 * same histories in memory. Both times are per EVSE and extrapolated to 10,000 EVSEs; both must agree.
 * Then the reliability-days job stores the year's days and months, the report runs from month totals
 * and, as the baseline, from day totals only; both are copied to BENCH_DAYS_EVSES EVSEs (default 10,000)
 * and the report over the year runs for real, each way, beside the steps timed apart (the sums of days
 * and of months, the health's window read whole as before and narrowly).
 */
import { openDatabase } from '../src/db/data-source';
import { assessEvse, type EvseHistory, simulateNetwork, wholeHistory, type Interval } from '../src/core/reliability/reliability-core';
import { ReliabilityFacts } from '../src/hub/reliability/reliability-facts';
import { REPORT_BATCH, ReliabilityReport } from '../src/hub/reliability/reliability-report';
import { EvseStatusHistory } from '../src/hub/reliability/evse-status-history';
import { ReliabilityDays } from '../src/hub/reliability/reliability-days-store';
import type { EvseRef } from '../src/hub/reliability/reliability-facts';
import type { DataSource } from 'typeorm';
import { benchDatabase, reportFigure } from './support';

const LATE_DAYS_NOTE = 'yesterday and 7 days again';
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

export async function storageBench(start: number, days: number, seed: number): Promise<void> {
  const evses = Number(process.env.BENCH_DB_EVSES ?? 200);
  const year: Interval = { from: start, to: start + days * 86_400_000 };
  const database = await benchDatabase();
  const db = await openDatabase({ url: database.url, poolSize: 4 });
  try {
    const histories: EvseHistory[] = [];
    let gaps: Interval[] = [];
    let rows = 0;
    const t0 = performance.now();
    for (const sim of simulateNetwork({ seed, evses, days, start })) {
      const h: EvseHistory = { ...sim.identity, ...wholeHistory(sim), kind: 'partner', cpoId: 'NL/CP' + sim.identity.cpoId.slice(-1).toUpperCase() };
      // The stored form knows no offline intervals, faults, reboots, power or meter of a partner EVSE.
      h.offline = [];
      h.faults = [];
      h.reboots = [];
      h.power = [];
      h.meter = [];
      h.attempts = h.attempts.filter((a) => a.authorization !== 'refused_token').map(({ stopReason: _, expectedEnergyWh: __, ...a }) => a);
      h.evseId = `${h.cpoId}/${h.locationId}/${h.evseId}`;
      gaps = h.hubGaps;
      histories.push(h);
      const [cc, pid] = h.cpoId.split('/');
      const uid = h.evseId.split('/').slice(3).join('/');
      await db.query(
        `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
         SELECT $1, $2, $3, $4, false, s.status, s.at, coalesce(s.received, s.at), $5 FROM unnest($6::text[], $7::timestamptz[], $8::timestamptz[]) AS s(status, at, received)`,
        [cc, pid, h.locationId, uid, h.maxPowerKw, h.statuses.map((s) => s.status), h.statuses.map((s) => new Date(s.at)), h.statuses.map((s) => (s.receivedAt === undefined ? null : new Date(s.receivedAt)))],
      );
      const sessions = h.attempts.map((a) => ({
        id: `${uid}-${a.id}`.slice(0, 36),
        location_id: h.locationId,
        evse_uid: uid,
        status: a.endedAt === undefined ? 'ACTIVE' : (a.ocpiEndStatus ?? 'COMPLETED'),
        kwh: a.startedAt === undefined ? 0 : (a.energyWh ?? 1000) / 1000,
        start_date_time: new Date(a.at).toISOString(),
        ...(a.endedAt !== undefined && { end_date_time: new Date(a.endedAt).toISOString() }),
        ...(a.driverKey && { cdr_token: { uid: a.driverKey } }),
      }));
      await db.query(
        `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated)
         SELECT 'sessions', $1, $2, s->>'id', s, (s->>'start_date_time')::timestamptz FROM jsonb_array_elements($3::jsonb) s`,
        [cc, pid, JSON.stringify(sessions)],
      );
      rows += h.statuses.length + sessions.length;
    }
    // The hub's runs: the year minus its restarts.
    let runStart = start - 86_400_000;
    for (const g of [...gaps].sort((a, b) => a.from - b.from)) {
      await db.query(`INSERT INTO hub_presence VALUES ('bench:1', $1, $2)`, [new Date(runStart), new Date(g.from - 120_000)]);
      runStart = g.to;
    }
    await db.query(`INSERT INTO hub_presence VALUES ('bench:1', $1, $2)`, [new Date(runStart), new Date(year.to + 86_400_000)]);
    await new EvseStatusHistory({ db, ownCpo: { countryCode: 'XX', partyId: 'OWN' } }).rebuildCurrent();
    await db.query(`ANALYZE`);
    const writeMs = performance.now() - t0;

    const facts = new ReliabilityFacts({ db, ownCpo: { countryCode: 'XX', partyId: 'OWN' }, now: () => new Date(year.to + 86_400_000) });
    const t1 = performance.now();
    const report = await new ReliabilityReport(facts).run({}, year);
    const adapterMs = performance.now() - t1;
    // The same reading once more, each query timed (which fact kind costs what).
    const perQuery: string[] = [];
    const query = db.query.bind(db);
    db.query = (async (sql: string, params?: unknown[]) => {
      const t = performance.now();
      const result = await query(sql, params);
      perQuery.push(`${/FROM (\w+)/.exec(sql.replace(/unnest|k\b/g, ''))?.[1] ?? '?'} ${fmt(performance.now() - t)}`);
      return result;
    }) as typeof db.query;
    const loadT = performance.now();
    const refs = await facts.evses({});
    const loaded = await facts.histories(refs, year);
    const loadMs = performance.now() - loadT;
    db.query = query;
    const t2 = performance.now();
    const core = histories.map((h) => assessEvse({ ...h, hubGaps: loaded[0]?.hubGaps ?? h.hubGaps }, year));
    const coreMs = performance.now() - t2;
    const byKey = new Map(report.evses.map((e) => [e.evse, e]));
    const disagree = histories.filter((h, i) => {
      const e = byKey.get(h.evseId);
      return !e || e.attempts !== core[i].totals.sessions.attempts || e.figures.successRate !== (core[i].totals.sessions.attempts ? core[i].totals.sessions.successes / core[i].totals.sessions.attempts : null);
    }).length;

    console.log('');
    console.log(`adapter over PostgreSQL: ${evses} partner EVSEs × ${days} days, ${rows.toLocaleString('en')} rows (status changes, sessions), written in ${fmt(writeMs)}`);
    console.log(`  report (SQL reads + core, period totals and 45-day health): ${fmt(adapterMs)} = ${(adapterMs / evses).toFixed(1)} ms per EVSE-year → 10,000 EVSEs: ${fmt((adapterMs / evses) * 10_000)} (extrapolated)`);
    console.log(`    of which reading the facts: ${fmt(loadMs)} (${(loadMs / evses).toFixed(1)} ms per EVSE-year; queries: ${perQuery.join(', ')})`);
    console.log(`  pure core on the same histories in memory: ${fmt(coreMs)} = ${(coreMs / evses).toFixed(1)} ms per EVSE-year → 10,000 EVSEs: ${fmt((coreMs / evses) * 10_000)}`);
    console.log(`  attempts and success rates agree: ${disagree === 0 ? 'yes' : `NO (${disagree} EVSEs differ)`}`);

    // Day totals: the nightly job's catch-up over the year (days and, in the same transactions, their months), then the report from them.
    const store = new ReliabilityDays({ db, facts, now: () => new Date(year.to + 86_400_000) });
    const tc = performance.now();
    const caught = await store.catchUp(year.to);
    const catchUpMs = performance.now() - tc;
    const td = performance.now();
    const viaDays = await new ReliabilityReport(facts, store, { monthTotals: false }).run({}, year);
    const daysMs = performance.now() - td;
    const tm = performance.now();
    const viaMonths = await new ReliabilityReport(facts, store).run({}, year);
    const monthsMs = performance.now() - tm;
    const same = JSON.stringify(viaDays) === JSON.stringify(report);
    const sameMonths = JSON.stringify(viaMonths) === JSON.stringify(report);
    console.log('');
    console.log(
      `day and month totals (reliability_evse_days, reliability_evse_months): catch-up of ${caught.rows.toLocaleString('en')} EVSE-days and their months in ${fmt(catchUpMs)} (${((catchUpMs / caught.rows) * 1000).toFixed(0)} µs per EVSE-day; one night of 10,000 EVSEs, ${LATE_DAYS_NOTE}: ${fmt((catchUpMs / caught.rows) * 10_000 * 8)})`,
    );
    console.log(`  report over the year, ${evses} EVSEs: from month totals ${fmt(monthsMs)}, from day totals ${fmt(daysMs)}, from the facts ${fmt(adapterMs)}; the same report: ${same && sameMonths ? 'yes' : `NO (days ${same}, months ${sameMonths})`}`);

    // 10,000 EVSEs for real: the stored days and months copied under other locations (the facts are not needed any more).
    const target = Number(process.env.BENCH_DAYS_EVSES ?? 10_000);
    const copies = Math.max(0, Math.ceil(target / evses) - 1);
    const columnsOf = async (table: string): Promise<string[]> =>
      (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table])).map((c: { column_name: string }) => c.column_name);
    const tw = performance.now();
    const copy = (table: string, cols: string[]) =>
      db.query(`INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.map((c) => (c === 'location_id' ? `location_id || '~' || n` : c)).join(', ')} FROM ${table} CROSS JOIN generate_series(1, $1::int) n`, [copies]);
    await copy('reliability_evse_days', await columnsOf('reliability_evse_days'));
    await copy('reliability_evse_months', await columnsOf('reliability_evse_months'));
    await copy('evse_status_current', ['country_code', 'party_id', 'location_id', 'evse_uid', 'own', 'status', 'received_at', 'max_power_kw']);
    await db.query(`VACUUM ANALYZE reliability_evse_days`);
    await db.query(`VACUUM ANALYZE reliability_evse_months`);
    await db.query(`ANALYZE evse_status_current`);
    const [{ n: dayRows }] = await db.query(`SELECT count(*)::int AS n FROM reliability_evse_days`);
    const [{ n: monthRows }] = await db.query(`SELECT count(*)::int AS n FROM reliability_evse_months`);
    const copyMs = performance.now() - tw;
    // Each way twice, alternating (the first run of each warms the cache); the second run of each is the figure.
    const runs = { days: [] as number[], months: [] as number[] };
    let big: Awaited<ReturnType<ReliabilityReport['run']>> | undefined;
    let bigDays: typeof big;
    for (let i = 0; i < 2; i++) {
      let t = performance.now();
      bigDays = await new ReliabilityReport(facts, store, { monthTotals: false }).run({}, year);
      runs.days.push(performance.now() - t);
      t = performance.now();
      big = await new ReliabilityReport(facts, store).run({}, year);
      runs.months.push(performance.now() - t);
    }
    const n = big!.evses.length;
    const bigSame = JSON.stringify(big) === JSON.stringify(bigDays);
    console.log(
      `  ${n.toLocaleString('en')} EVSEs × ${days} days from ${dayRows.toLocaleString('en')} stored days and ${monthRows.toLocaleString('en')} stored months (copied in ${fmt(copyMs)}):`,
    );
    console.log(`    from month totals: report ${fmt(runs.months[0])}, again ${fmt(runs.months[1])}`);
    console.log(`    from day totals (baseline): report ${fmt(runs.days[0])}, again ${fmt(runs.days[1])}; the same report: ${bigSame ? 'yes' : 'NO'}`);

    // Where the time goes, per step over the same EVSEs in batches of the report's size: the sums and the health's window.
    const refs10k = await facts.evses({});
    const timeBatches = async (step: (batch: typeof refs10k) => Promise<unknown>) => {
      const t = performance.now();
      for (let i = 0; i < refs10k.length; i += REPORT_BATCH) await step(refs10k.slice(i, i + REPORT_BATCH));
      return performance.now() - t;
    };
    const healthFrom = year.to - 45 * 86_400_000;
    const steps = {
      daySums: await timeBatches((b) => store.aggregate(b, year)),
      monthSums: await timeBatches((b) => store.aggregateMonths(b, year)),
      wideWindow: await timeBatches((b) => wideHealthWindow(db, b, { from: healthFrom, to: year.to })),
      narrowWindow: await timeBatches((b) => store.healthWindow(b, { from: healthFrom, to: year.to })),
    };
    console.log(
      `    steps, one after another over the ${n.toLocaleString('en')} EVSEs: sums of 365 stored days ${fmt(steps.daySums)}, of 12 stored months ${fmt(steps.monthSums)}; the 45-day health window as whole JSON rows (the read before) ${fmt(steps.wideWindow)}, narrow (HEALTH_TOTALS) ${fmt(steps.narrowWindow)}`,
    );
    const per = (ms: number) => (ms / n) * 10_000;
    const rawPer = adapterMs / evses;
    console.log(
      `  → a year over 10,000 EVSEs: ${fmt(per(runs.months[1]))} from month totals, measured; from day totals ${fmt(per(runs.days[1]))} (same run) → ${(runs.days[1] / runs.months[1]).toFixed(1)}× faster; from the facts ${fmt(rawPer * 10_000)} (${evses} EVSEs measured above, extrapolated)`,
    );
    reportFigure({
      figure: 'reliability report, 10,000 EVSEs × a year, from month totals',
      value: per(runs.months[1]) / 1000,
      unit: 's',
      baseline: per(runs.days[1]) / 1000,
      baselineName: 'from day totals (same run)',
      goal: { atMost: 10, text: 'a few seconds' },
    });
    reportFigure({
      figure: 'reliability report, 10,000 EVSEs × a year, from day totals',
      value: per(runs.days[1]) / 1000,
      unit: 's',
      baseline: rawPer * 10,
      baselineName: `from the facts (${evses} EVSEs, extrapolated)`,
    });
  } finally {
    await db.destroy();
    await database.close();
  }
}

/**
 * The baseline of the narrow health read: the health's window as the report read it before
 * (ReliabilityDays.window until month totals): every column of each stored day, JSON edges included,
 * one JSON text per EVSE, parsed.
 */
async function wideHealthWindow(db: DataSource, refs: EvseRef[], period: Interval): Promise<number> {
  const numeric = [
    'period_ms', 'uk_reliable_ms', 'uk_not_reliable_ms', 'uk_ineligible_ms', 'uk_excluded_ms', 'unmeasured_ms', 'nevi_up_ms', 'nevi_outage_ms', 'nevi_excluded_outage_ms',
    'not_in_service_ms', 'failures', 'attempts', 'successes', 'not_started', 'ended_abnormally', 'pending', 'refused_tokens', 'visits', 'first_attempt_successes',
    'delivered_wh', 'expected_wh', 'power_samples', 'power_shortfalls', 'meter_anomalies', 'faults', 'reboots', 'disconnects',
  ];
  const rows: { d: string | null }[] = await db.query(
    `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(cc, pid, loc, evse))
     SELECT k.cc, k.pid, k.loc, k.evse,
            (SELECT json_agg(json_build_array((extract(epoch FROM d.day) * 1000)::bigint, ${numeric.map((c) => `d.${c}`).join(', ')},
                                              d.abnormal_by_reason, d.known, d.carry_failure, d.carry_retries, d.has_meter, d.carry_meter_anomaly,
                                              d.streak_succeeded, d.streak_not_started, d.end_status, d.carry_out) ORDER BY d.day)::text
               FROM reliability_evse_days d
              WHERE d.country_code = k.cc AND d.party_id = k.pid AND d.location_id = k.loc AND d.evse_uid = k.evse AND d.day >= $5::date AND d.day < $6::date) AS d
       FROM k`,
    [refs.map((r) => r.countryCode), refs.map((r) => r.partyId), refs.map((r) => r.locationId), refs.map((r) => r.evseUid), new Date(period.from).toISOString().slice(0, 10), new Date(period.to).toISOString().slice(0, 10)],
  );
  let days = 0;
  for (const r of rows) days += (r.d ? (JSON.parse(r.d) as unknown[]) : []).length;
  return days;
}
