import { ocpiModuleOf } from '../../src/foundation/metrics';
import { connectChargePoint } from '../support/charge-point';
import { startTestHub, type TestHub } from '../support/test-hub';
import type { NewDelivery } from '../../src/hub/routing/outbox';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

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

describe('GET /metrics per partner and module', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/MCP'], emsps: ['NL/MEM'], agreements: 'all', hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '3', OCPI_TIMEOUT_MS: '500' } } });
  });
  afterAll(() => net.close());

  const scrape = async () => (await net.hub.admin.get('/metrics', { responseType: 'text' })).data as string;
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const delta = (before: string, after: string, series: string) => value(after, series) - value(before, series);
  const put = (objectKey: string): NewDelivery => ({
    partyUuid: net.parties.MEM.id,
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/MCP/${objectKey}`,
    body: { id: objectKey },
    objectKey,
    objectVersion: 'v1',
  });

  it('counts and times requests from partners per partner and module, unregistered callers as unknown', async () => {
    const before = await scrape();
    expect((await net.parties.MCP.ocpi.put('/receiver/locations/NL/MCP/L1', { id: 'L1' })).data.status_code).toBe(2001);
    expect((await net.parties.MEM.ocpi.get('/sender/locations')).status).toBe(200);
    const onboarded = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'NEW', roles: ['EMSP'], name: 'not registered yet' });
    await net.hub.admin.get('/ocpi/versions', { headers: { Authorization: `Token ${Buffer.from(onboarded.data.token_a).toString('base64')}` } });
    const after = await scrape();
    expect(delta(before, after, 'ocpi_hub_partner_requests_total{direction="in",partner="NL/MCP",module="locations",result="ocpi_error"}')).toBe(1);
    expect(delta(before, after, 'ocpi_hub_partner_requests_total{direction="in",partner="NL/MEM",module="locations",result="ok"}')).toBe(1);
    expect(delta(before, after, 'ocpi_hub_partner_requests_total{direction="in",partner="unknown",module="versions",result="ok"}')).toBe(1);
    expect(delta(before, after, 'ocpi_hub_partner_request_duration_seconds_count{direction="in",partner="NL/MCP",module="locations"}')).toBe(1);
    expect(after).not.toContain('partner="NL/NEW"');
  });

  it('counts calls to partners and outbox attempts per partner, and each partner\'s backlog', async () => {
    const { MEM } = net.parties;
    const before = await scrape();
    await net.hub.services.outbox.enqueue([put('D1')]);
    await waitFor(() => MEM.partner.received('PUT', '/ocpi/2.2.1/locations/NL/MCP/D1')[0], 'the delivery');
    await net.hub.services.outbox.whenIdle();
    const delivered = await scrape();
    expect(delta(before, delivered, 'ocpi_hub_partner_requests_total{direction="out",partner="NL/MEM",module="locations",result="ok"}')).toBe(1);
    expect(delta(before, delivered, 'ocpi_hub_partner_request_duration_seconds_count{direction="out",partner="NL/MEM",module="locations"}')).toBe(1);
    expect(delta(before, delivered, 'ocpi_hub_outbox_partner_attempts_total{partner="NL/MEM",outcome="delivered"}')).toBe(1);
    expect(value(delivered, 'ocpi_hub_outbox_partner_deliveries{partner="NL/MEM",status="pending"}')).toBe(0);
    expect(delivered).toMatch(/^ocpi_hub_outbox_partner_deliveries\{partner="NL\/MCP",status="failed"\} 0$/m);

    await MEM.partner.stop();
    await net.hub.services.outbox.enqueue([put('D2')]);
    const pending = await scrape();
    expect(value(pending, 'ocpi_hub_outbox_partner_deliveries{partner="NL/MEM",status="pending"}')).toBe(1);
    // Three attempts (OUTBOX_MAX_ATTEMPTS): two retries, then given up.
    await waitFor(async () => delta(before, await scrape(), 'ocpi_hub_outbox_partner_attempts_total{partner="NL/MEM",outcome="failed"}') === 1, 'the delivery to fail', 15_000);
    const failed = await scrape();
    expect(delta(before, failed, 'ocpi_hub_outbox_partner_attempts_total{partner="NL/MEM",outcome="retry"}')).toBe(2);
    expect(delta(before, failed, 'ocpi_hub_partner_requests_total{direction="out",partner="NL/MEM",module="locations",result="no_answer"}')).toBe(3);
    expect(value(failed, 'ocpi_hub_outbox_partner_deliveries{partner="NL/MEM",status="failed"}')).toBe(1);
    // Three unanswered calls in a row: DOWN (2); the CPO, untouched, is OK (0).
    expect(failed).toMatch(/^ocpi_hub_partner_health\{partner="NL\/MEM"\} 2$/m);
    expect(failed).toMatch(/^ocpi_hub_partner_health\{partner="NL\/MCP"\} 0$/m);
    await MEM.partner.start();
  });
});
