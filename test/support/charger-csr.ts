import { webcrypto } from 'node:crypto';
import { x509 } from '../../src/core/pki/charger-certificates';
import { connectChargePoint } from './charge-point';
import { waitFor } from './network';
import type { TestHub } from './test-hub';

// What a charge point does for A02/A03, made in the test: a fresh key pair and a PKCS#10 request.

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
export const RSA_2048 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

export interface ChargerKeyRequest {
  keys: webcrypto.CryptoKeyPair;
  csrPem: string;
}

/** A key pair (EC P-256 unless told) and a CSR for `subject` (e.g. "O=Example, CN=CP-1"), self-signed with it. */
export async function chargerCsr(subject: string, algorithm: typeof EC_P256 | typeof RSA_2048 = EC_P256): Promise<ChargerKeyRequest> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys, signingAlgorithm: algorithm });
  return { keys, csrPem: csr.toString('pem') };
}

/** The same request with one byte of its signature changed: well-formed, but its signature no longer verifies. */
export function withBrokenSignature(csrPem: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
  der[der.length - 3] ^= 0x01;
  return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
}

/** A CA made in the test: a root and, signed by it, an intermediate with its unencrypted PKCS#8 key (the operator's PKI). */
export async function operatorPki(): Promise<{ root: x509.X509Certificate; intermediate: x509.X509Certificate; intermediateKeyPem: string }> {
  const rootKeys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a01',
    name: 'CN=Operator Root CA, O=Operator',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 86_400_000),
    keys: rootKeys,
    signingAlgorithm: EC_P256,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '0a02',
    subject: 'CN=Operator Charge Point CA, O=Operator',
    issuer: root.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 5 * 365 * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const intermediateKeyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { root, intermediate, intermediateKeyPem };
}

/** A charger's TLS identity from the hub's CA: its key, the chain CertificateSigned brought, the serial. */
export interface IssuedIdentity {
  key: string;
  cert: string;
  serial: string;
  certificate: x509.X509Certificate;
}

/**
 * What a registered charger does to get (or renew) its certificate: over a password connection
 * (OCPP 2.0.1), SignCertificate with a fresh key's CSR, and keeps what CertificateSigned brings.
 */
export async function certificateOverPassword(hub: TestHub, id: string, password: string): Promise<IssuedIdentity> {
  const plain = await connectChargePoint(hub, { id, password, protocol: 'ocpp2.0.1' });
  let chain: string | undefined;
  plain.handle('CertificateSigned', async ({ params }) => {
    chain = (params as { certificateChain: string }).certificateChain;
    return { status: 'Accepted' };
  });
  const { keys, csrPem } = await chargerCsr(`CN=${id}`);
  const answer = await plain.call('SignCertificate', { csr: csrPem, certificateType: 'ChargingStationCertificate' });
  if ((answer as { status?: string }).status !== 'Accepted') throw new Error(`SignCertificate answered ${JSON.stringify(answer)}`);
  const cert = await waitFor(() => chain, 'CertificateSigned');
  await plain.close();
  const certificate = new x509.X509Certificate(cert);
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { key, cert, serial: certificate.serialNumber.toLowerCase(), certificate };
}
