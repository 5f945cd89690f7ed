import type { NewDelivery } from '../../../src/hub/routing/outbox';
import { locationPut } from '../../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';
import { startTestHub, type TestHub } from '../../support/test-hub';

/**
 * Several hub instances (each its own pool) on one database, claiming from one outbox under load: each
 * delivery reaches its partner exactly once, and the versions of one object in order.
 */
describe('outbox shared by several instances', () => {
  const EMSPS = ['LIV', 'ORD', 'SLO'];
  const OBJECTS = 40;
  const VERSIONS = 3;
  let net: TestNetwork;
  const others: TestHub[] = [];

  beforeAll(async () => {
    net = await startNetwork({ cpos: [], emsps: EMSPS.map((p) => `NL/${p}`) });
    const url = (net.hub.services.db.options as { url: string }).url;
    // The same token key: every instance reads the partners' tokens B.
    const env = { TOKEN_ENCRYPTION_KEY: net.hub.services.config.tokenEncryptionKey! };
    for (let i = 0; i < 3; i++) others.push(await startTestHub({ databaseUrl: url, env, checkOpenApi: false }));
  });
  afterAll(async () => {
    for (const hub of others) await hub.close();
    await net.close();
  });

  const delivery = (pid: string, object: string, version: number) =>
    locationPut(net, pid, object, { version: `v${version}`, body: { id: object, version }, objectKey: `${object}>${pid}` });

  it('delivers each row exactly once and in order per object while four instances claim at once', async () => {
    const instances = [net.hub, ...others];
    // Every instance claims in a tight loop, so claims overlap as they do under load.
    const loops = instances.map((hub) => setInterval(() => hub.services.outbox.nudge(), 1));
    try {
      for (let version = 1; version <= VERSIONS; version++) {
        for (const [i, hub] of instances.entries()) {
          const batch = EMSPS.flatMap((pid) =>
            Array.from({ length: OBJECTS }, (_, n) => n).filter((n) => n % instances.length === i).map((n) => delivery(pid, `OBJ${n}`, version)),
          );
          await hub.services.outbox.enqueue(batch);
        }
      }
      const total = EMSPS.length * OBJECTS * VERSIONS;
      const puts = () => EMSPS.flatMap((pid) => net.parties[pid].partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/OBJ').map((r) => ({ pid, r })));
      await waitFor(async () => {
        const [{ open }] = await net.hub.services.db.query(`SELECT count(*)::int AS open FROM outbox WHERE status <> 'delivered'`);
        return open === 0 && puts().length >= total;
      }, 'every delivery', 30_000);
      for (const hub of instances) await hub.services.outbox.whenIdle();
    } finally {
      loops.forEach(clearInterval);
    }

    const received = EMSPS.flatMap((pid) => net.parties[pid].partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/OBJ').map((r) => ({ pid, r })));
    const counts = new Map<string, number>();
    for (const { pid, r } of received) {
      const key = `${pid} ${r.path} v${(r.body as { version: number }).version}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const repeated = [...counts].filter(([, n]) => n > 1);
    expect(repeated).toEqual([]);
    expect(counts.size).toBe(EMSPS.length * OBJECTS * VERSIONS);
    expect(new Set(received.map(({ r }) => r.headers['x-request-id'])).size).toBe(received.length);
    const [{ reclaimed }] = await net.hub.services.db.query(`SELECT count(*)::int AS reclaimed FROM outbox WHERE attempts <> 1`);
    expect(reclaimed).toBe(0);
    // Each object's versions reached its partner in the order they were queued.
    for (const pid of EMSPS) {
      const byObject = new Map<string, number[]>();
      for (const r of net.parties[pid].partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/OBJ')) {
        byObject.set(r.path, [...(byObject.get(r.path) ?? []), (r.body as { version: number }).version]);
      }
      for (const versions of byObject.values()) expect(versions).toEqual(Array.from({ length: VERSIONS }, (_, i) => i + 1));
    }
  }, 60_000);
});

describe('outbox woken by NOTIFY', () => {
  let net: TestNetwork;
  let other: TestHub;
  const POLL_MS = 60_000;

  beforeAll(async () => {
    // The network's hub only queues; the other instance delivers, and would poll only once a minute.
    net = await startNetwork({ cpos: [], emsps: ['NL/LIV'], hub: { startOutbox: false } });
    other = await startTestHub({
      databaseUrl: (net.hub.services.db.options as { url: string }).url,
      env: { TOKEN_ENCRYPTION_KEY: net.hub.services.config.tokenEncryptionKey!, OUTBOX_POLL_INTERVAL_MS: String(POLL_MS) },
      checkOpenApi: false,
    });
  });
  afterAll(async () => {
    await other.close();
    await net.close();
  });

  it('has another instance deliver what one instance queued, well before its next poll', async () => {
    // The other instance's start-up pump has run and it waits for its next poll.
    await waitFor(async () => (await other.services.outbox.backlog()).every((b) => b.pending === 0) || undefined, 'the start-up deliveries');
    await other.services.outbox.whenIdle();
    const partner = net.parties.LIV.partner;
    for (const [n, queue] of [
      // Outside a transaction, and inside one (the NOTIFY fires on commit).
      (d: NewDelivery[]) => net.hub.services.outbox.enqueue(d),
      (d: NewDelivery[]) => net.hub.services.outbox.transaction((tx) => net.hub.services.outbox.enqueue(d, tx)),
    ].entries()) {
      const queuedAt = Date.now();
      await queue([
        {
          partyUuid: net.parties.LIV.id,
          module: 'locations',
          interfaceRole: 'RECEIVER',
          method: 'PUT',
          path: `/NL/CPO/WAKE${n}`,
          body: { id: `WAKE${n}` },
          objectKey: `WAKE${n}`,
          objectVersion: 'v1',
        },
      ]);
      await waitFor(() => partner.received('PUT', `/ocpi/2.2.1/locations/NL/CPO/WAKE${n}`)[0], 'the delivery by the other instance', 10_000);
      // Tens of milliseconds on a quiet machine; the bound leaves room for a busy one and is still far below the poll.
      expect(Date.now() - queuedAt).toBeLessThan(POLL_MS / 12);
    }
    await other.services.outbox.whenIdle(); // the partner has answered; the delivering instance records it next
    const [{ delivered }] = await net.hub.services.db.query(`SELECT count(*)::int AS delivered FROM outbox WHERE object_key LIKE 'WAKE%' AND status = 'delivered'`);
    expect(delivered).toBe(2);
  });
});
