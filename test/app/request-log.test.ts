import type { NewDelivery } from '../../src/hub/routing/outbox';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

type LogLine = Record<string, any>;

describe('request log: incoming requests with their OCPI status, outgoing calls alike', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CPL'], emsps: ['NL/EML'], agreements: 'all', hub: { env: { OUTBOX_MAX_ATTEMPTS: '1' } } });
  });
  afterAll(() => net.close());

  const lines = (): LogLine[] => net.hub.logLines.map((l) => JSON.parse(l) as LogLine);
  const put = (objectKey: string, extra: Partial<NewDelivery> = {}): NewDelivery => ({
    partyUuid: net.parties.EML.id,
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/CPL/${objectKey}`,
    body: { id: objectKey },
    objectKey,
    objectVersion: 'v1',
    ...extra,
  });

  it('logs an OCPI refusal with HTTP 200 and its status_code 2001', async () => {
    const refused = await net.parties.CPL.ocpi.put('/receiver/locations/NL/CPL/LOC1', { id: 'LOC1' }, { headers: { 'X-Request-ID': 'log-test-1' } });
    expect(refused.status).toBe(200);
    expect(refused.data.status_code).toBe(2001);
    const line = await waitFor(() => lines().find((l) => l.msg === 'request' && l.requestId === 'log-test-1'), 'the request line');
    expect(line).toMatchObject({ direction: 'in', method: 'PUT', path: '/ocpi/2.2.1/receiver/locations/NL/CPL/LOC1', module: 'locations', status: 200, ocpiStatus: 2001, party: 'NL/CPL' });
    expect(line.ms).toBeGreaterThan(0);
    // Admin requests have no envelope, so no OCPI status.
    await net.hub.admin.get('/admin/parties', { headers: { 'X-Request-ID': 'log-test-2' } });
    const admin = await waitFor(() => lines().find((l) => l.msg === 'request' && l.requestId === 'log-test-2'), 'the admin line');
    expect(admin.status).toBe(200);
    expect(admin).not.toHaveProperty('ocpiStatus');
  });

  it('logs each call to a partner: method, URL without secrets, partner, module, HTTP and OCPI status, latency', async () => {
    const { EML } = net.parties;
    await net.hub.services.outbox.enqueue([put('OK1')]);
    await waitFor(() => EML.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPL/OK1')[0], 'the delivery');
    const delivered = await waitFor(() => lines().find((l) => l.msg === 'call' && String(l.url).endsWith('/OK1')), 'the call line');
    expect(delivered).toMatchObject({
      level: 30,
      direction: 'out',
      method: 'PUT',
      url: `${EML.partner.url}/ocpi/2.2.1/locations/NL/CPL/OK1`,
      module: 'locations',
      party: 'NL/EML',
      status: 200,
      ocpiStatus: 1000,
    });
    expect(delivered.ms).toBeGreaterThan(0);
    // The X-Request-ID the partner got is the one logged.
    expect(EML.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPL/OK1')[0].headers['x-request-id']).toBe(delivered.requestId);

    EML.partner.intercept = (req, res) => {
      if (!req.path.includes('/NO1')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: 2001, status_message: 'no', timestamp: new Date().toISOString() }));
      return true;
    };
    // A target with a query (it may hold a secret): it does not reach the log.
    const target = `${EML.partner.url}/ocpi/2.2.1/locations/NL/CPL/NO1?key=s3cret-query`;
    await net.hub.services.outbox.enqueue([put('NO1', { url: target })]);
    const refused = await waitFor(() => lines().find((l) => l.msg === 'call' && String(l.url).endsWith('/NO1')), 'the refused call line');
    expect(refused).toMatchObject({ level: 40, direction: 'out', url: `${EML.partner.url}/ocpi/2.2.1/locations/NL/CPL/NO1`, party: 'NL/EML', status: 200, ocpiStatus: 2001 });
    expect(refused.err).toMatch(/^status: PUT .* answered HTTP 200, OCPI 2001: no$/);
    EML.partner.intercept = undefined;

    const joined = net.hub.logLines.join('\n');
    expect(joined).not.toContain('s3cret');
    for (const token of EML.partner.acceptedTokens) expect(joined).not.toContain(token);
  });
});
