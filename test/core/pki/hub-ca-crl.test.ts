import { webcrypto } from 'node:crypto';
import { x509 } from '../../../src/core/pki/charger-certificates';
import { CRL_NUMBER_OID, CRL_REFRESH_BEFORE_MS, CRL_VALIDITY_MS, crlIsDue, crlNumberExtension, crlNumberOf, signHubCaCrl } from '../../../src/core/pki/hub-ca-crl';
import { EC_P256 } from '../../support/charger-csr';

const NOW = new Date('2026-03-01T10:00:00.750Z');

async function testCa(): Promise<{ certificate: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test Hub Charge Point CA',
    notBefore: new Date(NOW.getTime() - 86_400_000),
    notAfter: new Date(NOW.getTime() + 365 * 86_400_000),
    keys,
    signingAlgorithm: EC_P256,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return { certificate, keys };
}

describe('crlIsDue (when the hub CA signs a new CRL)', () => {
  const fresh = { crlNumber: 4n, nextUpdate: new Date(NOW.getTime() + CRL_VALIDITY_MS), revokedCount: 2 };
  it.each([
    ['no CRL yet', undefined, 0, NOW, true],
    ['nothing changed, plenty of validity left', fresh, 2, NOW, false],
    ['a certificate revoked since', fresh, 3, NOW, true],
    ['just more than the refresh margin left', fresh, 2, new Date(fresh.nextUpdate.getTime() - CRL_REFRESH_BEFORE_MS), false],
    ['less than the refresh margin left', fresh, 2, new Date(fresh.nextUpdate.getTime() - CRL_REFRESH_BEFORE_MS + 1), true],
    ['past its nextUpdate', fresh, 2, new Date(fresh.nextUpdate.getTime() + 1), true],
  ] as const)('%s → %s', (_what, latest, revokedCount, now, due) => {
    expect(crlIsDue(latest, revokedCount, now)).toBe(due);
  });
});

describe('crlNumberExtension (RFC 5280 5.2.3)', () => {
  it('encodes a positive DER INTEGER, with a leading zero octet when the top bit is set, and reads back', () => {
    expect(Buffer.from(crlNumberExtension(1n).value).toString('hex')).toBe('020101');
    expect(Buffer.from(crlNumberExtension(127n).value).toString('hex')).toBe('02017f');
    expect(Buffer.from(crlNumberExtension(128n).value).toString('hex')).toBe('02020080');
    expect(Buffer.from(crlNumberExtension(65_536n).value).toString('hex')).toBe('0203010000');
    const extension = crlNumberExtension(300n);
    expect(extension).toMatchObject({ type: CRL_NUMBER_OID, critical: false });
  });

  it('refuses a negative number or one longer than 20 octets', () => {
    expect(() => crlNumberExtension(-1n)).toThrow(/not negative/);
    expect(() => crlNumberExtension(1n << 160n)).toThrow(/at most 20 octets/);
    expect(() => crlNumberExtension((1n << 159n) - 1n)).not.toThrow();
  });
});

describe('signHubCaCrl', () => {
  it('signs a v2 CRL of the CA listing exactly the revoked serials, numbered, valid CRL_VALIDITY_MS from whole seconds', async () => {
    const ca = await testCa();
    const entries = [
      { serial: '1a2b3c4d5e6f708192a3b4c5d6e7f801', revokedAt: new Date('2026-02-27T08:00:00Z') },
      { serial: '7fffffffffffffffffffffffffffffff', revokedAt: new Date('2026-02-28T09:30:00Z') },
    ];
    const crl = await signHubCaCrl({ ca: ca.certificate, privateKey: ca.keys.privateKey, crlNumber: 128n, entries, now: NOW });
    const parsed = new x509.X509Crl(crl.rawData);
    expect(parsed.issuer).toBe(ca.certificate.subject);
    expect(await parsed.verify({ publicKey: ca.certificate })).toBe(true);
    expect(parsed.entries.map((e) => e.serialNumber.toLowerCase())).toEqual(entries.map((e) => e.serial));
    expect(parsed.entries.map((e) => e.revocationDate)).toEqual(entries.map((e) => e.revokedAt));
    expect(crlNumberOf(parsed)).toBe(128n);
    expect(parsed.thisUpdate).toEqual(new Date('2026-03-01T10:00:00Z'));
    expect(parsed.nextUpdate).toEqual(new Date(new Date('2026-03-01T10:00:00Z').getTime() + CRL_VALIDITY_MS));
    const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension);
    expect(aki?.keyId).toBe(ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
  });

  it('does not verify with another key, and an empty CRL still carries its number', async () => {
    const ca = await testCa();
    const other = await testCa();
    const crl = await signHubCaCrl({ ca: ca.certificate, privateKey: ca.keys.privateKey, crlNumber: 1n, entries: [], now: NOW });
    expect(crl.entries).toHaveLength(0);
    expect(crlNumberOf(new x509.X509Crl(crl.rawData))).toBe(1n);
    expect(await crl.verify({ publicKey: other.certificate })).toBe(false);
  });
});
