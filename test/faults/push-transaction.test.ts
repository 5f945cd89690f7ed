import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { type HubProcess, hubProcessSettings, onboardPartners, startHubProcess } from '../support/hub-process';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';
import { ownLocation, rfidToken } from '../support/own-network';
import { startPartner, type TestPartner } from '../support/partner';

/**
 * A push stores the object and queues its deliveries in one transaction (a transactional outbox): no
 * failure or crash between the two can leave an object stored and never delivered.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpoLocation = (id: string, lastUpdated: string) => ({ ...ownLocation(id, [`${id}-E1`]), country_code: 'NL', party_id: 'CPO', last_updated: lastUpdated });

describe('a push whose queueing fails', () => {
  let net: TestNetwork;
  let db: Client;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CPO'], emsps: ['NL/EMP'], agreements: 'all' });
    db = new Client({ connectionString: (net.hub.services.db.options as { url: string }).url });
    await db.connect();
    // A real failure of the outbox INSERT, inside the push's transaction, for as long as the flag row exists.
    await db.query(`CREATE TABLE fail_outbox_insert (flag boolean)`);
    await db.query(`CREATE FUNCTION fail_outbox_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM fail_outbox_insert) THEN RAISE EXCEPTION 'outbox insert failed (test)'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER fail_outbox_insert BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox_insert()`);
  });
  afterAll(async () => {
    await db.query(`DROP TRIGGER fail_outbox_insert ON outbox`);
    await db.end();
    await net.close();
  });

  const objects = async (module: string, objectId: string) =>
    (await db.query(`SELECT data FROM ocpi_objects WHERE module = $1 AND object_id = $2`, [module, objectId])).rows;

  it('stores nothing, answers an error, and the retry is stored and delivered once', async () => {
    await waitFor(async () => (await net.hub.services.outbox.backlog()).every((b) => b.pending === 0) || undefined, 'a quiet outbox');
    const location = cpoLocation('TXLOC1', '2026-01-01T00:00:00Z');
    const token = rfidToken({ countryCode: 'NL', partyId: 'EMP' }, 'TX-TOKEN-1');
    const pushLocation = () => net.parties.CPO.ocpi.put('/receiver/locations/NL/CPO/TXLOC1', location);
    const pushToken = () => net.parties.EMP.ocpi.put(`/receiver/tokens/NL/EMP/${token.uid}?type=RFID`, token);

    await db.query(`INSERT INTO fail_outbox_insert VALUES (true)`);
    for (const failed of [await pushLocation(), await pushToken()]) {
      expect(failed.status).toBe(500);
      expect(failed.data.status_code).toBe(3000);
    }
    expect(await objects('locations', 'TXLOC1')).toEqual([]);
    expect(await objects('tokens', token.uid)).toEqual([]);
    expect((await db.query(`SELECT id FROM outbox WHERE path LIKE '%TXLOC1%' OR path LIKE $1`, [`%${token.uid}%`])).rows).toEqual([]);

    await db.query(`DELETE FROM fail_outbox_insert`);
    expect((await pushLocation()).data.status_code).toBe(1000);
    expect((await pushToken()).data.status_code).toBe(1000);
    expect(await objects('locations', 'TXLOC1')).toHaveLength(1);
    expect(await objects('tokens', token.uid)).toHaveLength(1);
    await waitFor(() => net.parties.EMP.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/TXLOC1')[0], 'the location delivery');
    await waitFor(() => net.parties.CPO.partner.received('PUT', `/ocpi/2.2.1/tokens/NL/EMP/${token.uid}`)[0], 'the token delivery');
    await net.hub.services.outbox.whenIdle();
    expect(net.parties.EMP.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/TXLOC1')).toHaveLength(1);
    expect(net.parties.CPO.partner.received('PUT', `/ocpi/2.2.1/tokens/NL/EMP/${token.uid}`)).toHaveLength(1);
  });
});

describe('a hub killed between storing a push and queueing it', () => {
  let hub: HubProcess;
  let db: Client;
  let locker: Client;
  let emsp: TestPartner;
  let cpo: TestPartner;

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
    await db?.end();
    await emsp?.stop();
    await cpo?.stop();
  });

  it('leaves neither the object nor its delivery, and the resent push is stored and delivered once', async () => {
    const databaseUrl = await createTestDatabase();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const settings = await hubProcessSettings(databaseUrl, { OUTBOX_BASE_BACKOFF_MS: '100' });
    hub = await startHubProcess(settings);
    emsp = await startPartner({ countryCode: 'NL', partyId: 'EMP', role: 'EMSP', endpoints: [{ identifier: 'locations', role: 'RECEIVER', path: '/locations' }] });
    cpo = await startPartner({ countryCode: 'NL', partyId: 'CPO', role: 'CPO', endpoints: [] });
    const ocpiAs = await onboardPartners(hub, [[emsp, 'EMSP'], [cpo, 'CPO']]);
    expect((await hub.admin.post('/admin/agreements', { cpo: 'NL/CPO', emsp: 'NL/EMP' })).status).toBe(201);
    const cpoOcpi = () => ocpiAs('CPO');
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`)).rows[0].n === 0 || undefined, 'a quiet outbox');

    // The outbox INSERT waits for this lock: the hub is held between its two writes, then killed there.
    locker = new Client({ connectionString: databaseUrl });
    await locker.connect();
    await locker.query(`BEGIN`);
    await locker.query(`LOCK TABLE outbox IN SHARE MODE`);
    const location = cpoLocation('KILLLOC', '2026-01-01T00:00:00Z');
    const unanswered = cpoOcpi().put('/receiver/locations/NL/CPO/KILLLOC', location).then(
      () => 'answered',
      () => 'no answer',
    );
    // The hub's connection waits on the INSERT INTO outbox while holding the write to ocpi_objects.
    const held = await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT a.pid FROM pg_stat_activity a
          WHERE a.wait_event_type = 'Lock' AND a.query LIKE '%INSERT INTO outbox%'
            AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.relation = 'ocpi_objects'::regclass AND l.mode = 'RowExclusiveLock')`,
      );
      return rows[0]?.pid as number | undefined;
    }, 'the push between its two writes');
    await hub.kill();
    expect(await unanswered).toBe('no answer');
    await locker.query(`ROLLBACK`);
    // The dead hub's transaction never commits: its backend ends once it finds the client gone.
    await waitFor(async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [held])).rows.length === 0 || undefined, 'the dead connection to end');
    expect((await db.query(`SELECT 1 FROM ocpi_objects WHERE module = 'locations' AND object_id = 'KILLLOC'`)).rows).toEqual([]);
    expect((await db.query(`SELECT 1 FROM outbox WHERE path LIKE '%KILLLOC%'`)).rows).toEqual([]);

    // The CPO resends the push it got no answer to, to the restarted hub.
    hub = await startHubProcess(settings);
    const resent = await cpoOcpi().put('/receiver/locations/NL/CPO/KILLLOC', location);
    expect(resent.data.status_code).toBe(1000);
    await waitFor(() => emsp.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/KILLLOC')[0], 'the delivery after the restart');
    await sleep(300);
    expect(emsp.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/KILLLOC')).toHaveLength(1);
    expect((await db.query(`SELECT status FROM outbox WHERE path LIKE '%KILLLOC%'`)).rows).toEqual([{ status: 'delivered' }]);
  }, 60_000);
});
