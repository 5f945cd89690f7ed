import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { startTestHub, type TestHub } from '../support/test-hub';

const SITE = {
  name: 'Depot Utrecht',
  time_zone: 'Europe/Amsterdam',
  limit: { kilowatts: 50 },
  safety_margin: { percent: 5 },
  time_windows: [{ id: 'peak', start: '17:00', end: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], limit: { kilowatts: 30 } }],
  groups: [
    {
      id: 'feeder-a',
      limit: { amps: 40 },
      chargers: [{ charger_id: 'ST-1', max_amps: 32, connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }, { ocpp_connector: '2', phases: 1, max_amps: 16, min_amps: 8, single_phase_on: 'L2' }] }],
    },
  ],
  chargers: [{ charger_id: 'ST-2', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] }],
};

describe('admin API and CLI: load-management sites', () => {
  let hub: TestHub;
  const count = async (table: string) => (await hub.services.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  beforeAll(async () => {
    hub = await startTestHub();
    // A Tuesday 10:00 in Amsterdam, outside the 17:00–21:00 peak window, whatever the machine's clock says.
    hub.services.load.setClock(() => new Date('2025-06-03T08:00:00Z'));
    for (const id of ['ST-1', 'ST-2', 'ST-3']) expect((await hub.admin.post('/admin/chargers', { id, password: 'site-test-password-1' })).status).toBe(201);
  });
  afterAll(() => hub.close());

  it('creates a site, shows it back, and reallocates it (chargers not connected are offline)', async () => {
    const created = await hub.admin.put('/admin/sites/DEPOT-1', SITE);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/admin/sites/DEPOT-1');
    expect(created.data).toEqual({ id: 'DEPOT-1', ...SITE, created_at: expect.any(String), updated_at: expect.any(String) });
    expect((await hub.admin.get('/admin/sites')).data.map((s: { id: string }) => s.id)).toEqual(['DEPOT-1']);
    expect((await hub.admin.get('/admin/sites/DEPOT-1')).data).toEqual(created.data);

    const report = (await hub.admin.post('/admin/sites/DEPOT-1/reallocate')).data;
    expect(report).toEqual({ at: expect.any(String), sent: [], held_back_raises: 0, failed_chargers: [] });
    const state = (await hub.admin.get('/admin/sites/DEPOT-1/state')).data;
    expect(state.chargers).toEqual([
      { charger_id: 'ST-2', state: 'offline', consecutive_failures: 0, last_error: null, last_failure_at: null, excluded_at: null },
      { charger_id: 'ST-1', state: 'offline', consecutive_failures: 0, last_error: null, last_failure_at: null, excluded_at: null },
    ]);
    // 50 kW on 3 × 230 V is 72.46 A per phase; less 5 %: 68.84, rounded down to 68.8 A. The charger with a shared maximum is a node of its own.
    expect(state.allocation.nodes.map((n: { node_id: string; capacity_amps: number }) => [n.node_id, n.capacity_amps])).toEqual([
      ['DEPOT-1', 68.8],
      ['feeder-a', 38],
      ['charger:ST-1', 30.4],
    ]);
    expect(state.allocation.connectors.map((c: { connector_key: string }) => c.connector_key)).toEqual(['ST-2/1/1', 'ST-1/1', 'ST-1/2']);
    const samples = (await hub.admin.get('/admin/sites/DEPOT-1/samples')).data;
    expect(samples.at(-1)).toEqual({ at: expect.any(String), allocated_w: 0, limit_w: 50000 });
  });

  it('replaces a site, and refuses bad input with a clear 4xx that changes nothing', async () => {
    const replaced = await hub.admin.put('/admin/sites/DEPOT-1', { ...SITE, limit: { amps: 63 } });
    expect(replaced.status).toBe(200);
    expect(replaced.data.limit).toEqual({ amps: 63 });
    const before = JSON.stringify((await hub.admin.get('/admin/sites/DEPOT-1')).data);

    const refusals: [unknown, number, RegExp][] = [
      [{ ...SITE, limit: { amps: -1 } }, 400, /limit/],
      [{ ...SITE, limit: { amps: 10, kilowatts: 5 } }, 400, /amps.*kilowatts/],
      [{ ...SITE, voltage: 230 }, 400, /voltage/],
      [{ ...SITE, time_zone: 'Mars/Olympus' }, 400, /unknown time zone "Mars\/Olympus"/],
      [{ ...SITE, time_windows: [{ start: '17:00', end: '25:00', limit: { amps: 10 } }] }, 400, /end.*HH:MM/],
      [{ ...SITE, chargers: [{ charger_id: 'ST-2', connectors: [{ ocpp_connector: '1', phases: 2, max_amps: 16 }] }] }, 400, /phases.*1 or 3/],
      [{ ...SITE, chargers: [{ charger_id: 'ST-1', connectors: [{ ocpp_connector: '3', phases: 1, max_amps: 16 }] }] }, 400, /ST-1 is listed twice/],
      [{ ...SITE, groups: [{ ...SITE.groups[0], id: 'DEPOT-1' }] }, 400, /duplicate node id/],
      [{ ...SITE, chargers: [{ charger_id: 'NOPE', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 16 }] }] }, 400, /Not registered chargers: NOPE/],
    ];
    for (const [body, status, message] of refusals) {
      const answer = await hub.admin.put('/admin/sites/DEPOT-1', body);
      expect(answer.status).toBe(status);
      expect(answer.data.error.message).toMatch(message);
    }
    expect(JSON.stringify((await hub.admin.get('/admin/sites/DEPOT-1')).data)).toBe(before);

    // A charger is in one site only.
    const other = await hub.admin.put('/admin/sites/DEPOT-2', { time_zone: 'UTC', limit: { amps: 32 }, chargers: [{ charger_id: 'ST-2', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] }] });
    expect(other.status).toBe(409);
    expect(other.data.error.message).toBe('charger ST-2 is already in site DEPOT-1');
    expect((await hub.admin.get('/admin/sites/DEPOT-2')).status).toBe(404);
    expect((await hub.admin.put('/admin/sites/bad%20id', SITE)).status).toBe(400);
    expect((await hub.admin.get('/admin/sites/NOPE/state')).status).toBe(404);
    expect((await hub.admin.post('/admin/sites/DEPOT-1/chargers/ST-3/include')).status).toBe(404);
    expect((await hub.admin.get('/admin/sites/DEPOT-1/samples', { params: { from: 'yesterday' } })).status).toBe(400);
  });

  it('moves a charger out of a site into another, and deletes sites (samples stay)', async () => {
    const { groups, ...withoutFeeder } = SITE;
    expect(groups).toHaveLength(1);
    expect((await hub.admin.put('/admin/sites/DEPOT-1', withoutFeeder)).status).toBe(200);
    expect((await hub.services.db.query(`SELECT charger_id FROM site_chargers WHERE site_id = 'DEPOT-1'`)).map((r: { charger_id: string }) => r.charger_id)).toEqual(['ST-2']);
    const moved = await hub.admin.put('/admin/sites/DEPOT-2', { time_zone: 'UTC', limit: { amps: 32 }, chargers: [{ charger_id: 'ST-1', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] }] });
    expect(moved.status).toBe(201);
    expect((await hub.admin.delete('/admin/sites/DEPOT-1')).status).toBe(204);
    expect((await hub.admin.delete('/admin/sites/DEPOT-1')).status).toBe(404);
    expect(await count('site_chargers')).toBe(1);
    expect(await count(`site_load_samples WHERE site_id = 'DEPOT-1'`)).toBeGreaterThan(0);
  });

  it('the CLI puts, shows and lists sites', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'site-cli-'));
    const file = path.join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ time_zone: 'Europe/Berlin', limit: { amps: 100 }, chargers: [{ charger_id: 'ST-3', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 16 }] }] }));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: { OCPI_HUB_URL: hub.url, ADMIN_API_KEY: hub.adminKey } };
    expect(await runCli(['site', 'put', 'CLI-SITE', '--file', file], io)).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ id: 'CLI-SITE', time_zone: 'Europe/Berlin' });
    expect(await runCli(['site', 'state', 'CLI-SITE'], io)).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ site_id: 'CLI-SITE', chargers: [{ charger_id: 'ST-3' }] });
    expect(await runCli(['site', 'list'], io)).toBe(0);
    expect(JSON.parse(out.pop()!).map((s: { id: string }) => s.id)).toEqual(['CLI-SITE', 'DEPOT-2']);
    expect(await runCli(['site', 'put', 'CLI-SITE'], io)).toBe(2);
    expect(err.pop()).toContain('Missing --file');
    expect(await runCli(['site', 'show', 'NOPE'], io)).toBe(1);
    expect(err.pop()).toContain('Error 404: No site with id NOPE');
  });
});
