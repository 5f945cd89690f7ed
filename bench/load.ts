/**
 * npm run bench:load — load management on a 1,000-connector site (docs/load-management.md):
 *
 *  1. allocation time of the pure core (goal < 50 ms), against a plain equal share of the same site;
 *  2. time from a transaction start until every changed profile has reached its charger (goal < 1 s):
 *     the real hub (PostgreSQL, OCPP server, LoadManager) and 100 real ocpp-rpc chargers of 10
 *     connectors each, answering SetChargingProfile over real WebSockets in this process, 300 cars under a
 *     binding site limit so that one more car changes every car's profile; baseline: the
 *     same number of SetChargingProfile calls sent straight through the hub's charger calls, all at once;
 *  3. energy delivered by departure on a simulated evening (200 cars, evening peak window), smart
 *     allocation against a plain equal share.
 */
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import { allocate, type SiteNode } from '../src/core/allocation/allocation-core';
import { simulateEvening, type EveningCar, type EveningScenario } from './evening-simulation';
import { hashChargerPassword } from '../src/own-cpo/chargers/charger-passwords';
import { setChargingProfileParams } from '../src/own-cpo/load/ocpp-profiles';
import { largeSite } from '../test/core/allocation/scale-site';
import { startTestHub } from '../test/support/test-hub';
import { benchDatabase, reportFigure, summarise } from './support';

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function allocationTime(): void {
  const { site, sessions, now } = largeSite();
  const plain = sessions.map(({ connectorKey, phases }) => ({ connectorKey, phases }));
  const time = (run: () => unknown, rounds: number) => {
    for (let i = 0; i < 20; i++) run(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      run();
      samples.push(performance.now() - started);
    }
    return summarise(samples);
  };
  const previous = allocate(site, sessions, now);
  const smart = time(() => allocate(site, sessions, now, { previous }), 200);
  const equal = time(() => allocate(site, plain, now, { giveBack: false, urgency: false }), 200);
  console.log(`\n1. Allocation of a 1,000-connector site (${sessions.length} sessions, 10 feeders × 10 chargers, peak window active), 200 runs`);
  console.log(`   smart (priorities, departures, give-back):  p50 ${fmt(smart.p50)}  p99 ${fmt(smart.p99)}  max ${fmt(smart.max)}   goal < 50 ms`);
  console.log(`   baseline, plain equal share:                p50 ${fmt(equal.p50)}  p99 ${fmt(equal.p99)}  max ${fmt(equal.max)}`);
  reportFigure({ figure: `allocation of a 1,000-connector site p50`, value: smart.p50, unit: 'ms', baseline: equal.p50, baselineName: 'plain equal share', goal: { atMost: 50, text: '< 50 ms' } });
}

const CHARGERS = 100;
const CONNECTORS = 10;
const PASSWORD = 'bench-load-password-0001';
const chargerId = (i: number) => `LOAD${String(i).padStart(3, '0')}`;

async function rollout(): Promise<void> {
  const database = await benchDatabase();
  const hub = await startTestHub({ databaseUrl: database.url, checkOpenApi: false, logLevel: 'silent', env: { RATE_LIMIT_CHARGER_PER_SECOND: '0' } });
  const clients: RPCClient[] = [];
  try {
    const hash = await hashChargerPassword(PASSWORD);
    await hub.services.db.query(
      `INSERT INTO chargers (id, password_hash, status) SELECT 'LOAD' || lpad(i::text, 3, '0'), $1, 'ACCEPTED' FROM generate_series(0, $2 - 1) AS i`,
      [hash, CHARGERS],
    );
    let receipts: number[] = [];
    for (let i = 0; i < CHARGERS; i++) {
      const client = new RPCClient({
        endpoint: hub.ocppUrl,
        identity: chargerId(i),
        password: PASSWORD,
        protocols: ['ocpp1.6'],
        strictMode: true,
        reconnect: false,
      } as RPC_ClientOptions);
      client.handle('SetChargingProfile', async () => {
        receipts.push(performance.now());
        return { status: 'Accepted' };
      });
      await client.connect();
      await client.call('BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'AC10' });
      clients.push(client);
    }
    // 300 cars charging before load management starts (connectors 1-3 of every charger): the site limit binds
    // and one more car lowers every running car's share by at least 0.1 A, the worst case for a rollout.
    const free: [number, number][] = [];
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < CHARGERS; i++) {
      for (let c = 1; c <= CONNECTORS; c++) {
        if (c > 3) free.push([i, c]);
        else starts.push(clients[i].call('StartTransaction', { connectorId: c, idTag: `CAR${i}-${c}`, meterStart: 0, timestamp: new Date().toISOString() }));
      }
    }
    await Promise.all(starts);
    const feeders: { id: string; limit: { amps: number }; chargers: unknown[] }[] = [];
    for (let f = 0; f < 10; f++) {
      feeders.push({
        id: `F${f}`,
        limit: { amps: 700 },
        chargers: Array.from({ length: 10 }, (_, k) => ({
          charger_id: chargerId(f * 10 + k),
          max_amps: 128,
          connectors: Array.from({ length: CONNECTORS }, (_, c) => ({ ocpp_connector: String(c + 1), phases: 3, max_amps: 32 })),
        })),
      });
    }
    const put = await hub.admin.put('/admin/sites/BENCH', { time_zone: 'Europe/Amsterdam', limit: { amps: 3000 }, safety_margin: { percent: 2 }, groups: feeders });
    if (put.status !== 201) throw new Error(`site: ${JSON.stringify(put.data)}`);
    const initialStarted = performance.now();
    receipts = [];
    await hub.services.load.request('BENCH', 'bench-initial');
    const initial = receipts.length;
    const initialMs = (receipts.at(-1) ?? initialStarted) - initialStarted;

    // Each start: time until the last changed profile reached its charger (quiet for 500 ms = done).
    const quiet = async () => {
      for (;;) {
        const seen = receipts.length;
        await new Promise((r) => setTimeout(r, 500));
        if (receipts.length === seen && seen > 0) return;
      }
    };
    const rollouts: number[] = [];
    const counts: number[] = [];
    for (const [i, c] of free.filter((_, k) => k % 97 === 0).slice(0, 8)) {
      receipts = [];
      const started = performance.now();
      await clients[i].call('StartTransaction', { connectorId: c, idTag: `NEW${i}-${c}`, meterStart: 0, timestamp: new Date().toISOString() });
      await quiet();
      rollouts.push(receipts.at(-1)! - started);
      counts.push(receipts.length);
    }
    // Baseline: the same number of SetChargingProfile calls, straight through the hub's charger calls, all at once, no allocation or ordering.
    const n = Math.max(...counts);
    const baselines: number[] = [];
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: n }, (_, k) => {
          const i = k % CHARGERS;
          const connector = String(1 + Math.floor(k / CHARGERS) % CONNECTORS);
          const params = setChargingProfileParams({ kind: 'connector', protocol: 'ocpp1.6', ocppConnector: connector, limitAmps: 6, phases: 3 }, new Date());
          return hub.services.chargerCalls.call(chargerId(i), 'SetChargingProfile', params);
        }),
      );
      baselines.push(performance.now() - started);
    }
    const state = (await hub.admin.get('/admin/sites/BENCH/state')).data;
    const full = rollouts.filter((_, k) => counts[k] > 1);
    const single = rollouts.filter((_, k) => counts[k] === 1);
    const r = summarise(full);
    const one = summarise(single);
    const b = summarise(baselines);
    console.log(`\n2. From a transaction start to the last changed profile at its charger (1,000 connectors, ${starts.length + 8} cars by the end, ${CHARGERS} ocpp-rpc chargers)`);
    console.log(`   site put into force the first time: ${initial} profiles in ${fmt(initialMs)}`);
    console.log(`   one more car, ${rollouts.length} times: ${rollouts.map((ms, k) => `${counts[k]} profiles in ${fmt(ms)}`).join(', ')}`);
    console.log(`   every running car lowered, then the new car raised: p50 ${fmt(r.p50)}  max ${fmt(r.max)}   goal < 1 s`);
    console.log(`   (only the new car's profile, when the 0.1 A rounding leaves the others' share as it was: p50 ${fmt(one.p50)}  max ${fmt(one.max)})`);
    console.log(`   baseline, ${n} SetChargingProfile calls sent at once without allocation or ordering: p50 ${fmt(b.p50)}  max ${fmt(b.max)}`);
    reportFigure({ figure: 'one more car: start → last changed profile, max', value: r.max, unit: 'ms', baseline: b.max, baselineName: 'the same calls at once, no allocation', goal: { atMost: 1000, text: '< 1 s' } });
    console.log(`   last allocation: ${state.allocation.allocated_w} W allocated of ${state.allocation.limit_w} W; chargers not ok: ${state.chargers.filter((c: { state: string }) => c.state !== 'ok').length}`);
  } finally {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await hub.close();
    await database.close();
  }
}

/** A deterministic evening: 200 connectors in 4 feeders, cars arriving 15:00–19:00, leaving 17:30–07:00, a 17:00–21:00 peak window. */
function eveningScenario(): EveningScenario {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const day = Date.parse('2024-01-10T00:00:00Z'); // Amsterdam is UTC+1: 14:00Z is 15:00 local
  const feeders: SiteNode[] = [];
  const cars: EveningCar[] = [];
  for (let f = 0; f < 4; f++) {
    const connectors = Array.from({ length: 50 }, (_, k) => ({ connectorKey: `F${f}/${k}`, phases: 3 as const, maxAmps: 32 }));
    feeders.push({ id: `F${f}`, limit: { amps: 250 }, connectors });
    for (const connector of connectors) {
      const arrival = day + 14 * 3_600_000 + Math.floor(random() * 4 * 60) * 60_000;
      const short = random() < 0.4;
      const stay = short ? (2.5 + random() * 3) * 3_600_000 : (10 + random() * 4) * 3_600_000;
      const phases = random() < 0.2 ? 1 : 3;
      cars.push({
        id: connector.connectorKey,
        connectorKey: connector.connectorKey,
        arrival: new Date(arrival),
        departure: new Date(Math.min(arrival + stay, day + 30 * 3_600_000)),
        energyNeededWh: Math.round((short ? 8 + random() * 17 : 15 + random() * 45) * 1000),
        phases: phases as 1 | 3,
        maxAmps: random() < 0.5 ? 16 : 32,
      });
    }
  }
  return {
    site: {
      id: 'evening',
      timeZone: 'Europe/Amsterdam',
      limit: { amps: 800 },
      safetyMargin: { percent: 5 },
      timeWindows: [{ id: 'peak', start: '17:00', end: '21:00', limit: { amps: 500 } }],
      children: feeders,
    },
    start: new Date(day + 14 * 3_600_000),
    end: new Date(day + 30 * 3_600_000),
    cars,
    tickMinutes: 5,
  };
}

function evening(): void {
  const scenario = eveningScenario();
  const smart = simulateEvening(scenario, 'smart');
  const equal = simulateEvening(scenario, 'equal-share');
  const kwh = (wh: number) => `${(wh / 1000).toFixed(1)} kWh`;
  const needed = scenario.cars.reduce((sum, car) => sum + car.energyNeededWh, 0);
  console.log(`\n3. A simulated evening: ${scenario.cars.length} cars, 4 feeders, 800 A site with a 500 A peak 17:00–21:00, 5-minute steps (energy needed ${kwh(needed)})`);
  for (const [name, result] of [['smart (departure-aware)', smart], ['baseline, plain equal share', equal]] as const) {
    console.log(
      `   ${name.padEnd(28)} delivered by departure ${kwh(result.totalDeliveredWh)}, short ${kwh(result.totalShortfallWh)}, cars satisfied ${result.carsSatisfied}/${result.cars.length}, overload ${result.maxOverloadAmps} A`,
    );
  }
  reportFigure({ figure: 'simulated evening: energy by departure', value: smart.totalDeliveredWh / 1000, unit: 'kWh', baseline: equal.totalDeliveredWh / 1000, baselineName: 'plain equal share', goal: { ratioAtLeast: 1, text: 'more than the baseline' } });
}

async function main(): Promise<void> {
  console.log('bench:load — load management (docs/load-management.md, docs/benchmarks.md)');
  allocationTime();
  await rollout();
  evening();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
