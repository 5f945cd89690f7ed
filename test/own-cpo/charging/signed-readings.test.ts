import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from '../../support/network';
import { ocmfRecord } from '../../support/ocmf';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * Signed meter values (Eichrecht) from real ocpp-rpc chargers: 1.6 SignedData sampled values with the
 * meter's key registered by the operator, 2.0.1 signedMeterValue with the key in the message. Each
 * CDR carries the signed start and end with the key; a tampered reading flags the CDR's rating and the
 * CDR is still sent; chargers that sign nothing get CDRs as before.
 */
describe('signed meter values from own chargers into the CDR', () => {
  let net: OwnNetwork;
  const meter16 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const meter201 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = (key: typeof meter16.publicKey) => key.export({ format: 'der', type: 'spki' });
  const cdrFor = (sessionId: string) =>
    waitFor(() => net.parties.EM1.partner.received('POST', '/ocpi/2.2.1/cdrs').find((r) => (r.body as { session_id: string }).session_id === sessionId), 'the CDR');
  const ratingOf = async (cdrId: string) => {
    const response = await net.hub.admin.get('/admin/cdr-ratings');
    return (response.data as { cdr_id: string; status: string; reason: string | null; notes: { code: string; message: string }[]; differences: unknown[] }[]).find((r) => r.cdr_id === cdrId)!;
  };
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('S16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('S201', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'SIGNED1'));
    // 1.6 has no field for the key: the operator registers the meter's key (hex, as printed on meters).
    const put = await net.hub.admin.put('/admin/chargers/S16/meter-keys', { keys: [{ public_key: spki(meter16.publicKey).toString('hex'), label: 'meter MS-0001' }] });
    expect(put.status).toBe(200);
    expect(put.data).toEqual({ keys: [{ public_key: spki(meter16.publicKey).toString('base64'), label: 'meter MS-0001', added_at: expect.any(String) }] });
  });

  it('the meter keys route refuses what is no EC public key, changing nothing, and knows only registered chargers', async () => {
    const bad = await net.hub.admin.put('/admin/chargers/S16/meter-keys', { keys: [{ public_key: 'c2VjcmV0' }] });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ error: { code: 'invalid', message: expect.stringContaining('keys[0].public_key: not an EC public key') } });
    expect((await net.hub.admin.get('/admin/chargers/S16/meter-keys')).data.keys).toHaveLength(1);
    expect((await net.hub.admin.get('/admin/chargers/NOPE/meter-keys')).status).toBe(404);
    expect((await net.hub.admin.put('/admin/chargers/S16/meter-keys', { keys: [{ public_key: 'x', extra: 1 }] })).status).toBe(400);
  });
  afterAll(() => net.close());

  /** A 1.6 transaction whose StopTransaction carries the signed begin and end readings beside the raw ones. */
  async function charge16(startKwh: number, endKwh: number, tamper = false) {
    const cp = await net.connect('S16', 'ocpp1.6');
    const begin = new Date(Date.now() - 30 * 60_000).toISOString();
    const end = new Date(Date.now() - 60_000).toISOString();
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'SIGNED1', meterStart: startKwh * 1000, timestamp: begin })) as { transactionId: number };
    const signedBegin = ocmfRecord(meter16.privateKey, [{ tx: 'B', rv: startKwh }]);
    let signedEnd = ocmfRecord(meter16.privateKey, [{ tx: 'E', rv: endKwh }]);
    if (tamper) signedEnd = signedEnd.replace(`"RV":${endKwh}`, `"RV":${endKwh + 1}`);
    const reading = (timestamp: string, context: string, kwh: number, signed: string) => ({
      timestamp,
      sampledValue: [
        { value: String(kwh * 1000), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: signed, context, format: 'SignedData', measurand: 'Energy.Active.Import.Register' },
      ],
    });
    await cp.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: endKwh * 1000,
      timestamp: end,
      transactionData: [reading(begin, 'Transaction.Begin', startKwh, signedBegin), reading(end, 'Transaction.End', endKwh, signedEnd)],
    });
    const transaction = (await net.hub.services.transactions.find('S16', String(started.transactionId)))!;
    return { transaction, signedBegin, signedEnd, cdr: (await cdrFor(transaction.sessionId)).body as Record<string, unknown> & { id: string } };
  }

  it('1.6: the signed begin and end go into the CDR with the registered key; the rating notes them verified', async () => {
    const { transaction, signedBegin, signedEnd, cdr } = await charge16(100.25, 112.75);
    expect(cdr.total_energy).toBe(12.5);
    expect(cdr.signed_data).toEqual({
      encoding_method: 'OCMF',
      encoding_method_version: 1,
      public_key: spki(meter16.publicKey).toString('base64'),
      signed_values: [
        { nature: 'Start', plain_data: signedBegin.split('|')[1], signed_data: b64(signedBegin) },
        { nature: 'End', plain_data: signedEnd.split('|')[1], signed_data: b64(signedEnd) },
      ],
    });
    const rating = await waitFor(async () => {
      const r = await ratingOf(cdr.id);
      return r?.notes.some((n) => n.code === 'SIGNED_METER_VALUES_VERIFIED') ? r : undefined;
    }, 'the rating with the signed check');
    expect(rating.status).toBe('match');
    const kept = await net.hub.services.signedReadings.ofTransaction(transaction.pk);
    expect(kept.map((k) => [k.nature, k.verdict, k.key_source, k.energy_wh])).toEqual([
      ['Start', 'verified', 'configured', 100250],
      ['End', 'verified', 'configured', 112750],
    ]);
  });

  it('1.6: a tampered end reading flags the rating (mismatch with the reason); the CDR is still sent with it', async () => {
    const { cdr, signedEnd } = await charge16(200, 210);
    expect(cdr.signed_data).toMatchObject({ signed_values: [{ nature: 'Start' }, { nature: 'End', signed_data: b64(signedEnd) }] });
    const tampered = await charge16(300, 310, true);
    expect((tampered.cdr.signed_data as { signed_values: unknown[] }).signed_values).toHaveLength(2);
    const rating = await waitFor(async () => {
      const r = await ratingOf(tampered.cdr.id);
      return r?.status === 'mismatch' ? r : undefined;
    }, 'the flagged rating');
    expect(rating.reason).toContain('signed meter values failed verification (End reading of');
    expect(rating.notes).toContainEqual(expect.objectContaining({ code: 'SIGNED_METER_VALUE_FAILED', message: expect.stringContaining('the signature does not match the signed data') }));
    // The tampered end register (311 kWh) is not what the CDR bills (10 kWh from the raw readings).
    expect(rating.differences).toEqual([{ field: 'signed_data.energy', computed: 10, reported: 11, difference: 1 }]);
  });

  it('2.0.1: signedMeterValue with the public key in the message; the CDR carries both readings and the key', async () => {
    const cs = await net.connect('S201', 'ocpp2.0.1');
    const key = spki(meter201.publicKey).toString('base64');
    const at = (minutes: number) => new Date(Date.now() - (40 - minutes) * 60_000).toISOString();
    const signedBegin = ocmfRecord(meter201.privateKey, [{ tx: 'B', rv: 5 }], 'MS-201');
    const signedEnd = ocmfRecord(meter201.privateKey, [{ tx: 'E', rv: 25 }], 'MS-201');
    const reading = (minutes: number, context: string, wh: number, signed: string) => ({
      timestamp: at(minutes),
      sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register', signedMeterValue: { signedMeterData: b64(signed), signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: key } }],
    });
    const base = { transactionInfo: { transactionId: 'SIGNED-201' }, evse: { id: 1, connectorId: 1 } };
    await cs.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'SIGNED1', type: 'ISO14443' }, meterValue: [reading(0, 'Transaction.Begin', 5000, signedBegin)] });
    await cs.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      timestamp: at(30),
      triggerReason: 'EVDeparted',
      seqNo: 1,
      transactionInfo: { transactionId: 'SIGNED-201', stoppedReason: 'EVDisconnected' },
      meterValue: [reading(30, 'Transaction.End', 25000, signedEnd)],
    });
    const transaction = (await net.hub.services.transactions.find('S201', 'SIGNED-201'))!;
    const cdr = (await cdrFor(transaction.sessionId)).body as { id: string; total_energy: number; signed_data: unknown };
    expect(cdr.total_energy).toBe(20);
    expect(cdr.signed_data).toEqual({
      encoding_method: 'OCMF',
      encoding_method_version: 1,
      public_key: key,
      signed_values: [
        { nature: 'Start', plain_data: signedBegin.split('|')[1], signed_data: b64(signedBegin) },
        { nature: 'End', plain_data: signedEnd.split('|')[1], signed_data: b64(signedEnd) },
      ],
    });
    const rating = await waitFor(async () => {
      const r = await ratingOf(cdr.id);
      return r?.notes.some((n) => n.code === 'SIGNED_METER_VALUES_VERIFIED') ? r : undefined;
    }, 'the rating with the signed check');
    expect(rating.status).toBe('match');
    expect(rating.notes).toContainEqual({ code: 'SIGNED_METER_VALUES_VERIFIED', message: '2 signed reading(s) verified (message key)' });
  });

  it('2.0.1: a reading signed by another key than the one sent fails; unsigned chargers get CDRs as before', async () => {
    const cs = await net.connect('S201', 'ocpp2.0.1');
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const at = (minutes: number) => new Date(Date.now() - (20 - minutes) * 60_000).toISOString();
    const forged = ocmfRecord(other.privateKey, [{ tx: 'E', rv: 9 }]);
    const base = { transactionInfo: { transactionId: 'FORGED-201' }, evse: { id: 1, connectorId: 1 } };
    await cs.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'SIGNED1', type: 'ISO14443' }, meterValue: [{ timestamp: at(0), sampledValue: [{ value: 0, context: 'Transaction.Begin' }] }] });
    await cs.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      timestamp: at(10),
      triggerReason: 'EVDeparted',
      seqNo: 1,
      transactionInfo: { transactionId: 'FORGED-201', stoppedReason: 'EVDisconnected' },
      meterValue: [{ timestamp: at(10), sampledValue: [{ value: 9000, context: 'Transaction.End', signedMeterValue: { signedMeterData: b64(forged), signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: spki(meter201.publicKey).toString('base64') } }] }],
    });
    const forgedTx = (await net.hub.services.transactions.find('S201', 'FORGED-201'))!;
    const forgedCdr = (await cdrFor(forgedTx.sessionId)).body as { id: string; signed_data: unknown };
    expect(forgedCdr.signed_data).toMatchObject({ signed_values: [{ nature: 'End' }] });
    await waitFor(async () => (await ratingOf(forgedCdr.id))?.status === 'mismatch', 'the flagged rating');

    // An unsigned 1.6 charge: no signed_data, nothing kept, the rating untouched by this check.
    const cp = await net.connect('S16', 'ocpp1.6');
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'SIGNED1', meterStart: 0, timestamp: new Date(Date.now() - 600_000).toISOString() })) as { transactionId: number };
    await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 4000, timestamp: new Date().toISOString(), transactionData: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '4000', context: 'Transaction.End' }] }] });
    const plain = (await net.hub.services.transactions.find('S16', String(started.transactionId)))!;
    const plainCdr = (await cdrFor(plain.sessionId)).body as { id: string; total_energy: number };
    expect(plainCdr).not.toHaveProperty('signed_data');
    expect(plainCdr.total_energy).toBe(4);
    expect(await net.hub.services.signedReadings.ofTransaction(plain.pk)).toEqual([]);
    const rating = await waitFor(() => ratingOf(plainCdr.id), 'the rating');
    expect(rating.notes.filter((n) => n.code.startsWith('SIGNED_'))).toEqual([]);
  });
});
