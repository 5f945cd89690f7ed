import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/hub-process';
import { type PostgresProcess, startPostgresProcess } from '../support/postgres-process';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';

/**
 * PostgreSQL stopped and started again under the hub (an embedded server of this test's own): while
 * it is gone, OCPI requests are answered HTTP 503 with OCPI status 3000 and a message saying to try
 * again, admin requests 503 — never a bare 500 — and nothing is half-done; once it is back the hub
 * carries on without a restart of its own (its pool and its LISTEN connection reconnect), and the
 * partner's pushes that were refused go through when it sends them again.
 */
describe('PostgreSQL restarted under the hub', () => {
  let pg: PostgresProcess;
  let net: TestNetwork;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-pg-restart-'));
    chmodSync(dir, 0o755); // run as root, the server runs as a `postgres` user that must reach it
    dataDir = path.join(dir, 'pg');
    port = await freePort();
    pg = await startPostgresProcess(dataDir, port);
    net = await startNetwork({ cpos: ['NL/CP1'], emsps: ['NL/EM1'], agreements: 'all', hub: { databaseUrl: pg.url } });
  });
  afterAll(async () => {
    await net?.close();
    await pg?.stop();
  });

  const location = (id: string, second: number) => ({
    ...example('location_example.json'),
    id,
    country_code: 'NL',
    party_id: 'CP1',
    last_updated: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  });
  const pushesAt = (id: string) => net.parties.EM1.partner.received('PUT', `/ocpi/2.2.1/locations/NL/CP1/${id}`).map((r) => (r.body as { last_updated: string }).last_updated);

  it('answers 503/3000 while it is down, changes nothing half-way, and carries on when it is back', async () => {
    const cp1 = net.parties.CP1.ocpi;
    // Before: a push goes through, and a location to PATCH later.
    expect((await cp1.put('/receiver/locations/NL/CP1/LOC1', location('LOC1', 1))).data.status_code).toBe(1000);
    await waitFor(() => pushesAt('LOC1').length === 1 || undefined, 'the first push');
    // ... and the hub has recorded it as delivered: a delivery whose answer came in while the database
    // went down keeps its lease and is sent again when the lease ends (at least once), holding back the
    // PATCH below for that long.
    await net.hub.services.outbox.whenIdle();

    await pg.stop();

    // While it is down: every kind of request is refused clearly, none with a 500.
    const refused = await Promise.all([
      cp1.put('/receiver/locations/NL/CP1/LOC2', location('LOC2', 2)),
      cp1.patch('/receiver/locations/NL/CP1/LOC1', { name: 'half-way', last_updated: new Date(Date.UTC(2026, 0, 1, 0, 0, 3)).toISOString() }),
      net.parties.EM1.ocpi.get('/sender/locations'),
    ]);
    for (const reply of refused) {
      expect({ status: reply.status, code: reply.data.status_code }).toEqual({ status: 503, code: 3000 });
      expect(reply.data.status_message).toMatch(/try again/);
    }
    const admin = await Promise.all([net.hub.admin.get('/admin/parties'), net.hub.admin.get('/admin/outbox'), net.hub.admin.post('/admin/settlement/runs', {})]);
    for (const reply of admin) expect({ status: reply.status, error: reply.data.error?.code }).toEqual({ status: 503, error: 'unavailable' });

    pg = await startPostgresProcess(dataDir, port);

    // Back: the pool reconnects on the next request; the refused push is sent again and goes through.
    await waitFor(async () => (await net.parties.EM1.ocpi.get('/sender/locations').catch(() => undefined))?.status === 200 || undefined, 'the hub to answer again', 15_000);
    expect((await cp1.put('/receiver/locations/NL/CP1/LOC2', location('LOC2', 2))).data.status_code).toBe(1000);
    await waitFor(() => pushesAt('LOC2').length === 1 || undefined, 'the push sent again');

    // Nothing half-way: the refused PATCH changed nothing, in the store or at the eMSP.
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT data FROM ocpi_objects WHERE module = 'locations' AND party_id = 'CP1' AND object_id = 'LOC1'`);
      expect(rows[0].data.name).toBe((location('LOC1', 1) as { name?: string }).name);
      expect(rows[0].data.last_updated).toBe(location('LOC1', 1).last_updated);
      expect(net.parties.EM1.partner.received('PATCH', '/ocpi/2.2.1/locations/NL/CP1/LOC1')).toHaveLength(0);
      // The LISTEN connection (charger calls, outbox wake-ups, local lists between instances) is open
      // again, listening on every channel.
      await waitFor(() => net.hub.services.notifications.listening || undefined, 'the LISTEN connection to come back', 10_000);
    } finally {
      await db.end();
    }

    // And it carries on: a PATCH now goes through to the eMSP.
    const patched = await cp1.patch('/receiver/locations/NL/CP1/LOC1', { name: 'after', last_updated: new Date(Date.UTC(2026, 0, 1, 0, 0, 4)).toISOString() });
    expect(patched.data.status_code).toBe(1000);
    await waitFor(() => net.parties.EM1.partner.received('PATCH', '/ocpi/2.2.1/locations/NL/CP1/LOC1')[0], 'the PATCH after the restart');
  });
});
