import { connect } from 'node:net';
import WebSocket from 'ws';
import { callErrorOf, chargePoint, closed, connectChargePoint, refusedWith } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { startTestHub, type TestHub } from '../../support/test-hub';

const PASSWORD = 'connections-password-01';
const PING_INTERVAL_MS = 300;

/** A raw WebSocket to the hub (no RPC framework), to send what no proper client would. */
function rawSocket(hub: TestHub, id: string, password: string): Promise<{ ws: WebSocket; received: unknown[] }> {
  const ws = new WebSocket(`${hub.ocppUrl}/${id}`, ['ocpp1.6'], {
    headers: { Authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` },
  });
  const received: unknown[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received }));
    ws.once('error', reject);
  });
}

describe('OCPP connections (security profile 1, one connection per charger, keep-alive)', () => {
  let hub: TestHub;
  const connection = async (id: string) => (await hub.admin.get(`/admin/chargers/${id}`)).data.connection;

  beforeAll(async () => {
    hub = await startTestHub({ env: { OCPP_PING_INTERVAL_SECONDS: String(PING_INTERVAL_MS / 1000) } });
    for (const id of ['CP1', 'CP2', 'PING1', 'PING2', 'RAW']) {
      expect((await hub.admin.post('/admin/chargers', { id, password: PASSWORD })).status).toBe(201);
    }
  });
  afterAll(() => hub.close());

  it('accepts a registered charger with its password, over 1.6 and 2.0.1, and shows it connected', async () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const client = await connectChargePoint(hub, { id: 'CP1', password: PASSWORD, protocol });
      expect(client.protocol).toBe(protocol);
      expect(await connection('CP1')).toMatchObject({ connected: true, instance: hub.services.ocpp.instanceId });
      expect((await hub.admin.get('/admin/chargers/CP1')).data.protocol).toBe(protocol);
      await client.close();
      await waitFor(async () => !(await connection('CP1')).connected, 'CP1 shown disconnected');
    }
    // The view is live; the database record follows.
    const row = await waitFor(async () => {
      const [found] = await hub.services.db.query(`SELECT protocol, connected_instance, last_connected_at FROM chargers WHERE id = 'CP1'`);
      // The marks are written in order per charger, after the answers: wait for the last connection's.
      return found.connected_instance === null && found.protocol === 'ocpp2.0.1' && found;
    }, 'the last connection and its disconnection recorded');
    expect(row).toMatchObject({ protocol: 'ocpp2.0.1', last_connected_at: expect.any(Date) });
  });

  it('refuses a wrong or missing password, an unknown charger, a bad path and a missing subprotocol', async () => {
    expect(await refusedWith(hub, { id: 'CP1', password: 'not-the-password-at-all', protocol: 'ocpp1.6' })).toBe(401);
    expect(await refusedWith(hub, { id: 'CP1', protocol: 'ocpp1.6' })).toBe(401);
    expect(await refusedWith(hub, { id: 'NOBODY', password: PASSWORD, protocol: 'ocpp2.0.1' })).toBe(401);
    expect(await refusedWith(hub, { id: 'bad:id', password: PASSWORD, protocol: 'ocpp1.6' })).toBe(404);
    expect(await refusedWith(hub, { id: 'CP1', password: PASSWORD, protocol: 'ocpp1.6', endpoint: `${hub.url.replace('http', 'ws')}/elsewhere` })).toBe(404);
    expect(await refusedWith(hub, { id: 'CP1', password: PASSWORD, protocol: 'ocpp1.5' as 'ocpp1.6', strict: false })).toBe(400);
    expect((await hub.services.db.query(`SELECT count(*)::int AS n FROM chargers`))[0].n).toBe(5);
    expect((await connection('CP1')).connected).toBe(false);
  });

  it('answers an upgrade request with an unparsable URL 404 and carries on', async () => {
    const { port } = new URL(hub.url);
    for (const target of ['http://[', '/ocpp/%E0%A4%A', '/ocpp/a/b']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
        );
        let data = '';
        socket.setTimeout(2000, () => socket.destroy()); // no answer at all fails below, quickly
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 (404|400) /);
    }
    expect((await hub.admin.get('/health')).status).toBe(200);
  });

  it('lets the newest connection of a charger win and closes the older one', async () => {
    const first = await connectChargePoint(hub, { id: 'CP2', password: PASSWORD, protocol: 'ocpp1.6' });
    const firstClosed = closed(first);
    const second = await connectChargePoint(hub, { id: 'CP2', password: PASSWORD, protocol: 'ocpp2.0.1' });
    expect(await firstClosed).toEqual({ code: 4000, reason: 'Replaced by a newer connection of this charge point' });
    expect(await second.call('Heartbeat', {})).toHaveProperty('currentTime');
    // The older connection's end does not mark the charger disconnected.
    await new Promise((r) => setTimeout(r, 50));
    expect(await connection('CP2')).toMatchObject({ connected: true });
    expect((await hub.admin.get('/admin/chargers/CP2')).data.protocol).toBe('ocpp2.0.1');
    await second.close();
    await waitFor(async () => !(await connection('CP2')).connected, 'CP2 shown disconnected');
  });

  it('keeps a charger that ignores pings while it sends Heartbeats, and drops one that goes silent', async () => {
    const busy = await connectChargePoint(hub, { id: 'PING1', password: PASSWORD, protocol: 'ocpp1.6', ignorePings: true });
    const silent = await connectChargePoint(hub, { id: 'PING2', password: PASSWORD, protocol: 'ocpp1.6', ignorePings: true });
    let busyClosed = false;
    busy.once('close', () => (busyClosed = true));
    const silentClosed = closed(silent);
    const started = Date.now();
    while (Date.now() - started < 4 * PING_INTERVAL_MS) {
      await busy.call('Heartbeat', {});
      await new Promise((r) => setTimeout(r, PING_INTERVAL_MS / 3));
    }
    // The silent one was pinged after an interval and dropped after another without a pong.
    expect((await silentClosed).code).toBe(1006);
    expect(busyClosed).toBe(false);
    expect(await busy.call('Heartbeat', {})).toHaveProperty('currentTime');
    await busy.close();
  });

  it('survives malformed frames, answering them in 1.6\'s codes, and drops a charger that keeps sending them', async () => {
    const { ws, received } = await rawSocket(hub, 'RAW', PASSWORD);
    for (const frame of ['not json', '{"an":"object"}', '[2]', '[9,"m9"]', '[3,"unknown-call",{}]', '[2,"m1","Heartbeat",{}]']) ws.send(frame);
    await waitFor(() => received.some((m) => (m as unknown[])[1] === 'm1'), 'the Heartbeat answer');
    expect(received).toEqual([
      // 1.6 defines neither RpcFrameworkError nor MessageTypeNotSupported (src/own-cpo/ocpp/ocpp-call-errors.ts).
      [4, '-1', 'FormationViolation', 'Message must be a JSON structure', {}],
      [4, '-1', 'FormationViolation', 'Message must be an array', {}],
      [4, '-1', 'FormationViolation', 'Message ID must be a string', {}],
      [4, '-1', 'GenericError', 'Unrecognised message type', {}],
      [3, 'm1', { currentTime: expect.any(String) }],
    ]);
    const dropped = new Promise<number>((resolve) => ws.once('close', resolve));
    for (let i = 0; i < 11; i++) ws.send('garbage');
    expect(await dropped).toBe(1002);
    expect((await hub.admin.get('/health')).status).toBe(200);
    const client = await connectChargePoint(hub, { id: 'RAW', password: PASSWORD, protocol: 'ocpp1.6' });
    expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
    await client.close();
  });

  it('closes the connection of a charger the operator deletes', async () => {
    const client = await connectChargePoint(hub, { id: 'CP2', password: PASSWORD, protocol: 'ocpp1.6' });
    const ended = closed(client);
    expect((await hub.admin.delete('/admin/chargers/CP2')).status).toBe(204);
    expect(await ended).toEqual({ code: 4001, reason: 'Charge point removed from the hub' });
    expect(await refusedWith(hub, { id: 'CP2', password: PASSWORD, protocol: 'ocpp1.6' })).toBe(401);
  });

  it('answers calls of a connection whose charger was deleted meanwhile with SecurityError', async () => {
    const client = chargePoint(hub, { id: 'CP1', password: PASSWORD, protocol: 'ocpp1.6' });
    await client.connect();
    await hub.services.chargers.remove('CP1'); // behind the admin API's back: the connection stays open
    expect(await callErrorOf(client, 'Heartbeat', {})).toBe('SecurityError');
    await client.close();
  });
});

describe('OCPP server shutdown', () => {
  it('closes every charger connection with 1001 and refuses new ones', async () => {
    const hub = await startTestHub();
    await hub.admin.post('/admin/chargers', { id: 'BYE', password: PASSWORD });
    const client = await connectChargePoint(hub, { id: 'BYE', password: PASSWORD, protocol: 'ocpp2.0.1' });
    const ended = closed(client);
    const closing = hub.services.ocpp.close();
    expect(await refusedWith(hub, { id: 'BYE', password: PASSWORD, protocol: 'ocpp2.0.1' })).toBe(500);
    await closing;
    expect(await ended).toEqual({ code: 1001, reason: 'Hub shutting down' });
    const [row] = await hub.services.db.query(`SELECT connected_instance FROM chargers WHERE id = 'BYE'`);
    expect(row.connected_instance).toBeNull();
    await hub.close();
  });
});
