import axios from 'axios';
import { startPartner } from '../support/partner';
import { startTestHub, type TestHub } from '../support/test-hub';

describe('admin API: parties', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('refuses requests without the admin key, or with a wrong one', async () => {
    const anonymous = await axios.get(`${hub.url}/admin/parties`, { validateStatus: () => true });
    expect(anonymous.status).toBe(401);
    expect(anonymous.data.error.code).toBe('unauthorized');
    const wrong = await axios.get(`${hub.url}/admin/parties`, { headers: { Authorization: `Bearer ${hub.adminKey}x` }, validateStatus: () => true });
    expect(wrong.status).toBe(401);
  });

  it('creates, lists, shows, suspends, resumes and deletes a party', async () => {
    const created = await hub.admin.post('/admin/parties', { country_code: 'nl', party_id: 'abc', roles: ['EMSP'], name: 'ABC eMobility' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ token_a: expect.any(String), versions_url: hub.versionsUrl });
    expect(created.data.party).toMatchObject({ country_code: 'NL', party_id: 'ABC', status: 'PLANNED', roles: [{ role: 'EMSP', country_code: 'NL', party_id: 'ABC' }] });
    expect(created.headers.location).toBe(`/admin/parties/${created.data.id}`);
    const id = created.data.id;

    const list = await hub.admin.get('/admin/parties');
    expect(list.status).toBe(200);
    expect(list.data.map((p: { id: string }) => p.id)).toContain(id);
    expect(JSON.stringify(list.data)).not.toContain(created.data.token_a);

    expect((await hub.admin.get(`/admin/parties/${id}`)).data.name).toBe('ABC eMobility');
    expect((await hub.admin.post(`/admin/parties/${id}/suspend`)).data.status).toBe('SUSPENDED');

    // A suspended party is refused, even with a valid token.
    const refused = await axios.get(hub.versionsUrl, { headers: { Authorization: `Token ${Buffer.from(created.data.token_a).toString('base64')}` }, validateStatus: () => true });
    expect(refused.status).toBe(403);
    expect(refused.data.status_code).toBe(2000);

    expect((await hub.admin.post(`/admin/parties/${id}/resume`)).data.status).toBe('PLANNED');
    expect((await hub.admin.delete(`/admin/parties/${id}`)).status).toBe(200);
    expect((await hub.admin.get(`/admin/parties/${id}`)).status).toBe(404);
    expect((await hub.admin.delete(`/admin/parties/${id}`)).status).toBe(404);
  });

  it('supports a platform with several parties (roles with their own country code and party id)', async () => {
    const created = await hub.admin.post('/admin/parties', {
      country_code: 'DE',
      party_id: 'PLT',
      name: 'White-label platform',
      roles: ['CPO', { role: 'CPO', country_code: 'DE', party_id: 'WL1' }, { role: 'EMSP', country_code: 'AT', party_id: 'WL2' }],
    });
    expect(created.status).toBe(201);
    expect(created.data.party.roles).toHaveLength(3);
  });

  it.each([
    [{}, /country_code/],
    [{ country_code: 'NLD', party_id: 'ABC', roles: ['EMSP'], name: 'x' }, /country_code: must be 2 letters/],
    [{ country_code: 'NL', party_id: 'AB', roles: ['EMSP'], name: 'x' }, /party_id: must be 3 letters or digits/],
    [{ country_code: 'NL', party_id: 'ABD', roles: [], name: 'x' }, /at least one role/],
    [{ country_code: 'NL', party_id: 'ABD', roles: ['DRIVER'], name: 'x' }, /roles/],
    [{ country_code: 'NL', party_id: 'ABD', roles: ['HUB'], name: 'x' }, /HUB role/],
    [{ country_code: 'NL', party_id: 'ABD', roles: ['EMSP'], name: '' }, /name/],
    [{ country_code: 'NL', party_id: 'ABD', roles: ['EMSP'], name: 'x', extra: 1 }, /extra/],
    [[1, 2], /expected object/i],
  ])('rejects an invalid new party %j with 400 and stores nothing', async (body, message) => {
    const before = (await hub.admin.get('/admin/parties')).data.length;
    const response = await hub.admin.post('/admin/parties', body);
    expect(response.status).toBe(400);
    expect(response.data.error.code).toBe('invalid_request');
    expect(response.data.error.message).toMatch(message);
    expect((await hub.admin.get('/admin/parties')).data.length).toBe(before);
  });

  it('rejects invalid JSON, oversize bodies, duplicates and unknown ids cleanly', async () => {
    const badJson = await hub.admin.post('/admin/parties', '{"country_code":', { headers: { 'Content-Type': 'application/json' }, transformRequest: (d) => d });
    expect(badJson.status).toBe(400);
    expect(badJson.data.error.code).toBe('invalid_json');

    const huge = await hub.admin.post('/admin/parties', { name: 'x'.repeat(2_000_000) }, { maxBodyLength: Infinity });
    expect(huge.status).toBe(413);

    const body = { country_code: 'SE', party_id: 'DUP', roles: ['CPO'], name: 'dup' };
    expect((await hub.admin.post('/admin/parties', body)).status).toBe(201);
    const duplicate = await hub.admin.post('/admin/parties', body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.data.error.message).toMatch(/SE\/DUP/);

    expect((await hub.admin.get('/admin/parties/not-a-uuid')).status).toBe(404);
    expect((await hub.admin.post('/admin/parties/00000000-0000-4000-8000-000000000000/suspend')).status).toBe(404);
    expect((await hub.admin.get('/admin/nothing-here')).status).toBe(404);
    expect((await hub.admin.put('/admin/parties')).status).toBe(405);
  });

  it('tells a registered partner when it is deleted (credentials DELETE)', async () => {
    const created = await hub.admin.post('/admin/parties', { country_code: 'NO', party_id: 'DEL', roles: ['EMSP'], name: 'to delete' });
    const partner = await startPartner({ countryCode: 'NO', partyId: 'DEL', role: 'EMSP' });
    try {
      expect((await partner.registerWith(hub.versionsUrl, created.data.token_a)).body.status_code).toBe(1000);
      const deleted = await hub.admin.delete(`/admin/parties/${created.data.id}`);
      expect(deleted.data).toEqual({ partnerNotified: true });
      expect(partner.received('DELETE', '/ocpi/2.2.1/credentials')).toHaveLength(1);
      const tokenC = partner.hubToken!;
      const after = await axios.get(hub.versionsUrl, { headers: { Authorization: `Token ${Buffer.from(tokenC).toString('base64')}` }, validateStatus: () => true });
      expect(after.status).toBe(401);
    } finally {
      await partner.stop();
    }
  });
});
