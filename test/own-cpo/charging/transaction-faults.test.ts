import { callErrorOf, connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { CHARGER_PASSWORD, OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * What chargers get wrong or suffer: bad payloads, unknown and repeated transactions, late readings,
 * clocks that run ahead, and a connection lost mid-transaction with the backlog sent later. The hub
 * answers with the right CALLERROR or tolerantly, loses nothing and sends no CDR twice.
 */
const OWN_CPO = { ...OWN, role: 'CPO' as const };

describe('transactions at own chargers under bad input and faults', () => {
  let net: OwnNetwork;
  const cdrsFor = (sessionId: string) =>
    net.parties.EM1.partner.received('POST', '/ocpi/2.2.1/cdrs').filter((r) => (r.body as { session_id: string }).session_id === sessionId);
  const rows = (sql: string, params: unknown[] = []) => net.hub.services.db.query(sql, params) as Promise<Record<string, unknown>[]>;

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('F16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('F201', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'FAULT1'));
  });
  afterAll(() => net.close());

  it('answers schema-invalid payloads with the CALLERROR strict mode names, storing nothing', async () => {
    await net.connect('F16', 'ocpp1.6');
    const loose = await connectChargePoint(net.hub, { id: 'F16', password: CHARGER_PASSWORD, protocol: 'ocpp1.6', strict: false });
    try {
      expect(await callErrorOf(loose, 'StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 'lots', timestamp: new Date().toISOString() })).toBe('TypeConstraintViolation');
      // 1.6's own spelling (OCPP-J 1.6 4.2.3), not 2.0.1's (issue 20).
      expect(await callErrorOf(loose, 'StartTransaction', { connectorId: 1, meterStart: 0, timestamp: new Date().toISOString() })).toBe('OccurenceConstraintViolation');
      expect(await callErrorOf(loose, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: 'yesterday', sampledValue: [] }] })).toMatch(/Violation/);
      expect(await callErrorOf(loose, 'StopTransaction', { transactionId: 1, meterStop: -5 })).toMatch(/Violation/);
      expect(await callErrorOf(loose, 'FlyToTheMoon', {})).toBe('NotImplemented');
      expect(await rows(`SELECT 1 FROM ocpp_transactions WHERE charger_id = 'F16'`)).toHaveLength(0);
    } finally {
      await loose.close({ force: true });
    }
  });

  it('a stop for an unknown transaction is answered (the charger must empty its queue) and recorded as an event', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    expect(await cp.call('StopTransaction', { transactionId: 424242, meterStop: 10, timestamp: new Date().toISOString() })).toEqual({});
    const events = await rows(`SELECT payload FROM ocpp_events WHERE charger_id = 'F16' AND action = 'UnknownTransactionStopped'`);
    expect(events.map((e) => e.payload)).toEqual([{ transactionId: '424242', reason: null }]);
    expect(await rows(`SELECT 1 FROM ocpp_transactions WHERE charger_id = 'F16'`)).toHaveLength(0);
  });

  it('a repeated StartTransaction (the answer was lost) gets the same transaction id; meter values after the stop are kept but change no CDR', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    const timestamp = new Date(Date.now() - 20 * 60_000).toISOString();
    const first = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp })) as { transactionId: number };
    const again = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp })) as { transactionId: number };
    expect(again.transactionId).toBe(first.transactionId);
    expect(await rows(`SELECT 1 FROM ocpp_transactions WHERE charger_id = 'F16' AND id_token = 'FAULT1'`)).toHaveLength(1);

    const stop = new Date(Date.now() - 10 * 60_000).toISOString();
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 3000, timestamp: stop });
    const transaction = (await net.hub.services.transactions.find('F16', String(first.transactionId)))!;
    await waitFor(() => cdrsFor(transaction.sessionId).length === 1, 'the CDR');
    const late = { timestamp: new Date().toISOString(), sampledValue: [{ value: '9999', measurand: 'Energy.Active.Import.Register' }] };
    expect(await cp.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [late] })).toEqual({});
    expect(await rows(`SELECT energy_wh FROM ocpp_meter_values WHERE transaction_pk = $1`, [transaction.pk])).toEqual([{ energy_wh: 9999 }]);
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 9999, timestamp: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 300));
    expect(cdrsFor(transaction.sessionId)).toHaveLength(1);
    expect(cdrsFor(transaction.sessionId)[0].body).toMatchObject({ total_energy: 3 });
    expect((await net.hub.services.transactions.find('F16', String(first.transactionId)))!.meterStopWh).toBe(3000);
  });

  it('a charger clock far ahead is not believed: the hub\'s time of receipt is used', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    const future = new Date(Date.now() + 3 * 3600_000).toISOString();
    const before = Date.now();
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp: future })) as { transactionId: number };
    const transaction = (await net.hub.services.transactions.find('F16', String(started.transactionId)))!;
    expect(transaction.startedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(transaction.startedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 0, timestamp: new Date().toISOString() });
  });

  it('a station that loses its connection mid-transaction sends its backlog later: all readings kept, one CDR with them', async () => {
    const start = new Date(Date.now() - 60 * 60_000);
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
    const energy = (minutes: number, wh: number, context?: string) => ({ timestamp: at(minutes), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', ...(context ? { context } : {}) }] });
    const base = { transactionInfo: { transactionId: 'OFFLINE-1' }, evse: { id: 1, connectorId: 1 } };

    let cs = await net.connect('F201', 'ocpp2.0.1');
    await cs.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'FAULT1', type: 'ISO14443' }, meterValue: [energy(0, 0, 'Transaction.Begin')] });
    await cs.close({ force: true }); // the network goes; the station keeps charging and queues its messages

    cs = await net.connect('F201', 'ocpp2.0.1');
    for (const [seqNo, minutes, wh] of [[1, 15, 2500], [2, 30, 5000], [3, 45, 7500]]) {
      await cs.call('TransactionEvent', { ...base, eventType: 'Updated', timestamp: at(minutes), triggerReason: 'MeterValuePeriodic', seqNo, offline: true, meterValue: [energy(minutes, wh)] });
    }
    const ended = { ...base, eventType: 'Ended', timestamp: at(60), triggerReason: 'EVDeparted', seqNo: 4, offline: true, transactionInfo: { transactionId: 'OFFLINE-1', stoppedReason: 'EVDisconnected' }, meterValue: [energy(60, 10000, 'Transaction.End')] };
    await cs.call('TransactionEvent', ended);
    await cs.call('TransactionEvent', ended); // sent again: no answer seen before the next drop

    const transaction = (await net.hub.services.transactions.find('F201', 'OFFLINE-1'))!;
    expect(transaction).toMatchObject({ status: 'STOPPED', meterStopWh: 10000 });
    expect(await rows(`SELECT energy_wh FROM ocpp_meter_values WHERE transaction_pk = $1 ORDER BY sampled_at`, [transaction.pk])).toEqual(
      [0, 2500, 5000, 7500, 10000].map((energy_wh) => ({ energy_wh })),
    );
    const cdr = await waitFor(() => cdrsFor(transaction.sessionId)[0], 'the CDR');
    // 10 kWh × 0.25 = 2.50 + 1 h × 2.00 = 4.50 excl. VAT; the readings are where the charger says they were.
    expect(cdr.body).toMatchObject({ start_date_time: at(0).replace(/\.\d+Z$/, 'Z'), end_date_time: at(60).replace(/\.\d+Z$/, 'Z'), total_energy: 10, total_cost: { excl_vat: 4.5 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(cdrsFor(transaction.sessionId)).toHaveLength(1);
  });

  it('a TransactionEvent for an unknown transaction without an evse is refused with OccurrenceConstraintViolation', async () => {
    const cs = await net.connect('F201', 'ocpp2.0.1');
    expect(
      await callErrorOf(cs, 'TransactionEvent', { eventType: 'Updated', timestamp: new Date().toISOString(), triggerReason: 'MeterValuePeriodic', seqNo: 9, transactionInfo: { transactionId: 'NEVER-SEEN' } }),
    ).toBe('OccurrenceConstraintViolation');
    expect(await net.hub.services.transactions.find('F201', 'NEVER-SEEN')).toBeUndefined();
  });

  it('a hub stopped between a stop and its CDR sends the CDR when it finishes pending transactions', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() })) as { transactionId: number };
    const transaction = (await net.hub.services.transactions.find('F16', String(started.transactionId)))!;
    // As if the process died right after recording the stop: STOPPED, no CDR made.
    await net.hub.services.db.query(`UPDATE ocpp_transactions SET status = 'STOPPED', stopped_at = now(), meter_stop_wh = 1000 WHERE id = $1`, [transaction.pk]);
    expect(cdrsFor(transaction.sessionId)).toHaveLength(0);
    expect(await net.hub.services.transactions.finishPending()).toBeGreaterThanOrEqual(1);
    await waitFor(() => cdrsFor(transaction.sessionId).length === 1, 'the CDR after recovery');
    await net.hub.services.transactions.finishPending();
    await new Promise((r) => setTimeout(r, 200));
    expect(cdrsFor(transaction.sessionId)).toHaveLength(1);
    expect(OWN.partyId).toBe('HUB');
  });

  it('two finishes of one transaction at once (a stop repeated while the first ran) store one CDR, send it once and tell it once', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() })) as { transactionId: number };
    const { transactions, db, cdrs } = net.hub.services;
    const running = (await transactions.find('F16', String(started.transactionId)))!;
    await db.query(`UPDATE ocpp_transactions SET status = 'STOPPED', stopped_at = now(), meter_stop_wh = 2000 WHERE id = $1`, [running.pk]);
    const stopped = (await transactions.find('F16', String(started.transactionId)))!;
    const told: string[] = [];
    transactions.onFinished((transaction, cdr) => {
      if (transaction.pk === stopped.pk) told.push(cdr.id);
    });
    await Promise.all([transactions.finish(stopped), transactions.finish(stopped), transactions.finish(stopped)]);
    await waitFor(() => cdrsFor(stopped.sessionId).length === 1, 'the CDR');
    await new Promise((r) => setTimeout(r, 300));
    expect(cdrsFor(stopped.sessionId)).toHaveLength(1);
    expect(told).toEqual([stopped.sessionId]);
    expect(await rows(`SELECT cdr_id FROM ocpp_transactions WHERE id = $1`, [stopped.pk])).toEqual([{ cdr_id: stopped.sessionId }]);
    expect(await cdrs.storedOf(OWN_CPO, stopped.sessionId)).toEqual(cdrsFor(stopped.sessionId)[0].body);
  });

  it('an own CDR that fails the CDR schema is neither stored nor sent: the transaction stays unfinished', async () => {
    const cp = await net.connect('F16', 'ocpp1.6');
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FAULT1', meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() })) as { transactionId: number };
    const { transactions, db, cdrs } = net.hub.services;
    const running = (await transactions.find('F16', String(started.transactionId)))!;
    // A contract id longer than CiString(36): the CdrToken the CDR would carry is invalid.
    await db.query(
      `UPDATE ocpp_transactions SET status = 'STOPPED', stopped_at = now(), meter_stop_wh = 1000,
              auth = jsonb_set(auth, '{cdrToken,contract_id}', to_jsonb(repeat('X', 40))) WHERE id = $1`,
      [running.pk],
    );
    await transactions.finish((await transactions.find('F16', String(started.transactionId)))!);
    await new Promise((r) => setTimeout(r, 300));
    expect(cdrsFor(running.sessionId)).toHaveLength(0);
    expect(await cdrs.storedOf(OWN_CPO, running.sessionId)).toBeUndefined();
    expect(await rows(`SELECT status, cdr_id FROM ocpp_transactions WHERE id = $1`, [running.pk])).toEqual([{ status: 'STOPPED', cdr_id: null }]);
  });
});
