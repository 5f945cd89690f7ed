/**
 * npm run bench:ocpp — the hub's OCPP server beside a bare ocpp-rpc server, measured in the same run.
 *
 * Four kinds of process: this one (orchestration, the database, the eMSP the sessions go to), the hub
 * (bench/ocpp-hub.ts), the bare ocpp-rpc server (bench/ocpp-bare.ts) and one or more load processes
 * of simulated OCPP 1.6 charge points (bench/ocpp-load.ts), each charger with one call in flight.
 * For each server in turn:
 *   1. RSS per idle charger: the server's RSS (after a full GC) with N chargers connected and booted,
 *      minus its RSS before they connected, divided by N;
 *   2. reconnect storm: all N connect at once, each does BootNotification + StatusNotification +
 *      Authorize; the time until the last is answered;
 *   3. throughput: C chargers, each with a running transaction (StartTransaction through the hub, so
 *      MeterValues take the real path: stored readings, transaction update, session publishing) send
 *      MeterValues back to back for S seconds, then Heartbeats; messages/s, p50 and p99.
 * Then the hub and the bare server are restarted and a smaller storm measures each with nothing remembered (cold).
 *
 * Settings (environment or --flag=value): BENCH_CHARGERS / --chargers (2000, throughput),
 * BENCH_STORM_CHARGERS / --storm (10000), BENCH_COLD_STORM_CHARGERS / --cold-storm (2000; 0 skips),
 * BENCH_SECONDS / --seconds (10 per throughput measure), BENCH_LOAD_PROCESSES / --load-processes (1).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import axios from 'axios';
import { Client as PgClient } from 'pg';
import { generateChargerPassword } from '../src/own-cpo/chargers/charger-passwords';
import { startPartner, type TestPartner } from '../test/support/partner';
import { benchChargerId } from './ocpp-ids';
import type { LoadCommand, LoadReply, Step } from './ocpp-load';
import { benchDatabase, ms, reportFigure, summarise, table } from './support';

function setting(flag: string, env: string, fallback: number): number {
  const given = process.argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ?? process.env[env];
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag} (${env}) must be a whole number, not ${given}`);
  return value;
}

const CHARGERS = setting('chargers', 'BENCH_CHARGERS', 2000);
const STORM = setting('storm', 'BENCH_STORM_CHARGERS', 10_000);
const COLD_STORM = setting('cold-storm', 'BENCH_COLD_STORM_CHARGERS', 2000);
const SECONDS = setting('seconds', 'BENCH_SECONDS', 10);
const LOAD_PROCESSES = Math.max(1, setting('load-processes', 'BENCH_LOAD_PROCESSES', 1));
const WARMUP_SECONDS = 2;
/** Every simulated charger's password: one the hub generated (160 random bits), as the admin API hands out by default. */
const PASSWORD = generateChargerPassword();
/** Chargers connecting at a time when the phase is not a storm (a fleet coming up). */
const WAVE = 200;

/** A forked process answering requests by id over IPC. */
class Child {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<Record<string, string>>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    this.ready = new Promise((resolve, reject) => {
      process.on('message', (message: { id?: number; ready?: boolean; error?: string }) => {
        if (message.ready) return resolve(message as Record<string, string>);
        const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
        if (!waiter) return;
        this.waiting.delete(message.id!);
        if (message.error) waiter.reject(new Error(`${name}: ${message.error}`));
        else waiter.resolve(message);
      });
      process.on('exit', (code) => {
        const error = new Error(`${name} exited (${code})`);
        reject(error);
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
    });
  }

  static fork(name: string, file: string, env: Record<string, string> = {}, ready = true): Child {
    // BENCH_PROFILE=<dir> writes a CPU profile of each server process there (for finding what to speed up).
    const profile = process.env.BENCH_PROFILE && file !== 'ocpp-load.ts' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const child = fork(path.join(__dirname, file), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...profile], env: { ...process.env, ...env } });
    const wrapped = new Child(name, child);
    if (!ready) wrapped.ready.catch(() => undefined);
    return wrapped;
  }

  ask<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.process.send({ ...message, id });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.process.exitCode !== null) return resolve();
      this.process.once('exit', () => resolve());
      this.process.disconnect();
      setTimeout(() => this.process.kill('SIGKILL'), 10_000).unref();
    });
  }
}

const sleep = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, msToWait));
const ids = (count: number) => Array.from({ length: count }, (_, i) => benchChargerId(i));
let addressCounter = 0;

/** The load processes, each driving its share of the chargers. */
class Load {
  /** Calls and connections that failed since the last `takeFailures`. */
  private failures = 0;

  constructor(readonly processes: Child[]) {}

  takeFailures(): number {
    const count = this.failures;
    this.failures = 0;
    return count;
  }

  private async all(make: (share: string[], index: number) => Omit<LoadCommand, 'id'>, chargers: string[] = []): Promise<LoadReply[]> {
    const shares = this.processes.map((_, p) => chargers.filter((__, i) => i % this.processes.length === p));
    const replies = await Promise.all(this.processes.map((child, p) => child.ask<LoadReply>(make(shares[p], p))));
    const failed = replies.find((r) => r.failures);
    if (failed) {
      // Counted and shown, not fatal: a server that refuses calls under load is a result.
      const count = replies.reduce((n, r) => n + (r.failures ?? 0), 0);
      this.failures += count;
      log(`${count} calls or connections failed; first: ${failed.firstFailure}`);
    }
    return replies;
  }

  /** Connects chargers and runs their steps; the wall time until the last one is done (all processes start together). */
  async connect(url: string, chargers: string[], steps: Step[], concurrency: number): Promise<number> {
    // A fresh source address per phase: the closed connections of the last one hold their ports a while (TIME_WAIT).
    addressCounter++;
    const replies = await this.all(
      (share, p) => ({ cmd: 'connect', url, ids: share, password: PASSWORD, concurrency, steps, localAddress: `127.0.${addressCounter}.${p + 2}` }),
      chargers,
    );
    return Math.max(...replies.map((r) => r.elapsedMs!));
  }

  start(): Promise<LoadReply[]> {
    return this.all(() => ({ cmd: 'start' }));
  }

  async run(action: 'MeterValues' | 'Heartbeat'): Promise<{ perSecond: number; p50: number; p99: number }> {
    const replies = await this.all(() => ({ cmd: 'run', action, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS }));
    const latencies = replies.flatMap((r) => r.latencies!);
    const summary = summarise(latencies);
    return { perSecond: latencies.length / SECONDS, p50: summary.p50, p99: summary.p99 };
  }

  async closeAll(): Promise<void> {
    await this.all(() => ({ cmd: 'closeAll' }));
  }
}

interface Figures {
  rssPerIdleKb: number;
  stormMs: number;
  stormFailures: number;
  failures: number;
  meterValues: { perSecond: number; p50: number; p99: number };
  heartbeat: { perSecond: number; p50: number; p99: number };
}

async function connections(server: Child): Promise<number> {
  return (await server.ask<{ connections: number }>({ query: 'connections' })).connections;
}

async function waitForConnections(server: Child, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await connections(server)) !== count) {
    if (Date.now() > deadline) throw new Error(`${server.name} holds ${await connections(server)} connections, expected ${count}`);
    await sleep(100);
  }
}

async function rss(server: Child): Promise<number> {
  return (await server.ask<{ rss: number }>({ query: 'rss' })).rss;
}

/** Lets the hub's background work of the last phase (EVSE statuses, sessions to the eMSP) finish; nothing to wait for at the bare server. */
async function settle(server: Child): Promise<void> {
  if (server.name === 'hub') await server.ask({ settle: true });
  await sleep(1000);
}

async function measure(server: Child, url: string, load: Load): Promise<Figures> {
  log(`${server.name}: ${STORM} chargers connect in waves of ${WAVE} (BootNotification + StatusNotification), then stay idle`);
  const before = await rss(server);
  await load.connect(url, ids(STORM), ['Boot', 'Status'], WAVE);
  await waitForConnections(server, STORM);
  await settle(server);
  const idle = await rss(server);
  const rssPerIdleKb = (idle - before) / STORM / 1024;
  log(`${server.name}: RSS ${(before / 2 ** 20).toFixed(0)} MiB → ${(idle / 2 ** 20).toFixed(0)} MiB with ${STORM} idle chargers (${rssPerIdleKb.toFixed(1)} KB each)`);
  await load.closeAll();
  await waitForConnections(server, 0);
  await settle(server);

  log(`${server.name}: reconnect storm, ${STORM} chargers at once (BootNotification + StatusNotification + Authorize)`);
  const failedBefore = load.takeFailures();
  const stormMs = await load.connect(url, ids(STORM), ['Boot', 'Status', 'Authorize'], STORM);
  const stormFailures = load.takeFailures();
  log(`${server.name}: storm done in ${(stormMs / 1000).toFixed(2)} s`);
  await load.closeAll();
  await waitForConnections(server, 0);
  await settle(server);

  log(`${server.name}: ${CHARGERS} chargers, each with a running transaction: MeterValues, then Heartbeat, ${SECONDS} s each (+${WARMUP_SECONDS} s warm-up)`);
  await load.connect(url, ids(CHARGERS), ['Boot'], WAVE);
  await load.start();
  await settle(server);
  const meterValues = await load.run('MeterValues');
  log(`${server.name}: MeterValues ${meterValues.perSecond.toFixed(0)}/s, p50 ${ms(meterValues.p50)}, p99 ${ms(meterValues.p99)}`);
  await settle(server);
  const heartbeat = await load.run('Heartbeat');
  log(`${server.name}: Heartbeat ${heartbeat.perSecond.toFixed(0)}/s, p50 ${ms(heartbeat.p50)}, p99 ${ms(heartbeat.p99)}`);
  await load.closeAll();
  await waitForConnections(server, 0);
  return { rssPerIdleKb, stormMs, stormFailures, failures: failedBefore + stormFailures + load.takeFailures(), meterValues, heartbeat };
}

/**
 * The cold storm's chargers boot with the transactions of the MeterValues phase still running: the
 * hub closes them and makes their CDRs after answering the boots (transactions.service closeLost).
 * How long after the storm's last answer none is left to make.
 */
async function untilLostTransactionsFinished(databaseUrl: string): Promise<number> {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  const t0 = performance.now();
  try {
    for (;;) {
      const { rows } = await client.query(`SELECT count(*)::int AS left FROM ocpp_transactions WHERE status = 'STOPPED' AND cdr_id IS NULL`);
      if (rows[0].left === 0) return performance.now() - t0;
      if (performance.now() - t0 > 600_000) throw new Error(`${rows[0].left} lost transactions still without a CDR after 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}

async function main(): Promise<void> {
  const seeded = Math.max(CHARGERS, STORM, COLD_STORM);
  log(`settings: ${CHARGERS} chargers for throughput, storm of ${STORM}, cold storm of ${COLD_STORM}, ${SECONDS} s per measure, ${LOAD_PROCESSES} load process(es)`);
  const database = await benchDatabase();
  // One token key for both hub processes: the restarted hub reads the eMSP's credentials the first one stored
  // (with a key of its own it could decrypt none, and every delivery of the cold storm failed and was retried).
  const tokenKey = randomBytes(32).toString('hex');
  const startHub = async () => {
    const child = Child.fork('hub', 'ocpp-hub.ts', { BENCH_DATABASE_URL: database.url, BENCH_TOKEN_ENCRYPTION_KEY: tokenKey });
    return { child, info: await child.ready };
  };
  let hub = await startHub();
  const emsp = await registerEmsp(hub.info.url, hub.info.adminKey);
  log(`seeding ${seeded} chargers, ${Math.ceil(seeded / 10)} locations and ${seeded * 2} tokens in bulk`);
  await hub.child.ask({ seed: { chargers: seeded, password: PASSWORD, emsp: { countryCode: 'NL', partyId: 'EM1' } } });
  let bare = Child.fork('bare', 'ocpp-bare.ts');
  let bareInfo = await bare.ready;
  const load = new Load(Array.from({ length: LOAD_PROCESSES }, (_, i) => Child.fork(`load ${i}`, 'ocpp-load.ts', {}, false)));

  const hubFigures = await measure(hub.child, hub.info.ocppUrl, load);
  const bareFigures = await measure(bare, bareInfo.ocppUrl, load);

  let cold: { hub: number; bare: number } | undefined;
  let lostCdrsMs: number | undefined;
  if (COLD_STORM > 0) {
    log(`restarting the hub: a storm of ${COLD_STORM} chargers with nothing remembered in memory`);
    await hub.child.stop();
    hub = await startHub();
    const hubCold = await load.connect(hub.info.ocppUrl, ids(COLD_STORM), ['Boot', 'Status', 'Authorize'], COLD_STORM);
    lostCdrsMs = await untilLostTransactionsFinished(database.url);
    log(`cold storm: the CDRs of the transactions the reboots ended were all made ${(lostCdrsMs / 1000).toFixed(2)} s after the last answer`);
    await load.closeAll();
    await waitForConnections(hub.child, 0);
    // The bare server restarted too: both sides start from a fresh process (nothing compiled or cached yet).
    await bare.stop();
    bare = Child.fork('bare', 'ocpp-bare.ts');
    bareInfo = await bare.ready;
    const bareCold = await load.connect(bareInfo.ocppUrl, ids(COLD_STORM), ['Boot', 'Status', 'Authorize'], COLD_STORM);
    await load.closeAll();
    cold = { hub: hubCold, bare: bareCold };
    log(`cold storm: hub ${(hubCold / 1000).toFixed(2)} s, bare ${(bareCold / 1000).toFixed(2)} s`);
  }

  const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  const s = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;
  const rows = [
    ['figure', 'hub', 'bare ocpp-rpc', 'hub/bare', 'goal', 'met?'],
    [
      `MeterValues msgs/s (${CHARGERS} chargers, 1 in flight each)`,
      hubFigures.meterValues.perSecond.toFixed(0),
      bareFigures.meterValues.perSecond.toFixed(0),
      ratio(hubFigures.meterValues.perSecond, bareFigures.meterValues.perSecond),
      '≥ 50 % of bare',
      yes(hubFigures.meterValues.perSecond >= bareFigures.meterValues.perSecond / 2),
    ],
    ['MeterValues p50', ms(hubFigures.meterValues.p50), ms(bareFigures.meterValues.p50), ratio(hubFigures.meterValues.p50, bareFigures.meterValues.p50), '', ''],
    ['MeterValues p99', ms(hubFigures.meterValues.p99), ms(bareFigures.meterValues.p99), ratio(hubFigures.meterValues.p99, bareFigures.meterValues.p99), '', ''],
    [`Heartbeat msgs/s (${CHARGERS} chargers)`, hubFigures.heartbeat.perSecond.toFixed(0), bareFigures.heartbeat.perSecond.toFixed(0), ratio(hubFigures.heartbeat.perSecond, bareFigures.heartbeat.perSecond), '', ''],
    ['Heartbeat p50', ms(hubFigures.heartbeat.p50), ms(bareFigures.heartbeat.p50), ratio(hubFigures.heartbeat.p50, bareFigures.heartbeat.p50), '', ''],
    ['Heartbeat p99', ms(hubFigures.heartbeat.p99), ms(bareFigures.heartbeat.p99), ratio(hubFigures.heartbeat.p99, bareFigures.heartbeat.p99), '', ''],
    [
      `RSS per idle charger (${STORM} connected)`,
      `${hubFigures.rssPerIdleKb.toFixed(1)} KB`,
      `${bareFigures.rssPerIdleKb.toFixed(1)} KB`,
      ratio(hubFigures.rssPerIdleKb, bareFigures.rssPerIdleKb),
      '≤ 40 KB',
      yes(hubFigures.rssPerIdleKb <= 40),
    ],
    [
      `reconnect storm, ${STORM} chargers (Boot + Status + Authorize)`,
      s(hubFigures.stormMs),
      s(bareFigures.stormMs),
      ratio(hubFigures.stormMs, bareFigures.stormMs),
      STORM === 10_000 ? '< 15 s' : `< 15 s for 10,000`,
      yes(hubFigures.stormMs < 15_000 * (STORM / 10_000) && hubFigures.stormFailures === 0),
    ],
    [`failed calls or connections (storm / all phases)`, `${hubFigures.stormFailures} / ${hubFigures.failures}`, `${bareFigures.stormFailures} / ${bareFigures.failures}`, '', '0', yes(hubFigures.failures === 0)],
  ];
  if (cold) {
    rows.push([
      `storm after a hub restart, ${COLD_STORM} chargers`,
      s(cold.hub),
      s(cold.bare),
      ratio(cold.hub, cold.bare),
      '',
      '',
    ]);
    rows.push(['  then the CDRs of the transactions those reboots ended (after the last answer)', s(lostCdrsMs ?? 0), '', '', '', '']);
  }
  process.stdout.write(`\n${table(rows)}\n\nHub: rate limits off (RATE_LIMIT_CHARGER_PER_SECOND=0), logging off, session PATCHes at most once a minute per transaction.\n`);
  // The same figures, machine-readable, with the goals of issue 19 (npm run bench:all).
  const bareRpc = 'bare ocpp-rpc';
  reportFigure({ figure: `MeterValues msgs/s (${CHARGERS} chargers)`, value: hubFigures.meterValues.perSecond, unit: 'msgs/s', baseline: bareFigures.meterValues.perSecond, baselineName: bareRpc, goal: { ratioAtLeast: 0.9, text: '≥ 90 % of bare ocpp-rpc' } });
  reportFigure({ figure: `Heartbeat msgs/s (${CHARGERS} chargers)`, value: hubFigures.heartbeat.perSecond, unit: 'msgs/s', baseline: bareFigures.heartbeat.perSecond, baselineName: bareRpc });
  reportFigure({ figure: `RSS per idle charger (${STORM} connected)`, value: hubFigures.rssPerIdleKb, unit: 'KB', baseline: bareFigures.rssPerIdleKb, baselineName: bareRpc, goal: { ratioAtMost: 1.1, text: '≤ 1.1× bare' } });
  reportFigure({ figure: `reconnect storm, ${STORM} chargers`, value: hubFigures.stormMs / 1000, unit: 's', baseline: bareFigures.stormMs / 1000, baselineName: bareRpc, goal: { ratioAtMost: 1.1, text: '≤ 1.1× bare' } });
  reportFigure({ figure: 'failed calls or connections (all phases)', value: hubFigures.failures, unit: 'calls', baseline: bareFigures.failures, baselineName: bareRpc, goal: { atMost: 0, text: '0' } });
  if (cold) reportFigure({ figure: `cold storm after a hub restart, ${COLD_STORM} chargers`, value: cold.hub / 1000, unit: 's', baseline: cold.bare / 1000, baselineName: bareRpc, goal: { ratioAtMost: 1.5, text: '≤ 1.5× bare' } });

  await Promise.all([hub.child.stop(), bare.stop(), ...load.processes.map((c) => c.stop())]);
  await emsp.stop();
  await database.close();
}

/** The eMSP the drivers' tokens belong to: a real OCPI partner (in this process) with an agreement with the hub's own CPO. */
async function registerEmsp(hubUrl: string, adminKey: string): Promise<TestPartner> {
  const admin = axios.create({ baseURL: hubUrl, headers: { Authorization: `Bearer ${adminKey}` } });
  const created = await admin.post('/admin/parties', { country_code: 'NL', party_id: 'EM1', roles: ['EMSP'], name: 'Bench eMSP' });
  const receivers = ['hubclientinfo', 'locations', 'tariffs', 'sessions', 'cdrs'].map((identifier) => ({ identifier, role: 'RECEIVER' as const, path: `/${identifier}` }));
  const partner = await startPartner({ countryCode: 'NL', partyId: 'EM1', role: 'EMSP', endpoints: [...receivers, { identifier: 'tokens', role: 'SENDER', path: '/tokens' }] });
  const { body } = await partner.registerWith(`${hubUrl}/ocpi/versions`, created.data.token_a);
  if (body.status_code !== 1000) throw new Error(`the eMSP could not register: ${JSON.stringify(body)}`);
  await admin.post('/admin/agreements', { cpo: 'NL/HUB', emsp: 'NL/EM1' });
  return partner;
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:ocpp failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
