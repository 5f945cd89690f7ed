import axios from 'axios';
import { startPartner, type TestPartner } from '../../../support/partner';
import { startTestHub, type TestHub } from '../../../support/test-hub';

const http = axios.create({ validateStatus: () => true });
const tokenHeader = (token: string) => ({ Authorization: `Token ${Buffer.from(token).toString('base64')}` });

describe('credentials handshake', () => {
  let hub: TestHub;
  const partners: TestPartner[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.stop()));
    await hub.close();
  });

  async function onboard(countryCode: string, partyId: string, role = 'EMSP') {
    const created = await hub.admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: `${partyId} ltd` });
    expect(created.status).toBe(201);
    return created.data as { id: string; token_a: string; versions_url: string };
  }

  async function partner(countryCode: string, partyId: string, role = 'EMSP', encoding: 'base64' | 'raw' = 'base64') {
    const p = await startPartner({ countryCode, partyId, role, encoding });
    partners.push(p);
    return p;
  }

  it('registers a partner that starts with token A (hub as Receiver)', async () => {
    const { id, token_a, versions_url } = await onboard('NL', 'ABC');
    expect(versions_url).toBe(hub.versionsUrl);
    const emsp = await partner('NL', 'ABC');

    const versions = await http.get(versions_url, { headers: tokenHeader(token_a) });
    expect(versions.status).toBe(200);
    expect(versions.data).toMatchObject({ status_code: 1000, data: [{ version: '2.2.1', url: `${hub.url}/ocpi/2.2.1` }] });
    expect(versions.headers['x-request-id']).toBeTruthy();
    expect(versions.headers['x-correlation-id']).toBeTruthy();

    const details = await http.get(`${hub.url}/ocpi/2.2.1`, { headers: tokenHeader(token_a) });
    expect(details.data.data.endpoints).toEqual(
      expect.arrayContaining([
        { identifier: 'credentials', role: 'SENDER', url: `${hub.url}/ocpi/2.2.1/credentials` },
        { identifier: 'hubclientinfo', role: 'SENDER', url: `${hub.url}/ocpi/2.2.1/hubclientinfo` },
      ]),
    );

    const { status, body } = await emsp.registerWith(versions_url, token_a);
    expect(status).toBe(200);
    expect(body.status_code).toBe(1000);
    expect(body.data).toMatchObject({
      url: hub.versionsUrl,
      roles: [{ role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'Open Roaming Hub' } }],
    });
    const tokenC = body.data.token as string;
    expect(tokenC).not.toBe(token_a);

    // The hub called the partner back with token B, in the partner's encoding.
    const callbacks = emsp.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/ocpi/'));
    expect(callbacks.map((r) => r.path)).toEqual(['/ocpi/versions', '/ocpi/2.2.1']);
    for (const request of callbacks) expect(request.headers['x-request-id']).toBeTruthy();

    const party = (await hub.admin.get(`/admin/parties/${id}`)).data;
    expect(party).toMatchObject({ status: 'CONNECTED', version: '2.2.1', partner_versions_url: emsp.versionsUrl, token_encoding: 'base64' });
    expect(party.endpoints.map((e: { identifier: string }) => e.identifier)).toEqual(['credentials', 'hubclientinfo']);
    expect(party.roles[0].business_details).toEqual({ name: 'ABC test partner' });

    // Token A is dead; token C works.
    expect((await http.get(versions_url, { headers: tokenHeader(token_a) })).status).toBe(401);
    const again = await http.post(`${hub.url}/ocpi/2.2.1/credentials`, emsp.credentials(emsp.newToken()), { headers: tokenHeader(token_a) });
    expect(again.status).toBe(401);
    const get = await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC) });
    expect(get.status).toBe(200);
    expect(get.data.data.token).toBe(tokenC);

    // POST while registered is 405, and changes nothing.
    const post = await http.post(`${hub.url}/ocpi/2.2.1/credentials`, emsp.credentials(emsp.newToken()), { headers: tokenHeader(tokenC) });
    expect(post.status).toBe(405);
    expect(post.data.status_code).toBe(2000);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC) })).status).toBe(200);
  });

  it('updates credentials with PUT (new token B, new token C) and unregisters with DELETE', async () => {
    const { id, token_a } = await onboard('DE', 'PUT', 'CPO');
    const cpo = await partner('DE', 'PUT', 'CPO');
    const { body } = await cpo.registerWith(hub.versionsUrl, token_a);
    const tokenC1 = body.data.token;

    const tokenB2 = cpo.newToken();
    const put = await http.put(`${hub.url}/ocpi/2.2.1/credentials`, cpo.credentials(tokenB2), { headers: tokenHeader(tokenC1) });
    expect(put.status).toBe(200);
    const tokenC2 = put.data.data.token;
    expect(tokenC2).not.toBe(tokenC1);
    // The hub fetched the endpoints again, with the new token B.
    const lastVersions = cpo.received('GET', '/ocpi/versions').at(-1)!;
    expect(lastVersions.headers.authorization).toBe(cpo.authorization(tokenB2));
    expect((await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC1) })).status).toBe(401);

    const del = await http.delete(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC2) });
    expect(del.status).toBe(200);
    expect(del.data.status_code).toBe(1000);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC2) })).status).toBe(401);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');

    // The operator hands out a new token A and the partner registers again.
    const reissued = await hub.admin.post(`/admin/parties/${id}/token-a`);
    expect(reissued.status).toBe(200);
    const second = await cpo.registerWith(hub.versionsUrl, reissued.data.token_a);
    expect(second.body.status_code).toBe(1000);
  });

  it('answers 405 to PUT and DELETE before registration, with nothing changed', async () => {
    const { id, token_a } = await onboard('BE', 'NRG');
    const p = await partner('BE', 'NRG');
    const put = await http.put(`${hub.url}/ocpi/2.2.1/credentials`, p.credentials(p.newToken()), { headers: tokenHeader(token_a) });
    expect(put.status).toBe(405);
    const del = await http.delete(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(token_a) });
    expect(del.status).toBe(405);
    const get = await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(token_a) });
    expect(get.status).toBe(405);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');
    // Token A still works for the real registration.
    expect((await p.registerWith(hub.versionsUrl, token_a)).body.status_code).toBe(1000);
  });

  it('answers 3001 when the callback to the partner fails, and token A stays usable', async () => {
    const { id, token_a } = await onboard('FR', 'ERR');
    const p = await partner('FR', 'ERR');
    p.intercept = (req, res) => {
      if (req.path !== '/ocpi/versions') return false;
      res.writeHead(500).end('boom');
      return true;
    };
    const { status, body } = await p.registerWith(hub.versionsUrl, token_a);
    expect(status).toBe(200);
    expect(body.status_code).toBe(3001);
    expect(body.status_message).toMatch(/HTTP 500/);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');

    p.intercept = undefined;
    expect((await p.registerWith(hub.versionsUrl, token_a)).body.status_code).toBe(1000);
  });

  it('answers 3001 when the partner is unreachable, 3002 without 2.2.1 and 3003 without a credentials endpoint', async () => {
    const { token_a } = await onboard('ES', 'VER');
    const p = await partner('ES', 'VER');
    const post = (url: string) =>
      http.post(`${hub.url}/ocpi/2.2.1/credentials`, { ...p.credentials(p.newToken()), url }, { headers: tokenHeader(token_a) });

    const unreachable = await post('http://127.0.0.1:1/ocpi/versions');
    expect(unreachable.data.status_code).toBe(3001);

    p.intercept = (req, res) => {
      if (req.path === '/ocpi/versions') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString(), data: [{ version: '2.1.1', url: `${p.url}/ocpi/2.1.1` }] }));
        return true;
      }
      return false;
    };
    const noVersion = await post(p.versionsUrl);
    expect(noVersion.data.status_code).toBe(3002);
    expect(noVersion.data.status_message).toMatch(/2\.1\.1/);

    p.intercept = (req, res) => {
      if (req.path === '/ocpi/2.2.1') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString(), data: { version: '2.2.1', endpoints: [{ identifier: 'locations', role: 'RECEIVER', url: `${p.url}/l` }] } }));
        return true;
      }
      return false;
    };
    const noEndpoints = await post(p.versionsUrl);
    expect(noEndpoints.data.status_code).toBe(3003);
  });

  it('rejects roles the operator did not register for the party (2001), so token A cannot claim another party', async () => {
    const { id, token_a } = await onboard('IT', 'ONE');
    const impostor = await partner('IT', 'TWO');
    const { body } = await impostor.registerWith(hub.versionsUrl, token_a);
    expect(body.status_code).toBe(2001);
    expect(body.status_message).toMatch(/IT\/TWO is not registered/);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');
  });

  it('accepts a raw (non-Base64) token and calls that partner back the same way', async () => {
    const { id, token_a } = await onboard('AT', 'RAW', 'CPO');
    const legacy = await partner('AT', 'RAW', 'CPO', 'raw');
    const { body } = await legacy.registerWith(hub.versionsUrl, token_a);
    expect(body.status_code).toBe(1000);
    const callback = legacy.received('GET', '/ocpi/versions')[0];
    expect(callback.headers.authorization).toMatch(/^Token [0-9a-f]{32}$/);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.token_encoding).toBe('raw');
    const get = await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: { Authorization: `Token ${body.data.token}` } });
    expect(get.status).toBe(200);
  });

  it('connects to a partner with its versions URL and token A (hub as Sender)', async () => {
    const { id } = await onboard('NL', 'SND', 'CPO');
    const cpo = await partner('NL', 'SND', 'CPO');
    const theirTokenA = cpo.newToken();
    const connected = await hub.admin.post(`/admin/parties/${id}/connect`, { versions_url: cpo.versionsUrl, token: theirTokenA });
    expect(connected.status).toBe(200);
    expect(connected.data).toMatchObject({ status: 'CONNECTED', version: '2.2.1' });

    // The partner's token A is spent; the hub now uses the token B the partner answered with.
    expect(cpo.acceptedTokens.has(theirTokenA)).toBe(false);
    const tokenC = cpo.hubToken!;
    expect(cpo.hubCredentials!.roles).toEqual([expect.objectContaining({ role: 'HUB' })]);
    const get = await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC) });
    expect(get.status).toBe(200);

    // Connecting again re-handshakes with PUT.
    const again = await hub.admin.post(`/admin/parties/${id}/connect`, { versions_url: cpo.versionsUrl, token: [...cpo.acceptedTokens][0] });
    expect(again.status).toBe(200);
    expect(cpo.received('PUT', '/ocpi/2.2.1/credentials')).toHaveLength(1);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(tokenC) })).status).toBe(401);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/credentials`, { headers: tokenHeader(cpo.hubToken!) })).status).toBe(200);
  });

  it('reports a failed connect as 502 and leaves the party as it was', async () => {
    const { id } = await onboard('NL', 'BAD', 'CPO');
    const cpo = await partner('NL', 'BAD', 'CPO');
    const wrongToken = await hub.admin.post(`/admin/parties/${id}/connect`, { versions_url: cpo.versionsUrl, token: 'not-their-token' });
    expect(wrongToken.status).toBe(502);
    expect(wrongToken.data.error.message).toMatch(/401/);
    const invalid = await hub.admin.post(`/admin/parties/${id}/connect`, { versions_url: 'ftp://x', token: 'a' });
    expect(invalid.status).toBe(400);
    expect((await hub.admin.get(`/admin/parties/${id}`)).data.status).toBe('PLANNED');
  });

  it('never logs a credentials token', async () => {
    const joined = hub.logLines.join('\n');
    for (const p of partners) {
      for (const token of [...p.acceptedTokens, p.hubToken].filter(Boolean)) expect(joined).not.toContain(token);
    }
    expect(joined).toContain('"msg":"request"');
  });
});
