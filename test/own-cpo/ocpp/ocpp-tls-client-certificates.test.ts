import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/foundation/config';
import { createOcppTlsServer } from '../../../src/own-cpo/ocpp/ocpp-tls';
import { attachOcpp } from '../../../src/own-cpo/ocpp/ocpp-server';
import { connectChargePoint, refusedWith } from '../../support/charge-point';
import { selfSignedCertificate } from '../../support/self-signed-cert';
import { TestCa } from '../../support/test-ca';
import { startTestHub, type TestHub } from '../../support/test-hub';

const BOOT_201 = { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } };

describe('security profile 3: client certificates on the TLS listener (OCPP_TLS_CA)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocpp-tls3-'));
  const server = selfSignedCertificate();
  const files = { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') };
  writeFileSync(files.keyFile, server.keyPem);
  writeFileSync(files.certFile, server.certPem);
  const ca = new TestCa();
  const rogueCa = new TestCa('Someone Else CA');

  let hub: TestHub;
  let profile3: Server;
  let profile2: Server;
  let wss3: string;
  let wss2: string;
  const listen = async (tls: Server) => {
    attachOcpp(tls, hub.services);
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    return `wss://127.0.0.1:${(tls.address() as AddressInfo).port}/ocpp`;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    for (const id of ['CP3-1', 'CP3-2']) expect((await hub.admin.post('/admin/chargers', { id })).status).toBe(201);
    profile3 = createOcppTlsServer({ ...files, caFile: ca.certFile });
    profile2 = createOcppTlsServer(files);
    wss3 = await listen(profile3);
    wss2 = await listen(profile2);
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all([profile3, profile2].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const tlsOptions = (client?: { keyPem: string; certPem: string }) => ({ ca: server.certPem, ...(client && { key: client.keyPem, cert: client.certPem }) });

  it('accepts a charger whose certificate, signed by the CA, names it in its subject CN, without a password', async () => {
    const client = await connectChargePoint(hub, { id: 'CP3-1', protocol: 'ocpp2.0.1', endpoint: wss3, wsOpts: tlsOptions(ca.issue('CP3-1')) });
    expect(await client.call('BootNotification', BOOT_201)).toMatchObject({ status: 'Accepted' });
    expect((await hub.admin.get('/admin/chargers/CP3-1')).data.connection.connected).toBe(true);
    await client.close();
  });

  it("refuses another charger's certificate (401), and a certificate for an unknown charge point (401)", async () => {
    const cp2 = ca.issue('CP3-2');
    expect(await refusedWith(hub, { id: 'CP3-1', protocol: 'ocpp1.6', endpoint: wss3, wsOpts: tlsOptions(cp2) })).toBe(401);
    // A password does not help when the certificate names someone else.
    expect(await refusedWith(hub, { id: 'CP3-1', password: 'whatever-password-123', protocol: 'ocpp1.6', endpoint: wss3, wsOpts: tlsOptions(cp2) })).toBe(401);
    expect(await refusedWith(hub, { id: 'CP3-9', protocol: 'ocpp1.6', endpoint: wss3, wsOpts: tlsOptions(ca.issue('CP3-9')) })).toBe(401);
    expect(hub.logLines.some((l) => l.includes('certificate of another charge point') && l.includes('"certificate":"CP3-2"'))).toBe(true);
  });

  it('ends the TLS handshake of a charger without a certificate, or with one from another CA', async () => {
    await expect(connectChargePoint(hub, { id: 'CP3-1', protocol: 'ocpp1.6', endpoint: wss3, wsOpts: tlsOptions() })).rejects.toThrow(
      /certificate required|socket hang up|ECONNRESET/,
    );
    await expect(
      connectChargePoint(hub, { id: 'CP3-1', protocol: 'ocpp1.6', endpoint: wss3, wsOpts: tlsOptions(rogueCa.issue('CP3-1')) }),
    ).rejects.toThrow(/unknown ca|socket hang up|ECONNRESET/);
    expect((await hub.admin.get('/admin/chargers/CP3-1')).data.connection.connected).toBe(false);
  });

  it('leaves a profile 2 listener (no OCPP_TLS_CA) on passwords: a certificate alone opens nothing there', async () => {
    expect(await refusedWith(hub, { id: 'CP3-1', protocol: 'ocpp1.6', endpoint: wss2, wsOpts: tlsOptions(ca.issue('CP3-1')) })).toBe(401);
  });

  it('reads OCPP_TLS_CA, which needs the TLS listener, and stops on a missing CA file', () => {
    const config = loadConfig({ OCPP_TLS_KEY: files.keyFile, OCPP_TLS_CERT: files.certFile, OCPP_TLS_CA: ca.certFile });
    expect(config.ocpp.tls).toEqual({ ...files, port: 8443, caFile: ca.certFile });
    expect(loadConfig({ OCPP_TLS_KEY: files.keyFile, OCPP_TLS_CERT: files.certFile }).ocpp.tls?.caFile).toBeUndefined();
    expect(() => loadConfig({ OCPP_TLS_CA: ca.certFile })).toThrow(/OCPP_TLS_CA \(client certificates, security profile 3\) needs the TLS listener/);
    expect(() => createOcppTlsServer({ ...files, caFile: path.join(dir, 'no-ca.pem') })).toThrow(/^OCPP_TLS_CA: cannot read .*no-ca\.pem \(ENOENT\)$/);
  });
});
