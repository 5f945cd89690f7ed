/** The partners, the bare Koa baseline and the load of bench:ocpi (forked by bench/ocpi.ts). */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import axios from 'axios';
import Koa from 'koa';
import { example } from '../test/support/network';
import { startPartner, type TestPartner } from '../test/support/partner';
import { keepAlive, ms, steadyRate, summarise, table } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const FAN_OUT_ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 200);
const EMSPS = 10;
const STORED_LOCATIONS = 10_000;
const HUB_URL = process.env.HUB_URL!;
const admin = axios.create({ baseURL: HUB_URL, headers: { Authorization: `Bearer ${process.env.HUB_ADMIN_KEY}` }, httpAgent: keepAlive });

interface Party {
  partner: TestPartner;
  ocpi: ReturnType<typeof axios.create>;
}

async function register(countryCode: string, partyId: string, role: 'CPO' | 'EMSP', tokensSenderUrl?: string): Promise<Party> {
  const created = await admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: partyId });
  const receivers = (ids: string[]) => ids.map((identifier) => ({ identifier, role: 'RECEIVER' as const, path: `/${identifier}` }));
  const endpoints =
    role === 'CPO'
      ? receivers(['tokens'])
      : [...receivers(['locations', 'tariffs', 'sessions', 'cdrs']), { identifier: 'tokens', role: 'SENDER' as const, path: tokensSenderUrl ?? '/tokens' }];
  const partner = await startPartner({ countryCode, partyId, role, endpoints });
  const { body } = await partner.registerWith(`${HUB_URL}/ocpi/versions`, created.data.token_a);
  if (body.status_code !== 1000) throw new Error(`registration of ${partyId} failed: ${JSON.stringify(body)}`);
  const ocpi = axios.create({
    baseURL: `${HUB_URL}/ocpi/2.2.1`,
    httpAgent: keepAlive,
    headers: { Authorization: `Token ${Buffer.from(body.data.token).toString('base64')}`, 'OCPI-from-country-code': countryCode, 'OCPI-from-party-id': partyId },
  });
  return { partner, ocpi };
}

async function pagesPerSecond(get: (offset: number) => Promise<unknown>, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let pages = 0;
  while (performance.now() < end) await get((pages++ * 100) % STORED_LOCATIONS);
  return pages / seconds;
}

/** Asks the hub process to turn the traffic recorder off or on, and waits until it has (bench/ocpi.ts). */
function setRecording(on: boolean): Promise<void> {
  return new Promise((resolve) => {
    const answer = (message: { recordingSet?: boolean }) => {
      if (message.recordingSet !== on) return;
      process.off('message', answer);
      resolve();
    };
    process.on('message', answer);
    process.send!({ recording: on });
  });
}

/**
 * Section 4: what recording every call costs the real-time authorization (two records each: the
 * CPO's request in, the call to the eMSP out). Off and on alternate in six phases of a third of
 * BENCH_SECONDS each, so drift of the machine falls on both alike; goal: p99 with recording at most
 * 5 % above p99 without.
 */
async function recordingCostRows(authorize: () => Promise<void>): Promise<string[][]> {
  const samples: Record<'off' | 'on', number[]> = { off: [], on: [] };
  for (const mode of ['off', 'on', 'off', 'on', 'off', 'on'] as const) {
    await setRecording(mode === 'on');
    samples[mode].push(...(await steadyRate(RATE, Math.max(1, SECONDS / 3), authorize)));
  }
  await setRecording(true);
  const off = summarise(samples.off);
  const on = summarise(samples.on);
  return [
    [`authorize p50 @${RATE}/s, recording off | on`, `${ms(off.p50)} | ${ms(on.p50)}`, '', `ratio ${(on.p50 / off.p50).toFixed(3)}`],
    [`authorize p99 @${RATE}/s, recording off | on`, `${ms(off.p99)} | ${ms(on.p99)}`, '', `ratio ${(on.p99 / off.p99).toFixed(3)} (goal ≤ 1.05)`],
  ];
}

async function main(): Promise<void> {
  const location = example('location_example.json');
  const envelope = (data: unknown) => ({ data, status_code: 1000, timestamp: new Date().toISOString() });
  const page = Array.from({ length: 100 }, (_, i) => ({ ...location, id: `L${i}` }));
  const bareApp = new Koa();
  bareApp.use(async (ctx) => {
    if (ctx.method === 'GET') ctx.body = envelope(page);
    else if (ctx.path.endsWith('/authorize')) ctx.body = envelope({ allowed: 'ALLOWED', token: { uid: 'x' } });
    else ctx.body = envelope(undefined);
  });
  const bareServer = createServer(bareApp.callback());
  await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve));
  const bare = axios.create({ baseURL: `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`, httpAgent: keepAlive });

  // E00 answers authorizations from a process of its own (bench/emsp-responder.ts).
  const responder = fork(path.join(__dirname, 'emsp-responder.ts'), [], { execArgv: ['--import', 'tsx'] });
  const responderPort = await new Promise<number>((resolve) => responder.once('message', (m: { port: number }) => resolve(m.port)));
  const cpo = await register('NL', 'CPO', 'CPO');
  const emspIds = Array.from({ length: EMSPS }, (_, i) => `E${String(i).padStart(2, '0')}`);
  const emsps: Party[] = [];
  for (const id of emspIds) {
    emsps.push(await register('DE', id, 'EMSP', id === 'E00' ? `http://127.0.0.1:${responderPort}/tokens` : undefined));
    await admin.post('/admin/agreements', { cpo: 'NL/CPO', emsp: `DE/${id}` });
  }
  const rows: string[][] = [['measure', 'hub', 'bare Koa', 'goal']];

  // 1. Real-time authorization.
  const token: Record<string, unknown> = { ...example('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'E00' };
  const pushed = await emsps[0].ocpi.put(`/receiver/tokens/DE/E00/${token.uid}`, token);
  if (pushed.data.status_code !== 1000) throw new Error(`token push failed: ${JSON.stringify(pushed.data)}`);
  const authorize = () =>
    cpo.ocpi.post(`/sender/tokens/${token.uid}/authorize`, { location_id: 'LOC1' }).then((r) => {
      if (r.data.status_code !== 1000) throw new Error(JSON.stringify(r.data));
    });
  await steadyRate(50, 2, authorize); // warm-up
  const hubAuth = summarise(await steadyRate(RATE, SECONDS, authorize));
  const bareAuth = summarise(await steadyRate(RATE, SECONDS, () => bare.post('/tokens/x/authorize', { location_id: 'LOC1' })));
  rows.push([`authorize p50 @${RATE}/s`, ms(hubAuth.p50), ms(bareAuth.p50), '']);
  rows.push([`authorize p99 @${RATE}/s`, ms(hubAuth.p99), ms(bareAuth.p99), 'hub p99 < 10 ms']);
  const recordingRows = await recordingCostRows(authorize);

  // 2. GET-all locations pages/s.
  process.send!({ seed: { countryCode: 'NL', partyId: 'CPO' } });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const hubPages = await pagesPerSecond((offset) => emsps[0].ocpi.get('/sender/locations', { params: { offset, limit: 100 } }), Math.min(SECONDS, 5));
  const barePages = await pagesPerSecond(() => bare.get('/locations'), Math.min(SECONDS, 5));
  rows.push(['GET-all locations, pages/s (100/page)', hubPages.toFixed(0), barePages.toFixed(0), '']);

  // 3. Push fan-out CPO → 10 eMSPs.
  const arrivals = new Map<string, number>();
  const done = new Map<string, () => void>();
  for (const emsp of emsps) {
    emsp.partner.intercept = (req) => {
      if (req.method === 'PUT' && req.path.includes('/locations/NL/CPO/FAN')) {
        const key = req.path.split('/').pop()!;
        arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
        if (arrivals.get(key) === EMSPS) done.get(key)?.();
      }
      return false;
    };
  }
  const fanOut: number[] = [];
  const bareHop: number[] = [];
  for (let round = 0; round < FAN_OUT_ROUNDS; round++) {
    const id = `FAN${round}`;
    const allArrived = new Promise<void>((resolve) => done.set(id, resolve));
    const t0 = performance.now();
    await cpo.ocpi.put(`/receiver/locations/NL/CPO/${id}`, { ...location, id, country_code: 'NL', party_id: 'CPO', last_updated: new Date().toISOString() });
    await allArrived;
    fanOut.push(performance.now() - t0);
    const b0 = performance.now();
    await bare.put(`/locations/NL/CPO/${id}`, location);
    bareHop.push(performance.now() - b0);
  }
  const fan = summarise(fanOut);
  const hop = summarise(bareHop);
  rows.push([`fan-out to ${EMSPS} eMSPs p50`, ms(fan.p50), ms(hop.p50), '']);
  rows.push([`fan-out to ${EMSPS} eMSPs p99`, ms(fan.p99), ms(hop.p99), 'hub p99 < 100 ms']);
  rows.push(...recordingRows);

  process.stdout.write(
    `\nOCPI benchmark (${new Date().toISOString()}; hub in its own process; bare Koa = one direct hop / an in-memory page)\n\n${table(rows)}\n\n`,
  );
  bareServer.close();
  responder.disconnect();
  await Promise.all([cpo, ...emsps].map((p) => p.partner.stop()));
  keepAlive.destroy();
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:ocpi load failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
