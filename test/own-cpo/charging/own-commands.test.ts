import axios from 'axios';
import type { RPCClient } from 'ocpp-rpc';
import { waitFor } from '../../support/network';
import { closed, connectChargePoint } from '../../support/charge-point';
import { CHARGER_PASSWORD, OWN, type OwnNetwork, startOwnNetwork } from '../../support/own-network';
import { startTestHub, type TestHub } from '../../support/test-hub';

/**
 * OCPI commands from an eMSP for the hub's own chargers: the hub answers the CommandResponse, drives the
 * charger over OCPP and posts the CommandResult when the charger has done it.
 */
describe('OCPI commands at the hub\'s own chargers', () => {
  let net: OwnNetwork;
  let cp16: RPCClient;
  let cs201: RPCClient;
  const answers: Record<string, unknown> = {};
  const emspUrl = (path: string) => `${net.parties.EM1.partner.url}/ocpi/2.2.1/commands/${path}`;
  const resultsAt = (path: string) => net.parties.EM1.partner.received('POST', `/ocpi/2.2.1/commands/${path}`).map((r) => r.body as { result: string });
  const command = (name: string, body: Record<string, unknown>, base = '') =>
    net.parties.EM1.ocpi.post(`${base}/receiver/commands/${name}`, body).then((r) => r.data as { status_code: number; data: { result: string; timeout: number } });
  const appToken = (uid: string) => ({
    country_code: 'NL',
    party_id: 'EM1',
    uid,
    type: 'APP_USER',
    contract_id: `NLEM1C${uid}`,
    issuer: 'EM1 app',
    valid: true,
    whitelist: 'NEVER',
    last_updated: '2026-01-01T00:00:00Z',
  });
  const sessionPushes = () => net.parties.EM1.partner.received('PUT', `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/`).map((r) => r.body as Record<string, any>);
  const evsePatches = (evse: string) =>
    net.parties.EM1.partner.received('PATCH', `/ocpi/2.2.1/locations/${OWN.countryCode}/${OWN.partyId}/SITE1/${evse}`).map((r) => (r.body as { status: string }).status);

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3'] });
    await net.addCharger('RS16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('RS201', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.addCharger('OFFLINE', 'ocpp1.6', 'SITE1', 'E3');
    cp16 = await net.connect('RS16', 'ocpp1.6');
    cs201 = await net.connect('RS201', 'ocpp2.0.1');
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    // The 1.6 charger starts and stops as told, like a real one with a car plugged in.
    cp16.handle('RemoteStartTransaction', async ({ params = {} }) => {
      setTimeout(() => void cp16.call('StartTransaction', { connectorId: params.connectorId, idTag: params.idTag, meterStart: 100, timestamp: new Date().toISOString() }), 30);
      return { status: 'Accepted' };
    });
    cp16.handle('RemoteStopTransaction', async ({ params = {} }) => {
      setTimeout(() => void cp16.call('StopTransaction', { transactionId: params.transactionId, meterStop: 2100, timestamp: new Date().toISOString(), reason: 'Remote' }), 30);
      return { status: 'Accepted' };
    });
    cp16.handle('ReserveNow', async () => ({ status: 'Accepted' }));
    cp16.handle('CancelReservation', async () => ({ status: 'Accepted' }));
    cp16.handle('UnlockConnector', async () => (answers.unlock ?? { status: 'UnlockFailed' }) as Record<string, unknown>);
    cs201.handle('RequestStartTransaction', async ({ params = {} }) => {
      setTimeout(
        () =>
          void cs201.call('TransactionEvent', {
            eventType: 'Started',
            timestamp: new Date().toISOString(),
            triggerReason: 'RemoteStart',
            seqNo: 0,
            transactionInfo: { transactionId: 'RS-201-A', remoteStartId: params.remoteStartId },
            idToken: params.idToken,
            evse: { id: params.evseId, connectorId: 1 },
          }),
        30,
      );
      return { status: 'Accepted' };
    });
  });
  afterAll(() => net.close());

  it('START_SESSION then STOP_SESSION on an OCPP 1.6 charger: results when the charger did it, a COMMAND session and its CDR', async () => {
    const started = await command('START_SESSION', { response_url: emspUrl('START_SESSION/r1'), token: appToken('APP16'), location_id: 'SITE1', evse_uid: 'E1' });
    expect(started).toMatchObject({ status_code: 1000, data: { result: 'ACCEPTED', timeout: 90 } });
    expect(await waitFor(() => resultsAt('START_SESSION/r1')[0], 'the START_SESSION result')).toEqual({ result: 'ACCEPTED' });
    const session = await waitFor(() => sessionPushes().find((s) => s.cdr_token.uid === 'APP16'), 'the session at the eMSP');
    expect(session).toMatchObject({ auth_method: 'COMMAND', evse_uid: 'E1', cdr_token: { type: 'APP_USER', contract_id: 'NLEM1CAPP16' } });

    const stopped = await command('STOP_SESSION', { response_url: emspUrl('STOP_SESSION/r2'), session_id: session.id });
    expect(stopped.data.result).toBe('ACCEPTED');
    expect(await waitFor(() => resultsAt('STOP_SESSION/r2')[0], 'the STOP_SESSION result')).toEqual({ result: 'ACCEPTED' });
    const cdr = await waitFor(() => net.parties.EM1.partner.received('POST', '/ocpi/2.2.1/cdrs').find((r) => (r.body as { session_id: string }).session_id === session.id), 'the CDR');
    expect(cdr.body).toMatchObject({ auth_method: 'COMMAND', total_energy: 2 });

    // The session is over: a second STOP_SESSION is UNKNOWN_SESSION at once.
    expect((await command('STOP_SESSION', { response_url: emspUrl('STOP_SESSION/r3'), session_id: session.id })).data.result).toBe('UNKNOWN_SESSION');
  });

  it('START_SESSION on an OCPP 2.0.1 station: RequestStartTransaction, matched by remoteStartId', async () => {
    const started = await command('START_SESSION', { response_url: emspUrl('START_SESSION/r4'), token: appToken('APP201'), location_id: 'SITE1', evse_uid: 'E2' });
    expect(started.data.result).toBe('ACCEPTED');
    expect(await waitFor(() => resultsAt('START_SESSION/r4')[0], 'the result')).toEqual({ result: 'ACCEPTED' });
    expect(await net.hub.services.transactions.find('RS201', 'RS-201-A')).toMatchObject({ status: 'ACTIVE', idToken: 'APP201', auth: { authMethod: 'COMMAND' } });
  });

  it('RESERVE_NOW shows the EVSE RESERVED; CANCEL_RESERVATION frees it', async () => {
    const expiry = new Date(Date.now() + 15 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const reserved = await command('RESERVE_NOW', { response_url: emspUrl('RESERVE_NOW/r5'), token: appToken('APP16'), expiry_date: expiry, reservation_id: 'RES-1', location_id: 'SITE1', evse_uid: 'E1' });
    expect(reserved.data.result).toBe('ACCEPTED');
    expect(await waitFor(() => resultsAt('RESERVE_NOW/r5')[0], 'the reservation result')).toEqual({ result: 'ACCEPTED' });
    await waitFor(() => evsePatches('E1').includes('RESERVED'), 'E1 RESERVED at the eMSP');

    const canceled = await command('CANCEL_RESERVATION', { response_url: emspUrl('CANCEL_RESERVATION/r6'), reservation_id: 'RES-1' });
    expect(canceled.data.result).toBe('ACCEPTED');
    expect(await waitFor(() => resultsAt('CANCEL_RESERVATION/r6')[0], 'the cancel result')).toEqual({ result: 'ACCEPTED' });
    await waitFor(() => evsePatches('E1').at(-1) === 'AVAILABLE', 'E1 AVAILABLE again');
  });

  it('a reservation past its expiry ends and the EVSE is available again', async () => {
    await net.hub.services.db.query(
      `INSERT INTO ocpp_reservations (id, charger_id, ocpp_connector, location_id, evse_uid, ocpi_reservation_id, requester, id_token, expires_at, status)
       VALUES (9001, 'RS16', '1', 'SITE1', 'E1', 'RES-OLD', '{}', 'X', now() - interval '1 second', 'ACTIVE')`,
    );
    await net.hub.services.evseStatus.show('SITE1', 'E1', 'RESERVED');
    expect(await net.hub.services.ownCommands.expireReservations()).toBe(1);
    await waitFor(() => evsePatches('E1').at(-1) === 'AVAILABLE', 'E1 AVAILABLE after expiry');
    expect((await net.hub.services.db.query(`SELECT status FROM ocpp_reservations WHERE id = 9001`))[0].status).toBe('EXPIRED');
    // A 2.0.1 station reports dropping a reservation: answered and kept as an event.
    expect(await cs201.call('ReservationStatusUpdate', { reservationId: 9001, reservationUpdateStatus: 'Expired' })).toEqual({});
    expect(await net.hub.services.db.query(`SELECT payload FROM ocpp_events WHERE charger_id = 'RS201' AND action = 'ReservationStatusUpdate'`)).toEqual([
      { payload: { reservationId: 9001, reservationUpdateStatus: 'Expired' } },
    ]);
  });

  it('UNLOCK_CONNECTOR passes on what the charger could do', async () => {
    const failed = await command('UNLOCK_CONNECTOR', { response_url: emspUrl('UNLOCK_CONNECTOR/r7'), location_id: 'SITE1', evse_uid: 'E1', connector_id: '1' });
    expect(failed.data.result).toBe('ACCEPTED');
    expect(await waitFor(() => resultsAt('UNLOCK_CONNECTOR/r7')[0], 'the unlock result')).toEqual({ result: 'FAILED' });
    answers.unlock = { status: 'Unlocked' };
    await command('UNLOCK_CONNECTOR', { response_url: emspUrl('UNLOCK_CONNECTOR/r8'), location_id: 'SITE1', evse_uid: 'E1', connector_id: '1' });
    expect(await waitFor(() => resultsAt('UNLOCK_CONNECTOR/r8')[0], 'the unlock result')).toEqual({ result: 'ACCEPTED' });
  });

  it('refuses at once what cannot be done: an offline charger, an unknown EVSE, an unknown session', async () => {
    const offline = await command('START_SESSION', { response_url: emspUrl('START_SESSION/x1'), token: appToken('APPX'), location_id: 'SITE1', evse_uid: 'E3' });
    expect(offline.data).toMatchObject({ result: 'REJECTED', message: [{ language: 'en', text: expect.stringContaining('offline') }] });
    const unknown = await command('UNLOCK_CONNECTOR', { response_url: emspUrl('UNLOCK_CONNECTOR/x2'), location_id: 'SITE1', evse_uid: 'NOPE', connector_id: '1' });
    expect(unknown.data.result).toBe('REJECTED');
    // A session no CPO holds cannot be routed at all: the hub refuses it before any CPO sees it.
    const unroutable = (await command('STOP_SESSION', { response_url: emspUrl('STOP_SESSION/x3'), session_id: 'no-such-session' })) as unknown as { status_code: number; status_message: string };
    expect(unroutable).toMatchObject({ status_code: 2001, status_message: expect.stringContaining('unknown session') });
    await new Promise((r) => setTimeout(r, 200));
    expect(resultsAt('START_SESSION/x1')).toEqual([]);
  });

  describe('with a second hub instance on the same database', () => {
    let second: TestHub;
    beforeAll(async () => {
      // Instances of one hub share its database and its secrets (token B is stored encrypted with the key).
      second = await startTestHub({
        databaseUrl: (net.hub.services.db.options as { url: string }).url,
        env: { SESSION_UPDATE_INTERVAL_SECONDS: '0', TOKEN_ENCRYPTION_KEY: net.hub.services.secrets.tokenEncryptionKey },
      });
    });
    afterAll(() => second.close());

    it('a command arriving at the instance without the charger reaches it through LISTEN/NOTIFY', async () => {
      expect(second.services.ocpp.connection('RS16')).toBeUndefined();
      expect(net.hub.services.ocpp.connection('RS16')).toBeDefined();
      answers.unlock = { status: 'Unlocked' };
      const viaSecond = axios.create({ baseURL: `${second.url}/ocpi/2.2.1`, headers: net.parties.EM1.ocpi.defaults.headers.common, validateStatus: () => true });
      const unlocked = await viaSecond.post('/receiver/commands/UNLOCK_CONNECTOR', { response_url: emspUrl('UNLOCK_CONNECTOR/r9'), location_id: 'SITE1', evse_uid: 'E1', connector_id: '1' }, {
        headers: net.parties.EM1.ocpi.defaults.headers as unknown as Record<string, string>,
      });
      expect(unlocked.data).toMatchObject({ status_code: 1000, data: { result: 'ACCEPTED' } });
      expect(await waitFor(() => resultsAt('UNLOCK_CONNECTOR/r9')[0], 'the result through the other instance')).toEqual({ result: 'ACCEPTED' });
    });

    it('the newest connection wins across instances: the older one, on the other instance, is closed', async () => {
      const olderClosed = closed(cp16);
      const newer = await connectChargePoint({ ocppUrl: second.ocppUrl }, { id: 'RS16', password: CHARGER_PASSWORD, protocol: 'ocpp1.6' });
      try {
        expect((await olderClosed).code).toBe(4000);
        await waitFor(() => !net.hub.services.ocpp.connection('RS16'), 'the older connection gone from the first instance');
        expect(second.services.ocpp.connection('RS16')).toBeDefined();
        expect((await second.services.chargers.find('RS16'))!.connectedInstance).toBe(second.services.ocpp.instanceId);
      } finally {
        await newer.close({ force: true });
      }
    });
  });
});
