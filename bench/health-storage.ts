/**
 * bench:health, part 2 — the reliability adapter over PostgreSQL beside the pure core on the same EVSEs.
 *
 * BENCH_DB_EVSES simulated partner EVSEs (default 200; the machine is shared) get a year of facts written
 * to a fresh database the way the hub stores them: every status change in evse_status_history, every
 * attempt as an OCPI session in ocpi_objects, the hub's restarts as runs in hub_presence. Then the
 * report the admin API serves (ReliabilityReport: SQL reads per batch of 500 EVSEs, the core's period
 * totals and the 45-day health) runs over the year, and the pure core alone does the same work on the
 * same histories in memory. Both times are per EVSE and extrapolated to 10,000 EVSEs; both must agree.
 */
import { openDatabase } from '../src/db/data-source';
import { assessEvse, type EvseHistory, simulateNetwork, wholeHistory, type Interval } from '../src/core/reliability/reliability-core';
import { ReliabilityFacts } from '../src/hub/reliability/reliability-facts';
import { ReliabilityReport } from '../src/hub/reliability/reliability-report';
import { EvseStatusHistory } from '../src/hub/reliability/evse-status-history';
import { ReliabilityDays } from '../src/hub/reliability/reliability-days-store';
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

    // Day totals: the nightly job's catch-up over the year, then the same report from stored days.
    const store = new ReliabilityDays({ db, facts, now: () => new Date(year.to + 86_400_000) });
    const tc = performance.now();
    const caught = await store.catchUp(year.to);
    const catchUpMs = performance.now() - tc;
    const td = performance.now();
    const viaDays = await new ReliabilityReport(facts, store).run({}, year);
    const daysMs = performance.now() - td;
    const same = JSON.stringify(viaDays) === JSON.stringify(report);
    console.log('');
    console.log(`day totals (reliability_evse_days): catch-up of ${caught.rows.toLocaleString('en')} EVSE-days in ${fmt(catchUpMs)} (${((catchUpMs / caught.rows) * 1000).toFixed(0)} µs per EVSE-day; one night of 10,000 EVSEs, ${LATE_DAYS_NOTE}: ${fmt((catchUpMs / caught.rows) * 10_000 * 8)})`);
    console.log(`  report from day totals, ${evses} EVSEs: ${fmt(daysMs)} (from the facts: ${fmt(adapterMs)}); the same report: ${same ? 'yes' : 'NO'}`);

    // 10,000 EVSEs for real: the stored days copied under other locations (the facts are not needed any more).
    const target = Number(process.env.BENCH_DAYS_EVSES ?? 10_000);
    const copies = Math.max(0, Math.ceil(target / evses) - 1);
    const columns: string[] = (
      await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'reliability_evse_days' ORDER BY ordinal_position`)
    ).map((c: { column_name: string }) => c.column_name);
    const tw = performance.now();
    const copy = (table: string, cols: string[]) =>
      db.query(`INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.map((c) => (c === 'location_id' ? `location_id || '~' || n` : c)).join(', ')} FROM ${table} CROSS JOIN generate_series(1, $1::int) n`, [copies]);
    await copy('reliability_evse_days', columns);
    await copy('evse_status_current', ['country_code', 'party_id', 'location_id', 'evse_uid', 'own', 'status', 'received_at', 'max_power_kw']);
    await db.query(`VACUUM ANALYZE reliability_evse_days`);
    await db.query(`ANALYZE evse_status_current`);
    const [{ n: dayRows }] = await db.query(`SELECT count(*)::int AS n FROM reliability_evse_days`);
    const copyMs = performance.now() - tw;
    const runs: number[] = [];
    let big: Awaited<ReturnType<ReliabilityReport['run']>> | undefined;
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      big = await new ReliabilityReport(facts, store).run({}, year);
      runs.push(performance.now() - t);
    }
    const rawPer = adapterMs / evses;
    console.log(
      `  ${big!.evses.length.toLocaleString('en')} EVSEs × ${days} days from ${dayRows.toLocaleString('en')} stored days (copied in ${fmt(copyMs)}): report ${fmt(runs[0])}, again ${fmt(runs[1])}`,
    );
    console.log(
      `  → a year over 10,000 EVSEs: ${fmt((runs[1] / big!.evses.length) * 10_000)} from day totals, measured; from the facts ${fmt(rawPer * 10_000)} (${evses} EVSEs measured above, extrapolated) → ${((rawPer * 10_000) / ((runs[1] / big!.evses.length) * 10_000)).toFixed(0)}× faster`,
    );
    reportFigure({
      figure: 'reliability report, 10,000 EVSEs × a year, from day totals',
      value: ((runs[1] / big!.evses.length) * 10_000) / 1000,
      unit: 's',
      baseline: (rawPer * 10_000) / 1000,
      baselineName: `from the facts (${evses} EVSEs, extrapolated)`,
      goal: { atMost: 10, text: 'a few seconds' },
    });
  } finally {
    await db.destroy();
    await database.close();
  }
}
