import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { updatedRows } from '../../db/updated-rows';
import { chargerCertificateExtensions, chargerCertificateValidity, checkChargerCsr, deliveredChain, randomSerial, signingAlgorithmOf, x509 } from '../../core/pki/charger-certificates';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { ChargerActionRecord, ChargerActionsService } from './charger-actions.service';
import { fingerprint, type HubCertificateAuthority } from '../chargers/hub-certificate-authority';
import type { HubCaCrls } from '../chargers/hub-ca-crls';

/** A certificate the hub issued to one of its chargers. */
export interface IssuedCertificate {
  serial: string;
  chargerId: string;
  certificateType: string;
  subject: string;
  /** "EC P-256", "RSA 2048". */
  publicKey: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  certificatePem: string;
  state: 'issued' | 'revoked';
  issuedAt: Date;
  /** "SignCertificate" (the charger asked: A02/A03). */
  issuedBy: string;
  /** How sending CertificateSigned ended: pending, then the action log's outcome (accepted, rejected, error, timeout). */
  delivery: 'pending' | 'accepted' | 'rejected' | 'error' | 'timeout';
  /** The charger action (charger_actions) that carried CertificateSigned. */
  deliveryActionId: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revocationReason: string | null;
}

interface IssuedRow {
  serial: string;
  charger_id: string;
  authority_id: string;
  certificate_type: string;
  subject: string;
  public_key: string;
  not_before: Date;
  not_after: Date;
  fingerprint_sha256: string;
  certificate_pem: string;
  state: 'issued' | 'revoked';
  issued_at: Date;
  issued_by: string;
  delivery: IssuedCertificate['delivery'];
  delivery_action_id: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revocation_reason: string | null;
}

const toIssued = (r: IssuedRow): IssuedCertificate => ({
  serial: r.serial,
  chargerId: r.charger_id,
  certificateType: r.certificate_type,
  subject: r.subject,
  publicKey: r.public_key,
  notBefore: r.not_before,
  notAfter: r.not_after,
  fingerprintSha256: r.fingerprint_sha256,
  certificatePem: r.certificate_pem,
  state: r.state,
  issuedAt: r.issued_at,
  issuedBy: r.issued_by,
  delivery: r.delivery,
  deliveryActionId: r.delivery_action_id === null ? null : String(r.delivery_action_id),
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  revocationReason: r.revocation_reason,
});

/** What the hub decided about a SignCertificate request, before each version writes it on the wire. */
export interface SignDecision {
  status: 'Accepted' | 'Rejected';
  /** For a refusal: 2.0.1 statusInfo.reasonCode and additionalInfo. */
  reasonCode?: string;
  reason?: string;
  /** The serial of the certificate issued for an accepted request. */
  serial?: string;
}

/** The signing requests the hub serves: a charge point's TLS client certificate (absent: 2.0.1 says "both", the hub issues the TLS one). */
const SIGNED_TYPES = new Set([undefined, 'ChargingStationCertificate']);

/** Serial numbers as given: hex, any case, colons allowed (openssl prints them so); kept lower-case. */
export const SERIAL = /^[0-9A-Fa-f:]{2,64}$/;
export const normalSerial = (serial: string) => serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');

/**
 * The CA side of the own chargers' certificates (OCPP 2.0.1 A02/A03, 1.6 security whitepaper edition 3):
 * a SignCertificate request's CSR is checked (core/pki/charger-certificates.ts); a good one is answered
 * Accepted, signed by the hub's CA and stored, and CertificateSigned goes to the charger through the
 * action log right after the answer; a bad one is answered Rejected with the reason and nothing is
 * issued. Every request is kept as a `SignCertificate` event with its answer. The operator lists and
 * revokes issued certificates and installs the hub's root on a charger.
 */
export class ChargerCertificates {
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: ChargersService;
      authority: HubCertificateAuthority;
      /** The CA's CRLs: signed again right after a revocation. */
      crls: HubCaCrls;
      /** The URL of the CRL of the CA with this id, for the CRL distribution point of the certificates it issues. */
      crlUrl: (authorityId: string) => string;
      /** The operator's action path (built after the OCPP server, hence a function). */
      actions: () => ChargerActionsService;
      config: { certificateDays: number; organization?: string };
    },
  ) {}

  /**
   * A02/A03: the charger `chargerId` asks a certificate for `csr`. Answers at once; an accepted
   * request's certificate is issued before the answer and delivered after it (CertificateSigned).
   */
  async signRequested(chargerId: string, protocol: OcppProtocol, params: { csr: string; certificateType?: string; requestId?: number }): Promise<SignDecision> {
    const decision = await this.decide(chargerId, params);
    await this.deps.chargers.recordEvent(chargerId, 'SignCertificate', params, decision);
    if (decision.serial) this.deliverLater(decision.serial, protocol, params.requestId);
    return decision;
  }

  private async decide(chargerId: string, params: { csr: string; certificateType?: string }): Promise<SignDecision> {
    if (!SIGNED_TYPES.has(params.certificateType)) {
      return {
        status: 'Rejected',
        reasonCode: 'UnsupportedCertType',
        reason: `The hub signs ChargingStationCertificate requests only; it runs no ISO 15118 (V2G) PKI for ${params.certificateType}`,
      };
    }
    const verdict = await checkChargerCsr(params.csr, { commonName: chargerId, organization: this.deps.config.organization });
    if (!verdict.ok) return { status: 'Rejected', reasonCode: verdict.reasonCode, reason: verdict.reason };
    const issued = await this.issue(chargerId, verdict.request, verdict.key);
    return { status: 'Accepted', serial: issued.serial };
  }

  private async issue(chargerId: string, request: x509.Pkcs10CertificateRequest, key: string): Promise<IssuedCertificate> {
    const ca = await this.deps.authority.authority();
    const now = new Date();
    const serial = randomSerial((n) => randomBytes(n));
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: request.subjectName,
      issuer: ca.certificate.subjectName,
      ...chargerCertificateValidity(now, this.deps.config.certificateDays, ca.certificate.notAfter),
      publicKey: request.publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm: signingAlgorithmOf(ca.certificate.publicKey.algorithm),
      extensions: await chargerCertificateExtensions(ca.certificate, request.publicKey, this.deps.crlUrl(ca.id)),
    });
    const [row]: IssuedRow[] = await this.deps.db.query(
      `INSERT INTO charger_certificates (serial, charger_id, authority_id, certificate_type, subject, public_key, not_before, not_after, fingerprint_sha256, certificate_pem, issued_at, issued_by)
       VALUES ($1, $2, $3, 'ChargingStationCertificate', $4, $5, $6, $7, $8, $9, $10, 'SignCertificate') RETURNING *`,
      [serial, chargerId, ca.id, certificate.subject, key, certificate.notBefore, certificate.notAfter, await fingerprint(certificate), certificate.toString('pem'), now],
    );
    this.deps.log.info({ charger: chargerId, serial, subject: certificate.subject, notAfter: certificate.notAfter }, 'charger certificate issued');
    return toIssued(row);
  }

  /** Sends CertificateSigned once the SignCertificate answer is on its way (the station expects the answer first). */
  private deliverLater(serial: string, protocol: OcppProtocol, requestId: number | undefined): void {
    const delivery: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.deliver(serial, { protocol, requestId }))
      .then(() => undefined)
      .catch((error) => this.deps.log.error({ err: error, serial }, 'could not deliver a charger certificate'))
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  /** Resolves when every delivery under way has ended (the hub's close waits for them). */
  async settled(): Promise<void> {
    await Promise.all([...this.deliveries]);
  }

  /**
   * Sends the certificate `serial` to its charger with CertificateSigned (1.6: certificateChain;
   * 2.0.1/2.1: also certificateType ChargingStationCertificate, and 2.1 the request's requestId), kept
   * in the action log (as "hub-ca" after a SignCertificate; as the operator when resent); the outcome
   * (accepted, rejected, error, timeout) is the delivery's. A revoked certificate is not sent (409).
   */
  async deliver(
    serial: string,
    options: { protocol?: OcppProtocol; requestId?: number; requestedBy?: string; timeoutMs?: number } = {},
  ): Promise<ChargerActionRecord> {
    const issued = await this.require(serial);
    if (issued.state === 'revoked') throw new HubError('conflict', `The certificate ${issued.serial} is revoked; renew the charger's certificate instead`);
    const actions = this.deps.actions();
    const protocol = options.protocol ?? (await actions.connectedProtocol(issued.chargerId));
    const ca = await this.deps.authority.authority();
    const certificateChain = deliveredChain(issued.certificatePem, ca.chain);
    const params =
      protocol === 'ocpp1.6'
        ? { certificateChain }
        : { certificateChain, certificateType: 'ChargingStationCertificate', ...(protocol === 'ocpp2.1' && options.requestId !== undefined && { requestId: options.requestId }) };
    const record = await actions.send(issued.chargerId, 'CertificateSigned', params, { requestedBy: options.requestedBy ?? 'hub-ca', protocol, timeoutMs: options.timeoutMs });
    await this.deps.db.query(`UPDATE charger_certificates SET delivery = $2, delivery_action_id = $3 WHERE serial = $1`, [issued.serial, record.status, record.id]);
    if (record.status !== 'accepted') this.deps.log.warn({ charger: issued.chargerId, serial, outcome: record.status, error: record.error }, 'a charger did not accept its certificate');
    return record;
  }

  /** Issued certificates, newest first: of one charger (404 for an unknown one) or all. */
  async list(options: { chargerId?: string; state?: 'issued' | 'revoked'; limit: number }): Promise<IssuedCertificate[]> {
    if (options.chargerId) await this.deps.chargers.require(options.chargerId);
    const rows: IssuedRow[] = await this.deps.db.query(
      `SELECT * FROM charger_certificates WHERE ($1::text IS NULL OR charger_id = $1) AND ($2::text IS NULL OR state = $2)
       ORDER BY issued_at DESC, serial LIMIT $3`,
      [options.chargerId ?? null, options.state ?? null, options.limit],
    );
    return rows.map(toIssued);
  }

  async require(serial: string): Promise<IssuedCertificate> {
    const [row]: IssuedRow[] = SERIAL.test(serial) ? await this.deps.db.query(`SELECT * FROM charger_certificates WHERE serial = $1`, [normalSerial(serial)]) : [];
    if (!row) throw new HubError('not_found', `No certificate with serial ${serial} was issued by the hub`);
    return toIssued(row);
  }

  /**
   * Revokes a certificate: 404 for a serial the hub never issued, 409 when it is revoked already.
   * Security profile 3 then refuses it, and its CA's CRL is signed again before the answer. A CRL
   * that cannot be signed now leaves the revocation standing: the next request for the CRL signs it.
   */
  async revoke(serial: string, by: string, reason: string | undefined): Promise<IssuedCertificate> {
    const issued = await this.require(serial);
    const [row] = await updatedRows<IssuedRow>(
      this.deps.db,
      `UPDATE charger_certificates SET state = 'revoked', revoked_at = now(), revoked_by = $2, revocation_reason = $3
       WHERE serial = $1 AND state = 'issued' RETURNING *`,
      [issued.serial, by, reason ?? null],
    );
    if (!row) throw new HubError('conflict', `The certificate ${issued.serial} was revoked already`);
    this.deps.log.info({ charger: issued.chargerId, serial: issued.serial, by }, 'charger certificate revoked');
    await this.deps.crls.afterRevocation(String(row.authority_id)).catch((error) => this.deps.log.error({ err: error, serial: issued.serial }, 'could not sign the CRL after a revocation'));
    return toIssued(row);
  }

  /** Whether the hub revoked the certificate with this serial (as TLS gives it: upper-case hex). */
  async isRevoked(serial: string): Promise<boolean> {
    const rows: unknown[] = await this.deps.db.query(`SELECT 1 FROM charger_certificates WHERE serial = $1 AND state = 'revoked'`, [normalSerial(serial)]);
    return rows.length > 0;
  }

  /**
   * Installs the hub CA's root on the charger (InstallCertificate: 1.6 CentralSystemRootCertificate,
   * 2.0.1/2.1 CSMSRootCertificate), the certificate at the top of the hub CA's chain (the operator's
   * root when an intermediate was imported). Through the action log, like any operator call.
   */
  async installRoot(chargerId: string, requestedBy: string): Promise<ChargerActionRecord> {
    const actions = this.deps.actions();
    const protocol = await actions.connectedProtocol(chargerId);
    const ca = await this.deps.authority.authority();
    const root = ca.chain[ca.chain.length - 1].pem.trim() + '\n';
    const certificateType = protocol === 'ocpp1.6' ? 'CentralSystemRootCertificate' : 'CSMSRootCertificate';
    return actions.send(chargerId, 'InstallCertificate', { certificateType, certificate: root }, { requestedBy, protocol });
  }
}
