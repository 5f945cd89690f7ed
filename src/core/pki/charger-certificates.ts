/**
 * The hub certificate authority's pure parts (docs/security.md, "The hub's certificate authority"):
 * the checks a charge point's certificate signing request must pass, and the profile of the
 * certificate the hub issues for it. No I/O: keys and certificates come in, verdicts and
 * certificate templates go out; node's WebCrypto does the arithmetic.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/** What the CSR of a charge point must say about it. */
export interface CsrExpectations {
  /** The charge point's identity (its OCPP id): the subject CN, as security profile 3 reads it. */
  commonName: string;
  /** The operator's organization (PKI_ORGANIZATION; OCPP 2.0.1 OrganizationName, 1.6 CpoName): the subject O when set. */
  organization?: string;
}

/** Why a CSR is refused: `reasonCode` goes into 2.0.1's statusInfo (at most 20 characters), `reason` beside it. */
export interface CsrRefusal {
  ok: false;
  reasonCode: 'InvalidCSR' | 'InvalidSignature' | 'WrongIdentity' | 'WrongOrganization' | 'UnsupportedKey';
  reason: string;
}

export interface CsrAccepted {
  ok: true;
  request: x509.Pkcs10CertificateRequest;
  /** The subject as the request names it, e.g. "C=NL, O=Example, CN=CP-0001". */
  subject: string;
  /** "EC P-256", "RSA 2048". */
  key: string;
}

const PEM_CSR = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

/** EC keys on the NIST curves WebCrypto verifies; RSA from 2048 bits (the 1.6 whitepaper and 2.0.1 A00 ask at least RSA 2048 / EC 224). */
const EC_CURVES = ['P-256', 'P-384', 'P-521'];
const MIN_RSA_BITS = 2048;

const refuse = (reasonCode: CsrRefusal['reasonCode'], reason: string): CsrRefusal => ({ ok: false, reasonCode, reason });

/** A key the hub signs certificates for, described ("EC P-256"), or the sentence saying why not. */
function describeKey(algorithm: webcrypto.Algorithm): { key: string } | { problem: string } {
  const a = algorithm as webcrypto.Algorithm & { namedCurve?: string; modulusLength?: number };
  if (a.name === 'ECDSA' || a.name === 'ECDH') {
    return a.namedCurve && EC_CURVES.includes(a.namedCurve) ? { key: `EC ${a.namedCurve}` } : { problem: `EC curve ${a.namedCurve ?? 'unknown'} (one of ${EC_CURVES.join(', ')})` };
  }
  if (a.name === 'RSASSA-PKCS1-v1_5' || a.name === 'RSA-PSS') {
    return (a.modulusLength ?? 0) >= MIN_RSA_BITS ? { key: `RSA ${a.modulusLength}` } : { problem: `RSA key of ${a.modulusLength} bits (at least ${MIN_RSA_BITS})` };
  }
  return { problem: `${a.name} key (EC ${EC_CURVES.join('/')} or RSA of at least ${MIN_RSA_BITS} bits)` };
}

/**
 * Whether `pem` is a CSR the hub signs for the charge point `expect.commonName`: a PEM PKCS#10 request
 * (RFC 2986) whose self-signature verifies (the station holds the private key of the public key it
 * asks a certificate for), with an EC (P-256, P-384, P-521) or RSA (≥ 2048 bits) key, exactly one
 * subject CN equal to the charge point's identity and, when an organization is configured, exactly
 * one O equal to it. The first failing check is the reason.
 */
export async function checkChargerCsr(pem: string, expect: CsrExpectations): Promise<CsrAccepted | CsrRefusal> {
  if (!PEM_CSR.test(pem.trim() + '\n')) return refuse('InvalidCSR', 'The csr is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch {
    return refuse('InvalidCSR', 'The csr is not a well-formed PKCS#10 certificate request');
  }
  let key: string;
  try {
    const described = describeKey(request.publicKey.algorithm);
    if ('problem' in described) return refuse('UnsupportedKey', `The hub signs no certificate for an ${described.problem}`);
    key = described.key;
  } catch {
    return refuse('UnsupportedKey', 'The public key of the csr is of a kind the hub cannot read');
  }
  let verified = false;
  try {
    verified = await request.verify();
  } catch {
    verified = false;
  }
  if (!verified) return refuse('InvalidSignature', "The csr's signature does not verify with its public key");
  const commonNames = request.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== expect.commonName) {
    return refuse('WrongIdentity', `The subject CN must be the charge point's identity ${expect.commonName} (the csr names ${commonNames.length ? commonNames.join(', ') : 'none'})`);
  }
  if (expect.organization !== undefined) {
    const organizations = request.subjectName.getField('O');
    if (organizations.length !== 1 || organizations[0] !== expect.organization) {
      return refuse('WrongOrganization', `The subject O must be the operator's organization ${expect.organization} (the csr names ${organizations.length ? organizations.join(', ') : 'none'})`);
    }
  }
  return { ok: true, request, subject: request.subject, key };
}

/** The signature algorithm a CA key signs with: ECDSA with the hash of its curve's size, RSA with SHA-256. */
export function signingAlgorithmOf(caKey: webcrypto.Algorithm): webcrypto.Algorithm & { hash: string } {
  const a = caKey as webcrypto.Algorithm & { namedCurve?: string };
  if (a.name === 'ECDSA') return { name: 'ECDSA', hash: a.namedCurve === 'P-384' ? 'SHA-384' : a.namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256' } as webcrypto.Algorithm & { hash: string };
  if (a.name === 'RSASSA-PKCS1-v1_5') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm & { hash: string };
  throw new Error(`A CA key of ${a.name} cannot sign certificates here (ECDSA or RSASSA-PKCS1-v1_5)`);
}

/** A serial number: 16 random bytes (RFC 5280 asks at most 20 octets and positive; CA/B Forum at least 64 random bits), lower-case hex. */
export function randomSerial(random: (n: number) => Uint8Array): string {
  const bytes = random(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10; // positive, and its hex starts 1-7 (no leading zero to strip or pad)
  return Buffer.from(bytes).toString('hex');
}

/** The validity of a charge point certificate issued at `now`: from a minute before (clocks differ) for `days` days, never past the CA's own end. */
export function chargerCertificateValidity(now: Date, days: number, caNotAfter: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - 60_000);
  const wanted = new Date(now.getTime() + days * 86_400_000);
  return { notBefore, notAfter: wanted > caNotAfter ? caNotAfter : wanted };
}

/**
 * The extensions of a charge point certificate: an end entity (basicConstraints CA:FALSE) for a TLS
 * client (keyUsage digitalSignature, plus keyEncipherment for an RSA key; extKeyUsage clientAuth), with
 * the key identifiers that let a verifier find the issuing CA and, when given, the CRL distribution
 * point where a relying party other than the hub reads the CA's revocations (`crlUrl`).
 */
export async function chargerCertificateExtensions(ca: x509.X509Certificate, subjectKey: x509.PublicKey, crlUrl?: string): Promise<x509.Extension[]> {
  const rsa = subjectKey.algorithm.name.startsWith('RSA');
  const usages = x509.KeyUsageFlags.digitalSignature | (rsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(subjectKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca),
    ...(crlUrl ? [new x509.CRLDistributionPointsExtension([crlUrl])] : []),
  ];
}

/** The extensions of the hub's own root: a CA that signs end entities only (pathLen 0), certificates and CRLs. */
export async function hubRootExtensions(publicKey: webcrypto.CryptoKey): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

/**
 * Why `certificate` cannot be the hub's issuing CA, or undefined: it must be a CA (basicConstraints
 * CA:TRUE), allowed to sign certificates (keyUsage keyCertSign when present), valid now.
 */
export function issuingCaProblem(certificate: x509.X509Certificate, now: Date): string | undefined {
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) return 'The certificate is no CA certificate (basicConstraints CA:TRUE)';
  const usages = certificate.getExtension(x509.KeyUsagesExtension);
  if (usages && !(usages.usages & x509.KeyUsageFlags.keyCertSign)) return 'The certificate may not sign certificates (keyUsage keyCertSign)';
  if (certificate.notAfter <= now) return `The certificate expired on ${certificate.notAfter.toISOString()}`;
  if (certificate.notBefore > now) return `The certificate is valid only from ${certificate.notBefore.toISOString()}`;
  return undefined;
}

/** The PEM blocks of a bundle, in order (a CA certificate followed by its issuers). */
export function pemBlocks(bundle: string, label: string): string[] {
  return bundle.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g')) ?? [];
}

/**
 * The chain a charge point is sent with CertificateSigned: its certificate first, then the issuing CA
 * and its issuers up to, not including, a self-signed root (the root is installed on the station with
 * InstallCertificate, and a verifier takes it from its own store; spec: "the necessary sub CA certificates").
 */
export function deliveredChain(leafPem: string, caChain: { pem: string; selfSigned: boolean }[]): string {
  return [leafPem, ...caChain.filter((c) => !c.selfSigned).map((c) => c.pem)].map((p) => p.trim()).join('\n') + '\n';
}

export { x509 };
