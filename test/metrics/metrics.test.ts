import { ocpiModuleOf } from '../../src/metrics';
import { connectChargePoint } from '../support/charge-point';
import { startTestHub, type TestHub } from '../support/test-hub';

describe('ocpiModuleOf', () => {
  it.each([
    ['/ocpi/versions', 'versions'],
    ['/ocpi/2.2.1', 'versions'],
    ['/ocpi/2.2.1/credentials', 'credentials'],
    ['/ocpi/2.2.1/clientinfo', 'hubclientinfo'],
    ['/ocpi/2.2.1/sender/locations/NL/ABC/L1', 'locations'],
    ['/ocpi/2.2.1/receiver/cdrs', 'cdrs'],
    ['/ocpi/2.2.1/sender/tokens/UID/authorize', 'tokens'],
    ['/ocpi/2.2.1/receiver/nonsense', 'other'],
    ['/admin/parties', 'other'],
  ])('%s → %s', (path, module) => expect(ocpiModuleOf(path)).toBe(module));
});

describe('GET /metrics', () => {
  let hub: TestHub;
  const metricsToken = 'metrics-token-0123456789';

  beforeAll(async () => {
    hub = await startTestHub({ env: { METRICS_TOKEN: metricsToken } });
  });
  afterAll(() => hub.close());

  const scrape = (token?: string) => hub.admin.get('/metrics', { headers: { Authorization: token === undefined ? '' : `Bearer ${token}` }, responseType: 'text' });
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

  it('is refused without METRICS_TOKEN or the admin key', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-wrong-token')).status).toBe(401);
    expect((await hub.admin.post('/metrics', {})).status).toBe(405);
  });

  it('counts OCPI requests, OCPP messages, connected chargers and reads the outbox depth', async () => {
    const before = (await scrape(metricsToken)).data as string;
    await hub.admin.get('/ocpi/versions', { headers: { Authorization: 'Token bm9wZQ==' } }); // 401, no envelope status
    await hub.admin.post('/admin/chargers', { id: 'METRICS-CP1', password: 'metrics-password-0001' });
    const client = await connectChargePoint(hub, { id: 'METRICS-CP1', password: 'metrics-password-0001', protocol: 'ocpp1.6' });
    await client.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'M' });
    await client.call('Heartbeat', {});
    const during = await scrape(hub.adminKey);
    expect(during.status).toBe(200);
    expect(during.headers['content-type']).toMatch(/^text\/plain/);
    const text = during.data as string;
    await client.close({ force: true });

    const versions401 = 'ocpi_hub_ocpi_requests_total{module="versions",http_status="401",ocpi_status="2000"}';
    const anyVersions401 = value(text, versions401) + value(text, 'ocpi_hub_ocpi_requests_total{module="versions",http_status="401",ocpi_status="none"}');
    const anyBefore = value(before, versions401) + value(before, 'ocpi_hub_ocpi_requests_total{module="versions",http_status="401",ocpi_status="none"}');
    expect(anyVersions401 - anyBefore).toBe(1);
    expect(value(text, 'ocpi_hub_ocpp_messages_total{action="BootNotification",result="accepted"}') - value(before, 'ocpi_hub_ocpp_messages_total{action="BootNotification",result="accepted"}')).toBe(1);
    expect(value(text, 'ocpi_hub_ocpp_messages_total{action="Heartbeat",result="accepted"}') - value(before, 'ocpi_hub_ocpp_messages_total{action="Heartbeat",result="accepted"}')).toBe(1);
    expect(value(text, 'ocpi_hub_ocpp_connected_chargers') - value(before, 'ocpi_hub_ocpp_connected_chargers')).toBe(1);
    expect(text).toMatch(/^ocpi_hub_outbox_deliveries\{status="pending"\} 0$/m);
    expect(text).toMatch(/^ocpi_hub_process_cpu_user_seconds_total /m);
  });
});
