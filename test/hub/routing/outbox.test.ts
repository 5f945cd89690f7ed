import { backoffMs } from '../../../src/core/retry-backoff';
import { answerOcpi, fromHubTo, locationPut, onLocationPushes } from '../../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';
import { startTestHub } from '../../support/test-hub';

/** A PUT of a made-up location whose body names its version. */
const delivery = (net: TestNetwork, pid: string, objectKey: string, version: string, headers?: Record<string, string>) =>
  locationPut(net, pid, objectKey, { version, body: { id: objectKey, version }, headers });

const locationPuts = (net: TestNetwork, pid: string) => net.parties[pid].partner.received('PUT', '/ocpi/2.2.1/locations/');

const env = { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '4', OCPI_TIMEOUT_MS: '500' };

describe('backoffMs', () => {
  it('doubles per attempt, is capped, and jitters within ±20 %', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 0.5)).toBe(8000);
    expect(backoffMs(30, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1200);
  });
});

describe('outbox', () => {
  let net: TestNetwork;
  const routed = (pid: string, objectKey: string, version: string) =>
    delivery(net, pid, objectKey, version, fromHubTo(pid, `corr-${version}`));

  beforeAll(async () => {
    net = await startNetwork({ cpos: [], emsps: ['NL/LIV', 'NL/ORD', 'NL/BAD'], hub: { env } });
  });
  afterAll(() => net.close());

  it('delivers with routing headers, the kept correlation id and a fresh request id, once per object version', async () => {
    await net.hub.services.outbox.enqueue([routed('LIV', 'LOC1', 'v1'), routed('LIV', 'LOC1', 'v1')]);
    await net.hub.services.outbox.enqueue([routed('LIV', 'LOC1', 'v1')]);
    const put = await waitFor(() => locationPuts(net, 'LIV')[0], 'the delivery');
    expect(put.path).toBe('/ocpi/2.2.1/locations/NL/CPO/LOC1');
    expect(put.body).toEqual({ id: 'LOC1', version: 'v1' });
    expect(put.headers).toMatchObject({ 'ocpi-to-party-id': 'LIV', 'ocpi-from-party-id': 'HUB', 'x-correlation-id': 'corr-v1' });
    expect(put.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.headers.authorization).toBe(net.parties.LIV.partner.authorization([...net.parties.LIV.partner.acceptedTokens].at(-1)!));
    await net.hub.services.outbox.whenIdle();
    expect(locationPuts(net, 'LIV')).toHaveLength(1);
  });

  it('keeps deliveries of one object in order, even when the first needs retries', async () => {
    let failures = 2;
    net.parties.ORD.partner.intercept = (req, res) => {
      if (req.method === 'PUT' && req.path.endsWith('/LOC9') && (req.body as { version: string }).version === 'v1' && failures-- > 0) {
        res.writeHead(503).end();
        return true;
      }
      return false;
    };
    await net.hub.services.outbox.enqueue([routed('ORD', 'LOC9', 'v1'), routed('ORD', 'LOC9', 'v2'), routed('ORD', 'LOC8', 'v1')]);
    const versions = () => locationPuts(net, 'ORD').filter((r) => r.path.endsWith('/LOC9')).map((r) => (r.body as { version: string }).version);
    await waitFor(() => versions().length === 4 || undefined, 'both versions');
    // Two refused attempts at v1, then v1, and only then v2.
    expect(versions()).toEqual(['v1', 'v1', 'v1', 'v2']);
  });

  it('gives up after the bounded attempts, shows the failure, and re-queues on request', async () => {
    onLocationPushes(net.parties.BAD.partner, (_req, res) => res.writeHead(500).end('down'));
    await net.hub.services.outbox.enqueue([routed('BAD', 'X1', 'v1')]);
    const failed = await waitFor(async () => {
      const b = (await net.hub.services.outbox.backlog()).find((x) => x.partyUuid === net.parties.BAD.id);
      return b && b.failed === 1 ? b : undefined;
    }, 'the failure');
    expect(failed.pending).toBe(0);
    expect(net.parties.BAD.partner.requests.filter((r) => r.path.includes('/X1'))).toHaveLength(4);
    const [row] = await net.hub.services.db.query(`SELECT attempts, last_error FROM outbox WHERE party_uuid = $1 AND object_key = 'X1'`, [net.parties.BAD.id]);
    expect(row.attempts).toBe(4);
    expect(row.last_error).toMatch(/HTTP 500/);
    const listed = await net.hub.admin.get('/admin/outbox', { params: { status: 'failed', party: net.parties.BAD.id } });
    expect(listed.status).toBe(200);
    expect(listed.data).toEqual([expect.objectContaining({ status: 'failed', attempts: 4, target: '/NL/CPO/X1', last_error: expect.stringMatching(/HTTP 500/) })]);
    expect((await net.hub.admin.get('/admin/outbox', { params: { status: 'lost' } })).status).toBe(400);

    net.parties.BAD.partner.intercept = undefined;
    const retried = await net.hub.admin.post(`/admin/parties/${net.parties.BAD.id}/outbox/retry`);
    expect(retried.data).toEqual({ requeued: 1 });
    await waitFor(() => net.parties.BAD.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/X1')[0], 'the re-queued delivery');
  });

  it('does not retry content the receiver rejected with a 2xxx status', async () => {
    net.parties.BAD.partner.intercept = (req, res) => {
      if (req.path.endsWith('/REJ')) {
        answerOcpi(res, 2001, 'bad object');
        return true;
      }
      return false;
    };
    await net.hub.services.outbox.enqueue([routed('BAD', 'REJ', 'v1')]);
    await waitFor(async () => {
      const [row] = await net.hub.services.db.query(`SELECT status, last_error FROM outbox WHERE object_key = 'REJ'`);
      return row?.status === 'failed' ? row : undefined;
    }, 'the rejection');
    expect(net.parties.BAD.partner.requests.filter((r) => r.path.endsWith('/REJ'))).toHaveLength(1);
  });

  it('keeps deliveries across a restart of the hub', async () => {
    const db = net.hub.services.db;
    const url = (db.options as { url: string }).url;
    const offline = await startTestHub({ env, databaseUrl: url, startOutbox: false });
    await offline.services.outbox.enqueue([routed('LIV', 'RST', 'v1')]);
    await offline.close();
    // The running hub (another instance on the same database) picks the stored delivery up.
    await waitFor(() => net.parties.LIV.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/RST')[0], 'the stored delivery');
  });
});

describe('outbox with a dead and a hanging receiver', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    // Long timeouts and many attempts: the point is that nobody waits for them.
    net = await startNetwork({
      cpos: [],
      emsps: ['NL/LIV', 'NL/DED', 'NL/SLO'],
      hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '50', OCPI_TIMEOUT_MS: '3000' } },
    });
  });
  afterAll(async () => {
    net.parties.SLO.partner.intercept = undefined;
    await net.close();
  });

  it('does not let a dead or hanging receiver delay the others, and a dead one catches up when back', async () => {
    await net.parties.DED.partner.stop();
    net.parties.SLO.partner.intercept = () => true; // never answers: every call times out
    await net.hub.services.outbox.enqueue([
      ...Array.from({ length: 10 }, (_, i) => delivery(net, 'DED', `D${i}`, 'v1')),
      ...Array.from({ length: 10 }, (_, i) => delivery(net, 'SLO', `S${i}`, 'v1')),
      ...Array.from({ length: 10 }, (_, i) => delivery(net, 'LIV', `L${i}`, 'v1')),
    ]);
    await waitFor(() => locationPuts(net, 'LIV').filter((r) => /\/L\d$/.test(r.path)).length === 10 || undefined, 'the live receiver');
    // The live partner was served before even one call to the hanging one had timed out.
    const [slow] = await net.hub.services.db.query(
      `SELECT count(*) FILTER (WHERE last_error IS NOT NULL) AS timed_out, count(*) FILTER (WHERE locked_until > now()) AS running
         FROM outbox WHERE party_uuid = $1`,
      [net.parties.SLO.id],
    );
    expect(Number(slow.timed_out)).toBe(0);
    expect(Number(slow.running)).toBe(4); // at most perPartyConcurrency slots held by the hanging partner

    // The dead receiver's deliveries wait (its hubclientinfo pushes wait with them).
    const backlog = await waitFor(async () => {
      const b = (await net.hub.services.outbox.backlog()).find((x) => x.partyUuid === net.parties.DED.id);
      return b && b.pending >= 10 ? b : undefined;
    }, 'DED backlog');
    const shown = await net.hub.admin.get(`/admin/parties/${net.parties.DED.id}`);
    expect(shown.data.outbox.pending).toBe(backlog.pending);
    expect(shown.data.outbox.failed).toBe(0);

    // Back on the same port: pending deliveries go through on the next retry.
    await net.parties.DED.partner.start();
    await waitFor(() => locationPuts(net, 'DED').length === 10 || undefined, 'DED to catch up', 15000);
    net.parties.SLO.partner.intercept = undefined;
  });

});
