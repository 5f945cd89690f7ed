import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemo, type DemoNetwork } from '../../src/demo/demo-network';
import { waitFor } from '../support/network';
import { startTestHub, type TestHub } from '../support/test-hub';

jest.setTimeout(60_000);

/** What the demo gives every console view to show: 2.0.1 stations beside 1.6, a load-managed site with a peak window, an eMSP that fails now and then. */
describe('the demo network for the console', () => {
  let hub: TestHub;
  let demo: DemoNetwork;

  beforeAll(async () => {
    hub = await startTestHub({ logLevel: 'warn', env: { OUTBOX_BASE_BACKOFF_MS: '20' } });
    demo = await startDemo(hub.services, {
      mode: 'seed',
      hubUrl: hub.url,
      ocppUrl: hub.ocppUrl,
      versionsUrl: hub.versionsUrl,
      dataDir: mkdtempSync(path.join(tmpdir(), 'demo-console-')),
      log: hub.services.log,
      historyDays: 8,
      pace: { idleMs: [50, 150], chargeMs: [600, 900], meterIntervalMs: 200 },
    });
  });
  afterAll(async () => {
    await demo?.stop();
    await hub?.close();
  });

  it('charges with OCPP 2.0.1 stations beside 1.6 ones', async () => {
    const stopped = await waitFor(async () => {
      const rows: { charger_id: string; protocol: string | null }[] = await hub.services.db.query(
        `SELECT DISTINCT t.charger_id FROM ocpp_transactions t WHERE t.status = 'STOPPED'`,
      );
      const ids = rows.map((r) => r.charger_id);
      return ids.includes('DEMO-UTRECHT-1') && ids.some((id) => id.startsWith('DEMO-AMSTERDAM')) && ids;
    }, 'sessions on a 2.0.1 and a 1.6 station', 30_000);
    expect(stopped).toContain('DEMO-UTRECHT-1');
    const chargers = (await hub.admin.get('/admin/chargers')).data as { id: string; protocol?: string; connection?: { protocol?: string } }[];
    const protocolOf = (id: string) => JSON.stringify(chargers.find((c) => c.id === id));
    expect(protocolOf('DEMO-UTRECHT-1')).toContain('ocpp2.0.1');
    expect(protocolOf('DEMO-AMSTERDAM-1')).toContain('ocpp1.6');
  });

  it('load-manages Amsterdam with an evening peak window', async () => {
    const site = (await hub.admin.get('/admin/sites/DEMO-AMSTERDAM')).data;
    expect(site.time_windows).toEqual([expect.objectContaining({ id: 'evening-peak', start: '17:00', end: '21:00', limit: { kilowatts: 15 } })]);
    expect(site.chargers.map((c: { charger_id: string }) => c.charger_id).sort()).toEqual(['DEMO-AMSTERDAM-1', 'DEMO-AMSTERDAM-2', 'DEMO-AMSTERDAM-3']);
  });

  it('has an eMSP that fails now and then, and whose failed pushes are retried', async () => {
    await hub.services.traffic.drain();
    const failures = await waitFor(async () => {
      await hub.services.traffic.drain();
      const { records } = (await hub.admin.get('/admin/traffic', { params: { partner: 'DE/VLT', direction: 'out', status: '503' } })).data;
      return records.length > 0 && records;
    }, 'a 503 from DE/VLT', 30_000);
    expect(failures[0]).toMatchObject({ http_status: 503, failed: true });
    // The outbox retried it: nothing is given up because of the flaky answers.
    expect((await hub.admin.get('/admin/outbox', { params: { status: 'failed' } })).data).toEqual([]);
  });
});
