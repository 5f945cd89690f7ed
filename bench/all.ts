/**
 * npm run bench:all — every benchmark once, one after another, and ONE table of their figures (hub,
 * baseline, ratio, the goal of issue 19, met?) with the machine's load average before and after each,
 * printed and written to docs/benchmarks-latest.md.
 *
 * Each bench prints its own table for people and, beside it, a `BENCH_FIGURE {json}` line per figure
 * (`reportFigure` in bench/support.ts); this reads only those lines. Benchmarks run as children with
 * this process's environment, so their settings apply (BENCH_SECONDS…). Settings of this runner:
 *   BENCH_ALL_ONLY   comma-separated names to run (default: ocpi, ocpp, settlement, load, health, planner, db-cost)
 *   BENCH_ALL_OUT    where the table goes (default docs/benchmarks-latest.md; "-" for stdout only)
 * bench:ocpp runs with a storm of 2,000 chargers (its own shorter run, about 4 minutes instead of 14)
 * unless BENCH_STORM_CHARGERS is set; bench:soak is left out (it runs for as long as it is told).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { type BenchRun, figuresTable, type ReportedFigure } from './all-table';
import { BENCH_FIGURE_PREFIX } from './support';

const ROOT = path.join(__dirname, '..');
const BENCHES: { name: string; file: string; env?: Record<string, string> }[] = [
  { name: 'ocpi', file: 'ocpi.ts' },
  { name: 'ocpp', file: 'ocpp.ts', env: process.env.BENCH_STORM_CHARGERS ? {} : { BENCH_STORM_CHARGERS: '2000' } },
  { name: 'settlement', file: 'settlement.ts' },
  { name: 'load', file: 'load.ts' },
  { name: 'health', file: 'health.ts' },
  { name: 'planner', file: 'planner.ts' },
  { name: 'db-cost', file: 'db-cost.ts' },
];

const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const loadText = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

function runBench(name: string, file: string, env: Record<string, string> = {}): Promise<BenchRun> {
  const loadBefore = load();
  const started = performance.now();
  const figures: ReportedFigure[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', file)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(BENCH_FIGURE_PREFIX)) figures.push(JSON.parse(line.slice(BENCH_FIGURE_PREFIX.length)) as ReportedFigure);
      else process.stdout.write(`${line}\n`);
    }
  });
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      if (rest) process.stdout.write(`${rest}\n`);
      resolve({ name, exit: code ?? signal ?? 'unknown', seconds: (performance.now() - started) / 1000, loadBefore, loadAfter: load(), figures });
    }),
  );
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ALL_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
  if (unknown.length) throw new Error(`BENCH_ALL_ONLY names no benchmark ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  const chosen = BENCHES.filter((b) => !only || only.includes(b.name));
  const began = new Date();
  const loadAtStart = load();
  const runs: BenchRun[] = [];
  for (const bench of chosen) {
    process.stdout.write(`\n== bench:${bench.name} (load average ${loadText(load())})\n`);
    runs.push(await runBench(bench.name, bench.file, bench.env));
  }
  const loadAtEnd = load();
  const failed = runs.filter((r) => r.exit !== 0);
  const counted = runs.flatMap((r) => r.figures).filter((f) => f.met !== undefined && f.met !== null);
  const report = [
    '# Latest benchmark run (`npm run bench:all`)',
    '',
    `Run ${began.toISOString()} – ${new Date().toISOString()} on ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}.`,
    `Load average (1 / 5 / 15 min) before: ${loadText(loadAtStart)}; after: ${loadText(loadAtEnd)}. Other work on the machine moves every figure;`,
    'each bench measures its baseline in the same run, so the ratios move less than the values.',
    '',
    `Goals met: ${counted.filter((f) => f.met).length} of ${counted.length} with a goal${failed.length ? `; benches that failed: ${failed.map((r) => `${r.name} (exit ${r.exit})`).join(', ')}` : ''}.`,
    '',
    figuresTable(runs),
    '',
    '| bench | time | load average before | after | exit |',
    '|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.name} | ${r.seconds.toFixed(0)} s | ${loadText(r.loadBefore)} | ${loadText(r.loadAfter)} | ${r.exit} |`),
    '',
    'What each figure measures and its settings: docs/benchmarks.md. Goals are those of issue 19 where it names one, else the bench\'s own.',
    '',
  ].join('\n');
  process.stdout.write(`\n${report}`);
  const out = process.env.BENCH_ALL_OUT ?? path.join(ROOT, 'docs', 'benchmarks-latest.md');
  if (out !== '-') writeFileSync(out, report);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`bench:all failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
