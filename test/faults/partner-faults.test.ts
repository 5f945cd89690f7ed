import type { ServerResponse } from 'node:http';
import { answerOcpi, locationPut, onLocationPushes } from '../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

/**
 * Partners that misbehave as receivers: one answers slowly, one never answers (hangs), one answers
 * garbage (cut-off JSON, HTML, JSON without an OCPI status), one answers 5xx. None of them changes
 * what a healthy partner gets (everything, each once, at the first attempt), each gets a bounded
 * number of attempts, no partner holds more than its share of delivery slots, and the operator sees
 * each one's state and last error. Nothing asserted depends on how fast anything was.
 */

const MAX_ATTEMPTS = 3;
const OBJECTS = 8;

const GARBAGE: ((res: ServerResponse) => void)[] = [
  (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status_code": 10'),
  (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Maintenance</body></html>'),
  (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok": true}'),
];

describe('misbehaving receivers', () => {
  let net: TestNetwork;
  const hung: ServerResponse[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      cpos: [],
      emsps: ['NL/LIV', 'NL/SLO', 'NL/HNG', 'NL/GAR', 'NL/FIV'],
      hub: { env: { OUTBOX_BASE_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS), OCPI_TIMEOUT_MS: '1500' } },
    });
    // Slow, but well inside the hub's timeout.
    onLocationPushes(net.parties.SLO.partner, (_req, res) => setTimeout(() => answerOcpi(res, 1000), 200));
    onLocationPushes(net.parties.HNG.partner, (_req, res) => hung.push(res)); // never answered
    let garbage = 0;
    onLocationPushes(net.parties.GAR.partner, (_req, res) => GARBAGE[garbage++ % GARBAGE.length](res));
    onLocationPushes(net.parties.FIV.partner, (_req, res) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('upstream down'));
  });
  afterAll(async () => {
    for (const res of hung.splice(0)) res.destroy();
    for (const p of ['SLO', 'HNG', 'GAR', 'FIV']) net.parties[p].partner.intercept = undefined;
    await net.close();
  });

  const requestsTo = (pid: string, key: string) => net.parties[pid].partner.requests.filter((r) => r.path === `/ocpi/2.2.1/locations/NL/CPO/${key}`);
  const rowsOf = async (pid: string) =>
    (await net.hub.services.db.query(`SELECT object_key, status, attempts, last_error FROM outbox WHERE party_uuid = $1 AND module = 'locations' ORDER BY object_key`, [
      net.parties[pid].id,
    ])) as { object_key: string; status: string; attempts: number; last_error: string | null }[];

  it('serves a healthy partner in full while the others are slow, hang, answer garbage or 5xx', async () => {
    const keys = Array.from({ length: OBJECTS }, (_, i) => `OBJ${i}`);
    // The bad partners' deliveries are queued first: they are at the head of the queue.
    await net.hub.services.outbox.enqueue(['HNG', 'SLO', 'GAR', 'FIV', 'LIV'].flatMap((pid) => keys.map((k) => locationPut(net, pid, k))));

    // While the others misbehave, no partner ever holds more than perPartyConcurrency (4) slots.
    const slotsHeld: number[] = [];
    const allDone = async () => (await net.hub.services.outbox.backlog()).every((b) => b.pending === 0);
    await waitFor(
      async () => {
        const rows: { running: number }[] = await net.hub.services.db.query(
          `SELECT count(*)::int AS running FROM outbox WHERE status = 'pending' AND locked_until > now() GROUP BY party_uuid`,
        );
        slotsHeld.push(...rows.map((r) => r.running));
        return (await allDone()) || undefined;
      },
      'every delivery to end, delivered or failed',
      25_000,
    );
    expect(Math.max(0, ...slotsHeld)).toBeLessThanOrEqual(4);

    // The healthy partner: everything, each once, at the first attempt. The slow one: everything.
    for (const key of keys) expect(requestsTo('LIV', key)).toHaveLength(1);
    expect(await rowsOf('LIV')).toEqual(keys.map((object_key) => ({ object_key, status: 'delivered', attempts: 1, last_error: null })));
    expect((await rowsOf('SLO')).map((r) => r.status)).toEqual(keys.map(() => 'delivered'));

    // Bounded: the hanging, garbage and 5xx partners each end failed after MAX_ATTEMPTS, with the reason kept.
    for (const pid of ['HNG', 'GAR', 'FIV']) {
      for (const key of keys) expect(requestsTo(pid, key)).toHaveLength(MAX_ATTEMPTS);
      expect((await rowsOf(pid)).map((r) => [r.status, r.attempts])).toEqual(keys.map(() => ['failed', MAX_ATTEMPTS]));
    }
    const reasons = async (pid: string) => (await rowsOf(pid)).map((r) => r.last_error ?? '');
    for (const reason of await reasons('HNG')) expect(reason).toMatch(/timed out/);
    for (const reason of await reasons('FIV')) expect(reason).toMatch(/HTTP 503/);
    for (const reason of await reasons('GAR')) expect(reason).toMatch(/OCPI response|status|JSON|envelope/i);

    // Visible to the operator: per party, and in the list of undelivered deliveries.
    for (const pid of ['HNG', 'GAR', 'FIV']) {
      const party = await net.hub.admin.get(`/admin/parties/${net.parties[pid].id}`);
      expect(party.data.outbox).toMatchObject({ pending: 0, failed: OBJECTS });
      const listed = await net.hub.admin.get('/admin/outbox', { params: { status: 'failed', party: net.parties[pid].id } });
      expect(listed.status).toBe(200);
      expect(listed.data).toHaveLength(OBJECTS);
      for (const entry of listed.data) expect(entry).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: expect.any(String) });
    }
    for (const pid of ['LIV', 'SLO']) expect((await net.hub.admin.get(`/admin/parties/${net.parties[pid].id}`)).data.outbox).toMatchObject({ pending: 0, failed: 0 });
  });
});
