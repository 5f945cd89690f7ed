import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type CrlState, crlIsDue, signHubCaCrl } from '../../core/pki/hub-ca-crl';
import type { HubCertificateAuthority } from './hub-certificate-authority';

/** Where the hub publishes its CA's CRLs (public: relying parties have no key of the hub). */
export const HUB_CA_CRL_PREFIX = '/pki';
/** The active CA's CRL. */
export const ACTIVE_HUB_CA_CRL_PATH = `${HUB_CA_CRL_PREFIX}/hub-ca.crl`;

/**
 * The CRL of the CA with id `authorityId`, as issued certificates name it in their CRL distribution
 * point: by the CA's id, so a certificate of a CA the operator replaced still finds its issuer's list.
 */
export function hubCaCrlUrl(publicUrl: string, authorityId: string): string {
  return `${publicUrl}${HUB_CA_CRL_PREFIX}/hub-ca/${authorityId}.crl`;
}

/** A signed CRL as stored and served. */
export interface PublishedCrl {
  authorityId: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  revokedCount: number;
  /** The CRL in DER (RFC 5280), as `application/pkix-crl` serves it. */
  der: Buffer;
}

interface CrlRow {
  authority_id: string;
  crl_number: string;
  this_update: Date;
  next_update: Date;
  revoked_count: number;
  der: Buffer;
}

const toPublished = (r: CrlRow): PublishedCrl => ({
  authorityId: String(r.authority_id),
  crlNumber: BigInt(r.crl_number),
  thisUpdate: r.this_update,
  nextUpdate: r.next_update,
  revokedCount: r.revoked_count,
  der: r.der,
});

const stateOf = (crl: PublishedCrl | undefined): CrlState | undefined => crl && { crlNumber: crl.crlNumber, nextUpdate: crl.nextUpdate, revokedCount: crl.revokedCount };

/**
 * The hub CA's certificate revocation lists (docs/security.md, "Revocation"), in PostgreSQL so every
 * instance serves the same one. A CRL is signed when one is asked for and the latest is due (none yet,
 * a revocation since, or its nextUpdate near: core/pki/hub-ca-crl.ts), and right after each revocation.
 * Signing happens under a row lock of the CA, where the latest is read again: instances racing sign
 * one CRL each in turn or find the other's already fresh, never two with the same number.
 */
export class HubCaCrls {
  /** Signings under way on this instance, per CA: requests arriving meanwhile wait for the same one. */
  private readonly inflight = new Map<string, Promise<PublishedCrl>>();

  constructor(private readonly deps: { db: DataSource; authority: HubCertificateAuthority; log: Logger; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The active CA's CRL, fresh; undefined while the hub has no CA (it has issued nothing). */
  async ofActive(): Promise<PublishedCrl | undefined> {
    const [row]: { id: string }[] = await this.deps.db.query(`SELECT id FROM hub_certificate_authorities WHERE active`);
    return row && this.current(String(row.id));
  }

  /**
   * The scheduled refresh: every CA with a published CRL, and the active one once it exists, gets a new
   * CRL if its latest is due, so the CRL at the distribution point never lapses even when nobody asks.
   * Answers how many were signed.
   */
  async refreshDue(): Promise<number> {
    const rows: { id: string }[] = await this.deps.db.query(
      `SELECT a.id::text FROM hub_certificate_authorities a WHERE a.active OR EXISTS (SELECT 1 FROM hub_ca_crls c WHERE c.authority_id = a.id) ORDER BY a.id`,
    );
    let signed = 0;
    for (const { id } of rows) {
      const before = await this.latest(this.deps.db, id);
      const after = await this.current(id);
      if (after.crlNumber !== before?.crlNumber) signed++;
    }
    return signed;
  }

  /** The CRL of the CA with this id, active or not, fresh; undefined for an id the hub never had. */
  async ofAuthority(authorityId: string): Promise<PublishedCrl | undefined> {
    if (!/^[1-9][0-9]{0,17}$/.test(authorityId)) return undefined;
    const rows: unknown[] = await this.deps.db.query(`SELECT 1 FROM hub_certificate_authorities WHERE id = $1`, [authorityId]);
    return rows.length ? this.current(authorityId) : undefined;
  }

  /** The latest CRL of the CA `authorityId` if it is fresh, else a new one (the CA must exist). */
  async current(authorityId: string): Promise<PublishedCrl> {
    const [latest, revokedCount] = await Promise.all([this.latest(this.deps.db, authorityId), this.revokedCount(this.deps.db, authorityId)]);
    if (latest && !crlIsDue(stateOf(latest), revokedCount, this.now())) return latest;
    let signing = this.inflight.get(authorityId);
    if (!signing) {
      signing = this.sign(authorityId).finally(() => this.inflight.delete(authorityId));
      this.inflight.set(authorityId, signing);
    }
    return signing;
  }

  /**
   * Right after a revocation: signs the next CRL unless one listing every revocation so far exists.
   * Not shared with a signing under way, which may have read the revoked certificates before this one.
   */
  async afterRevocation(authorityId: string): Promise<PublishedCrl> {
    return this.sign(authorityId);
  }

  private async latest(db: Pick<DataSource, 'query'>, authorityId: string): Promise<PublishedCrl | undefined> {
    const [row]: CrlRow[] = await db.query(`SELECT * FROM hub_ca_crls WHERE authority_id = $1 ORDER BY crl_number DESC LIMIT 1`, [authorityId]);
    return row && toPublished(row);
  }

  private async revokedCount(db: Pick<DataSource, 'query'>, authorityId: string): Promise<number> {
    const [row]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM charger_certificates WHERE authority_id = $1 AND state = 'revoked'`, [authorityId]);
    return row.n;
  }

  /** Signs the next CRL of the CA under the lock of its row, unless another instance signed a fresh one meanwhile. */
  private async sign(authorityId: string): Promise<PublishedCrl> {
    // The key is opened before the lock is taken: the lock is held for the reading, signing and insert only.
    const ca = await this.deps.authority.byId(authorityId);
    if (!ca) throw new Error(`No certificate authority ${authorityId} to sign a CRL for`);
    return this.deps.db.transaction(async (tx) => {
      await tx.query(`SELECT id FROM hub_certificate_authorities WHERE id = $1 FOR UPDATE`, [authorityId]);
      const latest = await this.latest(tx, authorityId);
      const revoked: { serial: string; revoked_at: Date }[] = await tx.query(
        `SELECT serial, revoked_at FROM charger_certificates WHERE authority_id = $1 AND state = 'revoked' ORDER BY revoked_at, serial`,
        [authorityId],
      );
      const now = this.now();
      if (latest && !crlIsDue(stateOf(latest), revoked.length, now)) return latest;
      const crlNumber = (latest?.crlNumber ?? 0n) + 1n;
      const crl = await signHubCaCrl({ ca: ca.certificate, privateKey: ca.privateKey, crlNumber, entries: revoked.map((r) => ({ serial: r.serial, revokedAt: r.revoked_at })), now });
      const [row]: CrlRow[] = await tx.query(
        `INSERT INTO hub_ca_crls (authority_id, crl_number, this_update, next_update, revoked_count, der) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [authorityId, crlNumber.toString(), crl.thisUpdate, crl.nextUpdate, revoked.length, Buffer.from(crl.rawData)],
      );
      this.deps.log.info({ authority: authorityId, crlNumber: crlNumber.toString(), revoked: revoked.length, nextUpdate: crl.nextUpdate }, 'hub CA CRL signed');
      return toPublished(row);
    });
  }
}
