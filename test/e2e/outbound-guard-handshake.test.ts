import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../support/database';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';
import { startPartner, type TestPartner } from '../support/partner';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The SSRF guard end to end: partners are real servers on 127.0.0.1, which a hub with the guard on
 * (OUTBOUND_ALLOW_PRIVATE=false, the production default) must refuse to call, and which the test-mode
 * hub calls. Both hubs share one database, as two configurations of the same deployment would.
 */
describe('partner URLs the hub must not call', () => {
  let network: TestNetwork;
  let guarded: TestHub;
  const partners: TestPartner[] = [];
  const METADATA = 'http://169.254.169.254/latest/meta-data';

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    const TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('hex'); // one deployment: both read the stored tokens
    network = await startNetwork({ cpos: ['NL/CP1'], emsps: ['DE/EM1'], agreements: 'all', hub: { databaseUrl, startOutbox: false, env: { TOKEN_ENCRYPTION_KEY } } });
    guarded = await startTestHub({ databaseUrl, env: { TOKEN_ENCRYPTION_KEY, OUTBOUND_ALLOW_PRIVATE: 'false' } });
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.stop()));
    await guarded.close();
    await network.close();
  });

  const onboard = async (hub: TestHub, partyId: string, role: 'CPO' | 'EMSP') => {
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: partyId, roles: [role], name: partyId });
    expect(created.status).toBe(201);
    return created.data as { id: string; token_a: string };
  };
  const partner = async (partyId: string, role: 'CPO' | 'EMSP', endpoints?: { identifier: string; role: 'SENDER' | 'RECEIVER'; path: string }[]) => {
    const started = await startPartner({ countryCode: 'NL', partyId, role, endpoints });
    partners.push(started);
    return started;
  };

  it('refuses a credentials url on 127.0.0.1 with 2001 and the reason, and never calls it, when the guard is on', async () => {
    const { id, token_a } = await onboard(guarded, 'LOO', 'EMSP');
    const loopback = await partner('LOO', 'EMSP');
    const { status, body } = await loopback.registerWith(guarded.versionsUrl, token_a);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status_code: 2001,
      status_message: expect.stringMatching(
        /^The credentials url cannot be used: http:\/\/127\.0\.0\.1:\d+\/ocpi\/versions is refused: 127\.0\.0\.1 is a loopback address; allowed only with OUTBOUND_ALLOW_PRIVATE=true/,
      ),
    });
    expect(loopback.requests).toEqual([]);
    const party = (await guarded.admin.get(`/admin/parties/${id}`)).data;
    expect(party).toMatchObject({ status: 'PLANNED', endpoints: [] });
  });

  it('lets the operator connect only to a callable versions URL (400 with the reason)', async () => {
    const { id } = await onboard(guarded, 'OPR', 'CPO');
    const refused = await guarded.admin.post(`/admin/parties/${id}/connect`, { versions_url: `${METADATA}/ocpi/versions`, token: 'their-token-a' });
    expect(refused.status).toBe(400);
    expect(refused.data.error).toEqual({
      code: 'invalid',
      message: expect.stringContaining('The versions URL cannot be used: http://169.254.169.254/latest/meta-data/ocpi/versions is refused: 169.254.169.254 is a link-local address'),
    });
    expect((await guarded.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');
  });

  it('registers the same kind of partner in test mode (OUTBOUND_ALLOW_PRIVATE=true)', async () => {
    const { token_a } = await onboard(network.hub, 'TST', 'EMSP');
    const local = await partner('TST', 'EMSP');
    expect((await local.registerWith(network.hub.versionsUrl, token_a)).body.status_code).toBe(1000);
  });

  it('refuses, even in test mode, version details that list an endpoint at the metadata address (3001)', async () => {
    const { id, token_a } = await onboard(network.hub, 'MET', 'EMSP');
    const sneaky = await partner('MET', 'EMSP', [{ identifier: 'locations', role: 'RECEIVER', path: `${METADATA}/locations` }]);
    const { body } = await sneaky.registerWith(network.hub.versionsUrl, token_a);
    expect(body).toMatchObject({
      status_code: 3001,
      status_message: expect.stringContaining(
        'Your locations RECEIVER endpoint cannot be used: http://169.254.169.254/latest/meta-data/locations is refused: 169.254.169.254 is a link-local address',
      ),
    });
    expect((await network.hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');
  });

  it("refuses a command's response_url at an internal address with 2001, and forwards nothing", async () => {
    const { EM1, CP1 } = network.parties;
    const before = CP1.partner.requests.length;
    const sent = await EM1.ocpi.post(
      '/receiver/commands/UNLOCK_CONNECTOR',
      { response_url: `${METADATA}/iam/security-credentials/`, location_id: 'LOC1', evse_uid: 'E1', connector_id: '1' },
      { headers: { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' } },
    );
    expect(sent.status).toBe(200);
    expect(sent.data).toMatchObject({
      status_code: 2001,
      status_message: expect.stringContaining('response_url cannot be used: http://169.254.169.254/latest/meta-data/iam/security-credentials/ is refused'),
    });
    expect(CP1.partner.requests.length).toBe(before);
    expect((await network.hub.services.db.query(`SELECT count(*)::int AS n FROM forwarded_requests`))[0].n).toBe(0);
  });

  it('records a delivery to a refused address as failed, with the reason, without retrying it', async () => {
    const { CP1, EM1 } = network.parties;
    const location = { ...example('location_example.json'), country_code: 'NL', party_id: 'CP1', id: 'LOC-SSRF', last_updated: new Date().toISOString() };
    expect((await CP1.ocpi.put('/receiver/locations/NL/CP1/LOC-SSRF', location)).data.status_code).toBe(1000);
    // The test-mode hub stored it and queued a delivery to EM1; the guarded hub's outbox takes it.
    const failed = await waitFor(async () => {
      const list: { module: string; last_error: string; attempts: number }[] = (
        await guarded.admin.get('/admin/outbox', { params: { status: 'failed', party: EM1.id } })
      ).data;
      return list.find((d) => d.module === 'locations');
    }, 'the refused delivery');
    expect(failed.last_error).toMatch(/^PUT http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/locations\/NL\/CP1\/LOC-SSRF is refused: 127\.0\.0\.1 is a loopback address/);
    expect(failed.attempts).toBe(1);
    expect(EM1.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CP1/LOC-SSRF')).toEqual([]);
  });

  it('never logs a credentials token or the admin key on these paths', () => {
    for (const hub of [guarded, network.hub]) {
      const joined = hub.logLines.join('\n');
      expect(joined).toContain('"msg":"request"');
      expect(joined).not.toContain(hub.adminKey);
      for (const p of [...partners, ...Object.values(network.parties).map((n) => n.partner)]) {
        for (const token of [...p.acceptedTokens, p.hubToken].filter(Boolean) as string[]) expect(joined).not.toContain(token);
      }
    }
  });
});
