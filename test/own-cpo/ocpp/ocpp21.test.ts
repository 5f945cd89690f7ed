import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { OCPP201_HANDLERS } from '../../../src/own-cpo/ocpp-handlers/v201/handlers.v201';
import { OCPP21_HANDLERS } from '../../../src/own-cpo/ocpp-handlers/v21/handlers.v21';
import { CHARGER_PROTOCOLS } from '../../../src/own-cpo/ocpp/charger-protocols';
import { ocpp21Validator, OCPP21_ACTIONS } from '../../../src/own-cpo/ocpp/ocpp21-schemas';
import { callErrorOf, connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { CHARGER_PASSWORD, OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/** Requests OCPP 2.1 adds that the charging station sends; the hub answers each. */
const STATION_ADDITIONS = [
  'BatterySwap', 'ClosePeriodicEventStream', 'GetCertificateChainStatus', 'NotifyDERAlarm', 'NotifyDERStartStop', 'NotifyPriorityCharging',
  'NotifySettlement', 'OpenPeriodicEventStream', 'PullDynamicScheduleUpdate', 'ReportDERControl', 'VatNumberValidation',
];
/** Requests OCPP 2.1 adds that the CSMS sends. */
const CSMS_ADDITIONS = [
  'AdjustPeriodicEventStream', 'AFRRSignal', 'ChangeTransactionTariff', 'ClearDERControl', 'ClearTariffs', 'GetDERControl', 'GetPeriodicEventStream',
  'GetTariffs', 'NotifyAllowedEnergyTransfer', 'NotifyWebPaymentStarted', 'RequestBatterySwap', 'SetDefaultTariff', 'SetDERControl',
  'UpdateDynamicSchedule', 'UsePriorityCharging',
];

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/**
 * OCPP 2.1 stations, from real ocpp-rpc clients with the 2.1 schemas: the connection, the 2.0.1
 * handlers reused and 2.1's additions, the EVSE's OCPI tariff set as the station's default tariff,
 * the running cost, and the station's own cost reconciled against the CDR's rating.
 */
describe('OCPP 2.1', () => {
  let net: OwnNetwork;
  let cp: RPCClient;
  const tariffs: any[] = [];
  const costs: any[] = [];
  const events = async (action: string) =>
    (await net.hub.services.db.query(`SELECT payload, answer FROM ocpp_events WHERE charger_id = 'S21' AND action = $1 ORDER BY id`, [action])) as { payload: any; answer: any }[];

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('S21', 'ocpp2.1', 'SITE1', 'E1');
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'EV21'));
    // offered 2.1 and 2.0.1: the hub speaks 2.1
    cp = await connectChargePoint(net.hub, { id: 'S21', password: CHARGER_PASSWORD, protocol: 'ocpp2.1' });
    cp.handle('SetDefaultTariff', async ({ params }) => {
      tariffs.push(params);
      return { status: 'Accepted' };
    });
    cp.handle('CostUpdated', async ({ params }) => {
      costs.push(params);
      return {};
    });
    cp.handle('GetTransactionStatus', async () => ({ ongoingIndicator: true, messagesInQueue: false }));
    expect(await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22-21' } })).toMatchObject({ status: 'Accepted' });
  });
  afterAll(() => net.close());

  it('answers every request a 2.1 station sends: the 2.0.1 table and 2.1\'s additions, checked against the schema file', () => {
    const file = JSON.parse(readFileSync(path.join(require.resolve('ocpp-rpc'), '..', 'lib/schemas/ocpp2_1.json'), 'utf8')) as { $id: string }[];
    const requests = file.map((s) => s.$id).filter((id) => id.endsWith('Request')).map((id) => id.slice(4, -'Request'.length));
    expect([...OCPP21_ACTIONS].sort()).toEqual(requests.sort());
    const from201 = Object.keys(OCPP201_HANDLERS);
    expect(Object.keys(OCPP21_HANDLERS).sort()).toEqual([...from201, ...STATION_ADDITIONS].sort());
    const csms201 = requests.filter((r) => !from201.includes(r) && !STATION_ADDITIONS.includes(r) && !CSMS_ADDITIONS.includes(r));
    // what is left are the 2.0.1 CSMS requests, which 2.1 keeps
    expect(csms201).toEqual(expect.arrayContaining(['GetVariables', 'SetVariables', 'RequestStartTransaction', 'CostUpdated']));
    expect(csms201.some((r) => r.startsWith('Notify') && r !== 'NotifyAllowedEnergyTransfer' && r !== 'NotifyWebPaymentStarted')).toBe(false);
  });

  it('accepts the ocpp2.1 subprotocol, preferred over 2.0.1, and shows it', async () => {
    expect(cp.protocol).toBe('ocpp2.1');
    expect((await net.hub.admin.get('/admin/chargers/S21')).data).toMatchObject({ protocol: 'ocpp2.1', connection: { connected: true } });
    await net.addCharger('BOTH', 'ocpp2.0.1', 'SITE1', 'E2');
    const both = await connectChargePoint(net.hub, { id: 'BOTH', password: CHARGER_PASSWORD, protocol: 'ocpp2.0.1', alsoOffer: ['ocpp2.1'] });
    expect(both.protocol).toBe('ocpp2.1');
    await both.close();
  });

  it('shapes every call the hub makes to a 2.1 station so that the 2.1 schema takes it', () => {
    const validator = ocpp21Validator();
    const p = CHARGER_PROTOCOLS['ocpp2.1'];
    const now = new Date();
    const calls = [
      p.remoteStart({ ocppConnector: '1/1', idToken: 'T', remoteStartId: 1 }),
      p.remoteStop('TX'),
      p.reserveNow({ reservationId: 1, ocppConnector: '1/1', idToken: 'T', expiresAt: now }),
      p.cancelReservation(1),
      p.unlockConnector('1/1'),
      p.connectorLimit({ ocppConnector: '1/1', transactionId: 'TX', limit: 16, phases: 3 })!,
      p.stationMaximum!(32, now),
      ...p.clearLoadProfiles(),
      p.transactionStatus!('TX'),
      p.costUpdated!('TX', 1.5),
      p.defaultTariff!(1, { tariffId: 'T', currency: 'EUR', energy: { prices: [{ priceKwh: 0.25 }] } }),
    ];
    for (const call of calls) expect(() => validator.validate(`urn:${call.action}.req`, call.params)).not.toThrow();
  });

  it('sets each EVSE\'s OCPI tariff as the station\'s default tariff when it boots', async () => {
    await waitFor(() => tariffs.length === 1, 'SetDefaultTariff');
    expect(tariffs[0]).toEqual({
      evseId: 1,
      tariff: {
        tariffId: 'OWN-AC',
        currency: 'EUR',
        energy: { prices: [{ priceKwh: 0.25 }], taxRates: [{ type: 'VAT', tax: 10 }] },
        chargingTime: { prices: [{ priceMinute: 0.033333333 }], taxRates: [{ type: 'VAT', tax: 10 }] },
      },
    });
    const [kept] = await events('SetDefaultTariff');
    expect(kept.answer).toEqual({ status: 'Accepted' });
    expect(kept.payload.notes).toEqual([{ code: 'STEP_SIZE', message: expect.stringContaining('TIME') }]);
  });

  it('answers 2.1\'s own requests, kept with the answer', async () => {
    const settlement = { pspRef: 'PSP-1', status: 'Settled', settlementAmount: 3.85, settlementTime: minutesAgo(1) };
    expect(await cp.call('NotifySettlement', settlement)).toEqual({});
    expect(await events('NotifySettlement')).toEqual([{ payload: settlement, answer: {} }]);
    expect(await cp.call('OpenPeriodicEventStream', { constantStreamData: { id: 1, variableMonitoringId: 1, params: {} } })).toMatchObject({ status: 'Rejected' });
    expect(await cp.call('VatNumberValidation', { vatNumber: 'NL0001' })).toMatchObject({ vatNumber: 'NL0001', status: 'Rejected' });
    expect(await cp.call('PullDynamicScheduleUpdate', { chargingProfileId: 1 })).toMatchObject({ status: 'Rejected' });
    // and 2.0.1's, unchanged
    expect(await cp.call('NotifyEVChargingSchedule', { timeBase: minutesAgo(0), evseId: 1, chargingSchedule: { id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] } })).toEqual({ status: 'Accepted' });
  });

  it('answers a bad payload with 2.1\'s CALLERROR spelling, and stores nothing', async () => {
    const loose = await connectChargePoint(net.hub, { id: 'S21', password: CHARGER_PASSWORD, protocol: 'ocpp2.1', strict: false });
    try {
      const before = await net.hub.services.db.query(`SELECT count(*)::int AS n FROM ocpp_events WHERE charger_id = 'S21'`);
      expect(await callErrorOf(loose, 'NotifySettlement', { pspRef: 'x', status: 'Settled' })).toBe('OccurrenceConstraintViolation');
      expect(await callErrorOf(loose, 'NotifyPriorityCharging', { transactionId: 'TX', activated: 'yes' })).toBe('TypeConstraintViolation');
      expect(await callErrorOf(loose, 'NotifyDERStartStop', { controlId: 'C', started: true, timestamp: 'noon' })).toBe('FormatViolation');
      expect(await net.hub.services.db.query(`SELECT count(*)::int AS n FROM ocpp_events WHERE charger_id = 'S21'`)).toEqual(before);
    } finally {
      await loose.close();
    }
    cp = await connectChargePoint(net.hub, { id: 'S21', password: CHARGER_PASSWORD, protocol: 'ocpp2.1' });
    cp.handle('CostUpdated', async ({ params }) => {
      costs.push(params);
      return {};
    });
    cp.handle('GetTransactionStatus', async () => ({ ongoingIndicator: true, messagesInQueue: false }));
  });

  async function charge(transactionId: string, chargerCost: { exclTax: number; inclTax: number }) {
    // whole minutes, so the 60 s time steps of the tariff do not round a few milliseconds up
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const at = (minutes: number) => new Date(end - minutes * 60_000).toISOString();
    const energy = (wh: number, context: string, minutes: number) => [{ timestamp: at(minutes), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context }] }];
    const base = { transactionInfo: { transactionId }, evse: { id: 1, connectorId: 1 } };
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: at(30), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'EV21', type: 'ISO14443' }, meterValue: energy(0, 'Transaction.Begin', 30) });
    await cp.call('TransactionEvent', { ...base, eventType: 'Updated', timestamp: at(15), triggerReason: 'MeterValuePeriodic', seqNo: 1, meterValue: energy(5000, 'Sample.Periodic', 15) });
    await cp.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      timestamp: at(0),
      triggerReason: 'EVDeparted',
      seqNo: 2,
      transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
      meterValue: energy(10000, 'Transaction.End', 0),
      costDetails: { totalCost: { currency: 'EUR', typeOfCost: 'NormalCost', total: chargerCost }, totalUsage: { energy: 10000, chargingTime: 1800, idleTime: 0 } },
    });
    const { sessionId } = (await net.hub.services.transactions.find('S21', transactionId))!;
    await waitFor(async () => (await net.hub.services.db.query(`SELECT 1 FROM ocpp_transactions WHERE session_id = $1 AND charger_cost_checked_at IS NOT NULL`, [sessionId])).length === 1, 'the cost checked');
    const cdr = (await net.hub.services.cdrs.storedOf(net.hub.services.ownCpo, sessionId))!;
    const [rating] = await net.hub.services.db.query(`SELECT status, reason, differences, notes FROM cdr_ratings WHERE country_code = $1 AND party_id = $2 AND cdr_id = $3`, [OWN.countryCode, OWN.partyId, sessionId]);
    return { cdr, rating };
  }

  it('sends the running cost from the pricing engine while a transaction runs, and a station cost equal to the CDR\'s matches on its rating', async () => {
    // 10 kWh × 0.25 + 0.5 h × 2.00 = 3.50, 10 % VAT
    const { cdr, rating } = await charge('TX-MATCH', { exclTax: 3.5, inclTax: 3.85 });
    expect(cdr.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 3.85 });
    expect(rating).toMatchObject({ status: 'match', differences: [] });
    expect(rating.notes).toContainEqual(expect.objectContaining({ code: 'CHARGER_COST_MATCH' }));
    await waitFor(() => costs.some((c) => c.transactionId === 'TX-MATCH'), 'the running cost');
    expect(costs.find((c) => c.transactionId === 'TX-MATCH').totalCost).toBeGreaterThan(0);
  });

  it('flags a station cost that differs from the CDR on the CDR\'s rating, and leaves the CDR as the hub priced it', async () => {
    const { cdr, rating } = await charge('TX-DIFF', { exclTax: 3.2, inclTax: 3.52 });
    expect(cdr.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 3.85 });
    expect(rating.status).toBe('mismatch');
    expect(rating.reason).toContain("the charger's own cost differs");
    expect(rating.differences).toEqual([
      { field: 'charger_cost.excl_vat', computed: 3.5, reported: 3.2, difference: -0.3 },
      { field: 'charger_cost.incl_vat', computed: 3.85, reported: 3.52, difference: -0.33 },
    ]);
    const viaAdmin = await net.hub.admin.get('/admin/cdr-ratings?status=mismatch');
    expect(viaAdmin.status).toBe(200);
  });
});
