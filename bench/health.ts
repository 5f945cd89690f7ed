/**
 * npm run bench:health — the reliability core on a simulated network: does the health score catch the
 * injected failures before the outage, and how long do the measures take for 10,000 EVSEs × a year?
 *
 *   1. A seeded network of BENCH_EVSES EVSEs (default 10,000) over 365 days, 1 % each of a degrading
 *      connector, a charger rebooting in loops, a partner EVSE stuck AVAILABLE; the rest healthy (with
 *      noise: random short outages, faults, reboots, disconnects, hub restarts).
 *   2. Each EVSE's year is folded day by day into its incremental tracker (day buckets, health, alerts),
 *      EVSE after EVSE (one tracker in memory at a time; the year totals of all are kept and rolled up
 *      per location, CPO and network at the end). Generation is timed apart from computation.
 *   3. Detection: precision and recall over EVSEs, lead time (hours from the first alert to the outage).
 *   4. Baseline, same run: a naive daily recompute (each day, the year-to-date measures recomputed from
 *      the whole history) on BENCH_NAIVE_EVSES EVSEs (default 6), beside the incremental tracker on the
 *      same EVSEs; both per EVSE-year and extrapolated to the network.
 * The run stops adding EVSEs after BENCH_BUDGET_S seconds (default 40; the machine is shared) and then
 * says how many it did and extrapolates the rest from the measured rate. Pure CPU, no database.
 *   5. The adapter over PostgreSQL beside the pure core on the same EVSEs, and the reports from day and
 *      month totals over 10,000 EVSEs (bench/health-storage.ts).
 * BENCH_HEALTH_PART=storage runs part 5 alone, BENCH_HEALTH_PART=core parts 1–4 alone (default: all).
 */
import { loadavg } from 'node:os';
import { reportFigure } from './support';
import {
  addTotals,
  DAY_MS,
  emptyTotals,
  evaluateDetection,
  EvseReliabilityTracker,
  evseTotals,
  figuresOf,
  rollUp,
  simulateNetwork,
  wholeHistory,
  type EvseTotalsRow,
  type SimulatedEvse,
} from '../src/core/reliability/reliability-core';
import { storageBench } from './health-storage';

const EVSES = Number(process.env.BENCH_EVSES ?? 10_000);
const DAYS = 365;
const NAIVE_EVSES = Number(process.env.BENCH_NAIVE_EVSES ?? 6);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 40) * 1000;
const START = Date.UTC(2025, 0, 1);
const SEED = 20260318;

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const quantile = (xs: number[], q: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]);

function main() {
  console.log(`bench:health — ${EVSES} EVSEs × ${DAYS} days, seed ${SEED}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const began = performance.now();
  let generateMs = 0;
  let trackMs = 0;
  let evseDays = 0;
  let facts = 0;
  const rows: EvseTotalsRow[] = [];
  const detection: { sim: Pick<SimulatedEvse, 'pattern' | 'onsetAt' | 'outageAt'>; alertTimes: number[] }[] = [];
  const naiveSample: SimulatedEvse[] = [];
  const alertsByKind: Record<string, number> = {};
  const generator = simulateNetwork({ seed: SEED, evses: EVSES, days: DAYS, start: START });
  for (;;) {
    if (performance.now() - began > BUDGET_MS) break;
    let t = performance.now();
    const next = generator.next();
    generateMs += performance.now() - t;
    if (next.done) break;
    const sim = next.value;
    for (const d of sim.days) facts += d.statuses.length + d.attempts.length + d.faults.length + d.reboots.length + d.power.length + d.meter.length + d.offline.length;
    t = performance.now();
    const tracker = new EvseReliabilityTracker(sim.identity, START);
    const alertTimes: number[] = [];
    for (const slice of sim.days)
      for (const alert of tracker.addDay(slice).alerts) {
        alertTimes.push(alert.at);
        alertsByKind[alert.kind] = (alertsByKind[alert.kind] ?? 0) + 1;
      }
    rows.push({ ...sim.identity, totals: tracker.totalsOfDays(0, DAYS) });
    trackMs += performance.now() - t;
    evseDays += DAYS;
    detection.push({ sim: { pattern: sim.pattern, onsetAt: sim.onsetAt, outageAt: sim.outageAt }, alertTimes });
    if (naiveSample.length < NAIVE_EVSES && sim.identity.kind === 'own') naiveSample.push(sim);
  }
  const done = rows.length;
  let t = performance.now();
  const network = rollUp(rows, 'network')[0];
  const cpos = rollUp(rows, 'cpo');
  const locations = rollUp(rows, 'location');
  const rollUpMs = performance.now() - t;

  // Baseline and the incremental tracker on the same EVSEs.
  let naiveMs = 0;
  let sameIncrementalMs = 0;
  let check = 0;
  for (const sim of naiveSample) {
    const history = { ...sim.identity, ...wholeHistory(sim) };
    t = performance.now();
    for (let d = 1; d <= DAYS; d++) check += evseTotals(history, { from: START, to: START + d * DAY_MS }).sessions.attempts;
    naiveMs += performance.now() - t;
    t = performance.now();
    const tracker = new EvseReliabilityTracker(sim.identity, START);
    let yearToDate = emptyTotals();
    for (let d = 0; d < DAYS; d++) {
      yearToDate = addTotals(yearToDate, tracker.addDay(sim.days[d]).totals);
      check -= yearToDate.sessions.attempts;
    }
    sameIncrementalMs += performance.now() - t;
  }

  const report = evaluateDetection(detection);
  const perEvseTrack = trackMs / Math.max(1, done);
  console.log('');
  console.log(`EVSEs computed        ${done}${done < EVSES ? ` of ${EVSES} (budget of ${fmt(BUDGET_MS)} reached; the rest extrapolated below)` : ''}`);
  console.log(`facts                 ${facts.toLocaleString('en')} (statuses, attempts, faults, reboots, power, meter, disconnects)`);
  console.log(`generation            ${fmt(generateMs)} (not part of the measures)`);
  console.log(`incremental measures  ${fmt(trackMs)} for ${evseDays.toLocaleString('en')} EVSE-days = ${((trackMs * 1000) / Math.max(1, evseDays)).toFixed(1)} µs per EVSE-day`);
  console.log(`  → 10,000 EVSEs × a year: ${fmt(perEvseTrack * 10_000)}${done < 10_000 ? ' (extrapolated)' : ''}; per day of new facts: ${fmt((perEvseTrack * 10_000) / DAYS)}`);
  console.log(`roll-up               ${fmt(rollUpMs)} (${locations.length} locations, ${cpos.length} CPOs, network)`);
  if (naiveSample.length > 0) {
    const naivePer = naiveMs / naiveSample.length;
    const incPer = sameIncrementalMs / naiveSample.length;
    console.log(`baseline: naive daily recompute of year-to-date measures, ${naiveSample.length} own EVSEs, same run`);
    console.log(`  naive               ${fmt(naivePer)} per EVSE-year → 10,000 EVSEs: ${fmt(naivePer * 10_000)} (extrapolated)`);
    console.log(`  incremental         ${fmt(incPer)} per EVSE-year (health, alerts and a running year-to-date sum each day) → ${(naivePer / incPer).toFixed(0)}× faster`);
    console.log(`  both agree          ${check === 0 ? 'yes' : `NO (difference ${check})`}`);
    reportFigure({ figure: 'health measures, 10,000 EVSEs × a year', value: (perEvseTrack * 10_000) / 1000, unit: 's', baseline: (naivePer * 10_000) / 1000, baselineName: 'naive daily recompute (extrapolated)' });
  }
  console.log('');
  console.log(`detection over ${report.evses} EVSEs (${report.injected} injected): precision ${pct(report.precision)}, recall ${pct(report.recall)} (flagged ${report.flagged}, false ${report.falsePositives})`);
  for (const [pattern, hours] of Object.entries(report.leadHours)) {
    const missed = report.missed[pattern as keyof typeof report.missed];
    console.log(
      `  ${pattern.padEnd(20)} detected ${hours.length}, missed ${missed}; lead time before the outage: median ${quantile(hours, 0.5).toFixed(0)} h, p10 ${quantile(hours, 0.1).toFixed(0)} h, min ${Math.min(...hours).toFixed(0)} h`,
    );
  }
  reportFigure({ figure: 'health detection recall (injected failures)', value: (report.recall ?? Number.NaN) * 100, unit: '%' });
  reportFigure({ figure: 'health detection precision', value: (report.precision ?? Number.NaN) * 100, unit: '%' });
  console.log(`  alerts raised (EVSE-days): ${Object.entries(alertsByKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const f = figuresOf(network.totals);
  console.log('');
  console.log(
    `network year: success rate ${pct(f.successRate)}, first-attempt ${pct(f.firstAttemptSuccess)}, uptime UK ${pct(f.uk)} (rapid average ${pct(network.ukRapidAverage)}), NEVI ${pct(f.nevi)}, unmeasured ${pct(f.unmeasuredShare)}, MTBF ${f.mtbfMs === null ? 'n/a' : `${(f.mtbfMs / 3_600_000).toFixed(0)} h`}, MTTR ${f.mttrMs === null ? 'n/a' : `${(f.mttrMs / 3_600_000).toFixed(1)} h`}, energy ${pct(f.energyRatio)} of expected`,
  );
  console.log(`total wall time ${fmt(performance.now() - began)}`);
}

// BENCH_HEALTH_PART=storage runs part 5 alone (the reports from PostgreSQL), BENCH_HEALTH_PART=core parts 1–4 alone.
const PART = process.env.BENCH_HEALTH_PART ?? 'all';
if (PART !== 'storage') main();
if (PART !== 'core')
  storageBench(START, DAYS, SEED).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
