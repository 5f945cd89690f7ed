import { type KeyObject, sign } from 'node:crypto';

/** A real OCMF record signed with a key made here (node:crypto, independent of the verifier's library). */
export function ocmfRecord(privateKey: KeyObject, readings: { tx: string; rv: number; tm?: string }[], meterSerial = 'MS-0001'): string {
  const payload = JSON.stringify({
    FV: '1.0',
    GI: 'HUB TEST',
    GS: 'GW-1',
    GV: '1.0',
    PG: 'T1',
    MV: 'Meter Co',
    MS: meterSerial,
    IS: true,
    IL: 'VERIFIED',
    IF: ['OCPP_AUTH'],
    IT: 'ISO14443',
    ID: '12345678',
    RD: readings.map((r) => ({ TM: r.tm ?? '2026-01-05T10:00:00,000+0000 S', TX: r.tx, RV: r.rv, RI: '1-b:1.8.0', RU: 'kWh', RT: 'AC', EF: '', ST: 'G' })),
  });
  const signature = sign('sha256', Buffer.from(payload), { key: privateKey, dsaEncoding: 'der' }).toString('hex').toUpperCase();
  return `OCMF|${payload}|${JSON.stringify({ SA: 'ECDSA-secp256r1-SHA256', SD: signature })}`;
}

