import { randomBytes, webcrypto } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { hubRootExtensions, issuingCaProblem, pemBlocks, randomSerial, signingAlgorithmOf, x509 } from '../../core/pki/charger-certificates';

/** The CA the hub signs charge point certificates with, as loaded for signing. */
export interface LoadedAuthority {
  id: string;
  origin: 'generated' | 'imported';
  certificate: x509.X509Certificate;
  /** The CA certificate first, then its issuers, each with whether it is a self-signed root. */
  chain: { pem: string; selfSigned: boolean }[];
  privateKey: webcrypto.CryptoKey;
  createdBy: string;
  createdAt: Date;
}

interface AuthorityRow {
  id: string;
  origin: 'generated' | 'imported';
  certificate_pem: string;
  sealed_private_key: string;
  created_by: string;
  created_at: Date;
}

/** What seals the CA key at rest: the hub's TokenVault (AES-256-GCM under the token encryption key), given by the wiring. */
export interface KeySeal {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** How long the root the hub makes for itself is valid: 20 years (its certificates are valid a year by default). */
const ROOT_YEARS = 20;
const ROOT_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };

/** The WebCrypto import parameters for a private key of the algorithm of `publicKey`'s certificate. */
function importParams(publicKey: webcrypto.Algorithm): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  const a = publicKey as webcrypto.Algorithm & { namedCurve?: string };
  if (a.name === 'ECDSA' || a.name === 'ECDH') return { name: 'ECDSA', namedCurve: a.namedCurve ?? 'P-256' };
  if (a.name === 'RSASSA-PKCS1-v1_5' || a.name === 'RSA-PSS') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  throw new HubError('invalid', `The CA key is ${a.name}; the hub signs with an EC (ECDSA) or RSA key`);
}

async function selfSigned(certificate: x509.X509Certificate): Promise<boolean> {
  return certificate.subject === certificate.issuer && (await certificate.isSelfSigned().catch(() => false));
}

/**
 * The hub's certificate authority for its own charge points, in PostgreSQL: on first use it makes an
 * ECDSA P-256 root for itself (CN "<hub name> Charge Point CA"), unless the operator imported a CA
 * certificate and its key (an intermediate of the operator's PKI, say). The private key is stored as
 * PKCS#8 sealed with the hub's token encryption key (TokenVault, AES-256-GCM), never in the clear.
 */
export class HubCertificateAuthority {
  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly deps: { db: DataSource; vault: KeySeal; name: string; now?: () => Date }) {}

  /** Called after an import on this instance (the TLS listener trusts the new CA; other instances on their restart). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** The PEM a TLS listener trusts for client certificates: the active CA and the issuers imported with it. */
  async trustedChainPem(): Promise<string> {
    return (await this.authority()).chain.map((c) => c.pem.trim()).join('\n') + '\n';
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * The active CA, made now when there is none yet (instances racing make one: the unique index on
   * `active` decides). Read from the database every time, so an import on one instance holds on all.
   */
  async authority(): Promise<LoadedAuthority> {
    return this.loadOrCreate();
  }

  /** The active CA if there is one, without making one. */
  async existing(): Promise<LoadedAuthority | undefined> {
    const row = await this.activeRow();
    return row && this.load(row);
  }

  /** The CA with this id, active or not (the issuer of the certificates that name it), or undefined. */
  async byId(id: string): Promise<LoadedAuthority | undefined> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return undefined;
    const [row]: AuthorityRow[] = await this.deps.db.query(`SELECT * FROM hub_certificate_authorities WHERE id = $1`, [id]);
    return row && this.load(row);
  }

  private async activeRow(): Promise<AuthorityRow | undefined> {
    const [row]: AuthorityRow[] = await this.deps.db.query(`SELECT * FROM hub_certificate_authorities WHERE active`);
    return row;
  }

  private async loadOrCreate(): Promise<LoadedAuthority> {
    const row = await this.activeRow();
    if (row) return this.load(row);
    const keys = (await crypto.subtle.generateKey({ ...ROOT_ALGORITHM }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const now = this.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial((n) => randomBytes(n)),
      name: [{ CN: [`${this.deps.name} Charge Point CA`] }, { O: [this.deps.name] }],
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(Date.UTC(now.getUTCFullYear() + ROOT_YEARS, now.getUTCMonth(), now.getUTCDate())),
      keys,
      signingAlgorithm: signingAlgorithmOf(ROOT_ALGORITHM),
      extensions: await hubRootExtensions(keys.publicKey),
    });
    const pkcs8 = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    await this.deps.db.query(
      `INSERT INTO hub_certificate_authorities (origin, certificate_pem, sealed_private_key, subject, not_after, fingerprint_sha256, created_by)
       VALUES ('generated', $1, $2, $3, $4, $5, 'hub') ON CONFLICT (active) WHERE active DO NOTHING`,
      [certificate.toString('pem'), this.deps.vault.seal(pkcs8), certificate.subject, certificate.notAfter, await fingerprint(certificate)],
    );
    const made = await this.activeRow();
    if (!made) throw new Error('The hub certificate authority could not be stored');
    return this.load(made);
  }

  private async load(row: AuthorityRow): Promise<LoadedAuthority> {
    const blocks = pemBlocks(row.certificate_pem, 'CERTIFICATE');
    const certificates = blocks.map((pem) => new x509.X509Certificate(pem));
    const certificate = certificates[0];
    const pkcs8 = x509.PemConverter.decodeFirst(this.deps.vault.open(row.sealed_private_key));
    const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, importParams(certificate.publicKey.algorithm), false, ['sign']);
    const chain = await Promise.all(certificates.map(async (c, i) => ({ pem: blocks[i], selfSigned: await selfSigned(c) })));
    return { id: String(row.id), origin: row.origin, certificate, chain, privateKey, createdBy: row.created_by, createdAt: row.created_at };
  }

  /**
   * Makes the operator's CA the active one: `certificatePem` is the CA certificate, optionally followed
   * by its issuers; `privateKeyPem` its unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"). Refused (400,
   * nothing changes) when either does not parse, the certificate is no CA valid now, or the key is not
   * the certificate's. Certificates the previous CA issued stay in the store, naming it.
   */
  async import(certificatePem: string, privateKeyPem: string, by: string): Promise<LoadedAuthority> {
    const blocks = pemBlocks(certificatePem, 'CERTIFICATE');
    if (!blocks.length) throw new HubError('invalid', 'certificate_pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    let certificate: x509.X509Certificate;
    try {
      certificate = new x509.X509Certificate(blocks[0]);
      blocks.slice(1).forEach((pem) => new x509.X509Certificate(pem));
    } catch {
      throw new HubError('invalid', 'certificate_pem is not a well-formed X.509 certificate (chain)');
    }
    const problem = issuingCaProblem(certificate, this.now());
    if (problem) throw new HubError('invalid', problem);
    if (!/-----BEGIN PRIVATE KEY-----/.test(privateKeyPem)) {
      throw new HubError('invalid', 'private_key_pem must be an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----; openssl pkcs8 -topk8 -nocrypt converts others)');
    }
    let privateKey: webcrypto.CryptoKey;
    try {
      const pkcs8 = x509.PemConverter.decodeFirst(privateKeyPem);
      privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, importParams(certificate.publicKey.algorithm), true, ['sign']);
    } catch (error) {
      if (error instanceof HubError) throw error;
      throw new HubError('invalid', "private_key_pem is not a private key of the certificate's algorithm");
    }
    // The key is the certificate's when a signature it makes verifies with the certificate's public key.
    const algorithm = signingAlgorithmOf(certificate.publicKey.algorithm);
    const probe = new TextEncoder().encode('hub certificate authority key check');
    const signature = await crypto.subtle.sign(algorithm, privateKey, probe);
    const publicKey = await certificate.publicKey.export();
    if (!(await crypto.subtle.verify(algorithm, publicKey, signature, probe))) throw new HubError('invalid', 'private_key_pem is not the key of the certificate');
    const pkcs8 = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', privateKey), 'PRIVATE KEY');
    await this.deps.db.transaction(async (tx) => {
      await tx.query(`UPDATE hub_certificate_authorities SET active = false WHERE active`);
      await tx.query(
        `INSERT INTO hub_certificate_authorities (origin, certificate_pem, sealed_private_key, subject, not_after, fingerprint_sha256, created_by)
         VALUES ('imported', $1, $2, $3, $4, $5, $6)`,
        [blocks.join('\n') + '\n', this.deps.vault.seal(pkcs8), certificate.subject, certificate.notAfter, await fingerprint(certificate), by],
      );
    });
    const imported = await this.authority();
    for (const listener of this.changeListeners) listener();
    return imported;
  }
}

/** SHA-256 of the certificate's DER, lower-case hex. */
export async function fingerprint(certificate: x509.X509Certificate): Promise<string> {
  return Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex');
}
