import type { NewDelivery } from '../../src/hub/outbox';
import { backoffMs } from '../../src/hub/outbox';
import { startPartner, type TestPartner } from '../support/partner';
import { startTestHub, type TestHub } from '../support/test-hub';

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

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
  let hub: TestHub;
  const partners: Record<string, TestPartner> = {};
  const ids: Record<string, string> = {};

  async function connect(pid: string) {
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: pid, roles: ['EMSP'], name: pid });
    ids[pid] = created.data.id;
    partners[pid] = await startPartner({
      countryCode: 'NL',
      partyId: pid,
      role: 'EMSP',
      endpoints: [{ identifier: 'locations', role: 'RECEIVER', path: '/locations' }],
    });
    expect((await partners[pid].registerWith(hub.versionsUrl, created.data.token_a)).body.status_code).toBe(1000);
  }

  const delivery = (pid: string, objectKey: string, version: string, extra: Partial<NewDelivery> = {}): NewDelivery => ({
    partyUuid: ids[pid],
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/CPO/${objectKey}`,
    body: { id: objectKey, version },
    headers: { 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'HUB', 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': pid, 'X-Correlation-ID': `corr-${version}` },
    objectKey,
    objectVersion: version,
    ...extra,
  });

  const locationPuts = (pid: string) => partners[pid].received('PUT', '/ocpi/2.2.1/locations/');

  beforeAll(async () => {
    hub = await startTestHub({ env });
    for (const pid of ['LIV', 'ORD', 'BAD']) await connect(pid);
  });
  afterAll(async () => {
    await Promise.all(Object.values(partners).map((p) => p.stop()));
    await hub.close();
  });

  it('delivers with routing headers, the kept correlation id and a fresh request id, once per object version', async () => {
    await hub.services.outbox.enqueue([delivery('LIV', 'LOC1', 'v1'), delivery('LIV', 'LOC1', 'v1')]);
    await hub.services.outbox.enqueue([delivery('LIV', 'LOC1', 'v1')]);
    const put = await waitFor(() => locationPuts('LIV')[0], 'the delivery');
    expect(put.path).toBe('/ocpi/2.2.1/locations/NL/CPO/LOC1');
    expect(put.body).toEqual({ id: 'LOC1', version: 'v1' });
    expect(put.headers).toMatchObject({ 'ocpi-to-party-id': 'LIV', 'ocpi-from-party-id': 'HUB', 'x-correlation-id': 'corr-v1' });
    expect(put.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.headers.authorization).toBe(partners.LIV.authorization([...partners.LIV.acceptedTokens].at(-1)!));
    await hub.services.outbox.whenIdle();
    expect(locationPuts('LIV')).toHaveLength(1);
  });

  it('keeps deliveries of one object in order, even when the first needs retries', async () => {
    let failures = 2;
    partners.ORD.intercept = (req, res) => {
      if (req.method === 'PUT' && req.path.endsWith('/LOC9') && (req.body as { version: string }).version === 'v1' && failures-- > 0) {
        res.writeHead(503).end();
        return true;
      }
      return false;
    };
    await hub.services.outbox.enqueue([delivery('ORD', 'LOC9', 'v1'), delivery('ORD', 'LOC9', 'v2'), delivery('ORD', 'LOC8', 'v1')]);
    const versions = () => locationPuts('ORD').filter((r) => r.path.endsWith('/LOC9')).map((r) => (r.body as { version: string }).version);
    await waitFor(() => versions().length === 4 || undefined, 'both versions');
    // Two refused attempts at v1, then v1, and only then v2.
    expect(versions()).toEqual(['v1', 'v1', 'v1', 'v2']);
  });

  it('gives up after the bounded attempts, shows the failure, and re-queues on request', async () => {
    partners.BAD.intercept = (req, res) => {
      if (req.path.includes('/locations/')) {
        res.writeHead(500).end('down');
        return true;
      }
      return false;
    };
    await hub.services.outbox.enqueue([delivery('BAD', 'X1', 'v1')]);
    const failed = await waitFor(async () => {
      const b = (await hub.services.outbox.backlog()).find((x) => x.partyUuid === ids.BAD);
      return b && b.failed === 1 ? b : undefined;
    }, 'the failure');
    expect(failed.pending).toBe(0);
    expect(partners.BAD.requests.filter((r) => r.path.includes('/X1'))).toHaveLength(4);
    const [row] = await hub.services.db.query(`SELECT attempts, last_error FROM outbox WHERE party_uuid = $1`, [ids.BAD]);
    expect(row.attempts).toBe(4);
    expect(row.last_error).toMatch(/HTTP 500/);

    partners.BAD.intercept = undefined;
    const retried = await hub.admin.post(`/admin/parties/${ids.BAD}/outbox/retry`);
    expect(retried.data).toEqual({ requeued: 1 });
    await waitFor(() => partners.BAD.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/X1')[0], 'the re-queued delivery');
  });

  it('does not retry content the receiver rejected with a 2xxx status', async () => {
    partners.BAD.intercept = (req, res) => {
      if (req.path.endsWith('/REJ')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: 2001, status_message: 'bad object', timestamp: new Date().toISOString() }));
        return true;
      }
      return false;
    };
    await hub.services.outbox.enqueue([delivery('BAD', 'REJ', 'v1')]);
    await waitFor(async () => {
      const [row] = await hub.services.db.query(`SELECT status, last_error FROM outbox WHERE object_key = 'REJ'`);
      return row?.status === 'failed' ? row : undefined;
    }, 'the rejection');
    expect(partners.BAD.requests.filter((r) => r.path.endsWith('/REJ'))).toHaveLength(1);
  });

  it('keeps deliveries across a restart of the hub', async () => {
    const db = hub.services.db;
    const url = (db.options as { url: string }).url;
    const offline = await startTestHub({ env, databaseUrl: url, startOutbox: false });
    await offline.services.outbox.enqueue([delivery('LIV', 'RST', 'v1')]);
    await offline.close();
    // The running hub (another instance on the same database) picks the stored delivery up.
    await waitFor(() => partners.LIV.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/RST')[0], 'the stored delivery');
  });
});

describe('outbox with a dead and a hanging receiver', () => {
  let hub: TestHub;
  const partners: Record<string, TestPartner> = {};
  const ids: Record<string, string> = {};
  const locationPuts = (pid: string) => partners[pid].received('PUT', '/ocpi/2.2.1/locations/');
  const delivery = (pid: string, objectKey: string, version: string): NewDelivery => ({
    partyUuid: ids[pid],
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/CPO/${objectKey}`,
    body: { id: objectKey, version },
    objectKey,
    objectVersion: version,
  });

  beforeAll(async () => {
    // Long timeouts and many attempts: the point is that nobody waits for them.
    hub = await startTestHub({ env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '50', OCPI_TIMEOUT_MS: '3000' } });
    for (const pid of ['LIV', 'DED', 'SLO']) {
      const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: pid, roles: ['EMSP'], name: pid });
      ids[pid] = created.data.id;
      partners[pid] = await startPartner({ countryCode: 'NL', partyId: pid, role: 'EMSP', endpoints: [{ identifier: 'locations', role: 'RECEIVER', path: '/locations' }] });
      expect((await partners[pid].registerWith(hub.versionsUrl, created.data.token_a)).body.status_code).toBe(1000);
    }
  });
  afterAll(async () => {
    partners.SLO.intercept = undefined;
    await Promise.all(Object.values(partners).map((p) => p.stop()));
    await hub.close();
  });

  it('does not let a dead or hanging receiver delay the others, and a dead one catches up when back', async () => {
    await partners.DED.stop();
    partners.SLO.intercept = () => true; // never answers: every call times out
    await hub.services.outbox.enqueue([
      ...Array.from({ length: 10 }, (_, i) => delivery('DED', `D${i}`, 'v1')),
      ...Array.from({ length: 10 }, (_, i) => delivery('SLO', `S${i}`, 'v1')),
      ...Array.from({ length: 10 }, (_, i) => delivery('LIV', `L${i}`, 'v1')),
    ]);
    await waitFor(() => locationPuts('LIV').filter((r) => /\/L\d$/.test(r.path)).length === 10 || undefined, 'the live receiver');
    // The live partner was served before even one call to the hanging one had timed out.
    const [slow] = await hub.services.db.query(
      `SELECT count(*) FILTER (WHERE last_error IS NOT NULL) AS timed_out, count(*) FILTER (WHERE locked_until > now()) AS running
         FROM outbox WHERE party_uuid = $1`,
      [ids.SLO],
    );
    expect(Number(slow.timed_out)).toBe(0);
    expect(Number(slow.running)).toBe(4); // at most perPartyConcurrency slots held by the hanging partner

    const backlog = await waitFor(async () => {
      const b = (await hub.services.outbox.backlog()).find((x) => x.partyUuid === ids.DED);
      return b && b.pending === 10 ? b : undefined;
    }, 'DED backlog');
    expect(backlog.pending).toBe(10);
    const shown = await hub.admin.get(`/admin/parties/${ids.DED}`);
    expect(shown.data.outbox.pending).toBe(10);

    // Back on the same port: pending deliveries go through on the next retry.
    await partners.DED.start();
    await waitFor(() => locationPuts('DED').length === 10 || undefined, 'DED to catch up', 15000);
    partners.SLO.intercept = undefined;
  });

});
