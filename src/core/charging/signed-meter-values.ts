/**
 * Signed meter values (German Eichrecht): readings a charger's meter signed, kept as sent, checked
 * against the meter's public key and handed to the eMSP in the CDR's `signed_data` (OCPI 2.2.1
 * mod_cdrs SignedData / SignedValue), so the driver can check the bill against the meter.
 *
 * Where they come from:
 * - OCPP 1.6: a sampledValue with `format: "SignedData"`; its `value` is the signed string (for
 *   OCMF `OCMF|{payload}|{signature}`, sometimes hex or base64 of it). 1.6 has no field for the key.
 * - OCPP 2.0.1 / 2.1: `sampledValue.signedMeterValue` {signedMeterData (base64), signingMethod,
 *   encodingMethod, publicKey (base64, may be empty: PublicKeyWithSignedMeterValue)}.
 *
 * The hub verifies OCMF (SAFE e.V.'s Open Charge Metering Format, the encoding OCPI names first) with
 * @road-labs/ocmf (parsing and the signature-method table) on Node's own ECDSA (node:crypto); other
 * encodings are passed on unverified. Pure: no I/O (verification is CPU work, async only because the
 * library's interface is).
 */
import { createPublicKey, type KeyObject, verify as ecdsaVerify } from 'node:crypto';
import { decomposeValue, parseSections, type SignedData as OcmfRecord, Verifier } from '@road-labs/ocmf';
import type { CryptoAdapter, Curve, EcPublicKey, Hash } from '@road-labs/ocmf-crypto';

/** One signed reading as a charger sent it. */
export interface SignedReading {
  /** The MeterValue's timestamp. */
  at: Date;
  /** The sampled value's context (Transaction.Begin, Transaction.End, Sample.Periodic…), if sent. */
  context?: string;
  /** The encoding the charger named (2.0.1 encodingMethod); 1.6 names none and it is recognised from the data. */
  encodingMethod?: string;
  signingMethod?: string;
  /** The signed data exactly as sent (1.6 value, 2.0.1 signedMeterData). */
  signedData: string;
  /** 2.0.1 publicKey as sent (base64); absent or empty when the charger does not send it. */
  publicKey?: string;
}

/** OCPI SignedValue `nature` (mod_cdrs: "Start", "End", "Intermediate"). */
export type SignedNature = 'Start' | 'End' | 'Intermediate';

/**
 * The check of one reading: `verified` (the signature holds for the key), `failed` (it does not, the
 * data is not what the meter signs, or it is signed with a key other than the charger's registered
 * one), `unverified` (no key is known, or the encoding is not one the hub verifies).
 */
export type SignedVerdict = 'verified' | 'failed' | 'unverified';

export interface CheckedReading {
  reading: SignedReading;
  nature: SignedNature;
  /** OCPI encoding_method: "OCMF" when recognised, else what the charger named. */
  encodingMethod: string;
  /** OCMF FV's major version (OCPI encoding_method_version is an int). */
  encodingVersion?: number;
  /** The decoded signed text (for OCMF the whole `OCMF|…|…` string). */
  text: string;
  /** OCPI signed_data (base64): of the OCMF text; another encoding's data as a 2.0.1 station sent it (already base64), a 1.6 value encoded. */
  signedBase64: string;
  /** The key it was checked with, as base64 of its SubjectPublicKeyInfo DER (OCPI public_key). */
  publicKey?: string;
  keySource?: 'configured' | 'message';
  verdict: SignedVerdict;
  reason?: string;
  /** The meter register the record signs (OCMF: its last reading's RV, in Wh), when readable. */
  energyWh?: number;
}

/** OCPI 2.2.1 SignedData (mod_cdrs.asciidoc). */
export interface OcpiSignedData {
  encoding_method: string;
  encoding_method_version?: number;
  public_key?: string;
  signed_values: { nature: string; plain_data: string; signed_data: string }[];
}

// ---------------------------------------------------------------------------------------------
// Reading signed values out of MeterValues (either version)
// ---------------------------------------------------------------------------------------------

interface RawSampledValue {
  value?: unknown;
  format?: unknown;
  context?: unknown;
  signedMeterValue?: { signedMeterData?: unknown; signingMethod?: unknown; encodingMethod?: unknown; publicKey?: unknown };
}

const text = (v: unknown) => (typeof v === 'string' && v.length ? v : undefined);

/** The signed readings in one MeterValue as a charger sent it (1.6 or 2.0.1/2.1); none when it carries none. */
export function signedReadingsOf(meterValue: unknown): SignedReading[] {
  const mv = meterValue as { timestamp?: unknown; sampledValue?: unknown } | null;
  if (!mv || typeof mv.timestamp !== 'string' || !Array.isArray(mv.sampledValue)) return [];
  const at = new Date(mv.timestamp);
  if (Number.isNaN(at.getTime())) return [];
  const readings: SignedReading[] = [];
  for (const sv of mv.sampledValue as RawSampledValue[]) {
    const context = text(sv?.context);
    const signed = sv?.signedMeterValue;
    if (signed && text(signed.signedMeterData)) {
      readings.push({
        at,
        context,
        signedData: signed.signedMeterData as string,
        encodingMethod: text(signed.encodingMethod),
        signingMethod: text(signed.signingMethod),
        publicKey: text(signed.publicKey),
      });
    } else if (sv?.format === 'SignedData' && text(sv.value)) {
      readings.push({ at, context, signedData: sv.value as string });
    }
  }
  return readings;
}

// ---------------------------------------------------------------------------------------------
// Decoding and keys
// ---------------------------------------------------------------------------------------------

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The signed text: as sent when it is readable OCMF, else its hex or base64 decoding when that is. */
function decodeSigned(data: string): string {
  const trimmed = data.trim();
  if (trimmed.startsWith('OCMF|')) return trimmed;
  for (const decoded of [HEX.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined, BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined]) {
    const asText = decoded?.toString('utf8');
    if (asText?.startsWith('OCMF|')) return asText;
  }
  return trimmed;
}

/**
 * A public key as chargers and meter labels write it — SubjectPublicKeyInfo DER in hex or base64, or
 * PEM — as a key object; undefined when it is none of these.
 */
export function publicKeyOf(written: string): KeyObject | undefined {
  const trimmed = written.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return createPublicKey(trimmed);
    const der = HEX.test(trimmed) ? Buffer.from(trimmed, 'hex') : BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
    return der && createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** A key's canonical form (base64 of its SPKI DER): how OCPI's public_key carries it and how keys are compared. */
export function canonicalKey(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** The OpenSSL names of OCMF's curves (node:crypto speaks OpenSSL). */
const OPENSSL_CURVE: Record<string, Curve> = {
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  secp256k1: 'secp256k1',
  prime192v1: 'secp192r1',
  brainpoolP256r1: 'brainpool256r1',
  brainpoolP384r1: 'brainpool384r1',
};

class NodeEcPublicKey implements EcPublicKey {
  constructor(readonly key: KeyObject) {}
  getCurve(): Curve {
    const curve = this.key.asymmetricKeyDetails?.namedCurve;
    const named = curve && OPENSSL_CURVE[curve];
    if (!named) throw new Error(`a key on a curve OCMF does not name (${curve ?? this.key.asymmetricKeyType})`);
    return named;
  }
  encode(): Uint8Array {
    return this.key.export({ format: 'der', type: 'spki' });
  }
}

/**
 * @road-labs/ocmf's crypto interface on node:crypto: its own backend (@road-labs/ocmf-crypto-noble)
 * loads @noble/curves, which is ESM only and cannot be required by the hub's CommonJS build and
 * tests; Node's ECDSA (OpenSSL) covers every curve OCMF names. Only verification is needed.
 */
const nodeCrypto: CryptoAdapter = {
  decodeEcPrivateKey() {
    throw new Error('the hub never signs meter values');
  },
  decodeEcPublicKey(value) {
    return new NodeEcPublicKey(createPublicKey({ key: Buffer.from(value), format: 'der', type: 'spki' }));
  },
  sign() {
    throw new Error('the hub never signs meter values');
  },
  verify(signature, data, key, hash: Hash) {
    if (hash !== 'SHA-256') throw new Error(`unsupported hash ${hash}`);
    return ecdsaVerify('sha256', data, { key: (key as NodeEcPublicKey).key, dsaEncoding: 'der' }, signature);
  },
};
const verifier = new Verifier(nodeCrypto);

// ---------------------------------------------------------------------------------------------
// Checking one reading
// ---------------------------------------------------------------------------------------------

/** OCMF reading reasons (TX): B begin, E end; the rest (C, X, T, L, R, A, P, S) fall between. */
function natureOf(reading: SignedReading, record: OcmfRecord | undefined): SignedNature {
  if (reading.context === 'Transaction.Begin') return 'Start';
  if (reading.context === 'Transaction.End') return 'End';
  const reasons = record?.payloadData.RD?.map((r) => r.TX) ?? [];
  if (reasons.includes('E')) return 'End';
  if (reasons.includes('B')) return 'Start';
  return 'Intermediate';
}

/** The register the record signs, in Wh: its last reading's RV (OCMF units kWh or Wh). */
function energyOf(record: OcmfRecord): number | undefined {
  const last = record.payloadData.RD?.[record.payloadData.RD.length - 1];
  if (!last || typeof last.RV !== 'number') return undefined;
  if (last.RU === 'kWh') return Math.round(last.RV * 1000 * 1000) / 1000;
  if (last.RU === 'Wh') return last.RV;
  return undefined;
}

function parseOcmf(signedText: string): { record?: OcmfRecord; error?: string } {
  try {
    return { record: parseSections(decomposeValue(signedText)) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Checks one reading. The key: a key the operator registered for the charger comes first — the key
 * in the message only shows the data was signed by *some* key, while a registered one (from the
 * meter's label or its maker) shows it was this meter. So with registered keys, a reading signed with
 * another key fails; without any, the message's key is used; with no key at all the reading is
 * unverified (not failed: nothing says it is wrong).
 */
export async function checkSignedReading(reading: SignedReading, registeredKeys: string[]): Promise<CheckedReading> {
  const signedText = decodeSigned(reading.signedData);
  const isOcmf = signedText.startsWith('OCMF|') || reading.encodingMethod?.toUpperCase() === 'OCMF';
  const { record, error } = isOcmf ? parseOcmf(signedText) : {};
  const base = {
    reading,
    nature: natureOf(reading, record),
    encodingMethod: isOcmf ? 'OCMF' : (reading.encodingMethod ?? 'unknown'),
    encodingVersion: record?.payloadData.FV ? Number.parseInt(record.payloadData.FV, 10) || undefined : undefined,
    text: signedText,
    signedBase64: isOcmf || reading.encodingMethod === undefined ? Buffer.from(signedText, 'utf8').toString('base64') : reading.signedData,
    energyWh: record ? energyOf(record) : undefined,
  };
  const registered = registeredKeys.map(publicKeyOf).filter((k): k is KeyObject => !!k);
  const sent = reading.publicKey ? publicKeyOf(reading.publicKey) : undefined;
  const sentKey = sent && canonicalKey(sent);
  if (!isOcmf) {
    return { ...base, publicKey: sentKey ?? (registered[0] && canonicalKey(registered[0])), keySource: sentKey ? 'message' : registered.length ? 'configured' : undefined, verdict: 'unverified', reason: `the hub verifies only OCMF (this reading is ${base.encodingMethod})` };
  }
  if (!record) return { ...base, verdict: 'failed', reason: `not a readable OCMF record: ${error}` };
  if (reading.publicKey && !sent) return { ...base, verdict: 'failed', reason: 'the public key sent with the reading is not a SubjectPublicKeyInfo (hex, base64 or PEM)' };

  let candidates: { key: KeyObject; source: 'configured' | 'message' }[];
  if (registered.length) {
    if (sentKey && !registered.some((k) => canonicalKey(k) === sentKey)) {
      return { ...base, publicKey: sentKey, keySource: 'message', verdict: 'failed', reason: 'signed with a key that is not registered for this charger' };
    }
    candidates = registered.map((key) => ({ key, source: 'configured' as const }));
  } else if (sent) {
    candidates = [{ key: sent, source: 'message' }];
  } else {
    return { ...base, verdict: 'unverified', reason: 'no public key: none sent with the reading and none registered for the charger' };
  }

  let lastProblem = 'the signature does not match the signed data';
  for (const { key, source } of candidates) {
    try {
      const { verified } = await verifier.parseAndVerify(signedText, new NodeEcPublicKey(key));
      if (verified) return { ...base, publicKey: canonicalKey(key), keySource: source, verdict: 'verified' };
    } catch (problem) {
      // A key on another curve than the signature method, an unknown method or encoding: not this key.
      lastProblem = (problem as Error).message || lastProblem;
    }
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return { ...base, publicKey: only && canonicalKey(only.key), keySource: only?.source, verdict: 'failed', reason: lastProblem };
}

// ---------------------------------------------------------------------------------------------
// The CDR's signed_data and the verdict for its rating
// ---------------------------------------------------------------------------------------------

const PLAIN_MAX = 512;
const SIGNED_MAX = 5000;

/** OCPI plain_data (at most 512): the OCMF payload when it fits, else its readings in short. */
function plainDataOf(checked: CheckedReading): string {
  if (checked.encodingMethod === 'OCMF') {
    const payload = checked.text.split('|')[1] ?? '';
    if (payload.length <= PLAIN_MAX) return payload;
    const record = parseOcmf(checked.text).record;
    const readings = (record?.payloadData.RD ?? []).map((r) => `${r.TX ?? ''} ${r.RV} ${r.RU} ${r.TM}`.trim());
    const meter = record?.payloadData.MS ? `MS ${record.payloadData.MS}: ` : '';
    return `${meter}${readings.join('; ')}`.slice(0, PLAIN_MAX);
  }
  return `${checked.nature} reading at ${checked.reading.at.toISOString()}`;
}

export interface SignedDataOutcome {
  /** The CDR's signed_data; absent when no reading fits one SignedData. */
  signedData?: OcpiSignedData;
  /** What goes on the CDR's rating. */
  notes: { code: string; message: string }[];
  /** Readings that failed, described (they make the rating a mismatch). */
  failures: string[];
  /** The energy the signed Start and End registers show, in kWh, when both are readable. */
  signedEnergyKwh?: number;
}

const describeReading = (c: CheckedReading) => `${c.nature} reading of ${c.reading.at.toISOString()}`;

/**
 * The CDR's signed_data from a transaction's checked readings (in the order they were taken): one
 * SignedData holds one encoding and one key, so the readings of the encoding and key the End reading
 * has (else the latest) are taken and any other is noted. Failed readings are still passed on — the
 * eMSP checks them too — and reported for the rating. Readings repeated (the same signed data sent
 * twice) count once.
 */
export function signedDataOf(checkedReadings: CheckedReading[]): SignedDataOutcome {
  const seen = new Set<string>();
  const checked = checkedReadings.filter((c) => !seen.has(c.text) && !!seen.add(c.text));
  const notes: SignedDataOutcome['notes'] = [];
  const failures = checked.filter((c) => c.verdict === 'failed').map((c) => `${describeReading(c)}: ${c.reason}`);
  if (!checked.length) return { notes, failures };
  const anchor = [...checked].reverse().find((c) => c.nature === 'End') ?? checked[checked.length - 1];
  // The key of the SignedData: the End reading's, else that of the latest verified reading, else of
  // the latest that has one; a reading checked without a key (unverified, or failed against several
  // registered keys) joins it.
  const latestWith = (verdicts: SignedVerdict[]) =>
    [...checked].reverse().find((c) => c.encodingMethod === anchor.encodingMethod && c.publicKey && verdicts.includes(c.verdict))?.publicKey;
  const key = anchor.publicKey ?? latestWith(['verified']) ?? latestWith(['verified', 'failed', 'unverified']);
  const group = checked.filter((c) => c.encodingMethod === anchor.encodingMethod && (!c.publicKey || !key || c.publicKey === key));
  const fits = group.filter((c) => {
    if (c.signedBase64.length <= SIGNED_MAX) return true;
    notes.push({ code: 'SIGNED_METER_VALUE_TOO_LONG', message: `${describeReading(c)}: its signed data is longer than OCPI's 5000 characters; left out of signed_data` });
    return false;
  });
  for (const c of checked.filter((c) => !group.includes(c))) {
    notes.push({ code: 'SIGNED_METER_VALUE_LEFT_OUT', message: `${describeReading(c)}: ${c.encodingMethod} with another encoding or key than the other readings; one signed_data holds one encoding and one key` });
  }
  const verdicts = { verified: 0, unverified: 0, failed: 0 };
  for (const c of checked) verdicts[c.verdict] += 1;
  if (verdicts.verified) notes.push({ code: 'SIGNED_METER_VALUES_VERIFIED', message: `${verdicts.verified} signed reading(s) verified (${[...new Set(checked.filter((c) => c.verdict === 'verified').map((c) => `${c.keySource} key`))].join(', ')})` });
  for (const c of checked.filter((c) => c.verdict === 'unverified')) notes.push({ code: 'SIGNED_METER_VALUE_UNVERIFIED', message: `${describeReading(c)}: ${c.reason}` });
  for (const failure of failures) notes.push({ code: 'SIGNED_METER_VALUE_FAILED', message: failure });

  const start = group.find((c) => c.nature === 'Start');
  const end = [...group].reverse().find((c) => c.nature === 'End');
  const signedEnergyKwh =
    start?.energyWh !== undefined && end?.energyWh !== undefined && start !== end ? Math.round(end.energyWh - start.energyWh) / 1000 : undefined;
  if (!fits.length) return { notes, failures, signedEnergyKwh };
  return {
    signedData: {
      encoding_method: anchor.encodingMethod.slice(0, 36),
      ...(anchor.encodingVersion !== undefined ? { encoding_method_version: anchor.encodingVersion } : {}),
      ...(key && key.length <= 512 ? { public_key: key } : {}),
      signed_values: fits.map((c) => ({ nature: c.nature, plain_data: plainDataOf(c), signed_data: c.signedBase64 })),
    },
    notes,
    failures,
    signedEnergyKwh,
  };
}
