import { webcrypto } from 'node:crypto';
import {
  chargerCertificateExtensions,
  chargerCertificateValidity,
  checkChargerCsr,
  deliveredChain,
  issuingCaProblem,
  pemBlocks,
  randomSerial,
  x509,
} from '../../../src/core/pki/charger-certificates';
import { chargerCsr, EC_P256, operatorPki, RSA_2048, withBrokenSignature } from '../../support/charger-csr';

describe('checkChargerCsr (A02/A03: the CSR a charge point sends)', () => {
  it('accepts a CSR whose CN is the charge point and whose O is the configured organization, with an EC or RSA key', async () => {
    const ec = await chargerCsr('C=NL, O=Example CPO, CN=CP-1');
    expect(await checkChargerCsr(ec.csrPem, { commonName: 'CP-1', organization: 'Example CPO' })).toMatchObject({ ok: true, key: 'EC P-256', subject: 'C=NL, O=Example CPO, CN=CP-1' });
    const rsa = await chargerCsr('CN=CP-2', RSA_2048);
    expect(await checkChargerCsr(rsa.csrPem, { commonName: 'CP-2' })).toMatchObject({ ok: true, key: 'RSA 2048' });
  });

  it('refuses, with the first failing reason: no PEM, no PKCS#10, a broken signature, another CN, another or no O, a small RSA key', async () => {
    const good = await chargerCsr('O=Example CPO, CN=CP-1');
    const cases: [string, Parameters<typeof checkChargerCsr>[1], string, RegExp][] = [
      ['garbage', { commonName: 'CP-1' }, 'InvalidCSR', /not a PEM certificate request/],
      ['-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', { commonName: 'CP-1' }, 'InvalidCSR', /not a well-formed PKCS#10/],
      [withBrokenSignature(good.csrPem), { commonName: 'CP-1' }, 'InvalidSignature', /signature does not verify/],
      [good.csrPem, { commonName: 'CP-9' }, 'WrongIdentity', /identity CP-9 \(the csr names CP-1\)/],
      [good.csrPem, { commonName: 'CP-1', organization: 'Other CPO' }, 'WrongOrganization', /Other CPO \(the csr names Example CPO\)/],
      [(await chargerCsr('CN=CP-1')).csrPem, { commonName: 'CP-1', organization: 'Example CPO' }, 'WrongOrganization', /names none/],
      [(await chargerCsr('CN=CP-1', { ...RSA_2048, modulusLength: 1024 })).csrPem, { commonName: 'CP-1' }, 'UnsupportedKey', /RSA key of 1024 bits/],
    ];
    for (const [pem, expect_, reasonCode, reason] of cases) {
      const verdict = await checkChargerCsr(pem, expect_);
      expect(verdict).toMatchObject({ ok: false, reasonCode });
      expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
    }
    // Two CNs name no single charge point.
    expect(await checkChargerCsr((await chargerCsr('CN=CP-1, CN=CP-2')).csrPem, { commonName: 'CP-1' })).toMatchObject({ ok: false, reasonCode: 'WrongIdentity' });
  });
});

describe('the certificate profile', () => {
  it('serials are positive 16-byte hex without a leading zero, and differ', () => {
    const serials = new Set(Array.from({ length: 50 }, () => randomSerial((n) => webcrypto.getRandomValues(new Uint8Array(n)))));
    expect(serials.size).toBe(50);
    for (const s of serials) expect(s).toMatch(/^[1-7][0-9a-f]{31}$/);
    expect(randomSerial((n) => new Uint8Array(n).fill(0xff))).toBe('7f' + 'ff'.repeat(15));
    expect(randomSerial((n) => new Uint8Array(n))).toBe('10' + '00'.repeat(15));
  });

  it('validity: from a minute before for the configured days, never past the CA', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(chargerCertificateValidity(now, 365, new Date('2040-01-01T00:00:00Z'))).toEqual({
      notBefore: new Date('2026-06-01T11:59:00Z'),
      notAfter: new Date('2027-06-01T12:00:00Z'),
    });
    expect(chargerCertificateValidity(now, 365, new Date('2026-12-01T00:00:00Z')).notAfter).toEqual(new Date('2026-12-01T00:00:00Z'));
  });

  it('an end entity for a TLS client: CA:FALSE, digitalSignature (RSA: keyEncipherment too), clientAuth, key identifiers', async () => {
    const { intermediate } = await operatorPki();
    const ec = new x509.Pkcs10CertificateRequest((await chargerCsr('CN=CP-1')).csrPem);
    const extensions = await chargerCertificateExtensions(intermediate, ec.publicKey);
    const basic = extensions.find((e) => e instanceof x509.BasicConstraintsExtension) as x509.BasicConstraintsExtension;
    expect([basic.ca, basic.critical]).toEqual([false, true]);
    const usage = extensions.find((e) => e instanceof x509.KeyUsagesExtension) as x509.KeyUsagesExtension;
    expect(usage.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect((extensions.find((e) => e instanceof x509.ExtendedKeyUsageExtension) as x509.ExtendedKeyUsageExtension).usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    const aki = extensions.find((e) => e instanceof x509.AuthorityKeyIdentifierExtension) as x509.AuthorityKeyIdentifierExtension;
    expect(aki.keyId).toBe(intermediate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(aki.keyId).toMatch(/^[0-9a-f]{40}$/);
    const rsa = new x509.Pkcs10CertificateRequest((await chargerCsr('CN=CP-2', RSA_2048)).csrPem);
    const rsaUsage = (await chargerCertificateExtensions(intermediate, rsa.publicKey)).find((e) => e instanceof x509.KeyUsagesExtension) as x509.KeyUsagesExtension;
    expect(rsaUsage.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    // No CRL URL given: no distribution point.
    expect(extensions.some((e) => e instanceof x509.CRLDistributionPointsExtension)).toBe(false);
  });

  it('names the CRL distribution point it is given, as a URI (RFC 5280 4.2.1.13), not critical', async () => {
    const { intermediate } = await operatorPki();
    const ec = new x509.Pkcs10CertificateRequest((await chargerCsr('CN=CP-1')).csrPem);
    const extensions = await chargerCertificateExtensions(intermediate, ec.publicKey, 'https://hub.example.com/pki/hub-ca/3.crl');
    const cdp = extensions.find((e) => e instanceof x509.CRLDistributionPointsExtension) as x509.CRLDistributionPointsExtension;
    expect(cdp.critical).toBe(false);
    expect(cdp.distributionPoints.map((p) => p.distributionPoint?.fullName?.map((n) => n.uniformResourceIdentifier))).toEqual([['https://hub.example.com/pki/hub-ca/3.crl']]);
  });

  it('an issuing CA must be a CA allowed to sign certificates, valid now', async () => {
    const { root, intermediate } = await operatorPki();
    expect(issuingCaProblem(intermediate, new Date())).toBeUndefined();
    expect(issuingCaProblem(root, new Date(Date.now() + 20 * 365 * 86_400_000))).toMatch(/expired/);
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const leaf = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=leaf', keys, signingAlgorithm: EC_P256, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86_400_000) });
    expect(issuingCaProblem(leaf, new Date())).toMatch(/no CA certificate/);
  });

  it('the delivered chain is the leaf, then the sub-CAs, without a self-signed root', () => {
    const chain = deliveredChain('LEAF\n', [
      { pem: 'SUB', selfSigned: false },
      { pem: 'ROOT', selfSigned: true },
    ]);
    expect(chain).toBe('LEAF\nSUB\n');
    expect(pemBlocks('x -----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE----- y -----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----', 'CERTIFICATE')).toHaveLength(2);
  });
});
