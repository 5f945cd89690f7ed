import { runCli } from '../../src/cli/ocpi-hub-cli';
import { connectChargePoint, refusedWith } from '../support/charge-point';
import { waitFor } from '../support/network';
import { putOwnLocations, startTestHub, type TestHub } from '../support/test-hub';

const EVSES = [
  { ocpp_connector: '1', evse_uid: 'NL*HUB*E1*1', connector_id: '1' },
  { ocpp_connector: '2', evse_uid: 'NL*HUB*E1*2', connector_id: '1' },
];

describe('admin API and CLI: the hub\'s own charge points', () => {
  let hub: TestHub;
  const count = async () => (await hub.services.db.query(`SELECT count(*)::int AS n FROM chargers`))[0].n;

  beforeAll(async () => {
    hub = await startTestHub();
    await putOwnLocations(hub, 'LOC1', 'L', 'LOC7');
  });
  afterAll(() => hub.close());

  it('registers a charger with a generated password shown once, which then connects', async () => {
    const added = await hub.admin.post('/admin/chargers', { id: 'ADM-1', location_id: 'LOC1', evses: EVSES });
    expect(added.status).toBe(201);
    expect(added.headers.location).toBe('/admin/chargers/ADM-1');
    expect(added.data.password).toMatch(/^[0-9a-f]{40}$/);
    expect(added.data.charger).toEqual({
      id: 'ADM-1',
      status: 'ACCEPTED',
      protocol: null,
      location_id: 'LOC1',
      evses: EVSES,
      boot: null,
      connection: { connected: false, instance: null, last_connected_at: null, last_heartbeat_at: null },
      connectors: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const [row] = await hub.services.db.query(`SELECT password_hash FROM chargers WHERE id = 'ADM-1'`);
    // A generated password (160 random bits) is stored as a salted HMAC; chosen ones are scrypt (charger-passwords.ts).
    expect(row.password_hash).toMatch(/^sha256\$/);
    expect(row.password_hash).not.toContain(added.data.password);
    expect(JSON.stringify((await hub.admin.get('/admin/chargers/ADM-1')).data)).not.toContain(added.data.password);

    const client = await connectChargePoint(hub, { id: 'ADM-1', password: added.data.password, protocol: 'ocpp1.6' });
    await client.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Charging' });
    const [listed] = (await hub.admin.get('/admin/chargers')).data;
    expect(listed).toMatchObject({
      id: 'ADM-1',
      protocol: 'ocpp1.6',
      connection: { connected: true, instance: hub.services.ocpp.instanceId, last_connected_at: expect.any(String) },
      connectors: [{ connector: '2', status: 'Charging', error_code: 'NoError' }],
    });
    await client.close();
    expect(hub.logLines.join('\n')).not.toContain(added.data.password);
  });

  it('registers with a given password, which is not echoed', async () => {
    const added = await hub.admin.post('/admin/chargers', { id: 'adm.2@site|a', password: 'operator-chosen-pass' });
    expect(added.status).toBe(201);
    expect(added.data).not.toHaveProperty('password');
    expect((await hub.admin.get(`/admin/chargers/${encodeURIComponent('adm.2@site|a')}`)).data.id).toBe('adm.2@site|a');
    const client = await connectChargePoint(hub, { id: 'adm.2@site|a', password: 'operator-chosen-pass', protocol: 'ocpp2.0.1' });
    await client.close();
  });

  it('changes the mapping, the status and the password (the old one stops working)', async () => {
    const remapped = await hub.admin.patch('/admin/chargers/ADM-1', { evses: [{ ocpp_connector: '1/1', evse_uid: 'NL*HUB*E9', connector_id: '3' }] });
    expect(remapped.status).toBe(200);
    expect(remapped.data).toEqual({ charger: expect.objectContaining({ location_id: 'LOC1', evses: [{ ocpp_connector: '1/1', evse_uid: 'NL*HUB*E9', connector_id: '3' }] }) });
    expect((await hub.admin.patch('/admin/chargers/ADM-1', { status: 'REJECTED' })).data.charger.status).toBe('REJECTED');

    const reset = await hub.admin.patch('/admin/chargers/ADM-1', { generate_password: true });
    expect(reset.data.password).toMatch(/^[0-9a-f]{40}$/);
    const given = await hub.admin.patch('/admin/chargers/adm.2@site%7Ca', { password: 'a-brand-new-password' });
    expect(given.data).not.toHaveProperty('password');
    expect(await refusedWith(hub, { id: 'adm.2@site|a', password: 'operator-chosen-pass', protocol: 'ocpp1.6' })).toBe(401);
    const client = await connectChargePoint(hub, { id: 'ADM-1', password: reset.data.password, protocol: 'ocpp1.6' });
    expect(await client.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Rejected' });
    await client.close();

    expect((await hub.admin.patch('/admin/chargers/ADM-1', { location_id: null, evses: [] })).data.charger).toMatchObject({ location_id: null, evses: [] });
  });

  it('refuses bad input, duplicates and unknown chargers with 4xx, storing nothing', async () => {
    const before = await count();
    const post = (body: unknown) => hub.admin.post('/admin/chargers', body);
    const refusals: [Promise<{ status: number; data: { error: { code: string; message: string } } }>, number, RegExp][] = [
      [post({ id: 'bad:id' }), 400, /id: must be 1 to 48/],
      [post({ id: '' }), 400, /id/],
      [post({ id: 'x'.repeat(49) }), 400, /id/],
      [post({ id: '..' }), 400, /id/],
      [post({ id: 'OK-1', password: 'short' }), 400, /password: must be 16 to 40/],
      [post({ id: 'OK-1', evses: EVSES }), 400, /needs a location_id/],
      [post({ id: 'OK-1', location_id: 'L', evses: [EVSES[0], { ...EVSES[1], ocpp_connector: '1' }] }), 400, /OCPP connector 1 is mapped twice/],
      [post({ id: 'OK-1', location_id: 'L', evses: [EVSES[0], { ...EVSES[1], evse_uid: EVSES[0].evse_uid }] }), 400, /NL\*HUB\*E1\*1 connector 1 is mapped twice/],
      [post({ id: 'OK-1', location_id: 'L', evses: [{ ...EVSES[0], ocpp_connector: '0' }] }), 400, /ocpp_connector/],
      [post({ id: 'OK-1', surprise: true }), 400, /surprise/],
      [post({ id: 'OK-1', location_id: 'NO-SUCH-SITE', evses: EVSES }), 400, /location_id: no own location NO-SUCH-SITE; create it first/],
      [hub.admin.patch('/admin/chargers/ADM-1', { location_id: 'NO-SUCH-SITE' }), 400, /no own location NO-SUCH-SITE/],
      [post({ id: 'ADM-1' }), 409, /already registered/],
      [post({ id: 'adm-1' }), 409, /ignoring case/],
      [hub.admin.get('/admin/chargers/NOPE'), 404, /No charger with id NOPE/],
      [hub.admin.get('/admin/chargers/bad:id'), 404, /No charger/],
      [hub.admin.patch('/admin/chargers/NOPE', { status: 'ACCEPTED' }), 404, /No charger/],
      [hub.admin.patch('/admin/chargers/ADM-1', { status: 'MAYBE' }), 400, /status/],
      [hub.admin.patch('/admin/chargers/ADM-1', { evses: EVSES }), 400, /needs a location_id/],
      [hub.admin.patch('/admin/chargers/ADM-1', { password: 'operator-chosen-pass', generate_password: true }), 400, /not both/],
      [hub.admin.delete('/admin/chargers/NOPE'), 404, /No charger/],
    ];
    for (const [answer, status, message] of refusals) {
      const { status: actual, data } = await answer;
      expect({ actual, message: data.error.message }).toEqual({ actual: status, message: expect.stringMatching(message) });
    }
    expect(await count()).toBe(before);
    expect((await hub.admin.get('/admin/chargers/ADM-1')).data).toMatchObject({ status: 'REJECTED', location_id: null, evses: [] });
  });

  it('works from the CLI', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), env: { ADMIN_API_KEY: hub.adminKey } };
    const cli = async (...argv: string[]) => {
      out = '';
      err = '';
      return runCli([...argv, '--hub', hub.url], io);
    };
    expect(await cli('charger', 'add', 'CLI-1', '--location', 'LOC7', '--evse', '1=NL*HUB*E7/1', '--evse', '2/1=NL*HUB*E/7/2')).toBe(0);
    const added = JSON.parse(out);
    expect(added.password).toMatch(/^[0-9a-f]{40}$/);
    expect(added.charger.evses).toEqual([
      { ocpp_connector: '1', evse_uid: 'NL*HUB*E7', connector_id: '1' },
      { ocpp_connector: '2/1', evse_uid: 'NL*HUB*E/7', connector_id: '2' },
    ]);
    // A location that does not exist is refused, and the CLI says why.
    expect(await cli('charger', 'add', 'CLI-X', '--location', 'LOC-TYPO')).not.toBe(0);
    expect(err).toMatch(/no own location LOC-TYPO/);
    expect((await hub.admin.get('/admin/chargers/CLI-X')).status).toBe(404);
    expect(await cli('charger', 'add', 'CLI-2', '--password', 'cli-given-password-1')).toBe(0);
    expect(JSON.parse(out)).not.toHaveProperty('password');
    expect(await cli('charger', 'list')).toBe(0);
    expect(JSON.parse(out).map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['CLI-1', 'CLI-2']));
    expect(await cli('charger', 'show', 'CLI-1')).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ id: 'CLI-1', location_id: 'LOC7' });

    const client = await connectChargePoint(hub, { id: 'CLI-1', password: added.password, protocol: 'ocpp2.0.1' });
    const ended = new Promise((resolve) => client.once('close', resolve));
    expect(await cli('charger', 'delete', 'CLI-1')).toBe(0);
    await ended;
    expect(await cli('charger', 'show', 'CLI-1')).toBe(1);
    expect(err).toMatch(/Error 404: No charger with id CLI-1/);
    expect(await cli('charger', 'add', 'CLI-1', '--evse', 'nonsense')).toBe(2);
    expect(err).toMatch(/--evse nonsense: write <OCPP connector>=<EVSE uid>\/<connector id>/);
    expect(await cli('charger', 'add')).toBe(2);
    expect(await cli('charger', 'add', 'CLI-3', '--evse', '1=E/1')).toBe(1);
    expect(err).toMatch(/Error 400: An EVSE mapping needs a location_id/);
    await waitFor(async () => (await hub.admin.get('/admin/chargers')).data.every((c: { id: string }) => c.id !== 'CLI-1'), 'CLI-1 gone');
  });
});
