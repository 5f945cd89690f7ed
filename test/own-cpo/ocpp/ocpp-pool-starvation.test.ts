import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { RPCClient } from 'ocpp-rpc';
import { generateChargerPassword, hashGeneratedChargerPassword } from '../../../src/own-cpo/chargers/charger-passwords';
import { chargePoint, connectChargePoint } from '../../support/charge-point';
import { createTestDatabase } from '../../support/database';
import { waitFor } from '../../support/network';
import { hubProcessSettings, startHubProcess } from '../../support/hub-process';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

jest.setTimeout(90_000);

/** Chargers of the burst: more than a pool of two connections can serve within its 10 s acquire timeout. */
const CHARGERS = 100;
const POOL_SIZE = 2;
const idOf = (i: number) => `STARVE${String(i).padStart(3, '0')}`;
const boot = { chargePointVendor: 'Test', chargePointModel: 'Starved' };

/**
 * The database pool running dry (every connection taken for longer than pg-pool waits for one) must
 * not end the hub: calls that need the database are answered with a CALLERROR, connections are refused
 * with 503 (both for the charger to try again), background work (local list syncs after boots) logs
 * its failure, no promise rejects unhandled, and what was stored before stays stored.
 */
describe('OCPP with the database pool exhausted', () => {
  let net: OwnNetwork;
  const clients: RPCClient[] = [];
  const password = generateChargerPassword();

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], hub: { poolSize: POOL_SIZE } });
    for (const uid of ['STARVE-A', 'STARVE-B', 'STARVE-C']) await net.pushToken('EM1', rfidToken(net.parties.EM1, uid));
    await net.hub.services.db.query(
      `INSERT INTO chargers (id, password_hash, status, location_id, evses)
       SELECT 'STARVE' || lpad(i::text, 3, '0'), $2, 'ACCEPTED', 'SITE1', '[]'::jsonb FROM generate_series(0, $1) AS i`,
      [CHARGERS, hashGeneratedChargerPassword(password)], // one more than the burst: the charger that connects while the pool is dry
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await net.close();
  });

  it('answers CALLERRORs and 503s while it lasts, keeps running and storing, and loses nothing stored before', async () => {
    const { db, localLists } = net.hub.services;
    for (let i = 0; i < CHARGERS; i++) clients.push(await connectChargePoint(net.hub, { id: idOf(i), password, protocol: 'ocpp1.6' }));
    // Stored before the pool runs dry.
    await Promise.all(clients.map((c) => c.call('BootNotification', boot)));
    await Promise.all(clients.map((c) => c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })));
    await localLists.idle();

    // Every boot starts a local list sync after its answer; the pool is taken while they run.
    const boots = await Promise.allSettled(clients.map((c) => c.call('BootNotification', boot)));
    expect(boots.every((b) => b.status === 'fulfilled')).toBe(true);
    const held: QueryRunner[] = Array.from({ length: POOL_SIZE }, () => db.createQueryRunner());
    let statuses: PromiseSettledResult<unknown>[];
    let refusedWith: number | undefined;
    try {
      await Promise.all(held.map((runner) => runner.connect()));
      const late = chargePoint(net.hub, { id: idOf(CHARGERS), password, protocol: 'ocpp1.6' });
      [statuses] = await Promise.all([
        Promise.allSettled(clients.map((c) => c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable' }))),
        late.connect().then(
          () => late.close({ force: true }),
          (error: { code?: number }) => void (refusedWith = error.code),
        ),
      ]);
    } finally {
      await Promise.all(held.map((runner) => runner.release()));
    }

    // While it lasted: a CALLERROR the charger can act on (its StatusNotification is sent again), never a crash.
    const refused = statuses.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toMatchObject({ rpcErrorCode: 'InternalError', message: 'The hub could not process this call' });
    expect(refusedWith).toBe(503);

    // Afterwards: the hub answers again, the charger refused at connection gets in, and the retried statuses are stored.
    const late = await connectChargePoint(net.hub, { id: idOf(CHARGERS), password, protocol: 'ocpp1.6' });
    clients.push(late);
    expect(await late.call('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
    await Promise.all(clients.slice(0, CHARGERS).map((c) => c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable' })));
    await localLists.idle();
    const stored: { status: string; n: number }[] = await db.query(
      `SELECT s.status, count(*)::int AS n FROM charger_connector_status s WHERE s.charger_id LIKE 'STARVE%' GROUP BY s.status`,
    );
    expect(stored).toEqual([{ status: 'Unavailable', n: CHARGERS }]);
    const booted: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM chargers WHERE id LIKE 'STARVE%' AND boot_info->>'model' = 'Starved'`);
    expect(booted[0].n).toBe(CHARGERS + 1);
    expect(net.hub.services.ocpp.connectionCount).toBe(CHARGERS + 1);
  });

  // Jest keeps its own watch on rejections and lets one that is handled late pass; Node ends the
  // process at once: the same failure in a real hub process (src/main.ts).
  it('a hub process survives a query failing at the end of a list sync, and logs no unhandled rejection', async () => {
    const databaseUrl = await createTestDatabase();
    const hub = await startHubProcess(await hubProcessSettings(databaseUrl, { LOG_LEVEL: 'error' }));
    const admin = new Client({ connectionString: databaseUrl });
    const unhandledLines: string[] = [];
    try {
      await admin.connect();
      const created = await hub.admin.post('/admin/chargers', { id: 'STARVEPROC', password: 'starve-process-password' });
      expect(created.status).toBe(201);
      expect((await hub.admin.patch('/admin/chargers/STARVEPROC', { status: 'ACCEPTED' })).status).toBe(200);
      const client = await connectChargePoint(hub, { id: 'STARVEPROC', password: 'starve-process-password', protocol: 'ocpp1.6' });
      clients.push(client);
      for (let round = 0; round < 3; round++) {
        let asked!: () => void;
        const askedNow = new Promise<void>((resolve) => (asked = resolve));
        let answer!: () => void;
        const answered = new Promise<void>((resolve) => (answer = resolve));
        client.handle('GetLocalListVersion', async () => {
          asked();
          await answered;
          return { listVersion: -1 };
        });
        await client.call('BootNotification', boot);
        await askedNow;
        // The sync's last statement (its outcome, which also releases the lease) and the release tried after it
        // fail: the lease stays, and the next round shows this instance takes its own lease again.
        await admin.query(`ALTER TABLE charger_local_lists RENAME TO charger_local_lists_away`);
        answer();
        await waitFor(() => hub.output.some((l) => l.includes('local list sync failed') && l.includes('charger_local_lists')) || undefined, 'the sync failed');
        await admin.query(`ALTER TABLE charger_local_lists_away RENAME TO charger_local_lists`);
        unhandledLines.push(...hub.output.filter((l) => l.includes('unhandled')));
        hub.output.splice(0);
      }
      expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
      expect(hub.child.exitCode).toBeNull();
      expect(unhandledLines).toEqual([]);
    } finally {
      await admin.end();
      await hub.stop();
    }
  });
});
