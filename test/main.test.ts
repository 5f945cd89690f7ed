import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { closed, connectChargePoint } from './support/charge-point';

jest.setTimeout(90_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** What `npm start` runs (node --import tsx src/main.ts), with the embedded database in a temporary DATA_DIR. */
async function startHub(env: Record<string, string>): Promise<Started> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: path.join(__dirname, '..'), env: { ...inherited, LOG_LEVEL: 'warn', ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!output.includes('OCPI hub listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL'); // a start that overran must not outlive the test (jest would wait for it)
      throw new Error(`the hub did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

describe('npm start (embedded PostgreSQL)', () => {
  it('starts, prints the versions URL and the admin key it made, keeps data across a restart and recovers from SIGKILL', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-start-'));
    chmodSync(dataDir, 0o755); // PostgreSQL runs as its own user and must reach DATA_DIR/postgres
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
    };
    const url = `http://127.0.0.1:${env.PORT}`;
    const first = await startHub(env);
    expect(first.output()).toContain(`OCPI versions URL:  ${url}/ocpi/versions`);
    const adminKey = /Admin API key:\s+(\S+)/.exec(first.output())![1];
    const admin = axios.create({ baseURL: url, headers: { Authorization: `Bearer ${adminKey}` } });
    const created = await admin.post('/admin/parties', { country_code: 'NL', party_id: 'KEP', roles: ['CPO'], name: 'kept' });
    expect(created.status).toBe(201);

    // The demo's drivers pay by card through the local Stripe stand-in: the driver's page of a free
    // demo connector sends them to the stand-in's hosted Checkout page.
    const standIn = /Card payments:\s+a local Stripe stand-in at (http:\/\/127\.0\.0\.1:\d+)/.exec(first.output())![1];
    const codes = (await admin.get('/admin/short-codes')).data as { code: string }[];
    expect(codes.length).toBeGreaterThan(0);
    let checkout: string | undefined;
    for (const deadline = Date.now() + 30_000; !checkout && Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      for (const { code } of codes) {
        const pay = await axios.post(`${url}/c/${code}/pay`, '', { maxRedirects: 0, validateStatus: () => true });
        if (pay.status === 303) {
          checkout = pay.headers.location;
          break;
        }
      }
    }
    expect(checkout).toMatch(new RegExp(`^${standIn}/c/pay/cs_`));
    expect((await axios.get(checkout!)).data).toContain('4242');

    // The OCPP endpoint is served on the same port; a shutdown closes the chargers' connections.
    expect(first.output()).toContain(`OCPP endpoint:      ws://127.0.0.1:${env.PORT}/ocpp/<charge point id>`);
    const charger = await admin.post('/admin/chargers', { id: 'MAIN-1' });
    const chargePoint = await connectChargePoint(
      { ocppUrl: `ws://127.0.0.1:${env.PORT}/ocpp` },
      { id: 'MAIN-1', password: charger.data.password, protocol: 'ocpp1.6' },
    );
    expect(await chargePoint.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Accepted' });
    const chargePointClosed = closed(chargePoint);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect((await chargePointClosed).code).toBe(1001);

    // Same key (kept in DATA_DIR, shown only by the start that made it), same data.
    const second = await startHub(env);
    expect(second.output()).not.toContain(adminKey);
    expect(second.output()).toContain(`Admin API key:      kept in ${path.join(dataDir, 'admin-api-key')} (not shown)`);
    expect((await admin.get(`/admin/parties/${created.data.id}`)).data.name).toBe('kept');

    // SIGKILL leaves the embedded PostgreSQL running; the next start takes it over.
    second.child.kill('SIGKILL');
    await exited(second.child);
    const third = await startHub({ ...env, ADMIN_API_KEY: adminKey });
    try {
      expect(third.output()).not.toContain(adminKey);
      expect(third.output()).toContain('Admin API key:      from ADMIN_API_KEY (not shown)');
      expect((await admin.get(`/admin/parties/${created.data.id}`)).data.name).toBe('kept');
    } finally {
      third.child.kill('SIGTERM');
      await exited(third.child);
    }
  });
});
