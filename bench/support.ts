import { mkdtempSync, chmodSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/db/embedded-postgres';

/** A database for one benchmark run: a fresh one on DATABASE_URL's server, or an embedded server. */
export async function benchDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  let server: RunningPostgres | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-bench-'));
    chmodSync(dir, 0o755);
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 54000 + Math.floor(Math.random() * 900), persistent: false });
    serverUrl = server.url;
  }
  const name = `ocpi_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async close() {
      const again = new Client({ connectionString: serverUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
      await server?.stop();
    },
  };
}

/** Idle sockets closed after 30 s, before the hub's server closes them (65 s): a reuse never races the server's close. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(samplesMs: number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/**
 * Sends `call` at a steady rate (open loop: a slow answer does not slow the schedule) for `seconds`,
 * and returns each call's latency in milliseconds. Failed calls are counted and re-thrown at the end.
 */
export async function steadyRate(ratePerSecond: number, seconds: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const failures: unknown[] = [];
  const total = ratePerSecond * seconds;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inFlight.push(
      call().then(
        () => void latencies.push(performance.now() - t0),
        (error) => void failures.push(error),
      ),
    );
  }
  await Promise.all(inFlight);
  if (failures.length) throw new Error(`${failures.length} of ${total} calls failed; first: ${String(failures[0])}`);
  return latencies;
}

/** What a measurement looks like off and on, from alternating blocks (bench:ocpi section 4). */
export interface BlockComparison {
  /** Every sample of the condition pooled. */
  off: LatencySummary;
  on: LatencySummary;
  /** The median over the pairs (an off block and the on block beside it) of on / off, per percentile. */
  medianPairRatio: { p50: number; p99: number };
  pairs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Compares two conditions measured in alternating short blocks: the pooled p50 and p99 of each, and
 * the median of the per-pair block ratios, which a burst of other work on the machine (one bad block)
 * moves little, where it may own a pooled p99.
 */
export function compareBlocks(pairs: readonly { off: number[]; on: number[] }[]): BlockComparison {
  if (pairs.length === 0) throw new Error('compareBlocks needs at least one pair of blocks');
  const perPair = pairs.map((pair) => ({ off: summarise(pair.off), on: summarise(pair.on) }));
  return {
    off: summarise(pairs.flatMap((pair) => pair.off)),
    on: summarise(pairs.flatMap((pair) => pair.on)),
    medianPairRatio: { p50: median(perPair.map((b) => b.on.p50 / b.off.p50)), p99: median(perPair.map((b) => b.on.p99 / b.off.p99)) },
    pairs: pairs.length,
  };
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/** Prints rows as an aligned table. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

/**
 * A goal of issue 19 ("past one machine"): a bound on the hub's figure over its same-run baseline
 * (`ratioAtMost` for times and memory, `ratioAtLeast` for rates), or on the figure itself.
 */
export interface FigureGoal {
  ratioAtMost?: number;
  ratioAtLeast?: number;
  atMost?: number;
  atLeast?: number;
  /** How the goal reads in the table ("p99 ≤ 2× bare one-hop"). */
  text: string;
}

export interface BenchFigure {
  /** What is measured, as the bench's own table names it. */
  figure: string;
  value: number;
  unit: string;
  /** The same-run baseline in the same unit, when the bench has one. */
  baseline?: number;
  /** What the baseline is ("bare Koa, one hop"). */
  baselineName?: string;
  goal?: FigureGoal;
}

/** The prefix of a figure's machine-readable line on stdout (bench/all.ts reads these lines, not the tables). */
export const BENCH_FIGURE_PREFIX = 'BENCH_FIGURE ';

/** Whether a figure meets its goal; undefined without one (or without the baseline a ratio needs). */
export function goalMet(figure: BenchFigure): boolean | undefined {
  const goal = figure.goal;
  if (!goal) return undefined;
  const ratio = figure.baseline ? figure.value / figure.baseline : undefined;
  const checks: boolean[] = [];
  if (goal.ratioAtMost !== undefined) {
    if (ratio === undefined) return undefined;
    checks.push(ratio <= goal.ratioAtMost);
  }
  if (goal.ratioAtLeast !== undefined) {
    if (ratio === undefined) return undefined;
    checks.push(ratio >= goal.ratioAtLeast);
  }
  if (goal.atMost !== undefined) checks.push(figure.value <= goal.atMost);
  if (goal.atLeast !== undefined) checks.push(figure.value >= goal.atLeast);
  return checks.every(Boolean);
}

/**
 * Prints one figure as a machine-readable line (`BENCH_FIGURE {json}`) beside the bench's human table,
 * so `npm run bench:all` collects every figure without reading tables meant for people.
 */
export function reportFigure(figure: BenchFigure): void {
  process.stdout.write(`${BENCH_FIGURE_PREFIX}${JSON.stringify({ ...figure, met: goalMet(figure) })}\n`);
}

/**
 * A simulated OCPP 1.6 charger of a load process: no schema checks of its own (the server under test
 * checks), no reconnects, no pings of its own (the servers defer theirs on activity), and a long call
 * timeout (a storm may keep a call waiting). `options` overrides any of these.
 */
export function loadChargePoint(endpoint: string, identity: string, password: string, options: Partial<RPC_ClientOptions> = {}): RPCClient {
  return new RPCClient({
    endpoint,
    identity,
    password,
    protocols: ['ocpp1.6'],
    strictMode: false,
    reconnect: false,
    callTimeoutMs: 300_000,
    pingIntervalMs: 0,
    ...options,
  } as RPC_ClientOptions);
}

