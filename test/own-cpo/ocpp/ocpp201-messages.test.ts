import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { OCPP201_HANDLERS } from '../../../src/own-cpo/ocpp-handlers/v201/handlers.v201';
import { callErrorOf, connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { CHARGER_PASSWORD, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * Every request an OCPP 2.0.1 charging station may send, from real ocpp-rpc clients: each is answered
 * as its schema says (none NotImplemented), kept as an event with the hub's answer, and what it
 * carries reaches the store it belongs to (device model, charging limits, EV needs feeding load
 * management). A payload that breaks the schema is a CALLERROR and stores nothing.
 */

/** Requests of OCPP 2.0.1 Part 2 that the charging station sends (the others are the CSMS's). */
const STATION_TO_CSMS = [
  'Authorize', 'BootNotification', 'ClearedChargingLimit', 'DataTransfer', 'FirmwareStatusNotification', 'Get15118EVCertificate',
  'GetCertificateStatus', 'Heartbeat', 'LogStatusNotification', 'MeterValues', 'NotifyChargingLimit', 'NotifyCustomerInformation',
  'NotifyDisplayMessages', 'NotifyEVChargingNeeds', 'NotifyEVChargingSchedule', 'NotifyEvent', 'NotifyMonitoringReport', 'NotifyReport',
  'PublishFirmwareStatusNotification', 'ReportChargingProfiles', 'ReservationStatusUpdate', 'SecurityEventNotification', 'SignCertificate',
  'StatusNotification', 'TransactionEvent',
];

/** Requests the CSMS sends (DataTransfer goes both ways and is in the list above). */
const CSMS_TO_STATION = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile', 'ClearDisplayMessage', 'ClearVariableMonitoring',
  'CostUpdated', 'CustomerInformation', 'DeleteCertificate', 'GetBaseReport', 'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages',
  'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetLog', 'GetMonitoringReport', 'GetReport', 'GetTransactionStatus', 'GetVariables',
  'InstallCertificate', 'PublishFirmware', 'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList',
  'SetChargingProfile', 'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables',
  'TriggerMessage', 'UnlockConnector', 'UnpublishFirmware', 'UpdateFirmware',
];

const now = () => new Date().toISOString();

describe('OCPP 2.0.1: every request of the charging station', () => {
  let net: OwnNetwork;
  let cp: RPCClient;
  let loose: RPCClient;
  const limits: number[] = [];
  const callsFromHub: string[] = [];
  const events = async (action: string) =>
    (await net.hub.services.db.query(`SELECT payload, answer FROM ocpp_events WHERE charger_id = 'S201' AND action = $1 ORDER BY id`, [action])) as { payload: any; answer: any }[];

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('S201', 'ocpp2.0.1', 'SITE1', 'E1');
    await net.addCharger('FREE201', 'ocpp2.0.1', 'SITE1', 'E2');
    cp = await net.connect('S201', 'ocpp2.0.1');
    cp.on('call', ({ outbound, payload }: { outbound: boolean; payload: unknown[] }) => void (!outbound && callsFromHub.push(payload[2] as string)));
    cp.handle('SetChargingProfile', async ({ params = {} }) => {
      if (params.chargingProfile.chargingProfilePurpose === 'TxProfile') limits.push(params.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit);
      return { status: 'Accepted' };
    });
    cp.handle('GetTransactionStatus', async () => ({ ongoingIndicator: true, messagesInQueue: false }));
    loose = await connectChargePoint(net.hub, { id: 'FREE201', password: CHARGER_PASSWORD, protocol: 'ocpp2.0.1', strict: false });
    await loose.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });
    const site = { time_zone: 'Europe/Amsterdam', limit: { amps: 32 }, chargers: [{ charger_id: 'S201', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] }] };
    expect((await net.hub.admin.put('/admin/sites/S201SITE', site)).status).toBe(201);
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'EV201'));
  });
  afterAll(async () => {
    await loose.close({ force: true });
    await net.close();
  });

  it('has a handler for every request the station sends, and the list is the schema file\'s', () => {
    const schemas = JSON.parse(readFileSync(path.join(require.resolve('ocpp-rpc'), '..', 'lib/schemas/ocpp2_0_1.json'), 'utf8')) as { $id: string }[];
    const requests = schemas.map((s) => s.$id).filter((id) => id.endsWith('.req')).map((id) => id.slice(4, -4));
    expect([...STATION_TO_CSMS, ...CSMS_TO_STATION].sort()).toEqual(requests.sort());
    expect(Object.keys(OCPP201_HANDLERS).sort()).toEqual([...STATION_TO_CSMS].sort());
  });

  it('keeps notifications with the hub\'s answer', async () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['FirmwareStatusNotification', { status: 'Downloading', requestId: 1 }, {}],
      ['PublishFirmwareStatusNotification', { status: 'Published', location: ['http://lc/fw.bin'], requestId: 2 }, {}],
      ['LogStatusNotification', { status: 'Uploaded', requestId: 3 }, {}],
      ['SecurityEventNotification', { type: 'FirmwareUpdated', timestamp: now() }, {}],
      ['ReservationStatusUpdate', { reservationId: 7, reservationUpdateStatus: 'Expired' }, {}],
      ['NotifyEvent', { generatedAt: now(), seqNo: 0, eventData: [{ eventId: 1, timestamp: now(), trigger: 'Alerting', actualValue: 'Faulted', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'AvailabilityState' } }] }, {}],
      ['NotifyMonitoringReport', { requestId: 4, seqNo: 0, generatedAt: now(), monitor: [{ component: { name: 'EVSE' }, variable: { name: 'Power' }, variableMonitoring: [{ id: 1, transaction: false, value: 22000, type: 'UpperThreshold', severity: 5 }] }] }, {}],
      ['NotifyCustomerInformation', { data: 'no data for this customer', seqNo: 0, generatedAt: now(), requestId: 5 }, {}],
      ['NotifyDisplayMessages', { requestId: 6, messageInfo: [{ id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome' } }] }, {}],
      ['ReportChargingProfiles', { requestId: 8, chargingLimitSource: 'CSO', evseId: 1, chargingProfile: [{ id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] }] }, {}],
      ['NotifyEVChargingSchedule', { timeBase: now(), evseId: 1, chargingSchedule: { id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] } }, { status: 'Accepted' }],
    ];
    for (const [action, params, answer] of cases) {
      expect(await cp.call(action, params)).toEqual(answer);
      expect(await events(action)).toEqual([{ payload: params, answer }]);
    }
  });

  it('refuses the certificate requests it cannot serve with the status their schema defines, and says why', async () => {
    // A CSR that is no PEM certificate request (the CA's whole flow: test/own-cpo/ocpp/charger-certificates.test.ts).
    expect(await cp.call('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----' })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
    expect(await cp.call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'AAAA' })).toMatchObject({
      status: 'Failed',
      exiResponse: '',
    });
    const ocsp = { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: '1', responderURL: 'http://ocsp' };
    expect(await cp.call('GetCertificateStatus', { ocspRequestData: ocsp })).toMatchObject({ status: 'Failed' });
    expect((await events('GetCertificateStatus'))[0]).toEqual({ payload: { ocspRequestData: ocsp }, answer: expect.objectContaining({ status: 'Failed' }) });
  });

  it('stores a device model report, across several NotifyReport messages, and shows it to the operator', async () => {
    const generatedAt = new Date(Date.now() - 60_000).toISOString();
    await cp.call('NotifyReport', {
      requestId: 11,
      generatedAt,
      seqNo: 0,
      tbc: true,
      reportData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true }], variableCharacteristics: { dataType: 'integer', supportsMonitoring: false, unit: 's' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }, { type: 'MaxSet', value: '22000', mutability: 'ReadOnly' }] },
      ],
    });
    await cp.call('NotifyReport', {
      requestId: 11,
      generatedAt,
      seqNo: 1,
      reportData: [{ component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' }, variableAttribute: [{ value: 'cType2' }] }],
    });
    const model = (await net.hub.admin.get('/admin/chargers/S201/device-model')).data;
    expect(model.charger_id).toBe('S201');
    expect(model.variables).toHaveLength(4);
    expect(model.variables).toContainEqual({
      component: { name: 'OCPPCommCtrlr' },
      variable: { name: 'HeartbeatInterval' },
      attribute_type: 'Actual',
      value: '300',
      mutability: 'ReadWrite',
      persistent: true,
      constant: null,
      characteristics: { dataType: 'integer', supportsMonitoring: false, unit: 's' },
      reported_by: 'NotifyReport',
      reported_at: generatedAt,
      set: null,
    });
    expect(model.variables).toContainEqual(expect.objectContaining({ component: { name: 'EVSE', evse: { id: 1 } }, attribute_type: 'MaxSet', value: '22000' }));
    expect(model.variables).toContainEqual(expect.objectContaining({ component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' }, value: 'cType2' }));
    // the events keep the report's header and how many attributes it carried, not the data again
    expect((await events('NotifyReport')).map((e) => e.payload)).toEqual([
      { requestId: 11, generatedAt, seqNo: 0, tbc: true, attributes: 3 },
      { requestId: 11, generatedAt, seqNo: 1, attributes: 1 },
    ]);
    // what the operator set, with the station's answer (SetVariables sent through the admin API calls this)
    await net.hub.services.deviceModel.set('S201', [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '600', attributeStatus: 'Accepted' }]);
    const after = (await net.hub.admin.get('/admin/chargers/S201/device-model')).data.variables.find((v: any) => v.variable.name === 'HeartbeatInterval');
    expect(after).toMatchObject({ value: '600', reported_by: 'NotifyReport', set: { value: '600', status: 'Accepted', status_info: null } });
    expect((await net.hub.admin.get('/admin/chargers/NOBODY/device-model')).status).toBe(404);
  });

  it('asks a station whose boot is accepted for its configuration, unless it reported one in the last day', async () => {
    expect((await net.hub.admin.post('/admin/chargers', { id: 'REPORT201', password: CHARGER_PASSWORD })).status).toBe(201);
    const station = await connectChargePoint(net.hub, { id: 'REPORT201', password: CHARGER_PASSWORD, protocol: 'ocpp2.0.1' });
    const asked: any[] = [];
    station.handle('GetBaseReport', async ({ params }) => {
      asked.push(params);
      return { status: 'Accepted' };
    });
    try {
      const boot = () => station.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });
      await boot();
      await waitFor(() => asked.length === 1, 'GetBaseReport');
      expect(asked[0]).toEqual({ requestId: expect.any(Number), reportBase: 'ConfigurationInventory' });
      await station.call('NotifyReport', {
        requestId: asked[0].requestId,
        generatedAt: new Date().toISOString(),
        seqNo: 0,
        reportData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'AuthorizeRemoteStart' }, variableAttribute: [{ value: 'true', mutability: 'ReadWrite' }] }],
      });
      await waitFor(async () => (await net.hub.services.db.query(`SELECT 1 FROM ocpp_events WHERE charger_id = 'REPORT201' AND action = 'GetBaseReport'`)).length === 1, 'the exchange kept');
      await boot();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(asked).toHaveLength(1);
      expect((await net.hub.admin.get('/admin/chargers/REPORT201/device-model')).data.variables.map((v: any) => [v.variable.name, v.value])).toEqual([['AuthorizeRemoteStart', 'true']]);
    } finally {
      await station.close();
    }
  });

  it('keeps a 1.6 GetConfiguration answer in the same store (the function the 1.6 side calls)', async () => {
    await net.hub.services.deviceModel.reportedConfiguration('FREE201', { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '900' }, { key: 'NumberOfConnectors', readonly: true, value: '2' }], unknownKey: ['Nope'] });
    await net.hub.services.deviceModel.setConfiguration('FREE201', 'HeartbeatInterval', '60', 'Rejected');
    const { variables } = (await net.hub.admin.get('/admin/chargers/FREE201/device-model')).data;
    expect(variables.map((v: any) => [v.component.name, v.variable.name, v.value, v.mutability, v.reported_by, v.set?.status ?? null])).toEqual([
      ['OCPP16', 'HeartbeatInterval', '900', 'ReadWrite', 'GetConfiguration', 'Rejected'],
      ['OCPP16', 'NumberOfConnectors', '2', 'ReadOnly', 'GetConfiguration', null],
    ]);
  });

  it('records charging limits per EVSE and source until they are cleared', async () => {
    await cp.call('NotifyChargingLimit', { evseId: 1, chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false } });
    await cp.call('NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'SO', isGridCritical: true } });
    let model = (await net.hub.admin.get('/admin/chargers/S201/device-model')).data;
    expect(model.charging_limits.map((l: any) => [l.evse_id, l.source, l.charging_limit.isGridCritical])).toEqual([
      [0, 'SO', true],
      [1, 'EMS', false],
    ]);
    expect(await cp.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 })).toEqual({});
    model = (await net.hub.admin.get('/admin/chargers/S201/device-model')).data;
    expect(model.charging_limits.map((l: any) => l.source)).toEqual(['SO']);
    expect((await events('ClearedChargingLimit')).length).toBe(1);
  });

  it('takes an EV\'s charging needs into its site\'s allocation: the car\'s maximum current caps its limit', async () => {
    await cp.call('TransactionEvent', {
      eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId: 'TX-NEEDS' }, idToken: { idToken: 'EV201', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 },
      meterValue: [{ timestamp: now(), sampledValue: [{ value: 0, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
    });
    await waitFor(() => limits.at(-1) === 32, 'the site\'s 32 A for the only car');
    const answer = await cp.call('NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount: 20000, evMinCurrent: 6, evMaxCurrent: 13, evMaxVoltage: 400 } } });
    expect(answer).toEqual({ status: 'Accepted' });
    await waitFor(() => limits.at(-1) === 13, 'the car\'s own 13 A');
    // the allocation is recorded once the charger has accepted its profile
    const allocated = async () => (await net.hub.admin.get('/admin/sites/S201SITE/state')).data.allocation.connectors[0];
    await waitFor(async () => (await allocated()).limit_amps === 13, 'the allocation recorded');
    expect(await allocated()).toMatchObject({ charger_id: 'S201', limit_amps: 13 });
    expect((await net.hub.admin.get('/admin/chargers/S201/device-model')).data.ev_charging_needs).toEqual([
      { evse_id: 1, charging_needs: expect.objectContaining({ acChargingParameters: expect.objectContaining({ evMaxCurrent: 13 }) }), received_at: expect.any(String) },
    ]);
    // the EV leaves with its transaction: its needs with it
    await cp.call('TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'EVDeparted', seqNo: 1, transactionInfo: { transactionId: 'TX-NEEDS', stoppedReason: 'EVDisconnected' } });
    await waitFor(async () => (await net.hub.admin.get('/admin/chargers/S201/device-model')).data.ev_charging_needs.length === 0, 'the needs cleared');
    // 2.0.1 has no default tariff and the hub shows no running cost there: nothing of OCPP 2.1's block I was sent
    expect(callsFromHub).toContain('SetChargingProfile');
    expect(callsFromHub.filter((a) => a === 'SetDefaultTariff' || a === 'CostUpdated')).toEqual([]);
  });

  it('prices a 2.0.1 transaction that starts and ends within one second (whole-second clocks): its energy is billed', async () => {
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    const reading = (wh: number, context: string) => [{ timestamp: second, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context }] }];
    const base = { timestamp: second, transactionInfo: { transactionId: 'TX-SECOND' }, evse: { id: 1, connectorId: 1 } };
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', triggerReason: 'Authorized', seqNo: 10, idToken: { idToken: 'EV201', type: 'ISO14443' }, meterValue: reading(5000, 'Transaction.Begin') });
    await cp.call('TransactionEvent', { ...base, eventType: 'Ended', triggerReason: 'StopAuthorized', seqNo: 11, transactionInfo: { transactionId: 'TX-SECOND', stoppedReason: 'Local' }, meterValue: reading(6000, 'Transaction.End') });
    const { sessionId } = (await net.hub.services.transactions.find('S201', 'TX-SECOND'))!;
    await waitFor(async () => !!(await net.hub.services.cdrs.storedOf(net.hub.services.ownCpo, sessionId)), 'the CDR');
    const cdr = (await net.hub.services.cdrs.storedOf(net.hub.services.ownCpo, sessionId))!;
    expect(cdr.total_energy).toBe(1);
    expect(cdr.charging_periods).toEqual([{ start_date_time: new Date(second).toISOString(), dimensions: [{ type: 'ENERGY', volume: 1 }, { type: 'TIME', volume: 0 }], tariff_id: 'OWN-AC' }]);
    expect(cdr.total_cost).toEqual({ excl_vat: 0.25, incl_vat: 0.28 });
  });

  it('answers Rejected to the needs of an EV at a charger in no site (no profile will come), and keeps them', async () => {
    expect(await loose.call('NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 200, evMaxVoltage: 500, evMaxPower: 50000 } } })).toMatchObject({
      status: 'Rejected',
      statusInfo: { reasonCode: 'NoLoadManagement' },
    });
    expect((await net.hub.admin.get('/admin/chargers/FREE201/device-model')).data.ev_charging_needs).toHaveLength(1);
  });

  it('answers bad payloads with the CALLERROR strict mode names, and stores nothing', async () => {
    const before = await net.hub.services.db.query(`SELECT count(*)::int AS n FROM ocpp_events WHERE charger_id = 'FREE201'`);
    const bad: [string, unknown, string][] = [
      ['NotifyReport', { generatedAt: now(), seqNo: 0 }, 'OccurrenceConstraintViolation'],
      ['NotifyReport', { requestId: 'one', generatedAt: now(), seqNo: 0 }, 'TypeConstraintViolation'],
      ['NotifyEVChargingNeeds', { evseId: 1 }, 'OccurrenceConstraintViolation'],
      ['NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: 'yes' } }, 'TypeConstraintViolation'],
      ['ClearedChargingLimit', { chargingLimitSource: 'X'.repeat(30) }, 'FormatViolation'],
      ['NotifyEvent', { generatedAt: now(), seqNo: 0, eventData: [], extra: 1 }, 'PropertyConstraintViolation'],
      ['SignCertificate', {}, 'OccurrenceConstraintViolation'],
      ['LogStatusNotification', { status: 'Exploded' }, 'FormatViolation'],
    ];
    for (const [action, params, code] of bad) expect([action, await callErrorOf(loose, action, params)]).toEqual([action, code]);
    expect(await net.hub.services.db.query(`SELECT count(*)::int AS n FROM ocpp_events WHERE charger_id = 'FREE201'`)).toEqual(before);
    expect((await net.hub.admin.get('/admin/chargers/FREE201/device-model')).data.charging_limits).toEqual([]);
  });
});
