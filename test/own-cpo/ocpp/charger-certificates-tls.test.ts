import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/foundation/config';
import { attachOcpp } from '../../../src/own-cpo/ocpp/ocpp-server';
import { createOcppTlsServer, trustHubCa } from '../../../src/own-cpo/ocpp/ocpp-tls';
import { connectChargePoint, refusedWith } from '../../support/charge-point';
import { certificateOverPassword, type IssuedIdentity, operatorPki } from '../../support/charger-csr';
import { waitFor } from '../../support/network';
import { selfSignedCertificate } from '../../support/self-signed-cert';
import { startTestHub, type TestHub } from '../../support/test-hub';

const BOOT_201 = { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } };

describe('security profile 3 with the hub CA (OCPP_TLS_CA=hub): a certificate got with SignCertificate opens the TLS listener until revoked', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocpp-tls-hubca-'));
  const server = selfSignedCertificate();
  const files = { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') };
  writeFileSync(files.keyFile, server.keyPem);
  writeFileSync(files.certFile, server.certPem);
  let hub: TestHub;
  let tls: Server;
  let wss: string;

  beforeAll(async () => {
    hub = await startTestHub();
    tls = createOcppTlsServer({ ...files, hubCa: true });
    trustHubCa(tls, files, await hub.services.certificateAuthority.trustedChainPem());
    hub.services.certificateAuthority.onChange(() => void hub.services.certificateAuthority.trustedChainPem().then((pem) => trustHubCa(tls, files, pem)));
    attachOcpp(tls, hub.services);
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    wss = `wss://127.0.0.1:${(tls.address() as AddressInfo).port}/ocpp`;
  });
  afterAll(async () => {
    await hub.close();
    await new Promise((resolve) => tls.close(resolve));
  });

  /** A new charger: registered with a password, then enrolled. */
  async function enrol(id: string): Promise<IssuedIdentity> {
    expect((await hub.admin.post('/admin/chargers', { id, password: `${id}-password-0001` })).status).toBe(201);
    return enrolAgain(id);
  }
  const tlsOptions = (client: { key: string; cert: string }) => ({ ca: server.certPem, key: client.key, cert: client.cert });

  it('accepts the charger with the certificate the hub issued it, without a password; refuses it once revoked', async () => {
    const issued = await enrol('HUBCA-1');
    const client = await connectChargePoint(hub, { id: 'HUBCA-1', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(issued) });
    expect(await client.call('BootNotification', BOOT_201)).toMatchObject({ status: 'Accepted' });
    await client.close();
    // Another charger's certificate names someone else.
    expect(await refusedWith(hub, { id: 'HUBCA-2', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(issued) })).toBe(401);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/revoke`, { reason: 'stolen' })).status).toBe(200);
    expect(await refusedWith(hub, { id: 'HUBCA-1', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(issued) })).toBe(401);
    expect(hub.logLines.some((l) => l.includes('revoked certificate') && l.includes(issued.serial.toUpperCase()))).toBe(true);
    // A new certificate for the same charger opens it again.
    const renewed = await enrolAgain('HUBCA-1');
    const again = await connectChargePoint(hub, { id: 'HUBCA-1', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(renewed) });
    await again.close();
  });

  it("trusts an imported CA at once, and no longer the hub's first root", async () => {
    const before = await enrol('HUBCA-3');
    const pki = await operatorPki();
    const res = await hub.admin.put('/admin/certificate-authority', { certificate_pem: `${pki.intermediate.toString('pem')}\n${pki.root.toString('pem')}`, private_key_pem: pki.intermediateKeyPem });
    expect(res.status).toBe(200);
    const after = await enrolAgain('HUBCA-3');
    const client = await waitFor(
      () => connectChargePoint(hub, { id: 'HUBCA-3', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(after) }).catch(() => undefined),
      'the listener to trust the imported CA',
    );
    await client.close();
    await expect(connectChargePoint(hub, { id: 'HUBCA-3', protocol: 'ocpp2.0.1', endpoint: wss, wsOpts: tlsOptions(before) })).rejects.toThrow(/unknown ca|socket hang up|ECONNRESET/);
  });

  it('reads OCPP_TLS_CA=hub', () => {
    expect(loadConfig({ OCPP_TLS_KEY: files.keyFile, OCPP_TLS_CERT: files.certFile, OCPP_TLS_CA: 'hub' }).ocpp.tls).toEqual({ ...files, port: 8443, hubCa: true });
  });

  /** The charger's profile 1 connection asks a certificate (again: a renewal); what comes back, with its key, is its TLS identity. */
  function enrolAgain(id: string): Promise<IssuedIdentity> {
    return certificateOverPassword(hub, id, `${id}-password-0001`);
  }
});
