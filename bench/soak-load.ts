/**
 * Simulated charge points of bench:soak (forked by bench/soak.ts, one or more processes): real ocpp-rpc
 * clients speaking OCPP 1.6J that live like chargers do — boot, status, a Heartbeat every
 * SOAK_HEARTBEAT_SECONDS, and charges one after another: StartTransaction, MeterValues every
 * SOAK_METER_SECONDS for a random while, StopTransaction, a random pause. Every few seconds the process
 * reports, over IPC, the calls answered since its last report with their latencies.
 */
import type { RPCClient } from 'ocpp-rpc';
import { loadChargePoint } from './support';

export interface SoakLoadStart {
  url: string;
  ids: string[];
  password: string;
  heartbeatSeconds: number;
  meterSeconds: number;
  /** Connect this many at a time (a fleet coming up, not a storm). */
  wave: number;
}

export interface SoakLoadReport {
  connected: number;
  calls: number;
  failures: number;
  firstFailure?: string;
  latencies: number[];
  transactionsStopped: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

let running = true;
let connected = 0;
let calls = 0;
let failures = 0;
let firstFailure: string | undefined;
let stopped = 0;
let latencies: number[] = [];
const clients: RPCClient[] = [];

async function call(client: RPCClient, id: string, action: string, params: unknown): Promise<any> {
  const t0 = performance.now();
  try {
    const answer = await client.call(action, params, { callTimeoutMs: 60_000 });
    calls++;
    latencies.push(performance.now() - t0);
    return answer;
  } catch (error) {
    failures++;
    firstFailure ??= `${id} ${action}: ${(error as Error).message}`;
    return undefined;
  }
}

async function live(client: RPCClient, id: string, start: SoakLoadStart): Promise<void> {
  const heartbeats = (async () => {
    while (running) {
      await sleep(start.heartbeatSeconds * 1000 * between(0.9, 1.1));
      if (running) await call(client, id, 'Heartbeat', {});
    }
  })();
  let meter = 0;
  await sleep(between(0, start.meterSeconds * 1000));
  while (running) {
    const started = await call(client, id, 'StartTransaction', { connectorId: 1, idTag: `SOAK-${id}`, meterStart: meter, timestamp: new Date().toISOString() });
    if (!started) {
      await sleep(5000);
      continue;
    }
    await call(client, id, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const readings = Math.round(between(3, 9));
    for (let i = 0; i < readings && running; i++) {
      await sleep(start.meterSeconds * 1000);
      meter += Math.round(between(20, 40) * start.meterSeconds); // about 11 kW
      await call(client, id, 'MeterValues', {
        connectorId: 1,
        transactionId: started.transactionId,
        meterValue: [
          {
            timestamp: new Date().toISOString(),
            sampledValue: [
              { value: String(meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
            ],
          },
        ],
      });
    }
    await call(client, id, 'StopTransaction', { transactionId: started.transactionId, meterStop: meter, timestamp: new Date().toISOString() });
    stopped++;
    await call(client, id, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await sleep(between(2, 4) * start.meterSeconds * 1000);
  }
  await heartbeats;
}

async function begin(start: SoakLoadStart): Promise<void> {
  const queue = [...start.ids];
  const lives: Promise<void>[] = [];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined && running; id = queue.shift()) {
      const client = loadChargePoint(start.url, id, start.password, { callTimeoutMs: 60_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (error) {
        failures++;
        firstFailure ??= `${id} connect: ${(error as Error).message}`;
        continue;
      }
      clients.push(client);
      connected++;
      await call(client, id, 'BootNotification', { chargePointVendor: 'Soak', chargePointModel: 'Sim-AC22' });
      await call(client, id, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
      lives.push(live(client, id, start));
    }
  };
  await Promise.all(Array.from({ length: start.wave }, worker));
  await Promise.all(lives);
}

function report(): SoakLoadReport {
  const r = { connected, calls, failures, firstFailure, latencies, transactionsStopped: stopped };
  calls = 0;
  latencies = [];
  return r;
}

process.on('message', (message: { start?: SoakLoadStart; report?: boolean; stop?: boolean }) => {
  if (message.start) void begin(message.start);
  if (message.report) process.send!({ report: report() });
  if (message.stop) {
    running = false;
    void Promise.all(clients.map((c) => c.close({ code: 1000, awaitPending: false }).catch(() => undefined))).then(() => process.send!({ stopped: true }));
  }
});
process.on('disconnect', () => process.exit(0));
