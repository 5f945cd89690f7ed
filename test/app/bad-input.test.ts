import axios from 'axios';
import { startPartner, type TestPartner } from '../support/partner';
import { startTestHub, type TestHub } from '../support/test-hub';

const http = axios.create({ validateStatus: () => true });
const b64 = (token: string) => ({ Authorization: `Token ${Buffer.from(token).toString('base64')}` });

describe('bad input on the OCPI interface', () => {
  let hub: TestHub;
  let partner: TestPartner;
  let partyId: string;
  let tokenA: string;

  beforeAll(async () => {
    hub = await startTestHub({ env: { MAX_BODY_BYTES: '10000' } });
    partner = await startPartner({ countryCode: 'NL', partyId: 'BAD', role: 'EMSP' });
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'BAD', roles: ['EMSP'], name: 'bad' });
    partyId = created.data.id;
    tokenA = created.data.token_a;
  });
  afterAll(async () => {
    await partner.stop();
    await hub.close();
  });

  const credentialsUrl = () => `${hub.url}/ocpi/2.2.1/credentials`;
  const stillUnregistered = async () => {
    const party = (await hub.admin.get(`/admin/parties/${partyId}`)).data;
    expect(party.status).toBe('PLANNED');
    expect(party.endpoints).toEqual([]);
    expect((await http.get(hub.versionsUrl, { headers: b64(tokenA) })).status).toBe(200);
  };

  it('answers invalid JSON with HTTP 400 and an OCPI envelope', async () => {
    const response = await http.post(credentialsUrl(), '{"token": "abc", ', { headers: { ...b64(tokenA), 'Content-Type': 'application/json' }, transformRequest: (d) => d });
    expect(response.status).toBe(400);
    expect(response.data).toMatchObject({ status_code: 2000, status_message: expect.stringMatching(/^Invalid JSON/), timestamp: expect.any(String) });
    await stillUnregistered();
  });

  it('answers an oversize body with HTTP 413', async () => {
    const response = await http.post(credentialsUrl(), { ...partner.credentials('t'), padding: 'x'.repeat(20_000) }, { headers: b64(tokenA) });
    expect(response.status).toBe(413);
    expect(response.data.status_code).toBe(2000);
    await stillUnregistered();
  });

  it.each([
    ['no body', undefined, /must be a Credentials object/],
    ['null', null, /Invalid Credentials/],
    ['an array', [1, 2], /Invalid Credentials/],
    ['a number', 42, /Invalid Credentials/],
    ['missing token', { url: 'http://127.0.0.1:9/v', roles: [] }, /token/],
    ['token of the wrong type', { token: 12, url: 'http://127.0.0.1:9/v', roles: [] }, /token/],
    ['token with spaces', { token: 'a b', url: 'http://127.0.0.1:9/v', roles: [] }, /token must be 1 to 64 printable/],
    ['token too long', { token: 'x'.repeat(65), url: 'http://127.0.0.1:9/v', roles: [] }, /token/],
    ['bad url', { token: 'abc', url: 'not a url', roles: [] }, /url/],
    ['no roles', { token: 'abc', url: 'http://127.0.0.1:9/v', roles: [] }, /at least one role/],
    ['unknown role', { token: 'abc', url: 'http://127.0.0.1:9/v', roles: [{ role: 'DRIVER', party_id: 'BAD', country_code: 'NL', business_details: { name: 'x' } }] }, /role/],
    ['bad party_id', { token: 'abc', url: 'http://127.0.0.1:9/v', roles: [{ role: 'EMSP', party_id: 'TOOLONG', country_code: 'NL', business_details: { name: 'x' } }] }, /party_id/],
    ['missing business_details', { token: 'abc', url: 'http://127.0.0.1:9/v', roles: [{ role: 'EMSP', party_id: 'BAD', country_code: 'NL' }] }, /business_details/],
    ['duplicate roles', { token: 'abc', url: 'http://127.0.0.1:9/v', roles: [1, 2].map(() => ({ role: 'EMSP', party_id: 'BAD', country_code: 'NL', business_details: { name: 'x' } })) }, /listed twice/],
  ])('answers 2001 for %s and stores nothing', async (_what, body, message) => {
    const response = await http.post(credentialsUrl(), body === undefined ? undefined : JSON.stringify(body), {
      headers: { ...b64(tokenA), 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.data.status_code).toBe(2001);
    expect(response.data.status_message).toMatch(message);
    await stillUnregistered();
  });

  it('answers 401 without a token, with an unknown token, or with a malformed header', async () => {
    for (const headers of [{}, b64('unknown-token'), { Authorization: 'Bearer x' }, { Authorization: 'Token' }]) {
      const response = await http.get(hub.versionsUrl, { headers });
      expect(response.status).toBe(401);
      expect(response.data).toMatchObject({ status_code: 2000, timestamp: expect.any(String) });
    }
  });

  it('answers unknown OCPI paths with 404 and unsupported methods with 405, both as envelopes', async () => {
    const unknown = await http.get(`${hub.url}/ocpi/2.2.1/nothing`, { headers: b64(tokenA) });
    expect(unknown.status).toBe(404);
    expect(unknown.data.status_code).toBe(2000);
    const patch = await http.patch(credentialsUrl(), {}, { headers: b64(tokenA) });
    expect(patch.status).toBe(405);
    expect(patch.data.status_code).toBe(2000);
    const postVersions = await http.post(hub.versionsUrl, {}, { headers: b64(tokenA) });
    expect(postVersions.status).toBe(405);
  });

  it('echoes request and correlation ids, and makes them when missing or unusable', async () => {
    const echoed = await http.get(hub.versionsUrl, { headers: { ...b64(tokenA), 'X-Request-ID': 'req-1', 'X-Correlation-ID': 'corr-1' } });
    expect(echoed.headers['x-request-id']).toBe('req-1');
    expect(echoed.headers['x-correlation-id']).toBe('corr-1');
    const made = await http.get(hub.versionsUrl, { headers: { ...b64(tokenA), 'X-Request-ID': 'x'.repeat(500) } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets exactly one of several concurrent registrations with the same token A win; replays get 401', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => http.post(credentialsUrl(), partner.credentials(partner.newToken()), { headers: b64(tokenA) })),
    );
    const codes = attempts.map((a) => (a.data.status_code === 1000 ? 'ok' : a.status));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c !== 'ok').every((c) => c === 401 || c === 405)).toBe(true);
    const replay = await http.post(credentialsUrl(), partner.credentials(partner.newToken()), { headers: b64(tokenA) });
    expect(replay.status).toBe(401);
    const party = (await hub.admin.get(`/admin/parties/${partyId}`)).data;
    expect(party.status).toBe('CONNECTED');
  });

  it('keeps answering after all of the above', async () => {
    expect((await http.get(`${hub.url}/health`)).data).toEqual({ status: 'ok', database: 'ok' });
  });
});
