/**
 * The simulated charge points of bench:ocpp (forked by bench/ocpp.ts, one or more processes): real
 * ocpp-rpc clients speaking OCPP 1.6J, each with at most one call in flight, driven by commands over
 * IPC. Clients do not validate (strict mode is the server's cost, not the load generator's).
 */
import type { RPCClient } from 'ocpp-rpc';
import { loadChargePoint } from './support';
import { tokenOf } from './ocpp-ids';

export type LoadCommand =
  | { id: number; cmd: 'connect'; url: string; ids: string[]; password: string; concurrency: number; steps: Step[]; localAddress: string }
  | { id: number; cmd: 'start' }
  | { id: number; cmd: 'run'; action: 'MeterValues' | 'Heartbeat'; seconds: number; warmupSeconds: number }
  | { id: number; cmd: 'closeAll' };

export type Step = 'Boot' | 'Status' | 'Authorize';

export interface LoadReply {
  id: number;
  error?: string;
  elapsedMs?: number;
  failures?: number;
  firstFailure?: string;
  latencies?: number[];
  count?: number;
  seconds?: number;
}

const clients = new Map<string, RPCClient>();
const transactionOf = new Map<string, number>();
let meter = 0;

function call(client: RPCClient, action: string, params: unknown): Promise<unknown> {
  return client.call(action, params, { callTimeoutMs: 300_000 });
}

async function step(chargerId: string, client: RPCClient, name: Step): Promise<void> {
  if (name === 'Boot') {
    const answer = (await call(client, 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'Sim-AC22' })) as { status: string };
    if (answer.status !== 'Accepted') throw new Error(`BootNotification answered ${answer.status}`);
  } else if (name === 'Status') {
    await call(client, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  } else {
    const answer = (await call(client, 'Authorize', { idTag: tokenOf(chargerId, 'S') })) as { idTagInfo: { status: string } };
    if (answer.idTagInfo.status !== 'Accepted') throw new Error(`Authorize answered ${answer.idTagInfo.status}`);
  }
}

/** Connects chargers (at most `concurrency` connecting at a time) and runs their steps; the time until all are done. */
async function connect(command: Extract<LoadCommand, { cmd: 'connect' }>): Promise<LoadReply> {
  let failures = 0;
  let firstFailure: string | undefined;
  const queue = [...command.ids];
  const started = performance.now();
  const worker = async () => {
    for (let chargerId = queue.shift(); chargerId !== undefined; chargerId = queue.shift()) {
      const client = loadChargePoint(command.url, chargerId, command.password, {
        wsOpts: { localAddress: command.localAddress, handshakeTimeout: 300_000 },
      });
      try {
        await client.connect();
        clients.set(chargerId, client);
        for (const name of command.steps) await step(chargerId, client, name);
      } catch (error) {
        failures++;
        firstFailure ??= `${chargerId}: ${(error as Error).message}`;
        void client.close({ force: true }).catch(() => undefined);
        clients.delete(chargerId);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.ids.length) }, worker));
  return { id: command.id, elapsedMs: performance.now() - started, failures, firstFailure };
}

/** A StartTransaction per connected charger, so its MeterValues belong to a running transaction. */
async function start(id: number): Promise<LoadReply> {
  let failures = 0;
  let firstFailure: string | undefined;
  const at = new Date(Date.now() - 60_000).toISOString();
  await Promise.all(
    [...clients].map(async ([chargerId, client]) => {
      try {
        const answer = (await call(client, 'StartTransaction', { connectorId: 1, idTag: tokenOf(chargerId, 'T'), meterStart: 0, timestamp: at })) as {
          transactionId: number;
          idTagInfo: { status: string };
        };
        if (answer.idTagInfo.status !== 'Accepted') throw new Error(`StartTransaction answered ${answer.idTagInfo.status}`);
        transactionOf.set(chargerId, answer.transactionId);
      } catch (error) {
        failures++;
        firstFailure ??= `${chargerId}: ${(error as Error).message}`;
      }
    }),
  );
  return { id, failures, firstFailure };
}

function paramsOf(action: 'MeterValues' | 'Heartbeat', chargerId: string): unknown {
  if (action === 'Heartbeat') return {};
  meter++;
  return {
    connectorId: 1,
    transactionId: transactionOf.get(chargerId),
    meterValue: [
      {
        timestamp: new Date().toISOString(),
        sampledValue: [
          { value: String(1000 + meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
        ],
      },
    ],
  };
}

/** Every connected charger calls `action` again as soon as the last one is answered (closed loop). */
async function run(command: Extract<LoadCommand, { cmd: 'run' }>): Promise<LoadReply> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const t0 = performance.now();
  const measureFrom = t0 + command.warmupSeconds * 1000;
  const end = measureFrom + command.seconds * 1000;
  await Promise.all(
    [...clients].map(async ([chargerId, client]) => {
      while (performance.now() < end) {
        const sent = performance.now();
        try {
          await call(client, command.action, paramsOf(command.action, chargerId));
        } catch (error) {
          failures++;
          firstFailure ??= `${chargerId}: ${(error as Error).message}`;
          continue;
        }
        const answered = performance.now();
        if (sent >= measureFrom && answered <= end) latencies.push(answered - sent);
      }
    }),
  );
  return { id: command.id, latencies, count: latencies.length, seconds: command.seconds, failures, firstFailure };
}

async function closeAll(id: number): Promise<LoadReply> {
  await Promise.all([...clients.values()].map((client) => client.close({ code: 1000, awaitPending: false }).catch(() => undefined)));
  clients.clear();
  transactionOf.clear();
  return { id };
}

process.on('message', (command: LoadCommand) => {
  const reply =
    command.cmd === 'connect' ? connect(command) : command.cmd === 'start' ? start(command.id) : command.cmd === 'run' ? run(command) : closeAll(command.id);
  reply.then(
    (r) => process.send!(r),
    (error: Error) => process.send!({ id: command.id, error: error.stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
