import { runCli } from '../../src/cli/ocpi-hub-cli';
import { startTestHub, type TestHub } from '../support/test-hub';

describe('admin API and CLI: roaming agreements', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    for (const [cc, pid, role] of [['NL', 'CPO', 'CPO'], ['DE', 'EMS', 'EMSP'], ['FR', 'OTH', 'OTHER']]) {
      expect((await hub.admin.post('/admin/parties', { country_code: cc, party_id: pid, roles: [role], name: pid })).status).toBe(201);
    }
  });
  afterAll(() => hub.close());

  it('adds (idempotently), lists and deletes agreements', async () => {
    const added = await hub.admin.post('/admin/agreements', { cpo: 'nl/cpo', emsp: 'DE/EMS' });
    expect(added.status).toBe(201);
    expect(added.data).toMatchObject({ cpo: 'NL/CPO', emsp: 'DE/EMS' });
    const again = await hub.admin.post('/admin/agreements', { cpo: 'NL/CPO', emsp: 'DE/EMS' });
    expect(again.data.id).toBe(added.data.id);
    expect((await hub.admin.post('/admin/agreements', { cpo: 'NL/CPO', emsp: 'FR/OTH' })).status).toBe(201);
    expect((await hub.admin.get('/admin/agreements')).data).toHaveLength(2);
    expect((await hub.admin.delete(`/admin/agreements/${added.data.id}`)).status).toBe(204);
    expect((await hub.admin.delete(`/admin/agreements/${added.data.id}`)).status).toBe(404);
    expect((await hub.admin.get('/admin/agreements')).data.map((a: { emsp: string }) => a.emsp)).toEqual(['FR/OTH']);
  });

  it('refuses unknown parties, wrong roles and malformed input with nothing stored', async () => {
    const before = (await hub.admin.get('/admin/agreements')).data.length;
    const unknown = await hub.admin.post('/admin/agreements', { cpo: 'NL/XXX', emsp: 'DE/EMS' });
    expect(unknown.status).toBe(404);
    expect(unknown.data.error.message).toMatch(/No CPO role NL\/XXX/);
    expect((await hub.admin.post('/admin/agreements', { cpo: 'DE/EMS', emsp: 'NL/CPO' })).status).toBe(404);
    expect((await hub.admin.post('/admin/agreements', { cpo: 'NLCPO', emsp: 'DE/EMS' })).status).toBe(400);
    expect((await hub.admin.post('/admin/agreements', { cpo: 'NL/CPO' })).status).toBe(400);
    expect((await hub.admin.delete('/admin/agreements/not-a-uuid')).status).toBe(404);
    expect((await hub.admin.get('/admin/agreements')).data.length).toBe(before);
  });

  it('works from the CLI', async () => {
    let out = '';
    const io = { out: (t: string) => (out += t), err: () => undefined, env: { ADMIN_API_KEY: hub.adminKey } };
    expect(await runCli(['agreement', 'add', '--cpo', 'NL/CPO', '--emsp', 'DE/EMS', '--hub', hub.url], io)).toBe(0);
    const { id } = JSON.parse(out);
    out = '';
    expect(await runCli(['agreement', 'list', '--hub', hub.url], io)).toBe(0);
    expect(JSON.parse(out).map((a: { id: string }) => a.id)).toContain(id);
    expect(await runCli(['agreement', 'delete', id, '--hub', hub.url], io)).toBe(0);
    expect(await runCli(['agreement', 'add', '--cpo', 'NL/CPO', '--hub', hub.url], io)).toBe(2);
  });
});
