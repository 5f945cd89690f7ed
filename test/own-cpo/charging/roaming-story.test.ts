import { OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';
import { waitFor } from '../../support/network';

/**
 * The roaming story at the hub's own chargers, both OCPP versions: an eMSP pushes a token, the driver
 * presents it, the charger's transaction becomes an OCPI session at the eMSP that grows as meter values
 * come, and the stop brings a priced CDR.
 */
describe('a driver of a partner eMSP charges at the hub\'s own chargers', () => {
  let net: OwnNetwork;
  const emsp = () => net.parties.EM1.partner;
  const sessionPushes = (id: string) => emsp().received('PUT', `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/${id}`);
  const sessionPatches = (id: string) => emsp().received('PATCH', `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/${id}`);
  const cdrsReceived = () => emsp().received('POST', '/ocpi/2.2.1/cdrs');

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('AC16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('AC201', 'ocpp2.0.1', 'SITE1', 'E2');
  });
  afterAll(async () => {
    await net.close();
  });

  it('OCPP 1.6: token → Authorize → StartTransaction → session → MeterValues → StopTransaction → priced CDR', async () => {
    const em1 = net.parties.EM1;
    await net.pushToken('EM1', rfidToken(em1, 'RFID16A'));
    const cp = await net.connect('AC16', 'ocpp1.6');

    expect(await cp.call('Authorize', { idTag: 'RFID16A' })).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    const start = new Date(Date.now() - 60 * 60_000); // an hour ago, so the periods have substance
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'RFID16A', meterStart: 1000, timestamp: start.toISOString() })) as {
      transactionId: number;
      idTagInfo: { status: string };
    };
    expect(started.idTagInfo.status).toBe('Accepted');
    const transaction = await net.hub.services.transactions.find('AC16', String(started.transactionId));
    expect(transaction).toMatchObject({ status: 'ACTIVE', locationId: 'SITE1', evseUid: 'E1', connectorId: '1' });
    const sessionId = transaction!.sessionId;

    const put = await waitFor(() => sessionPushes(sessionId)[0], 'the session PUT at the eMSP');
    expect(put.body).toMatchObject({
      country_code: 'NL',
      party_id: 'HUB',
      id: sessionId,
      status: 'ACTIVE',
      kwh: 0,
      cdr_token: { country_code: 'NL', party_id: 'EM1', uid: 'RFID16A', type: 'RFID', contract_id: 'NLEM1CRFID16A' },
      auth_method: 'WHITELIST',
      location_id: 'SITE1',
      evse_uid: 'E1',
      connector_id: '1',
      currency: 'EUR',
    });

    // 11 kW for half an hour, then the car is full and stays plugged in.
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
    const reading = (minutes: number, wh: number, w: number) => ({
      timestamp: at(minutes),
      sampledValue: [
        { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: String(w), measurand: 'Power.Active.Import', unit: 'W' },
      ],
    });
    await cp.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [reading(15, 3750, 11000)] });
    await cp.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [reading(30, 6500, 11000), reading(45, 6500, 0)] });
    await waitFor(() => sessionPatches(sessionId).length >= 1, 'a session PATCH');
    const patchWithPeriods = await waitFor(() => sessionPatches(sessionId).find((p) => (p.body as { charging_periods?: unknown[] }).charging_periods), 'a PATCH with charging periods');
    expect(patchWithPeriods.body).toMatchObject({ status: 'ACTIVE', last_updated: expect.any(String) });

    expect(await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 6500, timestamp: at(60), reason: 'EVDisconnected', idTag: 'RFID16A' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
    const cdr = await waitFor(() => cdrsReceived().find((r) => (r.body as { session_id: string }).session_id === sessionId), 'the CDR at the eMSP');
    // 5.5 kWh at 0.25 + 30 min of charging TIME at 2.00/h; then 30 min without energy: parking, which the
    // tariff does not price. total_time is the whole session (mod_cdrs: "including the duration of charging and not charging").
    expect(cdr.body).toMatchObject({
      id: sessionId,
      session_id: sessionId,
      auth_method: 'WHITELIST',
      cdr_location: { id: 'SITE1', evse_uid: 'E1', evse_id: 'NL*HUB*EE1', connector_id: '1', connector_standard: 'IEC_62196_T2' },
      currency: 'EUR',
      total_energy: 5.5,
      total_time: 1,
      total_parking_time: 0.5,
      total_energy_cost: { excl_vat: 1.38, incl_vat: 1.51 },
      total_time_cost: { excl_vat: 1, incl_vat: 1.1 },
      total_cost: { excl_vat: 2.38, incl_vat: 2.61 },
      tariffs: [expect.objectContaining({ id: 'OWN-AC' })],
    });
    const periods = (cdr.body as { charging_periods: { dimensions: { type: string; volume: number }[] }[] }).charging_periods;
    expect(periods.map((p) => p.dimensions.map((d) => d.type))).toEqual([
      ['ENERGY', 'TIME', 'MAX_POWER'],
      ['PARKING_TIME'],
    ]);
    const final = sessionPatches(sessionId).concat(sessionPushes(sessionId)).map((r) => r.body as { status: string }).find((b) => b.status === 'COMPLETED');
    expect(final).toBeDefined();

    // A repeated stop (the charger did not see the answer) is answered the same and sends no second CDR.
    expect(await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 6500, timestamp: at(60) })).toEqual({});
    await new Promise((r) => setTimeout(r, 300));
    expect(cdrsReceived().filter((r) => (r.body as { session_id: string }).session_id === sessionId)).toHaveLength(1);

    // The operator credits the CDR (a dispute): the eMSP receives the credit CDR like any CDR.
    expect((await net.hub.admin.post(`/admin/cdrs/${sessionId}/credit`)).status).toBe(201);
    const credit = await waitFor(() => cdrsReceived().find((r) => (r.body as { id: string }).id === `${sessionId}-C`), 'the credit CDR at the eMSP');
    expect(credit.body).toMatchObject({ credit: true, credit_reference_id: sessionId, total_cost: { excl_vat: -2.38, incl_vat: -2.61 }, total_energy: -5.5 });
    // Both re-rate as a match: the credit by the size of its (negated) totals.
    const ratings = await net.hub.services.db.query(`SELECT cdr_id, status FROM cdr_ratings WHERE cdr_id LIKE $1 ORDER BY cdr_id`, [`${sessionId}%`]);
    expect(ratings).toEqual([
      { cdr_id: sessionId, status: 'match' },
      { cdr_id: `${sessionId}-C`, status: 'match' },
    ]);
  });

  it('OCPP 2.0.1: TransactionEvent Started/Updated/Ended with the idToken → session and CDR', async () => {
    const em1 = net.parties.EM1;
    await net.pushToken('EM1', rfidToken(em1, 'RFID201A'));
    const cs = await net.connect('AC201', 'ocpp2.0.1');
    expect(await cs.call('Authorize', { idToken: { idToken: 'RFID201A', type: 'ISO14443' } })).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    const start = new Date(Date.now() - 30 * 60_000);
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
    const energy = (minutes: number, wh: number, context?: string) => ({
      timestamp: at(minutes),
      sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', ...(context ? { context } : {}) }],
    });
    const base = { transactionInfo: { transactionId: 'TX-201-1' }, evse: { id: 1, connectorId: 1 } };
    const startedAnswer = await cs.call('TransactionEvent', {
      ...base,
      eventType: 'Started',
      timestamp: at(0),
      triggerReason: 'Authorized',
      seqNo: 0,
      idToken: { idToken: 'RFID201A', type: 'ISO14443' },
      meterValue: [energy(0, 20000, 'Transaction.Begin')],
    });
    expect(startedAnswer).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    const transaction = await net.hub.services.transactions.find('AC201', 'TX-201-1');
    expect(transaction).toMatchObject({ ocppConnector: '1/1', evseUid: 'E2', status: 'ACTIVE' });
    await waitFor(() => sessionPushes(transaction!.sessionId)[0], 'the session PUT');

    await cs.call('TransactionEvent', { ...base, eventType: 'Updated', timestamp: at(15), triggerReason: 'MeterValuePeriodic', seqNo: 1, meterValue: [energy(15, 22000)] });
    await cs.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      timestamp: at(30),
      triggerReason: 'EVCommunicationLost',
      seqNo: 2,
      transactionInfo: { transactionId: 'TX-201-1', stoppedReason: 'EVDisconnected' },
      meterValue: [energy(30, 24000, 'Transaction.End')],
    });
    const cdr = await waitFor(() => cdrsReceived().find((r) => (r.body as { session_id: string }).session_id === transaction!.sessionId), 'the CDR');
    // 4 kWh × 0.25 = 1.00, 30 min × 2.00/h = 1.00 → 2.00 excl., 2.20 incl. 10 % VAT
    expect(cdr.body).toMatchObject({ total_energy: 4, total_time: 0.5, total_cost: { excl_vat: 2, incl_vat: 2.2 }, cdr_location: { evse_uid: 'E2' } });
    expect((await net.hub.services.transactions.find('AC201', 'TX-201-1'))!.stopReason).toBe('EVDisconnected');
  });

  it('asks the eMSP in real time for NEVER tokens, and lets the list decide ALLOWED_OFFLINE tokens only when the eMSP cannot be reached', async () => {
    const em1 = net.parties.EM1;
    await net.pushToken('EM1', rfidToken(em1, 'REALTIME1', 'NEVER'));
    await net.pushToken('EM1', rfidToken(em1, 'OFFLINE1', 'ALLOWED_OFFLINE'));
    let emspDown = false;
    em1.partner.intercept = async (req, res) => {
      const match = /^\/ocpi\/2\.2\.1\/tokens\/([^/]+)\/authorize/.exec(req.path);
      if (!match) return false;
      if (emspDown) {
        res.destroy(); // the connection drops: the hub cannot reach the eMSP
        return true;
      }
      const allowed = match[1] === 'REALTIME1' ? 'ALLOWED' : 'BLOCKED';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString(), data: { allowed, token: rfidToken(em1, match[1], 'NEVER'), authorization_reference: `REF-${match[1]}` } }));
      return true;
    };
    try {
      const cp = await net.connect('AC16', 'ocpp1.6');
      expect(await cp.call('Authorize', { idTag: 'REALTIME1' })).toMatchObject({ idTagInfo: { status: 'Accepted' } });
      const asked = em1.partner.received('POST', '/ocpi/2.2.1/tokens/REALTIME1/authorize');
      expect(asked).toHaveLength(1);
      expect(asked[0].body).toEqual({ location_id: 'SITE1' });
      const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'REALTIME1', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
      expect(em1.partner.received('POST', '/ocpi/2.2.1/tokens/REALTIME1/authorize')).toHaveLength(1); // the Authorize's answer stands for the start
      const transaction = (await net.hub.services.transactions.find('AC16', String(started.transactionId)))!;
      const put = await waitFor(() => sessionPushes(transaction.sessionId)[0], 'the session');
      expect(put.body).toMatchObject({ auth_method: 'AUTH_REQUEST', authorization_reference: 'REF-REALTIME1' });
      await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 0, timestamp: new Date().toISOString() });

      // The eMSP says BLOCKED for OFFLINE1 while it answers; when it cannot be reached, the list (valid) decides.
      expect(await cp.call('Authorize', { idTag: 'OFFLINE1' })).toEqual({ idTagInfo: { status: 'Blocked' } });
      emspDown = true;
      const cs = await net.connect('AC201', 'ocpp2.0.1');
      expect(await cs.call('Authorize', { idToken: { idToken: 'OFFLINE1', type: 'ISO14443' } })).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
      // A NEVER token is refused when its eMSP cannot be asked.
      expect(await cs.call('Authorize', { idToken: { idToken: 'REALTIME1', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Invalid' } });
    } finally {
      em1.partner.intercept = undefined;
    }
  });

  it('refuses tokens the eMSP marked not valid, and unknown tokens, and publishes nothing for them', async () => {
    const em1 = net.parties.EM1;
    await net.pushToken('EM1', rfidToken(em1, 'BLOCKED1', 'ALLOWED', false));
    const cp = await net.connect('AC16', 'ocpp1.6');
    expect(await cp.call('Authorize', { idTag: 'BLOCKED1' })).toEqual({ idTagInfo: { status: 'Blocked' } });
    expect(await cp.call('Authorize', { idTag: 'NOBODY' })).toEqual({ idTagInfo: { status: 'Invalid' } });
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'NOBODY', meterStart: 0, timestamp: new Date().toISOString() })) as {
      transactionId: number;
      idTagInfo: { status: string };
    };
    expect(started.idTagInfo.status).toBe('Invalid');
    const transaction = await net.hub.services.transactions.find('AC16', String(started.transactionId));
    await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 0, timestamp: new Date().toISOString(), reason: 'DeAuthorized' });
    await new Promise((r) => setTimeout(r, 200));
    expect(sessionPushes(transaction!.sessionId)).toHaveLength(0);
  });
});
