/**
 * npm run bench:soak — the real hub process (src/main.ts, as an operator runs it) under a steady,
 * realistic load for a while, to see that it keeps up and that its memory levels off.
 *
 * Processes: this one (orchestration, the partners' OCPI servers and pushes), the hub (its own
 * process, on a fresh database: DATABASE_URL's server or an embedded PostgreSQL), and
 * SOAK_LOAD_PROCESSES processes of simulated OCPP 1.6 chargers (bench/soak-load.ts). Load:
 *   - SOAK_CHARGERS chargers (2000): boot, status, a Heartbeat every SOAK_HEARTBEAT_SECONDS (30),
 *     charges one after another with MeterValues every SOAK_METER_SECONDS (10): sessions and CDRs go
 *     to the eMSPs through the outbox;
 *   - two partner CPOs pushing location and session versions (SOAK_PUSH_RATE per second each, 10),
 *     fanned out to three eMSPs (real HTTP servers, registered with the credentials handshake).
 * Every SOAK_REPORT_SECONDS (10) it prints OCPP and OCPI throughput and p99, the outbox depth and the
 * hub's RSS and heap; at the end whether memory levelled off: the slope of a line fitted to the last
 * half of the steady samples (whole fleet connected) against the first half's, and looks for a new high. Baseline (same run): the idle hub's memory and a lone
 * Heartbeat's latency before the load starts. SOAK_SECONDS (120) is how long the load runs.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { Client } from 'pg';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import { generateChargerPassword, hashGeneratedChargerPassword } from '../src/own-cpo/chargers/charger-passwords';
import { hubProcessSettings, startHubProcess } from '../test/support/hub-process';
import { example } from '../test/support/network';
import { OWN_TARIFF, ownLocation } from '../test/support/own-network';
import { startPartner, type TestPartner } from '../test/support/partner';
import type { SoakLoadReport } from './soak-load';
import { benchDatabase, keepAlive, percentile, table } from './support';

function setting(name: string, fallback: number): number {
  const value = process.env[name] === undefined ? fallback : Number(process.env[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${process.env[name]}`);
  return value;
}

const SECONDS = setting('SOAK_SECONDS', 120);
const CHARGERS = setting('SOAK_CHARGERS', 2000);
const LOAD_PROCESSES = setting('SOAK_LOAD_PROCESSES', 2);
const HEARTBEAT_SECONDS = setting('SOAK_HEARTBEAT_SECONDS', 30);
const METER_SECONDS = setting('SOAK_METER_SECONDS', 10);
const PUSH_RATE = setting('SOAK_PUSH_RATE', 10);
const REPORT_SECONDS = setting('SOAK_REPORT_SECONDS', 10);
// Hub-generated passwords (160 bits) are stored as HMAC-SHA-256, as for a fleet onboarded by the hub: no scrypt per connection.
const PASSWORD = generateChargerPassword();
const EVSES_PER_LOCATION = 10;
const chargerId = (i: number) => `SOAK${String(i).padStart(5, '0')}`;

const EMSP_ENDPOINTS = ['hubclientinfo:/clientinfo', 'locations:/locations', 'tariffs:/tariffs', 'sessions:/sessions', 'cdrs:/cdrs'].map((e) => {
  const [identifier, path] = e.split(':');
  return { identifier, role: 'RECEIVER' as const, path };
});

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const settings = await hubProcessSettings(database.url, { LOG_LEVEL: 'error', SESSION_UPDATE_INTERVAL_SECONDS: '60', OCPP_HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_SECONDS) });
  const hub = await startHubProcess(settings);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const ocpi = (token: string, partyId: string) =>
    axios.create({
      baseURL: `${hub.url}/ocpi/2.2.1`,
      httpAgent: keepAlive,
      validateStatus: () => true,
      headers: { Authorization: `Token ${Buffer.from(token).toString('base64')}`, 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': partyId },
    });

  // Partners: three eMSPs, two CPOs, registered as an operator does; agreements between all of them and the own CPO.
  const partners: TestPartner[] = [];
  const tokens: Record<string, string> = {};
  for (const [partyId, role] of [['EM1', 'EMSP'], ['EM2', 'EMSP'], ['EM3', 'EMSP'], ['CP1', 'CPO'], ['CP2', 'CPO']] as const) {
    const partner = await startPartner({ countryCode: 'NL', partyId, role, endpoints: role === 'EMSP' ? EMSP_ENDPOINTS : [{ identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' }] });
    // The partners keep no history: a soak would otherwise measure their memory.
    partner.intercept = (req, res) => {
      partner.requests.length = 0;
      if (req.method === 'GET' || req.path.includes('/credentials')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString() }));
      return true;
    };
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: partyId, roles: [role], name: `${partyId} soak` });
    const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
    if (body.status_code !== 1000) throw new Error(`${partyId} could not register: ${JSON.stringify(body)}`);
    tokens[partyId] = body.data.token;
    partners.push(partner);
  }
  for (const cpo of ['NL/HUB', 'NL/CP1', 'NL/CP2']) {
    for (const emsp of ['NL/EM1', 'NL/EM2', 'NL/EM3']) await hub.admin.post('/admin/agreements', { cpo, emsp });
  }

  // The own CPO's tariff, locations, chargers and the drivers' tokens, seeded in SQL (what is measured is the running hub).
  const seededAt = new Date('2026-01-01T00:00:00Z');
  const objects: [string, string, string, string, string][] = [['tariffs', 'HUB', OWN_TARIFF.id, '', JSON.stringify(OWN_TARIFF)]];
  for (let first = 0; first < CHARGERS; first += EVSES_PER_LOCATION) {
    const uids = Array.from({ length: Math.min(EVSES_PER_LOCATION, CHARGERS - first) }, (_, k) => chargerId(first + k));
    objects.push(['locations', 'HUB', `SL${first / EVSES_PER_LOCATION}`, '', JSON.stringify(ownLocation(`SL${first / EVSES_PER_LOCATION}`, uids))]);
  }
  for (let i = 0; i < CHARGERS; i++) {
    const uid = `SOAK-${chargerId(i)}`;
    const emsp = `EM${(i % 3) + 1}`;
    const token = { country_code: 'NL', party_id: emsp, uid, type: 'RFID', contract_id: `NL${emsp}C${uid}`, issuer: emsp, valid: true, whitelist: 'ALLOWED', last_updated: seededAt.toISOString() };
    objects.push(['tokens', emsp, uid, 'RFID', JSON.stringify(token)]);
  }
  for (let i = 0; i < objects.length; i += 2000) {
    const chunk = objects.slice(i, i + 2000);
    await db.query(
      `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, object_type, data, last_updated)
       SELECT m, 'NL', p, o, t, d, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS x(m, p, o, t, d)`,
      [chunk.map((o) => o[0]), chunk.map((o) => o[1]), chunk.map((o) => o[2]), chunk.map((o) => o[3]), chunk.map((o) => o[4]), seededAt],
    );
  }
  await db.query(
    `INSERT INTO chargers (id, password_hash, status, location_id, evses)
     SELECT 'SOAK' || lpad(i::text, 5, '0'), $2, 'ACCEPTED', 'SL' || (i / $3),
            jsonb_build_array(jsonb_build_object('ocpp_connector', '1', 'evse_uid', 'SOAK' || lpad(i::text, 5, '0'), 'connector_id', '1'))
       FROM generate_series(0, $1 - 1) AS i`,
    [CHARGERS, hashGeneratedChargerPassword(PASSWORD), EVSES_PER_LOCATION],
  );

  // Memory of the hub process: RSS from /proc, heap from its /metrics.
  const memory = async () => {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.child.pid}/status`, 'utf8'))![1]) * 1024;
    const text = (await hub.admin.get('/metrics', { responseType: 'text' })).data as string;
    const heap = Number(/^ocpi_hub_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN);
    return { rss, heap };
  };
  const outboxDepth = async () => Number((await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`)).rows[0].n);

  // Baseline: the idle hub, and one Heartbeat at a time with nothing else going on.
  const idle = await memory();
  const probe = new RPCClient({ endpoint: hub.ocppUrl, identity: chargerId(0), password: PASSWORD, protocols: ['ocpp1.6'], strictMode: false, reconnect: false } as RPC_ClientOptions);
  await probe.connect();
  const lone: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await probe.call('Heartbeat', {});
    lone.push(performance.now() - t0);
  }
  await probe.close({ force: true });
  lone.sort((a, b) => a - b);

  // The load.
  const loads = Array.from({ length: LOAD_PROCESSES }, () => fork(`${__dirname}/soak-load.ts`, [], { execArgv: ['--import', 'tsx'] }));
  const ids = Array.from({ length: CHARGERS }, (_, i) => chargerId(i));
  loads.forEach((load, k) =>
    load.send({ start: { url: hub.ocppUrl, ids: ids.filter((_, i) => i % LOAD_PROCESSES === k), password: PASSWORD, heartbeatSeconds: HEARTBEAT_SECONDS, meterSeconds: METER_SECONDS, wave: 50 } }),
  );
  const reportOf = (load: (typeof loads)[number]) =>
    new Promise<SoakLoadReport>((resolve) => {
      const onMessage = (message: { report?: SoakLoadReport }) => {
        if (!message.report) return;
        load.off('message', onMessage);
        resolve(message.report);
      };
      load.on('message', onMessage);
      load.send({ report: true });
    });

  let running = true;
  let pushLatencies: number[] = [];
  let pushFailures = 0;
  let pushFirstFailure: string | undefined;
  const pushers = ['CP1', 'CP2'].map(async (cpo) => {
    const client = ocpi(tokens[cpo], cpo);
    const location = example('location_example.json');
    const session = example('session_example_1_simple_start.json');
    const started = performance.now();
    for (let n = 0; running; n++) {
      const due = started + (n * 1000) / PUSH_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = new Date().toISOString();
      const t0 = performance.now();
      // Alternately a location version and a session version; 50 objects of each, updated over and over.
      const reply =
        n % 2 === 0
          ? await client.put(`/receiver/locations/NL/${cpo}/SOAKLOC${n % 50}`, { ...location, country_code: 'NL', party_id: cpo, id: `SOAKLOC${n % 50}`, last_updated: at }).catch((e: Error) => e)
          : await client
              .put(`/receiver/sessions/NL/${cpo}/SOAKSES${n % 50}`, {
                ...session,
                country_code: 'NL',
                party_id: cpo,
                id: `SOAKSES${n % 50}`,
                cdr_token: { ...(session as { cdr_token: object }).cdr_token, country_code: 'NL', party_id: 'EM1' },
                last_updated: at,
              }, { headers: { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'EM1' } })
              .catch((e: Error) => e);
      if (reply instanceof Error || reply.data?.status_code !== 1000) {
        pushFailures++;
        pushFirstFailure ??= reply instanceof Error ? reply.message : JSON.stringify(reply.data).slice(0, 300);
      } else pushLatencies.push(performance.now() - t0);
    }
  });

  const samples: { t: number; rss: number; heap: number; steady: boolean }[] = [];
  const rows: string[][] = [['t (s)', 'chargers', 'OCPP msg/s', 'OCPP p99', 'OCPI push/s', 'OCPI p99', 'outbox', 'RSS MB', 'heap MB', 'CDRs']];
  process.stdout.write(`bench:soak — ${CHARGERS} chargers in ${LOAD_PROCESSES} processes, 2 CPOs pushing ${PUSH_RATE}/s each to 3 eMSPs, for ${SECONDS} s\n`);
  process.stdout.write(`baseline: idle hub RSS ${mb(idle.rss)} MB, heap ${mb(idle.heap)} MB; a lone Heartbeat p50 ${percentile(lone, 50).toFixed(2)} ms, p99 ${percentile(lone, 99).toFixed(2)} ms\n\n`);
  process.stdout.write(`${rows[0].join('  ')}\n`);
  const t0 = performance.now();
  let failures = 0;
  let firstFailure: string | undefined;
  let cdrs = 0;
  let total = { ocpp: 0, pushes: 0 };
  let fleetUp = false;
  while (performance.now() - t0 < SECONDS * 1000) {
    const intervalStart = performance.now();
    await new Promise((r) => setTimeout(r, REPORT_SECONDS * 1000));
    const elapsed = (performance.now() - intervalStart) / 1000;
    const reports = await Promise.all(loads.map(reportOf));
    const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const pushed = pushLatencies.sort((a, b) => a - b);
    pushLatencies = [];
    failures = reports.reduce((n, r) => n + r.failures, 0);
    firstFailure ??= reports.find((r) => r.firstFailure)?.firstFailure;
    cdrs = reports.reduce((n, r) => n + r.transactionsStopped, 0);
    const m = await memory();
    const t = (performance.now() - t0) / 1000;
    const connected = reports.reduce((n, r) => n + r.connected, 0);
    // Steady once the whole fleet is connected and one report interval has passed since.
    samples.push({ t, rss: m.rss, heap: m.heap, steady: fleetUp && connected === CHARGERS });
    fleetUp ||= connected === CHARGERS;
    total = { ocpp: total.ocpp + latencies.length, pushes: total.pushes + pushed.length };
    const row = [
      t.toFixed(0),
      String(connected),
      (latencies.length / elapsed).toFixed(0),
      `${percentile(latencies, 99).toFixed(1)} ms`,
      (pushed.length / elapsed).toFixed(1),
      `${percentile(pushed, 99).toFixed(1)} ms`,
      String(await outboxDepth()),
      mb(m.rss),
      mb(m.heap),
      String(cdrs),
    ];
    rows.push(row);
    process.stdout.write(`${row.join('  ')}\n`);
  }
  running = false;
  await Promise.all(pushers);
  await Promise.all(loads.map((load) => new Promise<void>((resolve) => { load.on('message', (m: { stopped?: boolean }) => m.stopped && resolve()); load.send({ stop: true }); })));
  loads.forEach((load) => load.disconnect());

  // Did memory level off? Over the steady part (the whole fleet connected), compare the slopes of its
  // first and last half (MB per minute).
  const steady = samples.filter((s) => s.steady);
  const half = Math.floor(steady.length / 2);
  const perMinute = (key: 'rss' | 'heap', part: typeof samples) => slope(part.map((s) => ({ x: s.t / 60, y: s[key] / 1024 / 1024 })));
  const verdictRows = [['memory (steady part)', 'first half MB/min', 'last half MB/min', 'start MB', 'end MB', 'verdict']];
  let levelled = steady.length >= 6;
  if (!levelled) process.stdout.write(`\nonly ${steady.length} samples with the whole fleet connected: too few to judge memory (run longer: SOAK_SECONDS)\n`);
  for (const key of ['rss', 'heap'] as const) {
    if (steady.length < 6) break;
    const first = perMinute(key, steady.slice(0, half));
    const last = perMinute(key, steady.slice(half));
    // Levelled off: the last half grows under 2 MB/min, or it reaches no new high (5 % above the first
    // half's highest sample): a line through a minute of noisy samples can tilt either way.
    const high = (part: typeof samples) => Math.max(...part.map((s) => s[key]));
    const ok = Number.isFinite(last) && (last < 2 || high(steady.slice(half)) <= 1.05 * high(steady.slice(0, half)));
    levelled &&= ok;
    verdictRows.push([key, first.toFixed(2), last.toFixed(2), mb(steady[0][key]), mb(steady.at(-1)![key]), ok ? 'levelled off' : 'still growing']);
  }
  process.stdout.write(`\n${table(verdictRows)}\n`);
  process.stdout.write(
    `\ntotals: ${total.ocpp} OCPP calls answered, ${total.pushes} OCPI pushes accepted, ${cdrs} transactions stopped; ` +
      `failed OCPP calls: ${failures}${firstFailure ? ` (first: ${firstFailure})` : ''}; failed pushes: ${pushFailures}${pushFirstFailure ? ` (first: ${pushFirstFailure})` : ''}\n`,
  );
  process.stdout.write(`verdict: memory ${levelled ? 'levelled off' : 'did NOT level off'} over ${SECONDS} s\n`);

  await hub.stop();
  await db.end();
  for (const partner of partners) await partner.stop();
  await database.close();
  process.exit(levelled && failures === 0 && pushFailures === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`bench:soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
