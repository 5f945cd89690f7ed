/**
 * npm run bench:ocpi — the hub's OCPI paths beside a bare Koa JSON endpoint, measured in the same run:
 *   1. real-time authorization p50/p99 at a steady rate (the hub knows the token, the eMSP answers at once);
 *   2. GET-all locations pages per second (100 per page, 10,000 stored);
 *   3. push fan-out latency: a CPO's location PUT until all 10 eMSPs have received it.
 * BENCH_SECONDS (default 10) sets how long the steady-rate phase runs; BENCH_RATE (default 200/s) its rate.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import Koa from 'koa';
import { example, startNetwork, type TestNetwork } from '../test/support/network';
import { benchDatabase, keepAlive, ms, steadyRate, summarise, table } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const EMSPS = 10;
const STORED_LOCATIONS = 10_000;
const FAN_OUT_ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 200);

/** The baseline: a bare Koa app answering the same shapes from memory. */
async function startBareKoa(page: unknown[]): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  const envelope = (data: unknown) => ({ data, status_code: 1000, timestamp: new Date().toISOString() });
  app.use(async (ctx) => {
    if (ctx.method === 'GET') ctx.body = envelope(page);
    else if (ctx.path.endsWith('/authorize')) ctx.body = envelope({ allowed: 'ALLOWED', token: { uid: 'x' } });
    else ctx.body = envelope(undefined);
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function pagesPerSecond(get: (offset: number) => Promise<unknown>, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let pages = 0;
  while (performance.now() < end) {
    await get((pages * 100) % STORED_LOCATIONS);
    pages++;
  }
  return pages / seconds;
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const emsps = Array.from({ length: EMSPS }, (_, i) => `DE/E${String(i).padStart(2, '0')}`);
  const net: TestNetwork = await startNetwork({
    cpos: ['NL/CPO'],
    emsps,
    agreements: 'all',
    hub: { databaseUrl: database.url, checkOpenApi: false, logLevel: 'silent', env: { OUTBOX_BASE_BACKOFF_MS: '100' } },
  });
  const cpo = net.parties.CPO;
  const emsp = net.parties.E00;
  for (const party of Object.values(net.parties)) party.ocpi.defaults.httpAgent = keepAlive;
  const location = example('location_example.json');
  const bare = await startBareKoa(Array.from({ length: 100 }, (_, i) => ({ ...location, id: `L${i}` })));
  const bareHttp = axios.create({ baseURL: bare.url, httpAgent: keepAlive });
  const rows: string[][] = [['measure', 'hub', 'bare Koa', 'goal']];

  // 1. Real-time authorization.
  const token: Record<string, unknown> = { ...example('token_example_2_full_rfid.json'), country_code: 'DE', party_id: 'E00' };
  const pushed = await emsp.ocpi.put(`/receiver/tokens/DE/E00/${token.uid}`, token);
  if (pushed.data.status_code !== 1000) throw new Error(`token push failed: ${JSON.stringify(pushed.data)}`);
  emsp.partner.intercept = (req, res) => {
    if (!req.path.includes('/authorize')) return false;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ data: { allowed: 'ALLOWED', token }, status_code: 1000, timestamp: new Date().toISOString() }));
    return true;
  };
  const authorize = () => cpo.ocpi.post(`/sender/tokens/${token.uid}/authorize`, { location_id: 'LOC1' }).then((r) => {
    if (r.data.status_code !== 1000) throw new Error(JSON.stringify(r.data));
  });
  await steadyRate(50, 1, authorize); // warm-up
  const hubAuth = summarise(await steadyRate(RATE, SECONDS, authorize));
  const bareAuth = summarise(await steadyRate(RATE, SECONDS, () => bareHttp.post('/tokens/x/authorize', { location_id: 'LOC1' })));
  rows.push([`authorize p50 @${RATE}/s`, ms(hubAuth.p50), ms(bareAuth.p50), '']);
  rows.push([`authorize p99 @${RATE}/s`, ms(hubAuth.p99), ms(bareAuth.p99), 'hub p99 < 10 ms']);

  // 2. GET-all locations pages/s.
  const { store } = net.hub.services;
  for (let i = 0; i < STORED_LOCATIONS; i++) {
    const item = { ...location, id: `BENCH${i}`, country_code: 'NL', party_id: 'CPO', last_updated: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString() };
    await store.put({ module: 'locations', countryCode: 'NL', partyId: 'CPO', objectId: item.id }, item, new Date(item.last_updated));
  }
  const hubPages = await pagesPerSecond((offset) => emsp.ocpi.get('/sender/locations', { params: { offset, limit: 100 } }), Math.min(SECONDS, 5));
  const barePages = await pagesPerSecond(() => bareHttp.get('/locations'), Math.min(SECONDS, 5));
  rows.push(['GET-all locations, pages/s (100/page)', hubPages.toFixed(0), barePages.toFixed(0), '']);

  // 3. Push fan-out CPO → 10 eMSPs.
  const arrivals = new Map<string, number[]>();
  for (const id of emsps.map((e) => e.split('/')[1])) {
    net.parties[id].partner.intercept = (req) => {
      if (req.method === 'PUT' && req.path.includes('/locations/NL/CPO/FAN')) {
        const key = req.path.split('/').pop()!;
        arrivals.set(key, [...(arrivals.get(key) ?? []), performance.now()]);
      }
      return false;
    };
  }
  const fanOut: number[] = [];
  const bareHop: number[] = [];
  for (let round = 0; round < FAN_OUT_ROUNDS; round++) {
    const id = `FAN${round}`;
    const t0 = performance.now();
    await cpo.ocpi.put(`/receiver/locations/NL/CPO/${id}`, { ...location, id, country_code: 'NL', party_id: 'CPO', last_updated: new Date().toISOString() });
    while ((arrivals.get(id)?.length ?? 0) < EMSPS) await new Promise((r) => setImmediate(r));
    fanOut.push(Math.max(...arrivals.get(id)!) - t0);
    const b0 = performance.now();
    await bareHttp.put(`/locations/NL/CPO/${id}`, location);
    bareHop.push(performance.now() - b0);
  }
  const fan = summarise(fanOut);
  const hop = summarise(bareHop);
  rows.push([`fan-out to ${EMSPS} eMSPs p50`, ms(fan.p50), ms(hop.p50), '']);
  rows.push([`fan-out to ${EMSPS} eMSPs p99`, ms(fan.p99), ms(hop.p99), 'hub p99 < 100 ms']);

  process.stdout.write(`\nOCPI benchmark (${new Date().toISOString()}, bare Koa = one direct hop / in-memory page)\n\n${table(rows)}\n\n`);
  bare.server.close();
  keepAlive.destroy();
  await net.close();
  await database.close();
}

main().catch((error) => {
  process.stderr.write(`bench:ocpi failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
