import { runCli } from '../../src/cli/ocpi-hub-cli';
import { locationPut } from '../support/deliveries';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';

jest.setTimeout(60_000);

/** The console's admin routes without a browser: the audit log (CLI included), the searches, the outbox actions. */
describe('audit log, searches and outbox actions (admin API and CLI)', () => {
  let net: TestNetwork;

  async function cli(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
    return { code, out, err };
  }
  const audit = async (params: Record<string, string>) => (await net.hub.admin.get('/admin/audit', { params })).data;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/ACP'], emsps: ['DE/AEM'], agreements: 'all', hub: { env: { OUTBOX_BASE_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: '2', OCPI_TIMEOUT_MS: '500', ADMIN_API_KEY_LABEL: 'ops-team' }, logLevel: 'warn' } });
  });
  afterAll(() => net?.close());

  it('audits a CLI action with who, when, what, before and after; reads are not audited', async () => {
    const id = net.parties.AEM.id;
    const before = (await audit({})).items.length;
    await net.hub.admin.get('/admin/parties');
    expect((await audit({})).items.length).toBe(before);

    const suspended = await cli('party', 'suspend', id);
    expect(suspended.code).toBe(0);
    const [entry] = (await audit({ client: 'cli', action: 'suspend' })).items;
    expect(entry).toMatchObject({ actor: 'ops-team', client: 'cli', method: 'POST', action: 'POST /admin/parties/{id}/suspend', target: `parties/${id}`, http_status: 200, outcome: 'ok', error: null });
    expect(new Date(entry.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(entry.before.suspended_at).toBeNull();
    expect(entry.after.suspended_at).toEqual(expect.any(String));
    // The party row's token hashes never reach the log.
    expect(entry.before.token_c_hash).toBe('[redacted]');
    expect((await cli('party', 'resume', id)).code).toBe(0);
    expect((await audit({ target: id })).items.map((e: { action: string }) => e.action).slice(0, 2)).toEqual(['POST /admin/parties/{id}/resume', 'POST /admin/parties/{id}/suspend']);
  });

  it('audits a refused action with the error message the caller got, and never keeps token A', async () => {
    const refused = await net.hub.admin.post('/admin/agreements', { cpo: 'NL/ACP', emsp: 'XX/NOP' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const [entry] = (await audit({ outcome: 'refused', action: 'agreements' })).items;
    expect(entry).toMatchObject({ http_status: refused.status, error: refused.data.error.message, request_body: { cpo: 'NL/ACP', emsp: 'XX/NOP' }, after: null });

    // A target that does not exist: refused, audited with no state before.
    const missing = await net.hub.admin.delete('/admin/chargers/NO-SUCH-CHARGER');
    expect(missing.status).toBe(404);
    const [gone] = (await audit({ target: 'NO-SUCH-CHARGER' })).items;
    expect(gone).toMatchObject({ action: 'DELETE /admin/chargers/{id}', outcome: 'refused', http_status: 404, before: null, error: missing.data.error.message });

    const created = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'TKA', name: 'Token A', roles: ['EMSP'] });
    expect(created.status).toBe(201);
    const rows = await net.hub.services.db.query(`SELECT * FROM admin_audit_log`);
    expect(JSON.stringify(rows)).not.toContain(created.data.token_a);
    const [onboarded] = (await audit({ action: 'POST /admin/parties' })).items;
    expect(onboarded.after.token_a).toBe('[redacted]');
    expect(onboarded.after.party.party_id).toBe('TKA');
  });

  it('pages the audit log by keyset without overlap', async () => {
    const first = await audit({ limit: '2' });
    expect(first.items).toHaveLength(2);
    const second = await audit({ limit: '2', cursor: first.next_cursor });
    expect(Number(second.items[0].id)).toBeLessThan(Number(first.items[1].id));
    expect((await net.hub.admin.get('/admin/audit', { params: { cursor: 'x' } })).status).toBe(400);
  });

  it('searches sessions and CDRs by token, location, EVSE, party and status, in keyset pages, and tells a CDR\'s story', async () => {
    const base = example('session_example_2_short_finished.json') as Record<string, any>;
    for (const n of [1, 2, 3]) {
      const session = { ...base, id: `S${n}`, country_code: 'NL', party_id: 'ACP', location_id: n === 3 ? 'LOC3' : 'LOC1', cdr_token: { ...base.cdr_token, uid: `UID${n}`, country_code: 'DE', party_id: 'AEM' } };
      const put = await net.parties.ACP.ocpi.put(`/receiver/sessions/NL/ACP/S${n}`, session);
      expect([put.data.status_code, put.data.status_message]).toEqual([1000, put.data.status_message]);
    }
    const cdr = { ...example('cdr_example.json'), country_code: 'NL', party_id: 'ACP', session_id: 'S1' } as Record<string, any>;
    cdr.cdr_token = { ...cdr.cdr_token, country_code: 'DE', party_id: 'AEM' };
    expect((await net.parties.ACP.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);

    const search = async (list: string, params: Record<string, string>) => (await net.hub.admin.get(`/admin/search/${list}`, { params })).data;
    expect((await search('sessions', { token: 'UID2' })).items.map((s: { id: string }) => s.id)).toEqual(['S2']);
    expect((await search('sessions', { location: 'LOC3' })).items.map((s: { id: string }) => s.id)).toEqual(['S3']);
    expect((await search('sessions', { party: 'NL/ACP', evse: base.evse_uid, status: base.status })).items).toHaveLength(3);
    const page1 = await search('sessions', { party: 'NL/ACP', limit: '2' });
    const page2 = await search('sessions', { party: 'NL/ACP', limit: '2', cursor: page1.next_cursor });
    expect([...page1.items, ...page2.items].map((s: { id: string }) => s.id)).toEqual(['S3', 'S2', 'S1']);
    expect(page2.next_cursor).toBeNull();
    expect((await search('sessions', { from: '2099-01-01T00:00:00Z' })).items).toEqual([]);
    expect((await net.hub.admin.get('/admin/search/sessions', { params: { party: 'nope' } })).status).toBe(400);

    expect((await search('cdrs', { party: 'NL/ACP', token: cdr.cdr_token.uid })).items.map((c: { id: string }) => c.id)).toEqual([cdr.id]);
    expect((await search('cdrs', { location: cdr.cdr_location.id, evse: cdr.cdr_location.evse_uid })).items).toHaveLength(1);
    expect((await search('tokens', { party: 'DE/AEM' })).items).toEqual(expect.any(Array));
    expect((await search('locations', {})).items).toEqual(expect.any(Array));

    // The CDR went to DE/AEM: its story shows the push with the partner's answer, its rating and the session.
    await waitFor(async () => (await search('deliveries', { module: 'cdrs', status: 'delivered' })).items.length > 0, 'the CDR delivered', 15_000);
    await net.hub.services.traffic.drain();
    const story = (await net.hub.admin.get(`/admin/search/cdrs/NL/ACP/${cdr.id}/story`)).data;
    expect(story.object.id).toBe(cdr.id);
    expect(story.pushes[0]).toMatchObject({ partner: 'DE/AEM', status: 'delivered' });
    expect(story.pushes[0].answers[0]).toMatchObject({ failed: false, http_status: 200, ocpi_status: 1000 });
    expect(story.rating).not.toBeUndefined();
    expect(story.ocpp_transaction).toBeNull();
    const sessionStory = (await net.hub.admin.get('/admin/search/sessions/NL/ACP/S1/story')).data;
    expect(sessionStory.cdr_id).toBe(cdr.id);
    expect(sessionStory.pushes.length).toBeGreaterThan(0);
    expect((await net.hub.admin.get('/admin/search/cdrs/NL/ACP/NOPE/story')).status).toBe(404);
  });

  it('retries and skips single deliveries (CLI too), refusing a delivered one', async () => {
    await net.parties.AEM.partner.stop();
    await net.hub.services.outbox.enqueue([locationPut(net, 'AEM', 'CX1'), locationPut(net, 'AEM', 'CX2')]);
    const failed = await waitFor(async () => {
      const items = (await net.hub.admin.get('/admin/search/deliveries', { params: { party: net.parties.AEM.id, status: 'failed', module: 'locations' } })).data.items;
      return items.length >= 2 && items;
    }, 'two failed deliveries', 20_000);
    const [x2, x1] = failed;
    const skipped = await cli('outbox', 'skip', x2.id);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out).status).toBe('skipped');
    expect((await net.hub.admin.get('/admin/outbox', { params: { party: net.parties.AEM.id } })).data.map((d: { id: string }) => String(d.id))).not.toContain(x2.id);
    await net.parties.AEM.partner.start();
    expect((await net.hub.admin.post(`/admin/outbox/${x1.id}/retry`)).data.status).toBe('pending');
    await waitFor(async () => (await net.hub.admin.get('/admin/search/deliveries', { params: { object: 'CX1', status: 'delivered' } })).data.items.length === 1, 'CX1 delivered after the retry', 15_000);
    const again = await cli('outbox', 'retry', x1.id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/Error 409: Delivery \d+ is delivered: only failed deliveries can be retried/);
    expect((await net.hub.admin.post('/admin/outbox/999999999/skip')).status).toBe(404);
    const [entry] = (await audit({ action: 'outbox', outcome: 'refused', client: 'cli' })).items;
    expect(entry).toMatchObject({ target: `outbox/${x1.id}`, http_status: 409, before: { status: 'delivered' } });
  });

  it('lists the audit log, searches and previews a tariff price from the CLI', async () => {
    const listed = await cli('audit', 'list', '--client', 'cli', '--limit', '1');
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.out);
    expect(page.items).toHaveLength(1);
    expect(page.items[0].client).toBe('cli');
    expect(page.next_cursor).toEqual(expect.any(String));

    const found = await cli('search', 'sessions', '--token', 'UID2');
    expect(JSON.parse(found.out).items.map((s: { id: string }) => s.id)).toEqual(['S2']);
    const story = await cli('search', 'story', 'sessions', 'NL/ACP/S1');
    expect(JSON.parse(story.out).id).toBe('S1');
    expect((await cli('search', 'story', 'sessions', 'S1')).code).toBe(2);

    expect((await net.hub.admin.put('/admin/tariffs/CLI-AC', { kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.35, time: 1.5, flat: 0.5 }, step_size: { time: 60 } })).status).toBe(201);
    const preview = await cli('preview', 'tariff', 'CLI-AC', '--kwh', '10', '--minutes', '60', '--start', '2025-03-03T10:00:00Z');
    expect(preview.code).toBe(0);
    const priced = JSON.parse(preview.out);
    // 0.50 flat + 10 kWh × 0.35 + 1 h × 1.50, and 21 % VAT on it.
    expect(priced.computed.total_cost.excl_vat).toBeCloseTo(5.5);
    expect(priced.computed.total_cost.incl_vat).toBeCloseTo(6.655, 2);
    expect(priced).toMatchObject({ tariff_id: 'CLI-AC', currency: 'EUR', start: '2025-03-03T10:00:00.000Z', end: '2025-03-03T11:00:00.000Z' });
    const refused = await cli('preview', 'tariff', 'NO-SUCH', '--kwh', '10');
    expect(refused.err).toMatch(/Error 404: No own tariff NO-SUCH/);
  });
});
