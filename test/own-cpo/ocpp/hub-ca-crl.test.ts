import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import axios from 'axios';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { x509 } from '../../../src/core/pki/charger-certificates';
import { CRL_VALIDITY_MS, crlNumberOf } from '../../../src/core/pki/hub-ca-crl';
import { openDatabase } from '../../../src/db/data-source';
import { TokenVault } from '../../../src/hub/routing/credential-secrets';
import { HubCaCrls } from '../../../src/own-cpo/chargers/hub-ca-crls';
import { HubCertificateAuthority } from '../../../src/own-cpo/chargers/hub-certificate-authority';
import { certificateOverPassword, type IssuedIdentity, operatorPki } from '../../support/charger-csr';
import { createTestDatabase } from '../../support/database';
import { selfSignedCertificate } from '../../support/self-signed-cert';
import { startTestHub, type TestHub } from '../../support/test-hub';

jest.setTimeout(60_000);

interface Enrolled extends IssuedIdentity {
  id: string;
}

/** The CRL behind `url`, fetched as a relying party does (no key), with the headers it came with. */
async function fetchCrl(url: string): Promise<{ crl: x509.X509Crl; der: Buffer; headers: Record<string, string> }> {
  const res = await axios.get(url, { responseType: 'arraybuffer', validateStatus: () => true });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pkix-crl');
  const der = Buffer.from(res.data as ArrayBuffer);
  return { crl: new x509.X509Crl(der), der, headers: res.headers as Record<string, string> };
}

/**
 * A relying party that is not the hub: a TLS server of its own trusting the hub CA and checking the
 * CRL (node's TLS, i.e. OpenSSL, verifies the CRL's signature and looks the client's serial up in it).
 * Answers how it judged a client presenting `client`.
 */
async function judgedByRelyingParty(caPem: string, crlDer: Buffer, client: { key: string; cert: string }): Promise<{ authorized: boolean; error?: string }> {
  const server = selfSignedCertificate();
  const crlPem = x509.PemConverter.encode(crlDer, 'X509 CRL');
  const relying = createServer({ key: server.keyPem, cert: server.certPem, ca: caPem, crl: crlPem, requestCert: true, rejectUnauthorized: false });
  const judged = new Promise<{ authorized: boolean; error?: string }>((resolve) => {
    relying.once('secureConnection', (socket: TLSSocket) => {
      resolve(socket.authorized ? { authorized: true } : { authorized: false, error: String(socket.authorizationError) });
      socket.end();
    });
  });
  await new Promise<void>((resolve) => relying.listen(0, '127.0.0.1', resolve));
  const socket = connect({ port: (relying.address() as AddressInfo).port, host: '127.0.0.1', ca: server.certPem, key: client.key, cert: client.cert });
  socket.on('error', () => undefined);
  try {
    return await judged;
  } finally {
    socket.destroy();
    await new Promise((resolve) => relying.close(resolve));
  }
}

describe("the hub CA's CRL: published at a public URL, named by the certificates, signed again on revocation, numbered once across instances", () => {
  const tokenEncryptionKey = randomBytes(32).toString('hex');
  let databaseUrl: string;
  let hub: TestHub;
  let other: TestHub;
  let caPem: string;
  let authorityId: string;
  const enrolled: Enrolled[] = [];
  const extraDbs: DataSource[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    // Two hub instances on one database, as behind a load balancer.
    hub = await startTestHub({ databaseUrl, env: { TOKEN_ENCRYPTION_KEY: tokenEncryptionKey } });
    other = await startTestHub({ databaseUrl, env: { TOKEN_ENCRYPTION_KEY: tokenEncryptionKey } });
  });
  afterAll(async () => {
    await Promise.all(extraDbs.map((db) => db.destroy()));
    await other?.close();
    await hub?.close();
  });

  /** A charger registered with a password asks a certificate over profile 1 and keeps what CertificateSigned brings. */
  async function enrol(id: string): Promise<Enrolled> {
    const password = `${id}-password-0001`;
    expect((await hub.admin.post('/admin/chargers', { id, password })).status).toBe(201);
    return { id, ...(await certificateOverPassword(hub, id, password)) };
  }

  it('answers 404 while the hub has no CA, and for a file that is no CRL of one of its CAs', async () => {
    const none = await axios.get(`${hub.url}/pki/hub-ca.crl`, { validateStatus: () => true });
    expect(none.status).toBe(404);
    expect(none.data.error.message).toMatch(/no certificate authority yet/);
    for (const file of ['1.crl', 'abc.crl', '01.crl', '1.pem', '1']) {
      expect((await axios.get(`${hub.url}/pki/hub-ca/${file}`, { validateStatus: () => true })).status).toBe(404);
    }
    expect((await axios.get(`${hub.url}/pki/elsewhere`, { validateStatus: () => true })).status).toBe(404);
    expect((await axios.post(`${hub.url}/pki/hub-ca.crl`, {}, { validateStatus: () => true })).status).toBe(405);
  });

  it('names in each issued certificate the CRL of its CA; that CRL is signed by the CA and lists nothing yet', async () => {
    for (const id of ['CRL-1', 'CRL-2', 'CRL-3']) enrolled.push(await enrol(id));
    const ca = (await hub.admin.get('/admin/certificate-authority')).data as { certificate_pem: string; crl_url: string };
    caPem = ca.certificate_pem;
    [{ id: authorityId }] = await hub.services.db.query(`SELECT id::text FROM hub_certificate_authorities WHERE active`);
    const cdp = enrolled[0].certificate.getExtension(x509.CRLDistributionPointsExtension);
    const urls = cdp?.distributionPoints.flatMap((p) => p.distributionPoint?.fullName?.map((n) => n.uniformResourceIdentifier) ?? []);
    expect(urls).toEqual([`${hub.url}/pki/hub-ca/${authorityId}.crl`]);
    expect(ca.crl_url).toBe(urls![0]);
    const { crl, headers } = await fetchCrl(urls![0]!);
    expect(crl.issuer).toBe(new x509.X509Certificate(caPem).subject);
    expect(await crl.verify({ publicKey: new x509.X509Certificate(caPem) })).toBe(true);
    expect(crl.entries).toHaveLength(0);
    expect(crlNumberOf(crl)).toBe(1n);
    expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBe(CRL_VALIDITY_MS);
    expect(headers.expires).toBe(crl.nextUpdate!.toUTCString());
    expect(headers['last-modified']).toBe(crl.thisUpdate.toUTCString());
    // Asked again with nothing changed: the same CRL, not a new number.
    const again = await fetchCrl(`${hub.url}/pki/hub-ca.crl`);
    expect(crlNumberOf(again.crl)).toBe(1n);
    // A relying party checking this CRL accepts the certificate.
    expect(await judgedByRelyingParty(caPem, again.der, enrolled[0])).toEqual({ authorized: true });
  });

  it('lists exactly the revoked serials once revoked on either instance, verified by @peculiar/x509, openssl and node TLS', async () => {
    const [first, second, kept] = enrolled;
    const [a, b] = await Promise.all([
      hub.admin.post(`/admin/certificates/${first.serial}/revoke`, { reason: 'key compromised' }),
      other.admin.post(`/admin/certificates/${second.serial}/revoke`, {}),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const fromHub = await fetchCrl(`${hub.url}/pki/hub-ca.crl`);
    const fromOther = await fetchCrl(`${other.url}/pki/hub-ca/${authorityId}.crl`);
    expect(fromOther.der.equals(fromHub.der)).toBe(true);
    const { crl, der } = fromHub;
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase()).sort()).toEqual([first.serial, second.serial].sort());
    expect(crl.findRevoked(kept.certificate)).toBeNull();
    expect(crlNumberOf(crl)).toBeGreaterThan(1n);
    expect(await crl.verify({ publicKey: new x509.X509Certificate(caPem) })).toBe(true);

    // openssl verifies the CRL's signature with the CA certificate.
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-ca-crl-'));
    writeFileSync(path.join(dir, 'crl.der'), der);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    const verdict = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', 'crl.der', '-CAfile', 'ca.pem', '-noout'], { cwd: dir, encoding: 'utf8' });
    expect([verdict.status, `${verdict.stdout}${verdict.stderr}`.trim()]).toEqual([0, 'verify OK']);

    // A TLS relying party of its own refuses the revoked certificates and accepts the other.
    expect(await judgedByRelyingParty(caPem, der, first)).toEqual({ authorized: false, error: 'CERT_REVOKED' });
    expect(await judgedByRelyingParty(caPem, der, second)).toEqual({ authorized: false, error: 'CERT_REVOKED' });
    expect(await judgedByRelyingParty(caPem, der, kept)).toEqual({ authorized: true });
    // A CRL with a broken signature is refused by that relying party.
    const broken = Buffer.from(der);
    broken[broken.length - 2] ^= 0x01;
    expect(await judgedByRelyingParty(caPem, broken, kept)).toEqual({ authorized: false, error: 'CRL_SIGNATURE_FAILURE' });
  });

  it('signs a new CRL before the latest lapses, and not while it is fresh', async () => {
    const latest = crlNumberOf((await fetchCrl(`${hub.url}/pki/hub-ca.crl`)).crl)!;
    const authority = new HubCertificateAuthority({ db: hub.services.db, vault: new TokenVault(tokenEncryptionKey), name: 'test' });
    let now = new Date(Date.now() + 3_600_000);
    const crls = new HubCaCrls({ db: hub.services.db, authority, log: pino({ level: 'silent' }), now: () => now });
    expect((await crls.current(authorityId)).crlNumber).toBe(latest);
    now = new Date(Date.now() + CRL_VALIDITY_MS - 3_600_000); // less than a day before nextUpdate
    const renewed = await crls.current(authorityId);
    expect(renewed.crlNumber).toBe(latest + 1n);
    expect(renewed.nextUpdate.getTime()).toBeGreaterThan(now.getTime() + CRL_VALIDITY_MS - 1000);
    expect(new x509.X509Crl(renewed.der).entries).toHaveLength(2);
    // What the hub serves is that one.
    expect(crlNumberOf((await fetchCrl(`${hub.url}/pki/hub-ca.crl`)).crl)).toBe(latest + 1n);
    // The scheduled job (nobody asking) signs one when due, and none while fresh.
    expect(await crls.refreshDue()).toBe(0);
    now = new Date(renewed.nextUpdate.getTime() - 3_600_000);
    expect(await crls.refreshDue()).toBe(1);
    expect(await crls.refreshDue()).toBe(0);
    expect((await crls.current(authorityId)).crlNumber).toBe(latest + 2n);
  });

  it('never signs two CRLs with the same number when instances sign at the same time', async () => {
    for (let i = 0; i < 2; i++) extraDbs.push(await openDatabase({ url: databaseUrl, poolSize: 3 }));
    let now = new Date();
    let lapses = (await hub.services.crls.current(authorityId)).nextUpdate;
    const instances = [hub.services.db, other.services.db, ...extraDbs].map(
      (db) => new HubCaCrls({ db, authority: new HubCertificateAuthority({ db, vault: new TokenVault(tokenEncryptionKey), name: 'test' }), log: pino({ level: 'silent' }), now: () => now }),
    );
    const [{ n: before }] = await hub.services.db.query(`SELECT count(*)::int AS n FROM hub_ca_crls WHERE authority_id = $1`, [authorityId]);
    const numbers: bigint[] = [];
    for (let round = 1; round <= 4; round++) {
      now = new Date(lapses.getTime() + 1000); // every instance finds the latest lapsed
      const results = await Promise.all(instances.flatMap((crls) => [crls.current(authorityId), crls.current(authorityId), crls.current(authorityId)]));
      lapses = results[0].nextUpdate;
      // One new CRL per round, which every caller got.
      expect(new Set(results.map((r) => r.crlNumber)).size).toBe(1);
      numbers.push(results[0].crlNumber);
    }
    expect(numbers).toEqual([...numbers].sort((x, y) => (x < y ? -1 : 1)));
    expect(new Set(numbers).size).toBe(4);
    const rows: { crl_number: string }[] = await hub.services.db.query(`SELECT crl_number FROM hub_ca_crls WHERE authority_id = $1 ORDER BY crl_number`, [authorityId]);
    expect(rows.length).toBe(before + 4);
    expect(rows.map((r) => BigInt(r.crl_number))).toEqual(rows.map((_r, i) => BigInt(i + 1)));
  });

  it("after the operator imports a CA, the active CRL is the new CA's and the old CA's stays at its own URL", async () => {
    const pki = await operatorPki();
    const imported = await hub.admin.put('/admin/certificate-authority', { certificate_pem: `${pki.intermediate.toString('pem')}\n${pki.root.toString('pem')}`, private_key_pem: pki.intermediateKeyPem });
    expect(imported.status).toBe(200);
    const active = await fetchCrl(`${other.url}/pki/hub-ca.crl`);
    expect(active.crl.issuer).toBe(pki.intermediate.subject);
    expect(await active.crl.verify({ publicKey: pki.intermediate })).toBe(true);
    expect(active.crl.entries).toHaveLength(0);
    expect(crlNumberOf(active.crl)).toBe(1n);
    const old = await fetchCrl(`${other.url}/pki/hub-ca/${authorityId}.crl`);
    expect(old.crl.issuer).toBe(new x509.X509Certificate(caPem).subject);
    expect(old.crl.entries.map((e) => e.serialNumber.toLowerCase()).sort()).toEqual([enrolled[0].serial, enrolled[1].serial].sort());
    const next = await enrol('CRL-4');
    const [{ id: newId }] = await hub.services.db.query(`SELECT id::text FROM hub_certificate_authorities WHERE active`);
    expect(newId).not.toBe(authorityId);
    const urls = next.certificate.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints.flatMap((p) => p.distributionPoint?.fullName?.map((n) => n.uniformResourceIdentifier));
    expect(urls).toEqual([`${hub.url}/pki/hub-ca/${newId}.crl`]);
  });
});
