import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { x509 } from '../../../src/core/pki/charger-certificates';
import { connectChargePoint } from '../../support/charge-point';
import { chargerCsr, operatorPki, withBrokenSignature } from '../../support/charger-csr';
import { waitFor } from '../../support/network';
import { startTestHub, type TestHub } from '../../support/test-hub';

const ORG = 'Example CPO';
/** The calls of the certificate flows (a booted charger also gets the hub's GetBaseReport, GetLocalListVersion…). */
const CERTIFICATE_CALLS = new Set(['CertificateSigned', 'InstallCertificate', 'TriggerMessage', 'ExtendedTriggerMessage']);

interface Received {
  method: string;
  params: Record<string, unknown>;
}

/** A charger that answers the hub's calls as told and keeps what it was sent. */
async function charger(hub: TestHub, id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1', answers: Record<string, unknown> = {}) {
  const password = `${id}-password-0001`;
  expect((await hub.admin.post('/admin/chargers', { id, password })).status).toBe(201);
  const client: RPCClient = await connectChargePoint(hub, { id, password, protocol });
  const received: Received[] = [];
  client.handle(async ({ method = '', params }) => {
    if (CERTIFICATE_CALLS.has(method)) received.push({ method, params: params as Record<string, unknown> });
    return (answers[method] ?? { status: 'Accepted' }) as Record<string, unknown>;
  });
  await client.call('BootNotification', protocol === 'ocpp1.6' ? { chargePointVendor: 'V', chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
  return { client, received };
}

type Issued = { serial: string; charger_id: string; state: string; delivery: string; delivery_action_id: string | null; subject: string; fingerprint_sha256: string; not_before: string; not_after: string };

describe('the hub certificate authority: SignCertificate → CertificateSigned for the own chargers', () => {
  let hub: TestHub;
  let caPem: string;
  const clients: RPCClient[] = [];
  const issuedTo = async (id: string): Promise<Issued[]> => (await hub.admin.get(`/admin/chargers/${id}/certificates`)).data;
  const signEvents = async (id: string) =>
    (await hub.services.db.query(`SELECT payload, answer FROM ocpp_events WHERE charger_id = $1 AND action = 'SignCertificate' ORDER BY id`, [id])) as {
      payload: Record<string, unknown>;
      answer: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    hub = await startTestHub({ env: { PKI_ORGANIZATION: ORG, PKI_CERTIFICATE_DAYS: '30' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await hub.close();
  });

  it('makes an ECDSA P-256 root on first use, its key stored sealed, and shows it', async () => {
    const res = await hub.admin.get('/admin/certificate-authority');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ origin: 'generated', created_by: 'hub' });
    const ca = new x509.X509Certificate(res.data.certificate_pem);
    expect(ca.subject).toBe(res.data.subject);
    expect(ca.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(await ca.isSelfSigned()).toBe(true);
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    caPem = res.data.certificate_pem;
    // The same root the second time, and as a PEM file.
    expect((await hub.admin.get('/admin/certificate-authority')).data.fingerprint_sha256).toBe(res.data.fingerprint_sha256);
    const pem = await hub.admin.get('/admin/certificate-authority/certificate.pem');
    expect([pem.status, pem.headers['content-type'], pem.data]).toEqual([200, 'application/x-pem-file', caPem]);
    const [row] = await hub.services.db.query(`SELECT sealed_private_key FROM hub_certificate_authorities WHERE active`);
    expect(row.sealed_private_key).toMatch(/^v1\./);
    expect(row.sealed_private_key).not.toMatch(/PRIVATE KEY/);
  });

  const versions = [
    ['ocpp1.6', 'PKI-16'],
    ['ocpp2.0.1', 'PKI-201'],
    ['ocpp2.1', 'PKI-21'],
  ] as const;
  for (const [protocol, id] of versions) {
    it(`${protocol}: a good CSR is Accepted, signed and sent back with CertificateSigned; the certificate chains to the hub CA and names the charger`, async () => {
      const { client, received } = await charger(hub, id, protocol);
      clients.push(client);
      const { csrPem } = await chargerCsr(`C=NL, O=${ORG}, CN=${id}`);
      const params = protocol === 'ocpp1.6' ? { csr: csrPem } : { csr: csrPem, certificateType: 'ChargingStationCertificate', ...(protocol === 'ocpp2.1' && { requestId: 77 }) };
      expect(await client.call('SignCertificate', params)).toEqual({ status: 'Accepted' });
      const signed = await waitFor(() => received.find((r) => r.method === 'CertificateSigned'), 'CertificateSigned');
      expect(signed.params).toEqual(
        protocol === 'ocpp1.6'
          ? { certificateChain: expect.any(String) }
          : { certificateChain: expect.any(String), certificateType: 'ChargingStationCertificate', ...(protocol === 'ocpp2.1' && { requestId: 77 }) },
      );
      // The hub's own root is not sent along (it is installed with InstallCertificate): the chain is the leaf.
      const chain = (signed.params.certificateChain as string).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      expect(chain).toHaveLength(1);
      const leaf = new x509.X509Certificate(chain[0]);
      const ca = new x509.X509Certificate(caPem);
      expect(await leaf.verify({ publicKey: ca.publicKey, date: new Date() })).toBe(true);
      expect(leaf.issuer).toBe(ca.subject);
      expect(leaf.subjectName.getField('CN')).toEqual([id]);
      expect(leaf.subjectName.getField('O')).toEqual([ORG]);
      expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
      expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
      const days = (leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86_400_000;
      expect(Math.round(days)).toBe(30);
      // The store and the delivery's outcome, the action log's CertificateSigned entry and the event.
      const [issued] = await waitFor(async () => {
        const list = await issuedTo(id);
        return list.length === 1 && list[0].delivery !== 'pending' && list;
      }, 'the delivery outcome');
      expect(issued).toMatchObject({ serial: leaf.serialNumber.toLowerCase(), charger_id: id, state: 'issued', delivery: 'accepted', subject: leaf.subject });
      expect(issued.fingerprint_sha256).toBe(Buffer.from(await leaf.getThumbprint('SHA-256')).toString('hex'));
      const actions = (await hub.admin.get(`/admin/chargers/${id}/actions`)).data as { id: string; action: string; requested_by: string; status: string }[];
      expect(actions.find((a) => a.id === issued.delivery_action_id)).toMatchObject({ action: 'CertificateSigned', requested_by: 'hub-ca', status: 'accepted' });
      expect(await signEvents(id)).toEqual([{ payload: params, answer: { status: 'Accepted', serial: issued.serial } }]);
    });
  }

  it('refuses bad CSRs with the reason (2.0.1 statusInfo), keeps each attempt as an event and issues nothing', async () => {
    const { client, received } = await charger(hub, 'PKI-BAD', 'ocpp2.0.1');
    clients.push(client);
    const good = await chargerCsr(`O=${ORG}, CN=PKI-BAD`);
    const cases: [Record<string, unknown>, string][] = [
      [{ csr: 'garbage' }, 'InvalidCSR'],
      [{ csr: (await chargerCsr(`O=${ORG}, CN=PKI-201`)).csrPem }, 'WrongIdentity'],
      [{ csr: (await chargerCsr('O=Someone Else, CN=PKI-BAD')).csrPem }, 'WrongOrganization'],
      [{ csr: withBrokenSignature(good.csrPem) }, 'InvalidSignature'],
      [{ csr: good.csrPem, certificateType: 'V2GCertificate' }, 'UnsupportedCertType'],
    ];
    for (const [params, reasonCode] of cases) {
      const answer = await client.call('SignCertificate', params);
      expect(answer).toEqual({ status: 'Rejected', statusInfo: { reasonCode, additionalInfo: expect.any(String) } });
    }
    expect((await signEvents('PKI-BAD')).map((e) => e.answer.reasonCode)).toEqual(cases.map(([, code]) => code));
    expect(await issuedTo('PKI-BAD')).toEqual([]);
    expect(received).toEqual([]);
  });

  it('1.6: a bad CSR is Rejected (no room for a reason on the wire: the event keeps it) and nothing is issued', async () => {
    const { client } = await charger(hub, 'PKI-BAD16', 'ocpp1.6');
    clients.push(client);
    expect(await client.call('SignCertificate', { csr: (await chargerCsr(`O=${ORG}, CN=SOMEONE`)).csrPem })).toEqual({ status: 'Rejected' });
    expect((await signEvents('PKI-BAD16'))[0].answer).toMatchObject({ status: 'Rejected', reasonCode: 'WrongIdentity', reason: expect.stringMatching(/PKI-BAD16/) });
    expect(await issuedTo('PKI-BAD16')).toEqual([]);
  });

  it('a charger answering CertificateSigned with Rejected is recorded: the delivery and the action log say so', async () => {
    const { client } = await charger(hub, 'PKI-NO', 'ocpp2.0.1', { CertificateSigned: { status: 'Rejected', statusInfo: { reasonCode: 'InvalidChain' } } });
    clients.push(client);
    expect(await client.call('SignCertificate', { csr: (await chargerCsr(`O=${ORG}, CN=PKI-NO`)).csrPem })).toEqual({ status: 'Accepted' });
    const [issued] = await waitFor(async () => {
      const list = await issuedTo('PKI-NO');
      return list.length === 1 && list[0].delivery !== 'pending' && list;
    }, 'the delivery outcome');
    expect(issued.delivery).toBe('rejected');
    const actions = (await hub.admin.get('/admin/chargers/PKI-NO/actions')).data as { id: string; action: string; status: string; answer: unknown }[];
    expect(actions.find((a) => a.id === issued.delivery_action_id)).toMatchObject({ action: 'CertificateSigned', status: 'rejected', answer: { status: 'Rejected', statusInfo: { reasonCode: 'InvalidChain' } } });
  });

  it('a charger answering CertificateSigned with a CALLERROR is recorded as an error', async () => {
    const { client } = await charger(hub, 'PKI-ERR', 'ocpp1.6');
    clients.push(client);
    client.handle('CertificateSigned', async () => {
      throw Object.assign(new Error('no room for certificates'), { rpcErrorCode: 'InternalError' });
    });
    expect(await client.call('SignCertificate', { csr: (await chargerCsr(`O=${ORG}, CN=PKI-ERR`)).csrPem })).toEqual({ status: 'Accepted' });
    const [issued] = await waitFor(async () => {
      const list = await issuedTo('PKI-ERR');
      return list.length === 1 && list[0].delivery !== 'pending' && list;
    }, 'the delivery outcome');
    expect(issued.delivery).toBe('error');
    const actions = (await hub.admin.get('/admin/chargers/PKI-ERR/actions')).data as { id: string; status: string; error: { code: string } }[];
    expect(actions.find((a) => a.id === issued.delivery_action_id)).toMatchObject({ status: 'error', error: { code: 'InternalError' } });
  });

  it('resends a certificate on request; a charger that does not answer in time is recorded as a timeout (504)', async () => {
    const { client } = await charger(hub, 'PKI-SLOW', 'ocpp2.0.1');
    clients.push(client);
    let calls = 0;
    let answerLate: (answer: Record<string, unknown>) => void = () => undefined;
    client.handle('CertificateSigned', async () => {
      calls += 1;
      // The first delivery is answered at once; the resend only after the hub stopped waiting.
      return calls === 1 ? { status: 'Accepted' } : new Promise<Record<string, unknown>>((resolve) => (answerLate = resolve));
    });
    expect(await client.call('SignCertificate', { csr: (await chargerCsr(`O=${ORG}, CN=PKI-SLOW`)).csrPem })).toEqual({ status: 'Accepted' });
    const [issued] = await waitFor(async () => {
      const list = await issuedTo('PKI-SLOW');
      return list.length === 1 && list[0].delivery === 'accepted' && list;
    }, 'the first delivery');
    const resent = await hub.admin.post(`/admin/certificates/${issued.serial}/deliver`, { timeout_seconds: 1 }, { headers: { 'X-Requested-By': 'ops:carol' } });
    expect([resent.status, resent.data.action, resent.data.status, resent.data.requested_by]).toEqual([504, 'CertificateSigned', 'timeout', 'ops:carol']);
    answerLate({ status: 'Accepted' });
    const [after] = await issuedTo('PKI-SLOW');
    expect([after.delivery, after.delivery_action_id]).toEqual(['timeout', resent.data.id]);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/deliver`, { timeout_seconds: 0 })).status).toBe(400);
    expect((await hub.admin.post('/admin/certificates/abcdef0123/deliver', {})).status).toBe(404);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/revoke`, {})).status).toBe(200);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/deliver`, {})).status).toBe(409);
  });

  it('revokes a certificate once (who, when, why); an unknown serial is 404, a second revocation 409', async () => {
    const [issued] = await issuedTo('PKI-201');
    const res = await hub.admin.post(`/admin/certificates/${issued.serial.toUpperCase()}/revoke`, { reason: 'key compromise' }, { headers: { 'X-Requested-By': 'ops:alice' } });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ serial: issued.serial, state: 'revoked', revoked_by: 'ops:alice', revocation_reason: 'key compromise', revoked_at: expect.any(String) });
    expect(await hub.services.certificates.isRevoked(issued.serial.toUpperCase())).toBe(true);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/revoke`, {})).status).toBe(409);
    expect((await hub.admin.post('/admin/certificates/abcdef0123/revoke', {})).status).toBe(404);
    expect((await hub.admin.post('/admin/certificates/not-a-serial/revoke', {})).status).toBe(404);
    expect((await hub.admin.post(`/admin/certificates/${issued.serial}/revoke`, { reason: 7 })).status).toBe(400);
    // Listed with the others, by state.
    const revoked = (await hub.admin.get('/admin/certificates', { params: { state: 'revoked' } })).data as Issued[];
    expect(revoked.map((c) => c.charger_id).sort()).toEqual(['PKI-201', 'PKI-SLOW']);
    const all = (await hub.admin.get('/admin/certificates')).data as Issued[];
    expect(new Set(all.map((c) => c.charger_id))).toEqual(new Set(['PKI-16', 'PKI-201', 'PKI-21', 'PKI-NO', 'PKI-ERR', 'PKI-SLOW']));
  });

  it('installs the hub root on chargers (1.6 CentralSystemRootCertificate, 2.0.1 CSMSRootCertificate) and triggers a renewal', async () => {
    const c16 = await charger(hub, 'PKI-ROOT16', 'ocpp1.6');
    const c201 = await charger(hub, 'PKI-ROOT201', 'ocpp2.0.1');
    clients.push(c16.client, c201.client);
    expect((await hub.admin.post('/admin/chargers/PKI-ROOT16/certificates/install-root', {})).data).toMatchObject({ action: 'InstallCertificate', status: 'accepted' });
    expect((await hub.admin.post('/admin/chargers/PKI-ROOT201/certificates/install-root', {})).data).toMatchObject({ action: 'InstallCertificate', status: 'accepted' });
    expect(c16.received).toEqual([{ method: 'InstallCertificate', params: { certificateType: 'CentralSystemRootCertificate', certificate: caPem } }]);
    expect(c201.received).toEqual([{ method: 'InstallCertificate', params: { certificateType: 'CSMSRootCertificate', certificate: caPem } }]);
    expect((await hub.admin.post('/admin/chargers/PKI-ROOT16/shortcuts/renew-certificate', {})).data).toMatchObject({ action: 'ExtendedTriggerMessage', status: 'accepted' });
    expect((await hub.admin.post('/admin/chargers/PKI-ROOT201/shortcuts/renew-certificate', {})).data).toMatchObject({ action: 'TriggerMessage', status: 'accepted' });
    expect(c16.received[1]).toEqual({ method: 'ExtendedTriggerMessage', params: { requestedMessage: 'SignChargePointCertificate' } });
    expect(c201.received[1]).toEqual({ method: 'TriggerMessage', params: { requestedMessage: 'SignChargingStationCertificate' } });
  });

  it('refuses admin requests it cannot serve: unknown charger 404, bad bodies and queries 400', async () => {
    expect((await hub.admin.get('/admin/chargers/NO-SUCH/certificates')).status).toBe(404);
    expect((await hub.admin.post('/admin/chargers/NO-SUCH/certificates/install-root', {})).status).toBe(404);
    expect((await hub.admin.post('/admin/chargers/PKI-ROOT16/certificates/install-root', { extra: 1 })).status).toBe(400);
    expect((await hub.admin.get('/admin/certificates', { params: { state: 'lost' } })).status).toBe(400);
    expect((await hub.admin.get('/admin/certificates/abcdef0123')).status).toBe(404);
    expect((await hub.admin.put('/admin/certificate-authority', { certificate_pem: caPem })).status).toBe(400);
    const bad = await hub.admin.put('/admin/certificate-authority', { certificate_pem: 'nope', private_key_pem: 'nope' });
    expect([bad.status, bad.data.error.message]).toEqual([400, expect.stringMatching(/no PEM certificate/)]);
    // A CA with a key that is not its own: refused, the hub's CA unchanged.
    const pki = await operatorPki();
    const other = await operatorPki();
    const mismatch = await hub.admin.put('/admin/certificate-authority', { certificate_pem: pki.intermediate.toString('pem'), private_key_pem: other.intermediateKeyPem });
    expect([mismatch.status, mismatch.data.error.message]).toEqual([400, 'private_key_pem is not the key of the certificate']);
    expect((await hub.admin.get('/admin/certificate-authority')).data.certificate_pem).toBe(caPem);
  });

  it("imports the operator's intermediate CA: later certificates are signed by it and sent with it, chaining to the operator's root", async () => {
    const pki = await operatorPki();
    const chainPem = `${pki.intermediate.toString('pem')}\n${pki.root.toString('pem')}\n`;
    const res = await hub.admin.put('/admin/certificate-authority', { certificate_pem: chainPem, private_key_pem: pki.intermediateKeyPem }, { headers: { 'X-Requested-By': 'ops:bob' } });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ origin: 'imported', created_by: 'ops:bob', subject: pki.intermediate.subject });
    const { client, received } = await charger(hub, 'PKI-OP', 'ocpp2.0.1');
    clients.push(client);
    expect(await client.call('SignCertificate', { csr: (await chargerCsr(`O=${ORG}, CN=PKI-OP`)).csrPem })).toEqual({ status: 'Accepted' });
    const signed = await waitFor(() => received.find((r) => r.method === 'CertificateSigned'), 'CertificateSigned');
    const chain = (signed.params.certificateChain as string).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    expect(chain).toHaveLength(2);
    const [leaf, sub] = chain.map((pem) => new x509.X509Certificate(pem));
    expect(sub.subject).toBe(pki.intermediate.subject);
    expect(await leaf.verify({ publicKey: pki.intermediate.publicKey })).toBe(true);
    const built = await new x509.X509ChainBuilder({ certificates: [sub, pki.root] }).build(leaf);
    expect(built.map((c) => c.subject)).toEqual([leaf.subject, pki.intermediate.subject, pki.root.subject]);
    // install-root now installs the operator's root (the top of the imported chain).
    const root = await charger(hub, 'PKI-OPROOT', 'ocpp2.0.1');
    clients.push(root.client);
    await hub.admin.post('/admin/chargers/PKI-OPROOT/certificates/install-root', {});
    expect(new x509.X509Certificate(root.received[0].params.certificate as string).subject).toBe(pki.root.subject);
    // Certificates of the first CA stay listed.
    expect((await issuedTo('PKI-16')).length).toBe(1);
  });

  it('the CLI shows the CA, lists, revokes, renews, installs the root and imports a CA', async () => {
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--hub', hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: hub.adminKey } });
      return { code, out, err };
    };
    const shown = await cli('ca', 'show');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ origin: 'imported' });
    const listed = await cli('certificate', 'list', '--charger', 'PKI-21', '--state', 'issued');
    const [cert] = JSON.parse(listed.out) as Issued[];
    expect(cert.charger_id).toBe('PKI-21');
    const revoked = await cli('certificate', 'revoke', cert.serial, '--reason', 'decommissioned');
    expect([revoked.code, JSON.parse(revoked.out).state, JSON.parse(revoked.out).revoked_by]).toEqual([0, 'revoked', expect.stringMatching(/^cli:/)]);
    expect((await cli('certificate', 'revoke', cert.serial)).code).toBe(1);
    // A revoked certificate is not sent again.
    expect((await cli('certificate', 'deliver', cert.serial)).code).toBe(1);
    expect(JSON.parse((await cli('certificate', 'renew', 'PKI-ROOT201')).out)).toMatchObject({ action: 'TriggerMessage', status: 'accepted' });
    expect(JSON.parse((await cli('certificate', 'install-root', 'PKI-ROOT16')).out)).toMatchObject({ action: 'InstallCertificate', status: 'accepted' });
    expect((await cli('certificate', 'install-root', 'NO-SUCH')).code).toBe(1);
    const missing = await cli('ca', 'import', '--cert', '/nonexistent/ca.pem', '--key', '/nonexistent/ca.key');
    expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/Cannot read \/nonexistent\/ca.pem/)]);
    const pki = await operatorPki();
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-ca-'));
    writeFileSync(path.join(dir, 'ca.pem'), pki.intermediate.toString('pem'));
    writeFileSync(path.join(dir, 'ca.key'), pki.intermediateKeyPem);
    const imported = await cli('ca', 'import', '--cert', path.join(dir, 'ca.pem'), '--key', path.join(dir, 'ca.key'));
    expect([imported.code, JSON.parse(imported.out).fingerprint_sha256]).toEqual([0, Buffer.from(await pki.intermediate.getThumbprint('SHA-256')).toString('hex')]);
  });
});
