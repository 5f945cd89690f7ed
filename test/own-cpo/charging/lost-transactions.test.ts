import { randomBytes } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';
import { Client as PgClient } from 'pg';
import { CLOSED_BY_HUB_REMARK } from '../../../src/own-cpo/charging/transactions.service';
import { UNREACHABLE_CLOSE_MS } from '../../../src/own-cpo/charging/lost-transactions';
import { connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { CHARGER_PASSWORD, OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';
import { startTestHub, type TestHub } from '../../support/test-hub';

/**
 * Transactions a charger lost (docs/own-chargers.md): a hub restarted with transactions running, a
 * second start on a busy connector, a status saying the connector is free, a station unreachable for
 * hours. Real ocpp-rpc chargers of both versions; the eMSP is a real partner server. 1.6 closes from
 * the last reading; 2.0.1 only when the station says (GetTransactionStatus) it is not ongoing.
 */
describe('transactions a charger lost', () => {
  const key = randomBytes(32).toString('hex');
  let net: OwnNetwork;
  /** The hub now serving (the network's, or the one started after a restart). */
  let hub: TestHub;
  let restarted: TestHub | undefined;
  const clients: RPCClient[] = [];

  const emsp = () => net.parties.EM1.partner;
  const cdrsFor = (sessionId: string) => emsp().received('POST', '/ocpi/2.2.1/cdrs').filter((r) => (r.body as { session_id: string }).session_id === sessionId);
  const sessionBodies = (sessionId: string) =>
    [...emsp().received('PUT', `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/${sessionId}`), ...emsp().received('PATCH', `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/${sessionId}`)].map(
      (r) => r.body as { status?: string },
    );
  const transaction = (chargerId: string, transactionId: string | number) => hub.services.transactions.find(chargerId, String(transactionId));
  const energy = (at: Date, wh: number) => ({ timestamp: at.toISOString(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  /** A charger; a 2.0.1 one answers GetTransactionStatus with `ongoing` (and `queued` for messagesInQueue). */
  async function connect(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', ongoing?: (transactionId: string) => boolean, queued = () => false): Promise<RPCClient> {
    const client = await connectChargePoint(hub, { id, password: CHARGER_PASSWORD, protocol });
    clients.push(client);
    if (ongoing) client.handle('GetTransactionStatus', async ({ params }) => ({ messagesInQueue: queued(), ongoingIndicator: ongoing((params as { transactionId: string }).transactionId) }));
    return client;
  }
  const boot16 = (cp: RPCClient) => cp.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'AC22' });
  const boot201 = (cs: RPCClient) => cs.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });

  async function start16(cp: RPCClient, startedAt: Date, meterStart = 0): Promise<number> {
    const answer = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOST1', meterStart, timestamp: startedAt.toISOString() })) as { transactionId: number };
    return answer.transactionId;
  }

  async function start201(cs: RPCClient, transactionId: string, startedAt: Date): Promise<void> {
    await cs.call('TransactionEvent', {
      eventType: 'Started', timestamp: startedAt.toISOString(), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId }, evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'LOST1', type: 'ISO14443' },
      meterValue: [{ ...energy(startedAt, 0), sampledValue: [{ value: 0, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
    });
  }

  async function update201(cs: RPCClient, transactionId: string, at: Date, wh: number): Promise<void> {
    await cs.call('TransactionEvent', {
      eventType: 'Updated', timestamp: at.toISOString(), triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId }, meterValue: [{ timestamp: at.toISOString(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    });
  }

  /** The hub stops (its chargers see their connections close) and a new one starts on the same database. */
  async function restartHub(): Promise<void> {
    const databaseUrl = (hub.services.db.options as { url: string }).url;
    await Promise.all(clients.splice(0).map((c) => c.close({ force: true }).catch(() => undefined)));
    await hub.close();
    restarted = await startTestHub({ databaseUrl, env: { TOKEN_ENCRYPTION_KEY: key, SESSION_UPDATE_INTERVAL_SECONDS: '0' } });
    hub = restarted;
  }

  /** Waits until the one CDR of a session arrived and checks it is flagged, and that no second one follows. */
  async function flaggedCdr(sessionId: string): Promise<Record<string, unknown>> {
    const cdr = await waitFor(() => cdrsFor(sessionId)[0], `the CDR of ${sessionId}`);
    await waitFor(() => sessionBodies(sessionId).some((b) => b.status === 'COMPLETED'), 'the session COMPLETED');
    await new Promise((r) => setTimeout(r, 200));
    expect(cdrsFor(sessionId)).toHaveLength(1);
    expect(cdr.body).toMatchObject({ remark: CLOSED_BY_HUB_REMARK });
    return cdr.body as Record<string, unknown>;
  }

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'], hub: { env: { TOKEN_ENCRYPTION_KEY: key } } });
    hub = net.hub;
    await net.addCharger('R16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('R201', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.addCharger('K201', 'ocpp2.0.1', 'SITE1', 'E3');
    await net.addCharger('B16', 'ocpp1.6', 'SITE1', 'E4');
    await net.addCharger('S201', 'ocpp2.0.1', 'SITE1', 'E5');
    await net.addCharger('Q16', 'ocpp1.6', 'SITE1', 'E6');
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'LOST1'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    if (restarted) {
      await restarted.close();
      await Promise.all([...new Set(Object.values(net.parties))].map((p) => p.partner.stop()));
    } else await net.close();
  });

  it('after a hub restart: a 1.6 charger that boots again has its transaction closed from the last reading, one flagged CDR; 2.0.1 asks and keeps what the station says is ongoing', async () => {
    const startedAt = minutesAgo(30);
    const cp = await connect('R16', 'ocpp1.6');
    await boot16(cp);
    const id16 = await start16(cp, startedAt);
    const readingAt = minutesAgo(10);
    await cp.call('MeterValues', { connectorId: 1, transactionId: id16, meterValue: [energy(readingAt, 4000)] });

    const lostStation = await connect('R201', 'ocpp2.0.1', () => true); // ongoing until the restart
    await boot201(lostStation);
    await start201(lostStation, 'R201-T1', startedAt);
    await update201(lostStation, 'R201-T1', minutesAgo(12), 3000);
    const keptStation = await connect('K201', 'ocpp2.0.1', () => true);
    await boot201(keptStation);
    await start201(keptStation, 'K201-T1', startedAt);

    await restartHub();

    // The chargers come back: the 1.6 one rebooted; R201 rebooted and lost its transaction; K201 kept its own.
    const cp2 = await connect('R16', 'ocpp1.6');
    await boot16(cp2);
    const closed16 = (await transaction('R16', id16))!;
    expect(closed16).toMatchObject({ status: 'STOPPED', closedByHub: true, stopReason: 'Reboot', meterStopWh: 4000 });
    expect(closed16.stoppedAt!.toISOString()).toBe(readingAt.toISOString()); // the last reading's time
    const cdr16 = await flaggedCdr(closed16.sessionId);
    const listed = await hub.admin.get('/admin/transactions');
    expect(listed.data.find((t: { session_id: string }) => t.session_id === closed16.sessionId)).toMatchObject({ status: 'STOPPED', closed_by_hub: true, stop_reason: 'Reboot' });
    expect(cdr16).toMatchObject({ total_energy: 4 });

    const asked: string[] = [];
    const lost2 = await connect('R201', 'ocpp2.0.1', (id) => (asked.push(id), false));
    await boot201(lost2);
    const kept2 = await connect('K201', 'ocpp2.0.1', (id) => (asked.push(id), true));
    await boot201(kept2);
    await waitFor(async () => (await transaction('R201', 'R201-T1'))?.status === 'STOPPED', 'R201-T1 closed');
    await hub.services.lost.drained();
    expect(asked).toEqual(expect.arrayContaining(['R201-T1', 'K201-T1']));
    expect(await transaction('R201', 'R201-T1')).toMatchObject({ closedByHub: true, stopReason: 'PowerLoss', meterStopWh: 3000 });
    expect(await transaction('K201', 'K201-T1')).toMatchObject({ status: 'ACTIVE', closedByHub: false });
    const cdr201 = await flaggedCdr((await transaction('R201', 'R201-T1'))!.sessionId);
    expect(cdr201).toMatchObject({ total_energy: 3 });
    expect(cdrsFor((await transaction('K201', 'K201-T1'))!.sessionId)).toHaveLength(0);

    // The charger's own stop arrives late: answered, no second CDR, kept as an event with its energy.
    expect(await cp2.call('StopTransaction', { transactionId: id16, meterStop: 4500, timestamp: minutesAgo(9).toISOString(), reason: 'PowerLoss' })).toEqual({});
    await lost2.call('TransactionEvent', {
      eventType: 'Ended', timestamp: minutesAgo(11).toISOString(), triggerReason: 'StopAuthorized', seqNo: 2,
      transactionInfo: { transactionId: 'R201-T1', stoppedReason: 'PowerLoss' },
      meterValue: [{ timestamp: minutesAgo(11).toISOString(), sampledValue: [{ value: 3200, measurand: 'Energy.Active.Import.Register', context: 'Transaction.End' }] }],
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(cdrsFor(closed16.sessionId)).toHaveLength(1);
    expect(cdrsFor((await transaction('R201', 'R201-T1'))!.sessionId)).toHaveLength(1);
    expect(await transaction('R16', id16)).toMatchObject({ meterStopWh: 4000 });
    const late = await hub.services.db.query(`SELECT charger_id, payload FROM ocpp_events WHERE action = 'StopAfterClosedByHub' ORDER BY id`);
    expect(late).toEqual([
      { charger_id: 'R16', payload: expect.objectContaining({ transactionId: String(id16), meterStopWh: 4500, closedWithWh: 4000 }) },
      { charger_id: 'R201', payload: expect.objectContaining({ transactionId: 'R201-T1', meterStopWh: 3200, closedWithWh: 3000 }) },
    ]);
  });

  it('a second 1.6 start on a busy connector closes the old transaction first; a status Available closes a stale one; a boot and a status racing close it once', async () => {
    const cp = await connect('B16', 'ocpp1.6');
    await boot16(cp);
    const first = await start16(cp, minutesAgo(50));
    await cp.call('MeterValues', { connectorId: 1, transactionId: first, meterValue: [energy(minutesAgo(45), 1500)] });
    const second = await start16(cp, minutesAgo(40), 1500);
    expect(await transaction('B16', first)).toMatchObject({ status: 'STOPPED', closedByHub: true, stopReason: 'Other', meterStopWh: 1500 });
    expect(await transaction('B16', second)).toMatchObject({ status: 'ACTIVE' });
    expect(await hub.services.transactions.active('B16')).toHaveLength(1);
    await flaggedCdr((await transaction('B16', first))!.sessionId);

    // The second one's stop was lost; the connector is free again.
    await cp.call('MeterValues', { connectorId: 1, transactionId: second, meterValue: [energy(minutesAgo(35), 2500)] });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    expect(await transaction('B16', second)).toMatchObject({ status: 'STOPPED', closedByHub: true, meterStopWh: 2500 });
    expect(await flaggedCdr((await transaction('B16', second))!.sessionId)).toMatchObject({ total_energy: 1 });

    // A boot and a status at once, on the transaction after: one close, one CDR.
    const third = await start16(cp, minutesAgo(20));
    await Promise.all([boot16(cp), cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }), boot16(cp)]);
    const closedThird = (await transaction('B16', third))!;
    expect(closedThird).toMatchObject({ status: 'STOPPED', closedByHub: true });
    await flaggedCdr(closedThird.sessionId);
  });

  it('2.0.1: a status Available or a new start on the EVSE asks the station; ongoing or messages queued keep it, not ongoing closes it; a station unreachable for hours has it closed', async () => {
    let ongoing = true;
    let queued = false;
    const cs = await connect('S201', 'ocpp2.0.1', () => ongoing, () => queued);
    await boot201(cs);
    await start201(cs, 'S201-T1', minutesAgo(30));
    await update201(cs, 'S201-T1', minutesAgo(20), 2000);
    const available = { evseId: 1, connectorId: 1, connectorStatus: 'Available', timestamp: new Date().toISOString() };
    await cs.call('StatusNotification', available);
    await hub.services.lost.drained();
    expect(await transaction('S201', 'S201-T1')).toMatchObject({ status: 'ACTIVE' });
    ongoing = false;
    queued = true; // not ongoing, but its end is still in the station's queue: that end is better than the hub's reading
    await cs.call('StatusNotification', available);
    await hub.services.lost.drained();
    expect(await transaction('S201', 'S201-T1')).toMatchObject({ status: 'ACTIVE' });
    queued = false;
    await cs.call('StatusNotification', available);
    await hub.services.lost.drained();
    expect(await transaction('S201', 'S201-T1')).toMatchObject({ status: 'STOPPED', closedByHub: true, meterStopWh: 2000 });
    await flaggedCdr((await transaction('S201', 'S201-T1'))!.sessionId);

    // A start on the EVSE of a running transaction: the station is asked about the older one.
    ongoing = true;
    await start201(cs, 'S201-T2', minutesAgo(15));
    await start201(cs, 'S201-T3', minutesAgo(10));
    await hub.services.lost.drained();
    expect(await transaction('S201', 'S201-T2')).toMatchObject({ status: 'ACTIVE' });
    ongoing = false;
    await start201(cs, 'S201-T4', minutesAgo(5)); // asks about T2 and T3, both ended at the station
    await hub.services.lost.drained();
    expect(await transaction('S201', 'S201-T2')).toMatchObject({ status: 'STOPPED', closedByHub: true, stopReason: 'Other' });
    expect(await transaction('S201', 'S201-T3')).toMatchObject({ status: 'STOPPED', closedByHub: true });
    expect((await hub.services.transactions.active('S201')).map((t) => t.transactionId)).toEqual(['S201-T4']);
    await flaggedCdr((await transaction('S201', 'S201-T2'))!.sessionId);

    // Then the station goes away for good with T4 running.
    await cs.close({ force: true });
    await waitFor(async () => !(await hub.services.chargers.find('S201'))!.connectedInstance, 'the disconnection recorded');
    expect(await hub.services.lost.closeUnreachable()).toBe(0); // not long enough yet
    // Every other sign of it is old (a charger that never sends a Heartbeat, a session without readings): the disconnection counts.
    const old = new Date(Date.now() - UNREACHABLE_CLOSE_MS - 3600_000);
    await hub.services.db.query(`UPDATE ocpp_transactions SET updated_at = $1, last_sample_at = $1, started_at = $1 WHERE charger_id = 'S201' AND transaction_id = 'S201-T4'`, [old]);
    await hub.services.db.query(`UPDATE chargers SET last_heartbeat_at = $1, last_connected_at = $1 WHERE id = 'S201'`, [old]);
    expect(await hub.services.lost.closeUnreachable()).toBe(0);
    const later = new Date(Date.now() + UNREACHABLE_CLOSE_MS + 60_000);
    expect(await hub.services.lost.closeUnreachable(later)).toBe(1);
    expect(await transaction('S201', 'S201-T4')).toMatchObject({ status: 'STOPPED', closedByHub: true, stopReason: 'Other' });
    await flaggedCdr((await transaction('S201', 'S201-T4'))!.sessionId);
  });

  it('two instances closing the same lost transaction at once close it once, with one CDR', async () => {
    const cp = await connect('B16', 'ocpp1.6');
    await boot16(cp);
    const id = await start16(cp, minutesAgo(8));
    await cp.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [energy(minutesAgo(4), 700)] });
    const other = await startTestHub({ databaseUrl: (hub.services.db.options as { url: string }).url, env: { TOKEN_ENCRYPTION_KEY: key } });
    try {
      const seen = (await transaction('B16', id))!;
      const closes = await Promise.all([hub.services.transactions.closeLost(seen, 'Other'), other.services.transactions.closeLost(seen, 'Other'), hub.services.transactions.closeLost(seen, 'Other')]);
      expect(closes.filter(Boolean)).toHaveLength(1);
      expect(await transaction('B16', id)).toMatchObject({ status: 'STOPPED', closedByHub: true, meterStopWh: 700 });
      await flaggedCdr(seen.sessionId);
    } finally {
      await other.close();
    }
  });

  it('a 1.6 boot is answered before the CDR of the transaction it ended is made: the close is stored first, the CDR follows', async () => {
    const cp = await connect('Q16', 'ocpp1.6');
    await boot16(cp);
    const id = await start16(cp, minutesAgo(20));
    await cp.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [energy(minutesAgo(5), 2500)] });
    // Another connection holds every write to the OCPI store, where the final session and the CDR go.
    const blocker = new PgClient({ connectionString: (hub.services.db.options as { url: string }).url });
    await blocker.connect();
    let sessionId: string;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ocpi_objects IN SHARE MODE');
      // The charger rebooted: its boot is answered though no CDR can be written meanwhile.
      const answer = (await cp.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'AC22' }, { callTimeoutMs: 5000 })) as { status: string };
      expect(answer.status).toBe('Accepted');
      const closed = (await transaction('Q16', id))!;
      expect(closed).toMatchObject({ status: 'STOPPED', closedByHub: true, stopReason: 'Reboot', meterStopWh: 2500, cdrId: null });
      sessionId = closed.sessionId;
      expect(cdrsFor(sessionId)).toHaveLength(0);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const cdr = await flaggedCdr(sessionId);
    expect(cdr).toMatchObject({ total_energy: 2.5 });
    expect((await transaction('Q16', id))!.cdrId).toBe(sessionId);
  });
});
