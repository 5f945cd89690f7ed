import { answerOcpi, locationPut, onLocationPushes } from '../../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';

describe('partner health', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ cpos: [], emsps: ['NL/UPD', 'NL/REF'], hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '20', OCPI_TIMEOUT_MS: '500' } } });
  });
  afterAll(() => net.close());

  const health = async (pid: string) => (await net.hub.admin.get(`/admin/parties/${net.parties[pid].id}`)).data.health;
  const dashboardRow = async (pid: string) =>
    (await net.hub.admin.get('/admin/dashboard/partners')).data.partners.find((p: { party_id: string }) => p.party_id === pid);

  it('shows a partner whose server stopped as DOWN with ECONNREFUSED and since when, and OK again once it answers', async () => {
    const { UPD } = net.parties;
    await net.hub.services.outbox.enqueue([locationPut(net, 'UPD', 'A1')]);
    await waitFor(() => UPD.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/A1')[0], 'the first delivery');
    await net.hub.services.outbox.whenIdle();
    expect(await health('UPD')).toEqual({ status: 'OK', consecutive_failures: 0, failing_since: null, last_error: null, last_error_at: null });

    const stoppedAt = Date.now();
    await UPD.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'UPD', 'A2'), locationPut(net, 'UPD', 'A3')]);
    const down = await waitFor(async () => {
      const h = await health('UPD');
      return h.status === 'DOWN' && h;
    }, 'the partner to show DOWN', 20_000);
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    expect(down.consecutive_failures).toBeGreaterThanOrEqual(3);
    expect(down.last_error).toMatch(/^PUT http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/locations\/NL\/CPO\/A[23] failed: ECONNREFUSED$/);
    expect(new Date(down.failing_since).getTime()).toBeGreaterThanOrEqual(stoppedAt - 1000);
    expect(new Date(down.last_error_at).getTime()).toBeGreaterThanOrEqual(new Date(down.failing_since).getTime());
    // The hubclientinfo ConnectionStatus keeps its meaning (the still-alive check decides OFFLINE).
    const row = await dashboardRow('UPD');
    expect(row).toMatchObject({ status: 'CONNECTED', health: { status: 'DOWN', failing_since: down.failing_since } });
    expect(row.health.last_error).toContain('ECONNREFUSED');
    const totals = (await net.hub.admin.get('/admin/dashboard/partners')).data.totals;
    expect(totals).toMatchObject({ down: 1, degraded: 0 });

    await UPD.partner.start();
    await waitFor(() => UPD.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/A3')[0], 'the delivery after the restart', 20_000);
    const recovered = await waitFor(async () => {
      const h = await health('UPD');
      return h.status === 'OK' && h;
    }, 'the partner to show OK');
    // The last error stays for the operator, with its time; the run of failures is over.
    expect(recovered).toMatchObject({ consecutive_failures: 0, failing_since: null });
    expect(recovered.last_error).toContain('ECONNREFUSED');
    expect(new Date(recovered.last_error_at).getTime()).toBeGreaterThanOrEqual(new Date(down.last_error_at).getTime());
  });

  it('shows a partner refusing deliveries (OCPI 2001, HTTP 500) as DEGRADED with its answer', async () => {
    const { REF } = net.parties;
    onLocationPushes(REF.partner, (req, res) => (req.path.endsWith('/B1') ? answerOcpi(res, 2001, 'Invalid location') : res.writeHead(500).end('broken')));
    await net.hub.services.outbox.enqueue([locationPut(net, 'REF', 'B1')]);
    const refused = await waitFor(async () => {
      const h = await health('REF');
      return h.status !== 'OK' && h;
    }, 'the refusal to count');
    expect(refused).toMatchObject({ status: 'DEGRADED', consecutive_failures: 1 });
    expect(refused.last_error).toMatch(/answered HTTP 200, OCPI 2001: Invalid location$/);

    await net.hub.services.outbox.enqueue([locationPut(net, 'REF', 'B2')]);
    const failing = await waitFor(async () => {
      const h = await health('REF');
      return h.consecutive_failures >= 4 && h;
    }, 'HTTP 500s to count');
    // An answer, even a broken one, is not DOWN: the partner is there but refusing.
    expect(failing.status).toBe('DEGRADED');
    expect(failing.last_error).toMatch(/answered HTTP 500 without an OCPI response$/);
    expect(failing.failing_since).toBe(refused.failing_since);
    REF.partner.intercept = undefined;
  });
});
