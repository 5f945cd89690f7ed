import { Scheduler } from '../../../src/scheduler';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';

describe('still-alive check and hubclientinfo', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CPA'], emsps: ['DE/EMA'], hub: { env: { OCPI_TIMEOUT_MS: '500' } } });
  });
  afterAll(() => net.close());

  it('leaves recently active parties alone', async () => {
    const result = await net.hub.services.stillAlive.run();
    expect(result).toEqual({ checked: 0, offline: 0 });
  });

  it('marks a silent party that does not answer OFFLINE, tells the others, and CONNECTED again when it answers', async () => {
    const { CPA, EMA } = net.parties;
    const later = new Date(Date.now() + 10 * 60_000);
    await CPA.partner.stop();
    const result = await net.hub.services.stillAlive.run(later);
    expect(result).toEqual({ checked: 2, offline: 1 });
    expect((await net.hub.admin.get(`/admin/parties/${CPA.id}`)).data.status).toBe('OFFLINE');
    // The eMSP answered its check (a GET on its versions endpoint) and stays CONNECTED.
    expect(EMA.partner.received('GET', '/ocpi/versions').length).toBeGreaterThanOrEqual(2);
    expect((await net.hub.admin.get(`/admin/parties/${EMA.id}`)).data.status).toBe('CONNECTED');
    await waitFor(() => EMA.partner.received('PUT', '/ocpi/2.2.1/clientinfo/NL/CPA').find((r) => (r.body as { status: string }).status === 'OFFLINE'), 'the OFFLINE push');

    await CPA.partner.start();
    await net.hub.services.stillAlive.run(later);
    expect((await net.hub.admin.get(`/admin/parties/${CPA.id}`)).data.status).toBe('CONNECTED');
    await waitFor(
      () => EMA.partner.received('PUT', '/ocpi/2.2.1/clientinfo/NL/CPA').filter((r) => (r.body as { status: string }).status === 'CONNECTED').length >= 2,
      'the CONNECTED push',
    );
  });

  it('runs a scheduled job on one instance at a time (advisory lock)', async () => {
    const { db, log } = net.hub.services;
    const a = new Scheduler(db, log);
    const b = new Scheduler(db, log);
    let release!: () => void;
    const running = a.runExclusive('test-job', () => new Promise<void>((resolve) => (release = resolve)));
    await waitFor(() => release, 'the first run to start');
    expect(await b.runExclusive('test-job', async () => undefined)).toBe(false);
    release();
    expect(await running).toBe(true);
    expect(await b.runExclusive('test-job', async () => undefined)).toBe(true);
    expect(() => a.add('bad', 'not cron', async () => undefined)).toThrow(/invalid cron expression/);
  });
});
