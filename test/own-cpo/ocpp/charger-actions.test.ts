import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { createRPCError, type RPCClient } from 'ocpp-rpc';
import { HUB_ACTIONS } from '../../../src/own-cpo/ocpp/charger-actions';
import { connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { ownLocation } from '../../support/own-network';
import { startTestHub, type TestHub } from '../../support/test-hub';

const PASSWORD = 'charger-actions-pass-01';
const SOON = '2026-12-24T10:00:00.000Z';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A request and a valid answer for every action the hub sends a 1.6 charger, with the outcome the log should show. */
const OCPP16_SAMPLES: Record<string, { params: Record<string, unknown>; answer: Record<string, unknown>; status: 'accepted' | 'rejected' }> = {
  ChangeAvailability: { params: { connectorId: 0, type: 'Inoperative' }, answer: { status: 'Scheduled' }, status: 'accepted' },
  ChangeConfiguration: { params: { key: 'HeartbeatInterval', value: '300' }, answer: { status: 'RebootRequired' }, status: 'accepted' },
  ClearCache: { params: {}, answer: { status: 'Rejected' }, status: 'rejected' },
  DataTransfer: { params: { vendorId: 'com.example', messageId: 'Ping' }, answer: { status: 'Accepted', data: 'pong' }, status: 'accepted' },
  GetConfiguration: { params: { key: ['HeartbeatInterval'] }, answer: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }, status: 'accepted' },
  RemoteStartTransaction: { params: { connectorId: 1, idTag: 'TAG-1' }, answer: { status: 'Rejected' }, status: 'rejected' },
  RemoteStopTransaction: { params: { transactionId: 77 }, answer: { status: 'Rejected' }, status: 'rejected' },
  Reset: { params: { type: 'Soft' }, answer: { status: 'Accepted' }, status: 'accepted' },
  UnlockConnector: { params: { connectorId: 1 }, answer: { status: 'UnlockFailed' }, status: 'rejected' },
  GetDiagnostics: { params: { location: 'ftp://diag.example.com/in/' }, answer: { fileName: 'diag-1.zip' }, status: 'accepted' },
  UpdateFirmware: { params: { location: 'https://fw.example.com/fw.bin', retrieveDate: SOON, retries: 3 }, answer: {}, status: 'accepted' },
  GetLocalListVersion: { params: {}, answer: { listVersion: 3 }, status: 'accepted' },
  SendLocalList: {
    params: { listVersion: 4, updateType: 'Full', localAuthorizationList: [{ idTag: 'TAG-1', idTagInfo: { status: 'Accepted' } }] },
    answer: { status: 'VersionMismatch' },
    status: 'rejected',
  },
  CancelReservation: { params: { reservationId: 5 }, answer: { status: 'Accepted' }, status: 'accepted' },
  ReserveNow: { params: { connectorId: 1, expiryDate: SOON, idTag: 'TAG-1', reservationId: 5 }, answer: { status: 'Occupied' }, status: 'rejected' },
  ClearChargingProfile: { params: { id: 9 }, answer: { status: 'Unknown' }, status: 'rejected' },
  GetCompositeSchedule: {
    params: { connectorId: 1, duration: 3600, chargingRateUnit: 'A' },
    answer: { status: 'Accepted', connectorId: 1, scheduleStart: SOON, chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } },
    status: 'accepted',
  },
  SetChargingProfile: {
    params: {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 9,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      },
    },
    answer: { status: 'NotSupported' },
    status: 'rejected',
  },
  TriggerMessage: { params: { requestedMessage: 'StatusNotification', connectorId: 1 }, answer: { status: 'Accepted' }, status: 'accepted' },
  CertificateSigned: { params: { certificateChain: PEM }, answer: { status: 'Accepted' }, status: 'accepted' },
  DeleteCertificate: {
    params: { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' } },
    answer: { status: 'NotFound' },
    status: 'rejected',
  },
  ExtendedTriggerMessage: { params: { requestedMessage: 'SignChargePointCertificate' }, answer: { status: 'Accepted' }, status: 'accepted' },
  GetInstalledCertificateIds: { params: { certificateType: 'CentralSystemRootCertificate' }, answer: { status: 'NotFound' }, status: 'rejected' },
  GetLog: { params: { logType: 'SecurityLog', requestId: 1, log: { remoteLocation: 'https://logs.example.com/' } }, answer: { status: 'Accepted', filename: 'sec.log' }, status: 'accepted' },
  InstallCertificate: { params: { certificateType: 'ManufacturerRootCertificate', certificate: PEM }, answer: { status: 'Rejected' }, status: 'rejected' },
  SignedUpdateFirmware: {
    params: { requestId: 2, firmware: { location: 'https://fw.example.com/s.bin', retrieveDateTime: SOON, signingCertificate: PEM, signature: 'c2ln' } },
    answer: { status: 'InvalidCertificate' },
    status: 'rejected',
  },
};

describe('the operator\'s actions on a charger (admin API)', () => {
  let hub: TestHub;
  let cp16: RPCClient;
  let cp201: RPCClient;
  /** What the 1.6 charger received, and how it answers each action (a function may throw or never resolve). */
  const received: { method: string; params: any }[] = [];
  // The last call of one action: the hub's own local-list sync (GetLocalListVersion after a boot or a
  // connection) may reach the charger after an operator's action, so "the last call of all" races it.
  const lastCall = (method: string) => received.filter((r) => r.method === method).at(-1);
  const answers = new Map<string, (params: any) => Promise<Record<string, unknown>>>();
  const received201: { method: string; params: any }[] = [];
  const action = (id: string, name: string, body: unknown, headers?: Record<string, string>) => hub.admin.post(`/admin/chargers/${id}/actions/${name}`, body, { headers });
  const shortcut = (id: string, name: string, body: unknown = {}) => hub.admin.post(`/admin/chargers/${id}/shortcuts/${name}`, body, { headers: { 'X-Requested-By': 'test-operator' } });
  const logRows = async (id: string) => (await hub.services.db.query(`SELECT count(*)::int AS n FROM charger_actions WHERE charger_id = $1`, [id]))[0].n as number;

  beforeAll(async () => {
    hub = await startTestHub({ env: { PUBLIC_URL: 'http://hub.invalid' } });
    await hub.services.locations.change(
      hub.services.ownCpo,
      undefined,
      { locationId: 'ACT1' },
      'PUT',
      { ...ownLocation('ACT1', ['E1']), country_code: hub.services.ownCpo.countryCode, party_id: hub.services.ownCpo.partyId },
    );
    for (const [id, evses] of [
      ['ACT16', [{ ocpp_connector: '1', evse_uid: 'E1', connector_id: '1' }]],
      ['ACT201', []],
      ['NEVERON', []],
    ] as const) {
      expect((await hub.admin.post('/admin/chargers', { id, password: PASSWORD, ...(evses.length && { location_id: 'ACT1', evses }) })).status).toBe(201);
    }
    // The hub looks at a connected charger's local list a moment after it connects (it does not boot
    // here): at once, and done before the first test, so no test meets that call of the hub's own.
    hub.services.localLists.connectDelayMs = 0;
    cp16 = await connectChargePoint(hub, { id: 'ACT16', password: PASSWORD, protocol: 'ocpp1.6' });
    cp16.handle(({ method, params }) => {
      received.push({ method: method!, params });
      const answer = answers.get(method!);
      if (!answer) throw createRPCError('NotImplemented');
      return answer(params);
    });
    cp201 = await connectChargePoint(hub, { id: 'ACT201', password: PASSWORD, protocol: 'ocpp2.0.1' });
    cp201.handle(async ({ method, params }) => {
      received201.push({ method: method!, params });
      if (method === 'GetLog') return { status: 'Accepted', filename: 'diag.log' };
      if (method === 'UnlockConnector') return { status: 'Unlocked' };
      if (method === 'GetTransactionStatus') return { messagesInQueue: false };
      if (method === 'SetVariables') return { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] };
      return { status: 'Accepted' };
    });
    await waitFor(async () => (await hub.services.localLists.state('ACT16'))?.outcome ?? undefined, 'the local-list look at ACT16');
    await waitFor(async () => (await hub.services.localLists.state('ACT201'))?.outcome ?? undefined, 'the local-list look at ACT201');
    await hub.services.localLists.idle();
  });
  afterAll(async () => {
    // force: the timeout test left the 1.6 charger a call it never answers.
    await Promise.all([cp16.close({ force: true }), cp201.close({ force: true })]);
    await hub.close();
  });
  beforeEach(() => {
    received.length = 0;
    received201.length = 0;
    answers.clear();
  });

  it('sends every 1.6 action the hub may send, returns the charger\'s answer and keeps each with its outcome', async () => {
    expect(Object.keys(OCPP16_SAMPLES).sort()).toEqual([...HUB_ACTIONS['ocpp1.6']].sort());
    for (const [name, sample] of Object.entries(OCPP16_SAMPLES)) answers.set(name, async () => sample.answer);
    for (const [name, sample] of Object.entries(OCPP16_SAMPLES)) {
      const response = await action('ACT16', name, { params: sample.params }, { 'X-Requested-By': 'alice@ops' });
      expect({ name, status: response.status, body: response.data }).toEqual({
        name,
        status: 200,
        body: {
          id: expect.any(String),
          charger_id: 'ACT16',
          requested_by: 'alice@ops',
          requested_at: expect.any(String),
          protocol: 'ocpp1.6',
          action: name,
          params: sample.params,
          answer: sample.answer,
          status: sample.status,
          error: null,
          duration_ms: expect.any(Number),
        },
      });
    }
    expect(received.map((r) => r.method)).toEqual(Object.keys(OCPP16_SAMPLES));
    expect(received.map((r) => r.params)).toEqual(Object.values(OCPP16_SAMPLES).map((s) => s.params));
    const log = (await hub.admin.get('/admin/chargers/ACT16/actions?limit=5')).data;
    expect(log.map((a: { action: string }) => a.action)).toEqual(Object.keys(OCPP16_SAMPLES).slice(-5).reverse());
    const older = (await hub.admin.get(`/admin/chargers/ACT16/actions?limit=2&before=${log[4].id}`)).data;
    expect(older.map((a: { action: string }) => a.action)).toEqual(Object.keys(OCPP16_SAMPLES).slice(-7, -5).reverse());
  });

  it('refuses params the version\'s schema refuses with 400, naming the problem, and sends and keeps nothing', async () => {
    const before = await logRows('ACT16');
    const cases: [string, unknown, RegExp][] = [
      ['Reset', { params: { type: 'Gentle' } }, /params\/type must be equal to one of the allowed values/],
      ['Reset', { params: {} }, /must have required property 'type'/],
      ['ChangeConfiguration', { params: { key: 'K', value: 'v', extra: 1 } }, /must NOT have additional properties/],
      ['GetConfiguration', { params: { key: 'not-a-list' } }, /must be array/],
      // a 2.0.1 action to a 1.6 charger, a charger→hub action, nonsense
      ['RequestStartTransaction', { params: {} }, /not an action the hub sends in ocpp1\.6/],
      ['BootNotification', { params: { chargePointVendor: 'V', chargePointModel: 'M' } }, /not an action the hub sends/],
      ['Reset', { params: { type: 'Soft' }, timeout_seconds: 0 }, /timeout_seconds/],
      ['Reset', { parameters: { type: 'Soft' } }, /parameters/],
    ];
    for (const [name, body, message] of cases) {
      const response = await action('ACT16', name, body);
      expect({ name, status: response.status, code: response.data.error?.code }).toEqual({ name, status: 400, code: expect.stringMatching(/invalid/) });
      expect(response.data.error.message).toMatch(message);
    }
    expect((await action('ACT16', 'Reset', { params: { type: 'Soft' } }, { 'X-Requested-By': 'x'.repeat(65) })).status).toBe(400);
    // None of the refused actions reached the charger.
    expect(received).toEqual([]);
    expect(await logRows('ACT16')).toBe(before);
  });

  it('404 for an unknown charger, 409 for one not connected (nothing kept)', async () => {
    expect((await action('NOPE', 'Reset', { params: { type: 'Soft' } })).status).toBe(404);
    expect((await action('bad id!', 'Reset', { params: { type: 'Soft' } })).status).toBe(404);
    const offline = await action('NEVERON', 'Reset', { params: { type: 'Soft' } });
    expect(offline.status).toBe(409);
    expect(offline.data.error.message).toMatch(/not connected/);
    expect((await shortcut('NEVERON', 'reset')).status).toBe(409);
    expect(await logRows('NEVERON')).toBe(0);
    expect((await hub.admin.get('/admin/chargers/NOPE/actions')).status).toBe(404);
  });

  it('a CALLERROR is 502 with its code, kept as error', async () => {
    answers.set('Reset', async () => {
      throw createRPCError('NotSupported', 'no resets here');
    });
    const response = await action('ACT16', 'Reset', { params: { type: 'Hard' } });
    expect(response.status).toBe(502);
    expect(response.data).toMatchObject({ action: 'Reset', status: 'error', answer: null, error: { code: 'NotSupported', message: 'no resets here' } });
    expect((await hub.admin.get('/admin/chargers/ACT16/actions?limit=1')).data[0]).toEqual(response.data);
  });

  it('no answer within timeout_seconds is 504, kept as timeout', async () => {
    answers.set('ClearCache', () => new Promise(() => undefined));
    const response = await action('ACT16', 'ClearCache', { timeout_seconds: 1 });
    expect(response.status).toBe(504);
    expect(response.data).toMatchObject({ status: 'timeout', answer: null, error: { code: 'Timeout' } });
    expect(response.data.duration_ms).toBeGreaterThanOrEqual(1000);
    expect(response.data.duration_ms).toBeLessThan(5000);
  });

  it('shortcuts send the 1.6 action and params, and refuse what 1.6 lacks with 409', async () => {
    for (const name of ['Reset', 'ChangeAvailability', 'UnlockConnector', 'TriggerMessage', 'ChangeConfiguration', 'ClearCache', 'SetChargingProfile', 'ClearChargingProfile', 'UpdateFirmware']) {
      answers.set(name, async () => (name === 'UnlockConnector' ? { status: 'Unlocked' } : name === 'UpdateFirmware' ? {} : { status: 'Accepted' }));
    }
    answers.set('GetConfiguration', async () => ({ configurationKey: [], unknownKey: ['Nope'] }));
    answers.set('GetCompositeSchedule', async () => ({ status: 'Rejected' }));
    const profile = OCPP16_SAMPLES.SetChargingProfile.params.csChargingProfiles;
    const expected: [string, unknown, string, unknown][] = [
      ['reset', { type: 'hard' }, 'Reset', { type: 'Hard' }],
      ['availability', { operative: false, connector: '1' }, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' }],
      ['unlock', { connector: '1' }, 'UnlockConnector', { connectorId: 1 }],
      ['trigger', { message: 'MeterValues', connector: '1' }, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 }],
      ['get-configuration', { keys: ['Nope'] }, 'GetConfiguration', { key: ['Nope'] }],
      ['change-configuration', { key: 'HeartbeatInterval', value: '60' }, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }],
      ['clear-cache', {}, 'ClearCache', {}],
      ['set-charging-profile', { connector: '1', profile }, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile }],
      ['clear-charging-profile', { purpose: 'TxDefaultProfile', stack_level: 0 }, 'ClearChargingProfile', { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 }],
      ['composite-schedule', { connector: '1', duration: 600, unit: 'W' }, 'GetCompositeSchedule', { connectorId: 1, duration: 600, chargingRateUnit: 'W' }],
      ['update-firmware', { location: 'https://fw.example.com/x.bin', retrieve_at: SOON, retries: 2 }, 'UpdateFirmware', { location: 'https://fw.example.com/x.bin', retrieveDate: SOON, retries: 2 }],
    ];
    for (const [name, body, wantAction, wantParams] of expected) {
      const response = await shortcut('ACT16', name, body);
      expect({ name, status: response.status, action: response.data.action, requested_by: response.data.requested_by }).toEqual({ name, status: 200, action: wantAction, requested_by: 'test-operator' });
      expect(lastCall(wantAction)).toEqual({ method: wantAction, params: wantParams });
    }
    expect((await shortcut('ACT16', 'composite-schedule', { duration: 60 })).data.status).toBe('rejected');
    const sent = received.length;
    for (const name of ['display-message', 'get-variables', 'set-variables']) {
      const body = name === 'display-message' ? { message: 'Hello' } : { variables: [{ component: 'C', variable: 'V', ...(name === 'set-variables' && { value: '1' }) }] };
      const response = await shortcut('ACT16', name, body);
      expect({ name, status: response.status }).toEqual({ name, status: 409 });
    }
    // a body the shortcut refuses, a trigger the 1.6 schema refuses, an unknown shortcut
    expect((await shortcut('ACT16', 'reset', { type: 'gentle' })).status).toBe(400);
    expect((await shortcut('ACT16', 'unlock', {})).status).toBe(400);
    const trigger = await shortcut('ACT16', 'trigger', { message: 'LogStatusNotification' });
    expect(trigger.status).toBe(400);
    expect(trigger.data.error.message).toMatch(/requestedMessage/);
    expect((await shortcut('ACT16', 'make-coffee')).status).toBe(404);
    expect(received.length).toBe(sent);
  });

  it('availability: the charger\'s StatusNotification that follows moves the EVSE\'s OCPI status', async () => {
    const evseStatus = async () =>
      (await hub.services.store.get<{ evses: { uid: string; status: string }[] }>({ module: 'locations', countryCode: hub.services.ownCpo.countryCode, partyId: hub.services.ownCpo.partyId, objectId: 'ACT1' }))!.data.evses[0].status;
    answers.set('ChangeAvailability', async (params: { type: string }) => {
      // OCPP 1.6 §5.2: the charge point reports the new availability with StatusNotification.
      setTimeout(() => void cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: params.type === 'Operative' ? 'Available' : 'Unavailable' }), 10);
      return { status: 'Accepted' };
    });
    expect((await shortcut('ACT16', 'availability', { operative: false, connector: '1' })).data.status).toBe('accepted');
    await waitFor(async () => (await evseStatus()) === 'INOPERATIVE', 'the EVSE INOPERATIVE');
    expect((await shortcut('ACT16', 'availability', { operative: true })).data.status).toBe('accepted');
    expect(lastCall('ChangeAvailability')).toEqual({ method: 'ChangeAvailability', params: { connectorId: 0, type: 'Operative' } });
    await waitFor(async () => (await evseStatus()) === 'AVAILABLE', 'the EVSE AVAILABLE');
  });

  it('get-diagnostics: the charger uploads once to the hub\'s one-time URL; the operator downloads it; progress is in its events', async () => {
    answers.set('GetDiagnostics', async () => ({ fileName: 'diag.tar.gz' }));
    const response = await shortcut('ACT16', 'get-diagnostics', { since: '2026-12-01T00:00:00Z' });
    expect(response.status).toBe(200);
    expect(response.data.file).toMatchObject({ kind: 'diagnostics', uploaded_at: null, size_bytes: null });
    const { location, startTime } = lastCall('GetDiagnostics')!.params;
    expect(startTime).toBe('2026-12-01T00:00:00Z');
    expect(location).toMatch(/^http:\/\/hub\.invalid\/ocpp-uploads\/[A-Za-z0-9_-]{32}$/);
    const url = location.replace('http://hub.invalid', hub.url);
    expect((await hub.admin.get(`/admin/chargers/ACT16/files/${response.data.file.id}`)).status).toBe(404);

    await cp16.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    // A multipart POST to "<location>/<file name>", as many chargers send it.
    const content = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d]);
    const boundary = 'XyZ123';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="diag.tar.gz"\r\nContent-Type: application/gzip\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = await axios.post(`${url}/diag.tar.gz`, multipart, { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, validateStatus: () => true });
    expect(upload.status).toBe(201);
    await cp16.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    // one-time: a second upload, and an unknown token, are refused
    expect((await axios.put(url, 'again', { validateStatus: () => true })).status).toBe(404);
    expect((await axios.put(`${hub.url}/ocpp-uploads/${'A'.repeat(32)}`, 'x', { validateStatus: () => true })).status).toBe(404);
    expect((await axios.get(url, { validateStatus: () => true })).status).toBe(404); // an upload URL serves nothing

    const [file] = (await hub.admin.get('/admin/chargers/ACT16/files')).data;
    expect(file).toMatchObject({ id: response.data.file.id, kind: 'diagnostics', file_name: 'diag.tar.gz', content_type: 'application/gzip', size_bytes: content.length, uploaded_at: expect.any(String) });
    const downloaded = await hub.admin.get(`/admin/chargers/ACT16/files/${file.id}`, { responseType: 'arraybuffer' });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-disposition']).toBe('attachment; filename="diag.tar.gz"');
    expect(Buffer.from(downloaded.data)).toEqual(content);
    const events = (await hub.admin.get('/admin/chargers/ACT16/events?action=DiagnosticsStatusNotification')).data;
    expect(events.map((e: { payload: { status: string } }) => e.payload.status)).toEqual(['Uploaded', 'Uploading']);
  });

  it('firmware: the operator uploads it, the charger is sent UpdateFirmware with a hub URL and downloads the same bytes', async () => {
    answers.set('UpdateFirmware', async () => ({}));
    const firmware = Buffer.alloc(100_000, 7);
    firmware.write('FW-4.15', 0);
    const response = await hub.admin.put('/admin/chargers/ACT16/firmware?name=fw-4.15.bin&retries=2', firmware, {
      headers: { 'Content-Type': 'application/octet-stream', 'X-Requested-By': 'cli:bob' },
    });
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ action: 'UpdateFirmware', status: 'accepted', requested_by: 'cli:bob', file: { kind: 'firmware', size_bytes: firmware.length, downloads: 0 } });
    const { location, retries } = lastCall('UpdateFirmware')!.params;
    expect(retries).toBe(2);
    expect(location).toMatch(/^http:\/\/hub\.invalid\/ocpp-uploads\/[A-Za-z0-9_-]{32}\/fw-4\.15\.bin$/);
    const download = await axios.get(location.replace('http://hub.invalid', hub.url), { responseType: 'arraybuffer' });
    expect(Buffer.from(download.data)).toEqual(firmware);
    expect((await hub.admin.get('/admin/chargers/ACT16/files')).data[0]).toMatchObject({ kind: 'firmware', downloads: 1 });
    expect((await hub.admin.put('/admin/chargers/ACT16/firmware', Buffer.alloc(0), { headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(400);
    expect((await hub.admin.put('/admin/chargers/NEVERON/firmware', firmware, { headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(409);
    expect((await axios.put(`${hub.url}/admin/chargers/ACT16/firmware`, firmware, { validateStatus: () => true })).status).toBe(401);
  });

  it('an expired URL stops working, and the next file makes room: expired slots and firmware go, uploads stay', async () => {
    answers.set('GetDiagnostics', async () => ({}));
    answers.set('UpdateFirmware', async () => ({}));
    const slot = (await shortcut('ACT16', 'get-diagnostics')).data.file.id;
    const firmware = await hub.admin.put('/admin/chargers/ACT16/firmware', Buffer.from('fw'), { headers: { 'Content-Type': 'application/octet-stream' } });
    const { location } = lastCall('UpdateFirmware')!.params;
    const before = (await hub.admin.get('/admin/chargers/ACT16/files')).data.map((f: { id: string }) => f.id);
    await hub.services.db.query(`UPDATE charger_files SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[slot, firmware.data.file.id]]);
    expect((await axios.get(location.replace('http://hub.invalid', hub.url), { validateStatus: () => true })).status).toBe(404);
    await shortcut('ACT16', 'get-diagnostics');
    const after = (await hub.admin.get('/admin/chargers/ACT16/files')).data.map((f: { id: string }) => f.id);
    expect(after).not.toContain(slot);
    expect(after).not.toContain(firmware.data.file.id);
    // the uploaded diagnostics of the earlier test are kept
    expect(before.filter((id: string) => ![slot, firmware.data.file.id].includes(id)).every((id: string) => after.includes(id))).toBe(true);
  });

  it('2.0.1: the same shortcuts send the 2.0.1 actions (Reset OnIdle, SetVariables, GetLog, SetDisplayMessage, ChangeAvailability with evse)', async () => {
    const expected: [string, unknown, string, (params: any) => void][] = [
      ['reset', {}, 'Reset', (p) => expect(p).toEqual({ type: 'OnIdle' })],
      ['availability', { operative: false, connector: '1' }, 'ChangeAvailability', (p) => expect(p).toEqual({ operationalStatus: 'Inoperative', evse: { id: 1 } })],
      ['unlock', { connector: '1/2' }, 'UnlockConnector', (p) => expect(p).toEqual({ evseId: 1, connectorId: 2 })],
      ['set-variables', { variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '60' }] }, 'SetVariables', (p) =>
        expect(p).toEqual({ setVariableData: [{ attributeValue: '60', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] })],
      ['get-diagnostics', {}, 'GetLog', (p) => expect(p).toEqual({ logType: 'DiagnosticsLog', requestId: expect.any(Number), log: { remoteLocation: expect.stringMatching(/\/ocpp-uploads\//) } })],
      ['display-message', { message: 'Welcome', language: 'en' }, 'SetDisplayMessage', (p) =>
        expect(p).toEqual({ message: { id: expect.any(Number), priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome', language: 'en' } } })],
      ['update-firmware', { location: 'https://fw.example.com/y.bin', retrieve_at: SOON }, 'UpdateFirmware', (p) =>
        expect(p).toEqual({ requestId: expect.any(Number), firmware: { location: 'https://fw.example.com/y.bin', retrieveDateTime: SOON } })],
    ];
    for (const [name, body, wantAction, check] of expected) {
      const response = await shortcut('ACT201', name, body);
      expect({ name, status: response.status, protocol: response.data.protocol, action: response.data.action, outcome: response.data.status }).toEqual({ name, status: 200, protocol: 'ocpp2.0.1', action: wantAction, outcome: 'accepted' });
      const call = received201.filter((r) => r.method === wantAction).at(-1);
      expect(call?.method).toBe(wantAction);
      check(call!.params);
    }
    expect((await shortcut('ACT201', 'get-configuration')).status).toBe(409);
    // the generic action checks against the 2.0.1 schema
    expect((await action('ACT201', 'Reset', { params: { type: 'Soft' } })).status).toBe(400);
    expect((await action('ACT201', 'GetTransactionStatus', { params: {} })).data).toMatchObject({ protocol: 'ocpp2.0.1', status: 'accepted' });
  });

  it('works from the CLI: charger action, a shortcut, firmware, the log (the CLI named as who asked)', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), env: { ADMIN_API_KEY: hub.adminKey } };
    const cli = async (...argv: string[]) => {
      out = '';
      err = '';
      return runCli([...argv, '--hub', hub.url], io);
    };
    answers.set('GetConfiguration', async () => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }));
    answers.set('Reset', async () => ({ status: 'Rejected' }));
    answers.set('UpdateFirmware', async () => ({}));
    expect(await cli('charger', 'action', 'ACT16', 'GetConfiguration', '{"key":["HeartbeatInterval"]}')).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ action: 'GetConfiguration', status: 'accepted', requested_by: expect.stringMatching(/^cli:/), answer: { configurationKey: [{ value: '300' }] } });
    // refused by the charger: shown, exit 1; refused by the schema: the message, nothing sent
    expect(await cli('charger', 'reset', 'ACT16', '{"type":"hard"}')).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ action: 'Reset', params: { type: 'Hard' }, status: 'rejected' });
    const sent = received.length;
    expect(await cli('charger', 'action', 'ACT16', 'Reset', '{"type":"Gentle"}')).toBe(1);
    expect(err).toMatch(/Error 400: Reset params: params\/type must be equal to one of the allowed values/);
    expect(await cli('charger', 'action', 'ACT16', 'Reset', 'not json')).toBe(2);
    expect(received.length).toBe(sent);
    const dir = mkdtempSync(path.join(tmpdir(), 'fw-'));
    writeFileSync(path.join(dir, 'fw-5.bin'), Buffer.from('firmware five'));
    expect(await cli('charger', 'firmware', 'ACT16', '--file', path.join(dir, 'fw-5.bin'))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ action: 'UpdateFirmware', file: { kind: 'firmware', file_name: 'fw-5.bin', size_bytes: 13 } });
    expect(await cli('charger', 'actions', 'ACT16')).toBe(0);
    expect(JSON.parse(out).slice(0, 3).map((a: { action: string }) => a.action)).toEqual(['UpdateFirmware', 'Reset', 'GetConfiguration']);
    expect(await cli('charger', 'files', 'ACT16')).toBe(0);
    expect(JSON.parse(out)[0]).toMatchObject({ file_name: 'fw-5.bin' });
    expect(await cli('charger', 'events', 'ACT16')).toBe(0);
  });

  describe('from a second hub instance on the same database', () => {
    let second: TestHub;
    beforeAll(async () => {
      second = await startTestHub({
        databaseUrl: (hub.services.db.options as { url: string }).url,
        env: { PUBLIC_URL: 'http://hub.invalid', TOKEN_ENCRYPTION_KEY: hub.services.secrets.tokenEncryptionKey },
      });
    });
    afterAll(() => second.close());

    it('an action reaches the charger through LISTEN/NOTIFY; its answer, CALLERROR and timeout come back as such', async () => {
      expect(second.services.ocpp.connection('ACT16')).toBeUndefined();
      const viaSecond = (name: string, body: unknown) => second.admin.post(`/admin/chargers/ACT16/actions/${name}`, body);
      answers.set('GetLocalListVersion', async () => ({ listVersion: 12 }));
      answers.set('ClearCache', () => new Promise(() => undefined));
      const answered = await viaSecond('GetLocalListVersion', {});
      expect(answered.status).toBe(200);
      expect(answered.data).toMatchObject({ protocol: 'ocpp1.6', answer: { listVersion: 12 }, status: 'accepted' });
      const refused = await viaSecond('Reset', { params: { type: 'Soft' } }); // no answer set: NotImplemented
      expect(refused.status).toBe(502);
      expect(refused.data.error.code).toBe('NotImplemented');
      const silent = await viaSecond('ClearCache', { timeout_seconds: 1 });
      expect(silent.status).toBe(504);
      expect(silent.data).toMatchObject({ status: 'timeout', error: { code: 'Timeout' } });
      // bad params are refused at the instance that was asked, with nothing sent
      const sent = received.length;
      expect((await viaSecond('Reset', { params: { type: 'Never' } })).status).toBe(400);
      expect(received.length).toBe(sent);
      // one log, whichever instance was asked
      expect((await hub.admin.get('/admin/chargers/ACT16/actions?limit=3')).data.map((a: { action: string }) => a.action)).toEqual(['ClearCache', 'Reset', 'GetLocalListVersion']);
    });
  });
});
