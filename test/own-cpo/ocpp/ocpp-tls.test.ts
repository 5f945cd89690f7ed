import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOcppTlsServer } from '../../../src/own-cpo/ocpp/ocpp-tls';
import { attachOcpp } from '../../../src/own-cpo/ocpp/ocpp-server';
import { connectChargePoint, refusedWith } from '../../support/charge-point';
import { selfSignedCertificate } from '../../support/self-signed-cert';
import { startTestHub, type TestHub } from '../../support/test-hub';

const PASSWORD = 'tls-password-12345678';

describe('security profile 2: the OCPP server behind a TLS listener', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocpp-tls-'));
  const { keyPem, certPem } = selfSignedCertificate();
  const files = { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') };
  writeFileSync(files.keyFile, keyPem);
  writeFileSync(files.certFile, certPem);

  let hub: TestHub;
  let tlsServer: Server;
  let wssUrl: string;
  beforeAll(async () => {
    hub = await startTestHub();
    expect((await hub.admin.post('/admin/chargers', { id: 'TLS1', password: PASSWORD })).status).toBe(201);
    tlsServer = createOcppTlsServer(files);
    attachOcpp(tlsServer, hub.services);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    wssUrl = `wss://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/ocpp`;
  });
  afterAll(async () => {
    await hub.close();
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  it('serves the same chargers over wss, with Basic auth, to a client that trusts the certificate', async () => {
    const client = await connectChargePoint(hub, { id: 'TLS1', password: PASSWORD, protocol: 'ocpp2.0.1', endpoint: wssUrl, wsOpts: { ca: certPem } });
    expect(await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } })).toMatchObject({ status: 'Accepted' });
    expect((await hub.admin.get('/admin/chargers/TLS1')).data.connection.connected).toBe(true);
    await client.close();
    expect(await refusedWith(hub, { id: 'TLS1', password: 'wrong-password-000000', protocol: 'ocpp1.6', endpoint: wssUrl, wsOpts: { ca: certPem } })).toBe(401);
  });

  it('refuses TLS older than 1.2', async () => {
    const client = connectChargePoint(hub, { id: 'TLS1', password: PASSWORD, protocol: 'ocpp1.6', endpoint: wssUrl, wsOpts: { ca: certPem, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } });
    await expect(client).rejects.toThrow(/alert protocol version/); // the hub's refusal, not the client's
  });

  it('stops the start with a sentence naming the variable when a file is missing or unusable', () => {
    expect(() => createOcppTlsServer({ ...files, keyFile: path.join(dir, 'missing.pem') })).toThrow(/^OCPP_TLS_KEY: cannot read .*missing\.pem \(ENOENT\)$/);
    expect(() => createOcppTlsServer({ ...files, certFile: path.join(dir, 'nope.pem') })).toThrow(/^OCPP_TLS_CERT: cannot read /);
    expect(() => createOcppTlsServer({ keyFile: files.certFile, certFile: files.certFile })).toThrow(/^OCPP_TLS_KEY \/ OCPP_TLS_CERT: not a usable key and certificate/);
  });

  it('makes `npm start` exit before anything starts when OCPP_TLS_KEY names no file', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.join(__dirname, '../../..'),
      env: { ...process.env, DATA_DIR: dir, OCPP_TLS_KEY: path.join(dir, 'absent.key'), OCPP_TLS_CERT: files.certFile, LOG_LEVEL: 'silent' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^The hub could not start: OCPP_TLS_KEY: cannot read .*absent\.key \(ENOENT\)/);
  });
});
