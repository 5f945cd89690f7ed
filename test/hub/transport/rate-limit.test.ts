import { startNetwork, type TestNetwork } from '../../support/network';

describe('rate limit per party on the OCPI interface', () => {
  let network: TestNetwork;

  beforeAll(async () => {
    // One request per ten seconds: the test's few milliseconds earn nothing back, so counts are exact.
    network = await startNetwork({
      cpos: ['NL/CP1'],
      emsps: ['DE/EM1'],
      hub: { env: { RATE_LIMIT_PARTY_PER_SECOND: '0.1', RATE_LIMIT_PARTY_BURST: '5' } },
    });
  });
  afterAll(() => network.close());

  it('answers a party over its burst with 429, Retry-After and an OCPI error, and leaves other parties alone', async () => {
    const { CP1, EM1 } = network.parties;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await CP1.ocpi.get('/hubclientinfo')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const limited = await CP1.ocpi.get('/hubclientinfo');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    expect(limited.data).toEqual({
      status_code: 2000,
      status_message: 'Too many requests: at most 0.1 per second for your token (bursts of 5); retry after 10 s',
      timestamp: expect.any(String),
    });
    // Any method and module: the bucket is the token's, and nothing is read or stored.
    const push = await CP1.ocpi.put('/receiver/locations/NL/CP1/LOC-RL', { id: 'LOC-RL' });
    expect(push.status).toBe(429);
    expect((await network.hub.services.db.query(`SELECT count(*)::int AS n FROM ocpi_objects WHERE object_id = 'LOC-RL'`))[0].n).toBe(0);

    // The other party has its whole burst.
    const other: number[] = [];
    for (let i = 0; i < 5; i++) other.push((await EM1.ocpi.get('/hubclientinfo')).status);
    expect(other).toEqual([200, 200, 200, 200, 200]);
    expect((await EM1.ocpi.get('/hubclientinfo')).status).toBe(429);
  });

  it('counts the Base64 and the raw form of a token as one', async () => {
    const { hub } = network;
    const created = await hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'RAW', roles: ['CPO'], name: 'raw' });
    const tokenA: string = created.data.token_a;
    const base64 = { Authorization: `Token ${Buffer.from(tokenA).toString('base64')}` };
    const raw = { Authorization: `Token ${tokenA}` };
    const statuses: number[] = [];
    for (const headers of [base64, raw, base64, raw, base64, raw]) {
      statuses.push((await network.parties.CP1.ocpi.get(hub.versionsUrl, { headers })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('does not limit requests without a token (they get their 401), and logs the limited party by token digest only', async () => {
    const anonymous = await network.parties.CP1.ocpi.get('/hubclientinfo', { headers: { Authorization: '' } });
    expect(anonymous.status).toBe(401);
    const joined = network.hub.logLines.join('\n');
    expect(joined).toContain('a party exceeds its rate limit');
    for (const party of Object.values(network.parties)) expect(joined).not.toContain(party.token);
    expect(joined).not.toContain(network.hub.adminKey);
  });
});
