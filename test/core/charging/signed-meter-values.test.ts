import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocmfRecord } from '../../support/ocmf';
import { readMeterValue } from '../../../src/core/charging/meter-samples';
import { checkSignedReading, signedDataOf, signedReadingsOf, type SignedReading } from '../../../src/core/charging/signed-meter-values';

const pair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spkiBase64 = (k: KeyObject) => k.export({ format: 'der', type: 'spki' }).toString('base64');
const reading = (signedData: string, extra: Partial<SignedReading> = {}): SignedReading => ({ at: new Date('2026-01-05T10:00:00Z'), signedData, ...extra });

/** The KEBA KCP30 record and key of the Transparenzsoftware's tests (test/fixtures/NOTICE). */
function kebaSample(): { ocmf: string; publicKeyHex: string } {
  const xml = readFileSync(join(__dirname, '../../fixtures/ocmf/test_ocmf_keba_kcp30.xml'), 'utf8');
  return { ocmf: /<signedData[^>]*>([^<]+)<\/signedData>/.exec(xml)![1], publicKeyHex: /<publicKey[^>]*>([^<]+)<\/publicKey>/.exec(xml)![1] };
}

describe('signed readings in OCPP MeterValues', () => {
  it('1.6: a sampledValue with format SignedData; raw values are not signed readings', () => {
    const found = signedReadingsOf({
      timestamp: '2026-01-05T10:00:00Z',
      sampledValue: [
        { value: '1200', measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' },
        { value: 'OCMF|{}|{}', format: 'SignedData', measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' },
      ],
    });
    expect(found).toEqual([{ at: new Date('2026-01-05T10:00:00Z'), context: 'Transaction.Begin', signedData: 'OCMF|{}|{}' }]);
  });

  it('1.6: a SignedData value listed before the raw register does not hide the register', () => {
    const sample = readMeterValue({
      timestamp: '2026-01-05T10:00:00Z',
      sampledValue: [
        { value: 'OCMF|{}|{}', format: 'SignedData', measurand: 'Energy.Active.Import.Register' },
        { value: '1.2', unit: 'kWh', measurand: 'Energy.Active.Import.Register' },
      ],
    });
    expect(sample?.energyWh).toBe(1200);
  });

  it('2.0.1: signedMeterValue with its encoding, method and key', () => {
    const found = signedReadingsOf({
      timestamp: '2026-01-05T10:00:00Z',
      sampledValue: [{ value: 1200, context: 'Transaction.End', signedMeterValue: { signedMeterData: 'T0NNRnw=', signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: '' } }],
    });
    expect(found).toEqual([{ at: new Date('2026-01-05T10:00:00Z'), context: 'Transaction.End', signedData: 'T0NNRnw=', signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: undefined }]);
    expect(signedReadingsOf({ timestamp: 'not a date', sampledValue: [{ value: 'x', format: 'SignedData' }] })).toEqual([]);
  });
});

describe('checking a signed reading', () => {
  it('verifies a public sample record (KEBA KCP30, from the Transparenzsoftware) with its meter key', async () => {
    const { ocmf, publicKeyHex } = kebaSample();
    const checked = await checkSignedReading(reading(ocmf), [publicKeyHex]);
    expect(checked).toMatchObject({ verdict: 'verified', keySource: 'configured', encodingMethod: 'OCMF', encodingVersion: 1, nature: 'End', energyWh: 259.7 });
    // The same record with one register changed (0.2596 → 0.2696 kWh) no longer verifies.
    const tampered = await checkSignedReading(reading(ocmf.replace('"RV":0.2596', '"RV":0.2696')), [publicKeyHex]);
    expect(tampered).toMatchObject({ verdict: 'failed', reason: 'the signature does not match the signed data' });
  });

  it('a record made here: verified with the key sent (2.0.1, base64), failed when tampered, unverified without a key', async () => {
    const { privateKey, publicKey } = pair();
    const ocmf = ocmfRecord(privateKey, [{ tx: 'B', rv: 12.5 }]);
    const asSent = Buffer.from(ocmf).toString('base64');
    const verified = await checkSignedReading(reading(asSent, { encodingMethod: 'OCMF', publicKey: spkiBase64(publicKey), context: 'Transaction.Begin' }), []);
    expect(verified).toMatchObject({ verdict: 'verified', keySource: 'message', nature: 'Start', publicKey: spkiBase64(publicKey), energyWh: 12500, text: ocmf, signedBase64: asSent });

    const tampered = Buffer.from(ocmf.replace('"RV":12.5', '"RV":2.5')).toString('base64');
    expect(await checkSignedReading(reading(tampered, { encodingMethod: 'OCMF', publicKey: spkiBase64(publicKey) }), [])).toMatchObject({ verdict: 'failed' });

    expect(await checkSignedReading(reading(ocmf), [])).toMatchObject({ verdict: 'unverified', reason: expect.stringContaining('no public key') });
    // 1.6 chargers that send the record hex encoded
    expect(await checkSignedReading(reading(Buffer.from(ocmf).toString('hex')), [spkiBase64(publicKey)])).toMatchObject({ verdict: 'verified', text: ocmf });
  });

  it('a key registered for the charger wins: a reading signed with another key fails', async () => {
    const meter = pair();
    const impostor = pair();
    const signedByImpostor = ocmfRecord(impostor.privateKey, [{ tx: 'E', rv: 20 }]);
    const sentWithOwnKey = await checkSignedReading(reading(signedByImpostor, { publicKey: spkiBase64(impostor.publicKey) }), [spkiBase64(meter.publicKey)]);
    expect(sentWithOwnKey).toMatchObject({ verdict: 'failed', reason: 'signed with a key that is not registered for this charger' });
    const noKeySent = await checkSignedReading(reading(signedByImpostor), [meter.publicKey.export({ format: 'pem', type: 'spki' }).toString()]);
    expect(noKeySent).toMatchObject({ verdict: 'failed' });
  });

  it('not OCMF: passed on unverified; broken OCMF: failed', async () => {
    expect(await checkSignedReading(reading('AP;0;3;ALCV3ABBBISHMA2RYDI...', {}), [])).toMatchObject({ verdict: 'unverified', encodingMethod: 'unknown' });
    expect(await checkSignedReading(reading('c29tZQ==', { encodingMethod: 'EDL' }), [])).toMatchObject({ verdict: 'unverified', encodingMethod: 'EDL', signedBase64: 'c29tZQ==' });
    expect(await checkSignedReading(reading('OCMF|{"FV":|{}'), [])).toMatchObject({ verdict: 'failed', reason: expect.stringContaining('not a readable OCMF record') });
  });
});

describe("the CDR's signed_data", () => {
  it('start and end with the key; the energy they sign; a repeat counts once', async () => {
    const { privateKey, publicKey } = pair();
    const key = spkiBase64(publicKey);
    const start = ocmfRecord(privateKey, [{ tx: 'B', rv: 100.25 }]);
    const end = ocmfRecord(privateKey, [{ tx: 'E', rv: 112.75 }]);
    const checked = [
      await checkSignedReading(reading(start, { context: 'Transaction.Begin' }), [key]),
      await checkSignedReading(reading(start, { context: 'Transaction.Begin' }), [key]),
      await checkSignedReading(reading(end, { context: 'Transaction.End' }), [key]),
    ];
    const outcome = signedDataOf(checked);
    expect(outcome.signedData).toEqual({
      encoding_method: 'OCMF',
      encoding_method_version: 1,
      public_key: key,
      signed_values: [
        { nature: 'Start', plain_data: start.split('|')[1], signed_data: Buffer.from(start).toString('base64') },
        { nature: 'End', plain_data: end.split('|')[1], signed_data: Buffer.from(end).toString('base64') },
      ],
    });
    expect(outcome.failures).toEqual([]);
    expect(outcome.signedEnergyKwh).toBe(12.5);
    expect(outcome.notes.map((n) => n.code)).toEqual(['SIGNED_METER_VALUES_VERIFIED']);
  });

  it('a failed reading is still passed on and reported', async () => {
    const { privateKey, publicKey } = pair();
    const key = spkiBase64(publicKey);
    const end = ocmfRecord(privateKey, [{ tx: 'E', rv: 30 }]).replace('"RV":30', '"RV":35');
    const outcome = signedDataOf([await checkSignedReading(reading(end, { context: 'Transaction.End', publicKey: key }), [])]);
    expect(outcome.signedData?.signed_values).toHaveLength(1);
    expect(outcome.failures).toEqual(['End reading of 2026-01-05T10:00:00.000Z: the signature does not match the signed data']);
    expect(outcome.notes.map((n) => n.code)).toEqual(['SIGNED_METER_VALUE_FAILED']);
  });

  it('readings of another key are left out (one SignedData, one key); a reading failed against several registered keys stays in', async () => {
    const meter = pair();
    const spare = pair();
    const other = pair();
    const keys = [spkiBase64(meter.publicKey), spkiBase64(spare.publicKey)];
    const start = await checkSignedReading(reading(ocmfRecord(meter.privateKey, [{ tx: 'B', rv: 1 }]), { context: 'Transaction.Begin' }), keys);
    const end = await checkSignedReading(reading(ocmfRecord(meter.privateKey, [{ tx: 'E', rv: 2 }]).replace('"RV":2', '"RV":3'), { context: 'Transaction.End' }), keys);
    expect(end).toMatchObject({ verdict: 'failed', publicKey: undefined });
    // A reading sent with a key of its own (a meter swapped mid-session, a forgery) fails and is left out.
    const stray = await checkSignedReading(reading(ocmfRecord(other.privateKey, [{ tx: 'C', rv: 1.5 }]), { publicKey: spkiBase64(other.publicKey) }), keys);
    expect(stray).toMatchObject({ verdict: 'failed', publicKey: spkiBase64(other.publicKey) });
    const outcome = signedDataOf([start, stray, end]);
    expect(outcome.signedData).toMatchObject({ public_key: keys[0], signed_values: [{ nature: 'Start' }, { nature: 'End' }] });
    expect(outcome.notes).toContainEqual(expect.objectContaining({ code: 'SIGNED_METER_VALUE_LEFT_OUT' }));
    expect(outcome.failures).toHaveLength(2);
  });

  it('a long OCMF payload: plain_data holds its readings in short (OCPI: at most 512)', async () => {
    const { privateKey, publicKey } = pair();
    const many = Array.from({ length: 12 }, (_, i) => ({ tx: i === 0 ? 'B' : 'T', rv: 10 + i, tm: `2026-01-05T1${i % 10}:00:00,000+0000 S` }));
    const ocmf = ocmfRecord(privateKey, many);
    const outcome = signedDataOf([await checkSignedReading(reading(ocmf), [spkiBase64(publicKey)])]);
    const plain = outcome.signedData!.signed_values[0].plain_data;
    expect(plain.length).toBeLessThanOrEqual(512);
    expect(plain.startsWith('MS MS-0001: B 10 kWh 2026-01-05T10:00:00,000+0000 S; T 11 kWh')).toBe(true);
  });

  it('no signed readings: nothing', () => {
    expect(signedDataOf([])).toEqual({ notes: [], failures: [] });
  });
});
