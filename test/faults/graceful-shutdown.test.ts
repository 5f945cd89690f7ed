import { chmodSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import { createTestDatabase } from '../support/database';
import { freePort, type HubProcess, type HubProcessSettings, hubProcessSettings, startHubProcess } from '../support/hub-process';
import { waitFor } from '../support/network';
import { startPostgresProcess } from '../support/postgres-process';

jest.setTimeout(120_000);

const CHARGERS = 8;
const PASSWORD = 'shutdown-charger-password-01';

/** A log line at error level or above (pino: 50 error, 60 fatal), or anything else on the output that speaks of an error. */
function isErrorLine(line: string): boolean {
  try {
    const entry = JSON.parse(line) as { level?: number };
    return (entry.level ?? 0) >= 50;
  } catch {
    return /error|fail|unhandled|exception|terminat/i.test(line);
  }
}

interface Reading {
  chargerId: string;
  at: string;
  wh: number;
}

/**
 * Runs the hub process, loads it with chargers that each keep three MeterValues in flight (a queue of
 * readings, as after an outage), stops it with `signal`, and answers what the chargers saw answered
 * and what the hub printed from the signal on.
 */
async function loadThenStop(settings: HubProcessSettings, clients: RPCClient[], signal: 'SIGTERM' | 'SIGINT'): Promise<{ hub: HubProcess; answered: Reading[]; stopOutput: string[]; exitCode: number | string; stopMs: number }> {
  const hub = await startHubProcess(settings);
  const ids = Array.from({ length: CHARGERS }, (_, i) => `STOP${i}`);
  for (const id of ids) {
    expect((await hub.admin.post('/admin/chargers', { id, password: PASSWORD })).status).toBe(201);
    expect((await hub.admin.patch(`/admin/chargers/${id}`, { status: 'ACCEPTED' })).status).toBe(200);
  }
  const answered: Reading[] = [];
  let sequence = 0;
  const t0 = Date.now() - 3600_000;
  const sending = ids.map(async (id) => {
    const cp = new RPCClient({ endpoint: hub.ocppUrl, identity: id, password: PASSWORD, protocols: ['ocpp1.6'], strictMode: true, reconnect: false, callConcurrency: 3 } as RPC_ClientOptions);
    clients.push(cp);
    cp.on('error', () => undefined);
    await cp.connect();
    await cp.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'AC22' });
    const lane = async () => {
      for (;;) {
        const n = ++sequence;
        const at = new Date(t0 + n * 1000).toISOString();
        try {
          await cp.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: at, sampledValue: [{ value: String(n), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
        } catch {
          return; // the hub went away: not answered, so a real charger sends it again later
        }
        answered.push({ chargerId: id, at, wh: n });
      }
    };
    await Promise.all([lane(), lane(), lane()]);
  });
  await waitFor(() => answered.length >= 300 || undefined, 'the load to run', 30_000);

  const stopOutput: string[] = [];
  const keep = (chunk: Buffer) => stopOutput.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  hub.child.stdout!.on('data', keep);
  hub.child.stderr!.on('data', keep);
  const stoppedAt = Date.now();
  hub.child.kill(signal);
  const exitCode = await hub.exited;
  const stopMs = Date.now() - stoppedAt;
  await Promise.all(sending);
  return { hub, answered, stopOutput, exitCode, stopMs };
}

/** The answered readings missing from the database. */
async function missing(db: Client, answered: Reading[]): Promise<Reading[]> {
  const { rows } = await db.query(`SELECT charger_id, sampled_at, energy_wh FROM ocpp_meter_values`);
  const stored = new Set(rows.map((r: { charger_id: string; sampled_at: Date; energy_wh: number }) => `${r.charger_id}/${r.sampled_at.toISOString()}/${r.energy_wh}`));
  return answered.filter((a) => !stored.has(`${a.chargerId}/${a.at}/${a.wh}`));
}

/**
 * The real hub process stopped with SIGTERM (or SIGINT, sent to it alone) while its chargers send MeterValues as fast as it answers
 * them. Everything it answered is stored, it exits 0 in bounded time, and the stop prints no error —
 * on an external database and on its embedded PostgreSQL, which it stops last. (SIGKILL: sigkill.test.ts.)
 */
describe('a hub stopped with SIGTERM or SIGINT under OCPP load', () => {
  const clients: RPCClient[] = [];
  const dbs: Client[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await Promise.all(dbs.map((db) => db.end()));
  });

  it('on DATABASE_URL: stores every MeterValues it answered, prints no error and exits 0', async () => {
    const databaseUrl = await createTestDatabase();
    const { answered, stopOutput, exitCode, stopMs } = await loadThenStop(await hubProcessSettings(databaseUrl, { LOG_LEVEL: 'info' }), clients, 'SIGTERM');
    expect(exitCode).toBe(0);
    expect(stopMs).toBeLessThan(20_000);
    expect(stopOutput.filter(isErrorLine)).toEqual([]);
    expect(stopOutput.join('\n')).toMatch(/shutting down[\s\S]*"msg":"stopped"/);
    const db = new Client({ connectionString: databaseUrl });
    dbs.push(db);
    await db.connect();
    expect(await missing(db, answered)).toEqual([]);
    expect(answered.length).toBeGreaterThanOrEqual(300);
  });

  it('on the embedded PostgreSQL, with SIGINT: the same, the database stopped last', async () => {
    const pgPort = await freePort();
    const settings = await hubProcessSettings('', { LOG_LEVEL: 'info', EMBEDDED_PG_PORT: String(pgPort) });
    chmodSync(settings.dataDir, 0o755); // PostgreSQL runs as its own user and must reach DATA_DIR/postgres
    const { answered, stopOutput, exitCode, stopMs } = await loadThenStop(settings, clients, 'SIGINT');
    expect(exitCode).toBe(0);
    expect(stopMs).toBeLessThan(20_000);
    expect(stopOutput.filter(isErrorLine)).toEqual([]);
    // The stopped hub's data directory, opened by a server of the test's own.
    const postgres = await startPostgresProcess(path.join(settings.dataDir, 'postgres'), pgPort);
    try {
      const db = new Client({ connectionString: postgres.url });
      await db.connect();
      try {
        expect(await missing(db, answered)).toEqual([]);
      } finally {
        await db.end();
      }
    } finally {
      await postgres.stop();
    }
    expect(answered.length).toBeGreaterThanOrEqual(300);
  });
});
