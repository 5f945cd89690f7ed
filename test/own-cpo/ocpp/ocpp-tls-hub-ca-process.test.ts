import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import type { RPCClient } from 'ocpp-rpc';
import { x509 } from '../../../src/core/pki/charger-certificates';
import { chargePoint } from '../../support/charge-point';
import { chargerCsr } from '../../support/charger-csr';
import { createTestDatabase } from '../../support/database';
import { freePort, type HubProcess, hubProcessSettings, startHubProcess } from '../../support/hub-process';
import { waitFor } from '../../support/network';
import { selfSignedCertificate } from '../../support/self-signed-cert';
import { TestCa } from '../../support/test-ca';

jest.setTimeout(120_000);

const ID = 'TLSPROC-1';
const PASSWORD = 'tls-process-charger-password-01';
const BOOT_16 = { chargePointVendor: 'Test', chargePointModel: 'Secure' };

/**
 * The hub as `npm start` runs it (src/main.ts in its own process) with OCPP_TLS_CA=hub: a charger
 * enrols on the wss:// listener with security profile 2 (its password over TLS), receives a
 * certificate from the hub's CA (SignCertificate → CertificateSigned), comes back with it under
 * profile 3 and is accepted; a certificate of another CA does not get through the TLS handshake, and
 * the operator's revocation through the admin API closes the listener to the revoked one.
 */
describe('npm start with OCPP_TLS_CA=hub: profile 2 enrolment, profile 3 with the certificate, revocation', () => {
  let hub: HubProcess;
  let wss: string;
  const server = selfSignedCertificate();
  const clients: RPCClient[] = [];

  beforeAll(async () => {
    const tlsPort = await freePort();
    const settings = await hubProcessSettings(await createTestDatabase());
    const keyFile = path.join(settings.dataDir, 'ocpp-tls-key.pem');
    const certFile = path.join(settings.dataDir, 'ocpp-tls-cert.pem');
    writeFileSync(keyFile, server.keyPem);
    writeFileSync(certFile, server.certPem);
    settings.env = { OCPP_TLS_KEY: keyFile, OCPP_TLS_CERT: certFile, OCPP_TLS_PORT: String(tlsPort), OCPP_TLS_CA: 'hub' };
    hub = await startHubProcess(settings);
    wss = `wss://127.0.0.1:${tlsPort}/ocpp`;
    expect(hub.output.join('\n')).toContain(`(TLS: wss://127.0.0.1:${tlsPort}/ocpp/<charge point id>)`);
    expect((await hub.admin.post('/admin/chargers', { id: ID, password: PASSWORD })).status).toBe(201);
    expect((await hub.admin.patch(`/admin/chargers/${ID}`, { status: 'ACCEPTED' })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await hub?.stop();
  });

  /** A charge point on the TLS listener that trusts the hub's server certificate, with `auth` (a password or a client certificate). */
  function tlsCharger(auth: { password: string } | { key: string; cert: string; serial?: string }): RPCClient {
    const client = chargePoint(
      { ocppUrl: wss },
      { id: ID, protocol: 'ocpp1.6', endpoint: wss, ...('password' in auth ? { password: auth.password, wsOpts: { ca: server.certPem } } : { wsOpts: { ca: server.certPem, key: auth.key, cert: auth.cert } }) },
    );
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  /** How a connection attempt ended: 'accepted', the HTTP status of a refused upgrade, or the socket error of a failed TLS handshake. */
  async function outcome(client: RPCClient): Promise<string | number> {
    try {
      await client.connect();
    } catch (error) {
      const e = error as { code?: number | string; message: string };
      return typeof e.code === 'number' ? e.code : `tls: ${e.code ?? ''} ${e.message}`;
    }
    await client.close();
    return 'accepted';
  }

  let issued: { key: string; cert: string; serial: string };

  it('enrols over profile 2: the password over wss:// is accepted and SignCertificate brings a certificate of the hub CA', async () => {
    const enrolling = tlsCharger({ password: PASSWORD });
    let chain: string | undefined;
    enrolling.handle('CertificateSigned', async ({ params }) => {
      chain = (params as { certificateChain: string }).certificateChain;
      return { status: 'Accepted' };
    });
    await enrolling.connect();
    expect(await enrolling.call('BootNotification', BOOT_16)).toMatchObject({ status: 'Accepted' });
    const { keys, csrPem } = await chargerCsr(`CN=${ID}`);
    expect(await enrolling.call('SignCertificate', { csr: csrPem })).toEqual({ status: 'Accepted' });
    const certificateChain = await waitFor(() => chain, 'CertificateSigned');
    await enrolling.close();
    const certificate = new x509.X509Certificate(certificateChain);
    const ca = new x509.X509Certificate((await hub.admin.get('/admin/certificate-authority')).data.certificate_pem);
    expect(certificate.issuer).toBe(ca.subject);
    expect(await certificate.verify({ publicKey: ca })).toBe(true);
    issued = {
      key: x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
      cert: certificateChain,
      serial: certificate.serialNumber.toLowerCase(),
    };
    await waitFor(async () => (await hub.admin.get(`/admin/certificates/${issued.serial}`)).data.delivery === 'accepted' || undefined, 'the delivery to be recorded as accepted');
    // A wrong password over TLS stays refused (profile 2 is a password check, not a free pass).
    expect(await outcome(tlsCharger({ password: 'not-the-password-of-this-charger' }))).toBe(401);
  });

  it('accepts the charger under profile 3 with that certificate, without a password', async () => {
    const secured = tlsCharger(issued);
    await secured.connect();
    expect(await secured.call('BootNotification', BOOT_16)).toMatchObject({ status: 'Accepted' });
    expect((await hub.admin.get(`/admin/chargers/${ID}`)).data).toMatchObject({ id: ID });
    await secured.close();
  });

  it('refuses at the TLS handshake a certificate for the same id signed by another CA', async () => {
    const foreign = new TestCa('Not The Hub CA').issue(ID);
    const result = await outcome(tlsCharger({ key: foreign.keyPem, cert: foreign.certPem }));
    // No HTTP status: the connection ends with the TLS handshake, before the WebSocket upgrade is read.
    expect(typeof result).toBe('string');
    expect(result).toMatch(/unknown ca|socket hang up|ECONNRESET|certificate/i);
  });

  it('refuses the certificate once the operator revoked it through the admin API', async () => {
    const revoked = await hub.admin.post(`/admin/certificates/${issued.serial}/revoke`, { reason: 'charger stolen' }, { headers: { 'X-Requested-By': 'operator:test' } });
    expect(revoked.status).toBe(200);
    expect(revoked.data).toMatchObject({ state: 'revoked', revoked_by: 'operator:test', revocation_reason: 'charger stolen' });
    expect(await outcome(tlsCharger(issued))).toBe(401);
    // Relying parties other than the hub read it in the CRL the certificate names.
    const cdp = new x509.X509Certificate(issued.cert).getExtension(x509.CRLDistributionPointsExtension);
    const [crlUrl] = cdp!.distributionPoints.flatMap((p) => p.distributionPoint?.fullName?.map((n) => n.uniformResourceIdentifier) ?? []);
    expect(crlUrl!.slice(0, hub.url.length)).toBe(hub.url);
    expect(crlUrl!.slice(hub.url.length)).toMatch(/^\/pki\/hub-ca\/\d+\.crl$/);
    const fetched = await axios.get(crlUrl!, { responseType: 'arraybuffer' });
    expect(fetched.headers['content-type']).toBe('application/pkix-crl');
    const crl = new x509.X509Crl(Buffer.from(fetched.data as ArrayBuffer));
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).toEqual([issued.serial]);
    expect(await crl.verify({ publicKey: new x509.X509Certificate((await hub.admin.get('/admin/certificate-authority')).data.certificate_pem) })).toBe(true);
    // Its password still opens profile 2, where the operator can renew the certificate.
    expect(await outcome(tlsCharger({ password: PASSWORD }))).toBe('accepted');
    // Nothing on the way was an error of the hub (pino: level 50 and above).
    expect(hub.output.filter((line) => /"level":(5|6)\d/.test(line))).toEqual([]);
  });
});
