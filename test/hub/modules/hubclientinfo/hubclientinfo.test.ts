import axios from 'axios';
import { startPartner, type TestPartner } from '../../../support/partner';
import { waitFor } from '../../../support/network';
import { startTestHub, type TestHub } from '../../../support/test-hub';

const http = axios.create({ validateStatus: () => true });

describe('hubclientinfo', () => {
  let hub: TestHub;
  const partners: TestPartner[] = [];
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startTestHub();
    for (const [cc, pid, role] of [['NL', 'EM1', 'EMSP'], ['DE', 'CP1', 'CPO'], ['BE', 'CP2', 'CPO']]) {
      const created = await hub.admin.post('/admin/parties', { country_code: cc, party_id: pid, roles: [role], name: pid });
      ids[pid] = created.data.id;
      const partner = await startPartner({ countryCode: cc, partyId: pid, role });
      partners.push(partner);
      const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
      tokens[pid] = body.data.token;
    }
    // A fourth party that never connects: PLANNED.
    await hub.admin.post('/admin/parties', { country_code: 'FR', party_id: 'PLN', roles: ['EMSP'], name: 'planned' });
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.stop()));
    await hub.close();
  });

  const auth = (pid: string) => ({ Authorization: `Token ${Buffer.from(tokens[pid]).toString('base64')}` });

  it('lists every party role with its status, paginated (the hub\'s own CPO included, always CONNECTED)', async () => {
    const all = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo`, { headers: auth('EM1') });
    expect(all.status).toBe(200);
    expect(all.headers['x-total-count']).toBe('5');
    expect(all.headers['x-limit']).toBe('500');
    expect(all.headers.link).toBeUndefined();
    const byParty = Object.fromEntries(all.data.data.map((c: { party_id: string; status: string }) => [c.party_id, c.status]));
    expect(byParty).toEqual({ HUB: 'CONNECTED', EM1: 'CONNECTED', CP1: 'CONNECTED', CP2: 'CONNECTED', PLN: 'PLANNED' });
    for (const info of all.data.data) expect(Object.keys(info).sort()).toEqual(['country_code', 'last_updated', 'party_id', 'role', 'status']);

    const firstPage = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo?limit=3&date_from=2000-01-01T00:00:00Z`, { headers: auth('EM1') });
    expect(firstPage.data.data).toHaveLength(3);
    expect(firstPage.headers['x-total-count']).toBe('5');
    expect(firstPage.headers.link).toBe(`<${hub.url}/ocpi/2.2.1/hubclientinfo?limit=3&date_from=2000-01-01T00%3A00%3A00Z&offset=3>; rel="next"`);
    const next = /<([^>]+)>/.exec(firstPage.headers.link)![1];
    const secondPage = await http.get(next, { headers: auth('EM1') });
    expect(secondPage.data.data).toHaveLength(2);
    expect(secondPage.headers.link).toBeUndefined();
    const seen = [...firstPage.data.data, ...secondPage.data.data].map((c: { party_id: string }) => c.party_id);
    expect(new Set(seen).size).toBe(5);

    // Oldest first, date_to exclusive.
    const times = all.data.data.map((c: { last_updated: string }) => c.last_updated);
    expect([...times].sort()).toEqual(times);
    const upToFirst = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo?date_to=${times[0]}`, { headers: auth('EM1') });
    expect(upToFirst.data.data).toHaveLength(0);
    const fromLast = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo?date_from=${times[4]}`, { headers: auth('EM1') });
    expect(fromLast.data.data.length).toBeGreaterThanOrEqual(1);
  });

  it('caps limit at the server maximum and rejects bad pagination parameters with 2001', async () => {
    const capped = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo?limit=100000`, { headers: auth('EM1') });
    expect(capped.headers['x-limit']).toBe('500');
    for (const query of ['limit=-1', 'offset=abc', 'date_from=yesterday', 'date_to=2020-13-45T00:00:00Z', 'limit=1&limit=2']) {
      const response = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo?${query}`, { headers: auth('EM1') });
      expect(response.data.status_code).toBe(2001);
    }
  });

  it('is closed to token A and unknown tokens', async () => {
    const created = await hub.admin.post('/admin/parties', { country_code: 'PL', party_id: 'TKA', roles: ['EMSP'], name: 'a' });
    const withTokenA = await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo`, { headers: { Authorization: `Token ${Buffer.from(created.data.token_a).toString('base64')}` } });
    expect(withTokenA.status).toBe(401);
    expect(withTokenA.data.status_message).toMatch(/Token A opens only/);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo`)).status).toBe(401);
    expect((await http.get(`${hub.url}/ocpi/2.2.1/hubclientinfo`, { headers: { Authorization: 'Token bm9wZQ==' } })).status).toBe(401);
  });

  it('pushes status changes to the other connected parties Receiver endpoints', async () => {
    const [em1, cp1, cp2] = partners;
    // On connecting, each party learned about the others (and later ones were pushed to it).
    await waitFor(() => em1.received('PUT', '/ocpi/2.2.1/clientinfo/BE/CP2')[0], 'EM1 to hear of CP2');
    await waitFor(() => cp2.received('PUT', '/ocpi/2.2.1/clientinfo/NL/EM1')[0], 'CP2 to hear of EM1');

    await hub.admin.post(`/admin/parties/${ids.CP1}/suspend`);
    for (const receiver of [em1, cp2]) {
      const put = await waitFor(
        () => receiver.received('PUT', '/ocpi/2.2.1/clientinfo/DE/CP1').find((r) => (r.body as { status: string }).status === 'SUSPENDED'),
        'the SUSPENDED push',
      );
      expect(put.body).toMatchObject({ country_code: 'DE', party_id: 'CP1', role: 'CPO', status: 'SUSPENDED' });
      expect(put.headers['x-request-id']).toBeTruthy();
      expect(put.headers['ocpi-to-party-id']).toBeUndefined();
    }
    // The suspended party itself is told nothing more.
    await hub.services.outbox.whenIdle();
    expect(cp1.received('PUT', '/ocpi/2.2.1/clientinfo/DE/CP1')).toHaveLength(0);
    await hub.admin.post(`/admin/parties/${ids.CP1}/resume`);
    await waitFor(
      () => em1.received('PUT', '/ocpi/2.2.1/clientinfo/DE/CP1').find((r) => (r.body as { status: string }).status === 'CONNECTED' && r !== em1.received('PUT', '/ocpi/2.2.1/clientinfo/DE/CP1')[0]),
      'the CONNECTED push after resume',
    );
  });
});
