/**
 * npm run bench:ocpi — the hub's OCPI paths beside a bare Koa JSON endpoint, measured in the same run.
 *
 * This process runs only the hub (and its database); the partners (1 CPO, 10 eMSPs, real HTTP
 * servers), the bare Koa baseline and the load generator run in a child process (bench/ocpi-load.ts),
 * so what is measured is the hub, not the load generator sharing its event loop.
 *   1. real-time authorization p50/p99 at a steady rate (the hub knows the token, the eMSP answers at once);
 *   2. GET-all locations pages per second (100 per page, 10,000 stored);
 *   3. push fan-out latency: a CPO's location PUT until all 10 eMSPs have received it; and the cost of
 *      translation: the same for a CPO of one OCPI version to 10 eMSPs of another, in the same rounds,
 *      as a ratio to the 2.2.1 → 2.2.1 p99 (goal ≤ 1.10).
 *   4. the traffic recorder's cost: authorization p50/p99 with recording off and on in alternating short blocks
 *      of the same mix (authorizations and location pushes), pooled and as the median pair ratio (docs/traffic.md).
 * BENCH_SECONDS (default 10), BENCH_RATE (default 200/s), BENCH_FANOUT_ROUNDS (default 500: a p99 of 500 samples is the fifth worst, of 200 the second),
 * BENCH_FANOUT_PAIRS (default "2.3.0>2.2.1,2.2.1>2.3.0,2.1.1>2.3.0": CPO version>eMSP version, comma-separated),
 * BENCH_RECORDING_PAIRS (default 24) and BENCH_RECORDING_BLOCK_SECONDS (default 2) for section 4, BENCH_OCPI_ONLY=recording for it alone;
 * BENCH_GETALL_ROUNDS (default 5) and BENCH_GETALL_BLOCK_SECONDS (default 2) for section 2, BENCH_OCPI_ONLY=get-all for it alone;
 * BENCH_OCPI_ONLY=authorize: the authorize measure BENCH_AUTHORIZE_RUNS times in a row (default 5), its worst ratio and its spread;
 * BENCH_SEED_VACUUM=0 leaves the seeded table without VACUUM ANALYZE (the behaviour before: the planner then
 * judges ocpi_objects by the statistics of a near-empty table until autovacuum gets to it).
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { example } from '../test/support/network';
import { startTestHub, type TestHub } from '../test/support/test-hub';
import { MATRIX_VERSIONS } from '../test/support/version-matrix';
import { hubPhaseMonitor } from './ocpi-phases';
import { benchDatabase } from './support';

export const STORED_LOCATIONS = 10_000;

/**
 * Section 4 (the traffic recorder's cost): the load process asks for recording off or on between its
 * blocks; the switch is the recorder's `enabled` (the product's TRAFFIC_RECORDING setting), read by every request and call, so both phases
 * run against the same hub, database and partners. Records still buffered are written before the
 * answer, so one block's batch writes do not fall into the next.
 */
function answerRecordingSwitch(load: ChildProcess, hub: TestHub): void {
  load.on('message', async (message: { recording?: boolean }) => {
    if (message.recording === undefined) return;
    await hub.services.traffic.drain();
    hub.services.traffic.enabled = message.recording;
    load.send({ recordingSet: message.recording });
  });
}

/** Section 2: the load process switches Locations GET-all between the text path and the object path (LocationsService.textPages). */
function answerTextPagesSwitch(load: ChildProcess, hub: TestHub): void {
  load.on('message', (message: { textPages?: boolean }) => {
    if (message.textPages === undefined) return;
    hub.services.locations.textPages = message.textPages;
    load.send({ textPagesSet: message.textPages });
  });
}

/**
 * The load process brackets each measured phase ({phase: name} … {phaseEnd: true}); the hub process
 * answers with what its event loop, pool and GC did meanwhile (bench/ocpi-phases.ts), and with
 * BENCH_PROFILE=<dir> writes the phase's CPU profile there.
 */
function answerPhases(load: ChildProcess, hub: TestHub): void {
  const monitor = hubPhaseMonitor(hub.services.db);
  load.on('message', async (message: { phase?: string; phaseEnd?: boolean }) => {
    if (message.phase) {
      await monitor.begin(message.phase);
      load.send({ phaseBegun: message.phase });
    } else if (message.phaseEnd) {
      load.send({ phaseStats: await monitor.end() });
    }
  });
  load.on('exit', () => monitor.stop());
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const hub = await startTestHub({ databaseUrl: database.url, checkOpenApi: false, logLevel: 'silent', env: { OUTBOX_BASE_BACKOFF_MS: '100', OCPI_VERSIONS: MATRIX_VERSIONS.join(',') } });
  const load = fork(path.join(__dirname, 'ocpi-load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, HUB_URL: hub.url, HUB_ADMIN_KEY: hub.adminKey },
  });
  const finished = new Promise<number>((resolve) => load.on('exit', (code) => resolve(code ?? 1)));
  answerRecordingSwitch(load, hub);
  answerTextPagesSwitch(load, hub);
  answerPhases(load, hub);
  load.on('message', async (message: { seed?: { countryCode: string; partyId: string } }) => {
    if (!message.seed) return;
    // Stored straight into the hub's store: pushing 10,000 locations over HTTP is not what is measured here.
    const { countryCode, partyId } = message.seed;
    const location = example('location_example.json');
    for (let i = 0; i < STORED_LOCATIONS; i++) {
      const item = { ...location, id: `BENCH${i}`, country_code: countryCode, party_id: partyId, last_updated: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() };
      await hub.services.store.put({ module: 'locations', countryCode, partyId, objectId: item.id }, item, new Date(item.last_updated));
    }
    // A production table has statistics; a table filled a moment ago has those of the empty one it was.
    if (process.env.BENCH_SEED_VACUUM !== '0') await hub.services.db.query('VACUUM ANALYZE ocpi_objects');
    load.send({ seeded: true });
  });
  const code = await finished;
  await hub.close();
  await database.close();
  process.exit(code);
}

main().catch((error) => {
  process.stderr.write(`bench:ocpi failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
