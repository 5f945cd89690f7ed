/**
 * The certificate revocation list of the hub's CA (RFC 5280 section 5), pure parts: when a CRL is due,
 * the CRL Number extension, and signing the list. No I/O: the CA, its key and the revoked serials come
 * in, a signed X.509 CRL goes out (docs/security.md, "Revocation").
 */
import type { webcrypto } from 'node:crypto';
import { signingAlgorithmOf, x509 } from './charger-certificates';

/** RFC 5280 5.2.3 cRLNumber: a non-critical, monotonically increasing INTEGER. */
export const CRL_NUMBER_OID = '2.5.29.20';

/** How long a CRL is valid (its nextUpdate after thisUpdate): relying parties fetch a new one by then at the latest. */
export const CRL_VALIDITY_MS = 7 * 86_400_000;

/** A CRL is signed again when less than this is left of its validity, so the one served never lapses. */
export const CRL_REFRESH_BEFORE_MS = 86_400_000;

/** The latest CRL of a CA, as stored: its validity and how many revoked certificates it lists. */
export interface CrlState {
  crlNumber: bigint;
  nextUpdate: Date;
  revokedCount: number;
}

/**
 * Whether the CA needs a new CRL at `now`: it has none, a certificate was revoked after the latest
 * was signed (revocations are never undone, so a higher count means a newer revocation), or the
 * latest is within CRL_REFRESH_BEFORE_MS of its nextUpdate.
 */
export function crlIsDue(latest: CrlState | undefined, revokedCount: number, now: Date): boolean {
  if (!latest) return true;
  if (revokedCount !== latest.revokedCount) return true;
  return latest.nextUpdate.getTime() - now.getTime() < CRL_REFRESH_BEFORE_MS;
}

/** The DER of a positive INTEGER (two's complement, big-endian, a leading 0x00 when the top bit is set). */
function derPositiveInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new Error('A CRL number is not negative');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let content = Buffer.from(hex, 'hex');
  if (content[0] & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  if (content.length > 20) throw new Error('A CRL number has at most 20 octets (RFC 5280 5.2.3)');
  return Uint8Array.from([0x02, content.length, ...content]);
}

/** The cRLNumber extension for `crlNumber`. */
export function crlNumberExtension(crlNumber: bigint): x509.Extension {
  return new x509.Extension(CRL_NUMBER_OID, false, derPositiveInteger(crlNumber));
}

/** The CRL number a CRL carries, or undefined without the extension. */
export function crlNumberOf(crl: x509.X509Crl): bigint | undefined {
  const extension = crl.getExtension(CRL_NUMBER_OID);
  if (!extension) return undefined;
  const der = Buffer.from(extension.value);
  if (der[0] !== 0x02 || der[1] !== der.length - 2) throw new Error('The cRLNumber extension is not a short DER INTEGER');
  return BigInt(`0x${der.subarray(2).toString('hex') || '0'}`);
}

/** A revoked certificate as the CRL lists it: its serial (hex) and when it was revoked. */
export interface CrlEntry {
  serial: string;
  revokedAt: Date;
}

/**
 * The CRL of `ca` (a v2 CRL, RFC 5280 5.1): issuer the CA's subject, thisUpdate `now`, nextUpdate
 * CRL_VALIDITY_MS later, an entry per revoked serial, the authority key identifier (so a verifier
 * finds the CA) and the CRL number; signed with the CA's key by the algorithm of its certificates.
 */
export async function signHubCaCrl(params: { ca: x509.X509Certificate; privateKey: webcrypto.CryptoKey; crlNumber: bigint; entries: CrlEntry[]; now: Date }): Promise<x509.X509Crl> {
  const { ca } = params;
  const now = new Date(Math.floor(params.now.getTime() / 1000) * 1000); // the CRL's times have whole seconds (UTCTime)
  return x509.X509CrlGenerator.create({
    issuer: ca.subjectName,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + CRL_VALIDITY_MS),
    entries: params.entries.map((e) => ({ serialNumber: e.serial, revocationDate: e.revokedAt })),
    signingKey: params.privateKey,
    signingAlgorithm: signingAlgorithmOf(ca.publicKey.algorithm),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca), crlNumberExtension(params.crlNumber)],
  });
}
