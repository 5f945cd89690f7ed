// The OCPI 2.3.0 Payments module through the hub (mod_payments.asciidoc, docs/versions.md): a PTP (role
// OTHER: the 2.3.0 Role enum has no PTP) and CPOs as real 2.3.0 HTTP servers, plus a 2.2.1 CPO that
// must never see the module. Terminals and FinancialAdviceConfirmations go PTP → CPO (the CPO's Receiver
// interface), terminal updates, activation and deactivation CPO → PTP (the PTP's Sender interface).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { waitFor } from '../support/network';
import { startPartner, type TestPartner } from '../support/partner';
import type { PartnerEndpoint } from '../../src/demo/demo-partner';
import { OCPI_2_3_0_EXAMPLES } from '../support/spec-examples';
import { startTestHub, type TestHub } from '../support/test-hub';

const example230 = <T = Record<string, any>>(name: string): T => JSON.parse(readFileSync(path.join(OCPI_2_3_0_EXAMPLES, name), 'utf8')) as T;

interface Member {
  id: string;
  partner: TestPartner;
  /** axios to the hub in the member's version, as the member (token C, OCPI-from-*); never throws. */
  ocpi: AxiosInstance;
}

const PAYMENTS_CPO: PartnerEndpoint[] = [
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
  { identifier: 'payments', role: 'RECEIVER', path: '/payments' },
];
// The PTP receives what the transaction flow sends it (sessions, CDRs) and offers the Payments Sender interface.
const PTP: PartnerEndpoint[] = [
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
  { identifier: 'sessions', role: 'RECEIVER', path: '/sessions' },
  { identifier: 'cdrs', role: 'RECEIVER', path: '/cdrs' },
  { identifier: 'payments', role: 'SENDER', path: '/payments' },
];

describe('the OCPI 2.3.0 Payments module through the hub', () => {
  let hub: TestHub;
  const members: Record<string, Member> = {};

  async function join(countryCode: string, partyId: string, role: string, version: '2.2.1' | '2.3.0', endpoints: PartnerEndpoint[]): Promise<Member> {
    const created = await hub.admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: `${partyId} ${role}` });
    const partner = await startPartner({ countryCode, partyId, role, version, endpoints });
    const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
    if (body.status_code !== 1000) throw new Error(`could not register ${partyId}: ${JSON.stringify(body)}`);
    const ocpi = axios.create({
      baseURL: `${hub.url}/ocpi/${version}`,
      validateStatus: () => true,
      headers: { Authorization: partner.authorization(body.data.token), 'OCPI-from-country-code': countryCode, 'OCPI-from-party-id': partyId },
    });
    return (members[partyId] = { id: created.data.id, partner, ocpi });
  }
  const agree = async (cpo: string, other: string) => expect((await hub.admin.post('/admin/agreements', { cpo, emsp: other })).status).toBe(201);
  const to = (cc: string, pid: string) => ({ headers: { 'OCPI-to-country-code': cc, 'OCPI-to-party-id': pid } });

  beforeAll(async () => {
    hub = await startTestHub({ env: { OCPI_VERSIONS: '2.2.1,2.3.0' } });
    await join('BE', 'BEC', 'CPO', '2.3.0', PAYMENTS_CPO);
    await join('AT', 'CP2', 'CPO', '2.3.0', PAYMENTS_CPO);
    // A 2.2.1 CPO that even lists a payments endpoint: 2.2.1 has no such module, so the hub sends it nothing.
    await join('NL', 'OLD', 'CPO', '2.2.1', PAYMENTS_CPO);
    await join('DE', 'PTP', 'OTHER', '2.3.0', PTP);
    for (const cpo of ['BE/BEC', 'AT/CP2', 'NL/OLD']) await agree(cpo, 'DE/PTP');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(members).map((m) => m.partner.stop()));
    await hub?.close();
  });

  const ptp = () => members.PTP;
  const bec = () => members.BEC;

  it('lists the payments endpoints in the 2.3.0 version details only', async () => {
    const v230 = (await ptp().ocpi.get(`${hub.url}/ocpi/2.3.0`)).data.data.endpoints as { identifier: string; role: string; url: string }[];
    expect(v230.filter((e) => e.identifier === 'payments')).toEqual([
      { identifier: 'payments', role: 'SENDER', url: `${hub.url}/ocpi/2.3.0/sender/payments` },
      { identifier: 'payments', role: 'RECEIVER', url: `${hub.url}/ocpi/2.3.0/receiver/payments` },
    ]);
    const v221 = (await members.OLD.ocpi.get(`${hub.url}/ocpi/2.2.1`)).data.data.endpoints as { identifier: string }[];
    expect(v221.map((e) => e.identifier)).not.toContain('payments');
    // And the 2.2.1 routes have no payments module at all.
    const none = await members.OLD.ocpi.get('/sender/payments/terminals');
    expect(none.status).toBe(404);
  });

  it('passes a PTP’s new Terminal to every 2.3.0 CPO it has an agreement with, unchanged, and to no 2.2.1 one', async () => {
    const terminal: Record<string, any> = { ...example230('payment_terminal_create.json'), x_vendor: { kept: true } };
    const posted = await ptp().ocpi.post('/receiver/payments/terminals', terminal);
    expect(posted.status).toBe(201);
    expect(posted.data.status_code).toBe(1000);
    for (const cpo of [bec(), members.CP2]) {
      const got = await waitFor(() => cpo.partner.received('POST', '/ocpi/2.3.0/payments/terminals')[0], `the Terminal at ${cpo.partner.options.partyId}`);
      expect(got.body).toEqual(terminal);
      expect(got.headers['ocpi-from-party-id']).toBe(hub.services.config.hub.partyId);
    }
    await hub.services.outbox.whenIdle();
    expect(members.OLD.partner.requests.filter((r) => r.path.includes('payments'))).toEqual([]);
    // Not attempted: no delivery was queued for the 2.2.1 CPO, so none failed or waits either.
    const queued = await hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE party_uuid = $1 AND module = 'payments'`, [members.OLD.id]);
    expect(queued).toEqual([{ n: 0 }]);
    // The PTP reads back what it sent.
    const own = await ptp().ocpi.get(`/receiver/payments/terminals/${terminal.terminal_id}`);
    expect(own.data.data).toEqual(terminal);
  });

  it('sends a Terminal that names its CPO, or one given OCPI-to-*, to that CPO alone; a 2.2.1 CPO named is 4001', async () => {
    const minimal = example230('payment_terminal_create_minimal.json');
    const direct = { ...minimal, terminal_id: 'T-FOR-CP2' };
    expect((await ptp().ocpi.post('/receiver/payments/terminals', direct, to('AT', 'CP2'))).data.status_code).toBe(1000);
    await waitFor(() => members.CP2.partner.received('POST', '/ocpi/2.3.0/payments/terminals').find((r) => (r.body as { terminal_id: string }).terminal_id === 'T-FOR-CP2'), 'the direct Terminal');
    const named = { ...minimal, terminal_id: 'T-NAMED-BEC', country_code: 'BE', party_id: 'BEC', last_updated: '2024-01-01T00:00:00Z' };
    expect((await ptp().ocpi.post('/receiver/payments/terminals', named)).data.status_code).toBe(1000);
    await waitFor(() => bec().partner.received('POST', '/ocpi/2.3.0/payments/terminals').find((r) => (r.body as { terminal_id: string }).terminal_id === 'T-NAMED-BEC'), 'the named Terminal');
    await hub.services.outbox.whenIdle();
    const terminalIds = (m: Member) => m.partner.received('POST', '/ocpi/2.3.0/payments/terminals').map((r) => (r.body as { terminal_id: string }).terminal_id);
    expect(terminalIds(bec())).not.toContain('T-FOR-CP2');
    expect(terminalIds(members.CP2)).not.toContain('T-NAMED-BEC');

    const toOld = await ptp().ocpi.post('/receiver/payments/terminals', { ...minimal, terminal_id: 'T-OLD' }, to('NL', 'OLD'));
    expect(toOld.data.status_code).toBe(4001);
    expect(toOld.data.status_message).toMatch(/2\.2\.1, which has no Payments module/);
    expect(await hub.services.store.findById('payments/terminals', 'T-OLD', [{ countryCode: 'DE', partyId: 'PTP' }])).toEqual([]);
  });

  it('serves the CPO its Terminals by GET, paginated, without those sent to another CPO', async () => {
    const first = await bec().ocpi.get('/sender/payments/terminals', { params: { limit: 1 } });
    expect(first.data.status_code).toBe(1000);
    expect(first.headers['x-total-count']).toBe('2');
    expect(first.data.data).toHaveLength(1);
    expect(first.headers.link).toMatch(/offset=1/);
    const all = await bec().ocpi.get('/sender/payments/terminals');
    expect(all.data.data.map((t: { terminal_id: string }) => t.terminal_id).sort()).toEqual(['452cf8a1-79aa-4a0e-9aee-dc788586053c', 'T-NAMED-BEC']);
    const dated = await bec().ocpi.get('/sender/payments/terminals', { params: { date_from: '2023-01-01T00:00:00Z' } });
    expect(dated.data.data.map((t: { terminal_id: string }) => t.terminal_id)).toEqual(['T-NAMED-BEC']);
    expect((await bec().ocpi.get('/sender/payments/terminals/T-NAMED-BEC')).data.data.terminal_id).toBe('T-NAMED-BEC');
    // The minimal Terminal ("just the terminal id") is answered whole, dated by its receipt.
    const minimal = (await members.CP2.ocpi.get('/sender/payments/terminals/T-FOR-CP2')).data.data;
    expect(minimal).toEqual({ terminal_id: 'T-FOR-CP2', last_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const hidden = await bec().ocpi.get('/sender/payments/terminals/T-FOR-CP2');
    expect([hidden.status, hidden.data.status_code]).toEqual([404, 2000]);
    // A PTP is not a CPO: it has no Sender-side view of the terminals.
    expect((await ptp().ocpi.get('/sender/payments/terminals')).status).toBe(404);
  });

  it('passes the CPO’s location assignment (PATCH) and PUT to the PTP’s Sender interface, and stores them', async () => {
    const id = '452cf8a1-79aa-4a0e-9aee-dc788586053c';
    const assignment = example230('payment_terminal_location_assignment.json');
    const patched = await bec().ocpi.patch(`/sender/payments/terminals/${id}`, assignment);
    expect(patched.data.status_code).toBe(1000);
    const got = await waitFor(() => ptp().partner.received('PATCH', `/ocpi/2.3.0/payments/terminals/${id}`)[0], 'the PATCH at the PTP');
    expect(got.body).toEqual(assignment);
    expect([got.headers['ocpi-from-party-id'], got.headers['ocpi-to-party-id']]).toEqual(['BEC', 'PTP']);
    const stored = (await bec().ocpi.get(`/sender/payments/terminals/${id}`)).data.data;
    const { last_updated: before, ...created } = example230('payment_terminal_create.json');
    expect(stored).toMatchObject({ ...created, location_ids: assignment.location_ids });
    // The PATCH has no last_updated: the hub's receipt dates the stored Terminal.
    expect(Date.parse(stored.last_updated)).toBeGreaterThan(Date.parse(before));

    const whole = { ...example230('payment_terminal_example_assigned_locations_assigned_evses.json'), terminal_id: id };
    expect((await bec().ocpi.put(`/sender/payments/terminals/${id}`, whole)).data.status_code).toBe(1000);
    const put = await waitFor(() => ptp().partner.received('PUT', `/ocpi/2.3.0/payments/terminals/${id}`)[0], 'the PUT at the PTP');
    expect(put.body).toEqual(whole);
    expect((await ptp().ocpi.get(`/receiver/payments/terminals/${id}`)).data.data).toEqual(whole);
  });

  it('passes activation and deactivation to the PTP', async () => {
    const activation = example230('payment_terminal_activate.json');
    expect((await bec().ocpi.post('/sender/payments/terminals/activate', activation, to('DE', 'PTP'))).data.status_code).toBe(1000);
    const got = await waitFor(() => ptp().partner.received('POST', '/ocpi/2.3.0/payments/terminals/activate')[0], 'the activation');
    expect(got.body).toEqual(activation);
    expect((await bec().ocpi.post('/sender/payments/terminals/T-NAMED-BEC/deactivate')).data.status_code).toBe(1000);
    await waitFor(() => ptp().partner.received('POST', '/ocpi/2.3.0/payments/terminals/T-NAMED-BEC/deactivate')[0], 'the deactivation');
  });

  it('routes a financial advice confirmation to the CPO whose session carries its authorization_reference, and only there', async () => {
    const confirmation = example230('payment_financial_advice_confirmation_create.json');
    // Before any session has it, the hub does not know the CPO: 2001, nothing stored.
    const unknown = await ptp().ocpi.post('/receiver/payments/financial-advice-confirmations', confirmation);
    expect(unknown.data.status_code).toBe(2001);
    expect(unknown.data.status_message).toMatch(/name the CPO in OCPI-to-\*/);

    const session: Record<string, any> = { ...example230('session_example_1_simple_start.json'), country_code: 'BE', party_id: 'BEC', authorization_reference: confirmation.authorization_reference };
    session.cdr_token = { ...session.cdr_token, country_code: 'DE', party_id: 'PTP' };
    expect((await bec().ocpi.put(`/receiver/sessions/BE/BEC/${session.id}`, session)).data.status_code).toBe(1000);

    const posted = await ptp().ocpi.post('/receiver/payments/financial-advice-confirmations', confirmation);
    expect([posted.status, posted.data.status_code]).toEqual([201, 1000]);
    const got = await waitFor(() => bec().partner.received('POST', '/ocpi/2.3.0/payments/financial-advice-confirmations')[0], 'the confirmation at BEC');
    expect(got.body).toEqual(confirmation);
    expect(got.headers['ocpi-from-party-id']).toBe('PTP');

    // The failure confirmation, sent to CP2 by name.
    const failure = { ...example230('payment_financial_advice_confirmation_example_failure.json'), id: 'FAC-CP2' };
    expect((await ptp().ocpi.post('/receiver/payments/financial-advice-confirmations', failure, to('AT', 'CP2'))).data.status_code).toBe(1000);
    await waitFor(() => members.CP2.partner.received('POST', '/ocpi/2.3.0/payments/financial-advice-confirmations')[0], 'the confirmation at CP2');
    await hub.services.outbox.whenIdle();
    expect(bec().partner.received('POST', '/ocpi/2.3.0/payments/financial-advice-confirmations')).toHaveLength(1);

    // GET through the hub: each CPO sees its own confirmations only.
    const mine = await bec().ocpi.get('/sender/payments/financial-advice-confirmations');
    expect(mine.data.data).toEqual([confirmation]);
    expect(mine.headers['x-total-count']).toBe('1');
    expect((await bec().ocpi.get(`/sender/payments/financial-advice-confirmations/${confirmation.id}`)).data.data).toEqual(confirmation);
    expect((await bec().ocpi.get('/sender/payments/financial-advice-confirmations/FAC-CP2')).status).toBe(404);
    expect((await members.CP2.ocpi.get('/sender/payments/financial-advice-confirmations')).data.data).toEqual([failure]);
    expect((await ptp().ocpi.get('/receiver/payments/financial-advice-confirmations/FAC-CP2')).data.data).toEqual(failure);
  });

  it('refuses bad input with 2001 and the reason, and stores nothing', async () => {
    const before = await hub.services.db.query(`SELECT count(*)::int AS n FROM ocpi_objects WHERE module LIKE 'payments/%'`);
    const outboxBefore = await hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE module = 'payments'`);
    const success: Record<string, any> = example230('payment_financial_advice_confirmation_example_success.json');
    const refusals: [Member, 'post' | 'put' | 'patch', string, unknown, RegExp][] = [
      [ptp(), 'post', '/receiver/payments/terminals', { city: 'Vienna' }, /terminal_id/],
      [ptp(), 'post', '/receiver/payments/terminals', { terminal_id: 'T-BAD', invoice_creator: 'EMSP' }, /invoice_creator/],
      [ptp(), 'post', '/receiver/payments/terminals', { terminal_id: 'x'.repeat(37) }, /terminal_id/],
      [ptp(), 'post', '/receiver/payments/financial-advice-confirmations', { ...success, capture_status_code: 'MAYBE' }, /capture_status_code/],
      [ptp(), 'post', '/receiver/payments/financial-advice-confirmations', { ...success, total_costs: 4.4 }, /total_costs/],
      // The text's own PUT example: "someNewURL" is not a URL (docs/versions.md).
      [bec(), 'put', '/sender/payments/terminals/T-NAMED-BEC', example230('payment_terminal_put_update.json'), /invoice_base_url/],
      [bec(), 'put', '/sender/payments/terminals/T-NAMED-BEC', { terminal_id: 'OTHER', last_updated: '2025-01-01T00:00:00Z' }, /differs from/],
      [bec(), 'patch', '/sender/payments/terminals/T-NAMED-BEC', {}, /at least one field/],
      [bec(), 'patch', '/sender/payments/terminals/T-NAMED-BEC', { location_ids: 'LOC1' }, /location_ids/],
      [bec(), 'post', '/sender/payments/terminals/activate', { reference: 'no last_updated' }, /last_updated/],
    ];
    for (const [member, method, url, body, reason] of refusals) {
      const answer = await member.ocpi[method](url, body);
      expect({ url, body, status: answer.data.status_code }).toEqual({ url, body, status: 2001 });
      expect(answer.data.status_message).toMatch(reason);
    }
    // Unknown terminals are 404 (2000), for a PUT too.
    const unknown = await bec().ocpi.put('/sender/payments/terminals/NOPE', { last_updated: '2025-01-01T00:00:00Z' });
    expect([unknown.status, unknown.data.status_code]).toEqual([404, 2000]);
    expect(await hub.services.db.query(`SELECT count(*)::int AS n FROM ocpi_objects WHERE module LIKE 'payments/%'`)).toEqual(before);
    expect(await hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE module = 'payments'`)).toEqual(outboxBefore);
  });

  it('accepts every Payments example of the 2.3.0 text at its route, except the PUT example the text’s own types refuse', async () => {
    const examples = readdirSync(OCPI_2_3_0_EXAMPLES).filter((f) => f.startsWith('payment_'));
    // Where each example goes (mod_payments: the examples' "POST To URL" / "PATCH To URL"), and the outcome.
    const ROUTES: Record<string, { member: () => Member; method: 'post' | 'put' | 'patch'; url: string; code: number }> = {
      'payment_financial_advice_confirmation_create.json': { member: ptp, method: 'post', url: '/receiver/payments/financial-advice-confirmations', code: 1000 },
      'payment_financial_advice_confirmation_example_failure.json': { member: ptp, method: 'post', url: '/receiver/payments/financial-advice-confirmations', code: 1000 },
      'payment_financial_advice_confirmation_example_success.json': { member: ptp, method: 'post', url: '/receiver/payments/financial-advice-confirmations', code: 1000 },
      'payment_terminal_activate.json': { member: bec, method: 'post', url: '/sender/payments/terminals/activate', code: 1000 },
      'payment_terminal_create.json': { member: ptp, method: 'post', url: '/receiver/payments/terminals', code: 1000 },
      'payment_terminal_create_minimal.json': { member: ptp, method: 'post', url: '/receiver/payments/terminals', code: 1000 },
      'payment_terminal_example_assigned_locations.json': { member: ptp, method: 'post', url: '/receiver/payments/terminals', code: 1000 },
      'payment_terminal_example_assigned_locations_assigned_evses.json': { member: ptp, method: 'post', url: '/receiver/payments/terminals', code: 1000 },
      'payment_terminal_example_newly_created.json': { member: ptp, method: 'post', url: '/receiver/payments/terminals', code: 1000 },
      'payment_terminal_location_assignment.json': { member: bec, method: 'patch', url: '/sender/payments/terminals/452cf8a1-79aa-4a0e-9aee-dc788586053c', code: 1000 },
      'payment_terminal_put_update.json': { member: bec, method: 'put', url: '/sender/payments/terminals/452cf8a1-79aa-4a0e-9aee-dc788586053c', code: 2001 },
    };
    expect(examples.sort()).toEqual(Object.keys(ROUTES).sort());
    for (const name of examples) {
      const { member, method, url, code } = ROUTES[name];
      const answer = await member().ocpi[method](url, example230(name), to(...((member() === ptp() ? ['BE', 'BEC'] : ['DE', 'PTP']) as [string, string])));
      expect({ name, code: answer.data.status_code }).toEqual({ name, code });
    }
    // Every delivery of the module reaches its 2.3.0 receiver: none fails, none is left waiting.
    const undelivered = async () => (await hub.services.db.query(`SELECT status, count(*)::int AS n FROM outbox WHERE module = 'payments' AND status <> 'delivered' GROUP BY status`)) as unknown[];
    await waitFor(async () => (await undelivered()).length === 0, 'every payments delivery');
    expect(await hub.services.db.query(`SELECT count(*)::int AS n FROM outbox WHERE module = 'payments' AND attempts > 1`)).toEqual([{ n: 0 }]);
  });

  it('keeps a CPO without an agreement out, and asks a CPO reaching two PTPs with one terminal id to name the PTP', async () => {
    const outsider = await join('FR', 'NOA', 'CPO', '2.3.0', PAYMENTS_CPO);
    const refused = await ptp().ocpi.post('/receiver/payments/terminals', { terminal_id: 'T-NOA' }, to('FR', 'NOA'));
    expect(refused.data.status_code).toBe(4001);
    const list = await outsider.ocpi.get('/sender/payments/terminals');
    expect([list.data.status_code, list.data.data, list.headers['x-total-count']]).toEqual([1000, [], '0']);
    expect((await outsider.ocpi.get('/sender/payments/terminals/452cf8a1-79aa-4a0e-9aee-dc788586053c')).status).toBe(404);
    expect((await outsider.ocpi.get('/sender/payments/financial-advice-confirmations')).data.data).toEqual([]);
    expect(outsider.partner.requests.filter((r) => r.path.includes('payments'))).toEqual([]);

    // A second PTP with a terminal of the same id, sent to BEC: BEC must say which PTP it means.
    const second = await join('DE', 'PT2', 'OTHER', '2.3.0', PTP);
    await agree('BE/BEC', 'DE/PT2');
    expect((await second.ocpi.post('/receiver/payments/terminals', { terminal_id: 'T-NAMED-BEC' }, to('BE', 'BEC'))).data.status_code).toBe(1000);
    const ambiguous = await bec().ocpi.patch('/sender/payments/terminals/T-NAMED-BEC', { evse_uids: ['E1'] });
    expect(ambiguous.data.status_code).toBe(2001);
    expect(ambiguous.data.status_message).toMatch(/Several PTPs .* name one in OCPI-to-\*/);
    expect((await bec().ocpi.patch('/sender/payments/terminals/T-NAMED-BEC', { evse_uids: ['E1'] }, to('DE', 'PT2'))).data.status_code).toBe(1000);
    await waitFor(() => second.partner.received('PATCH', '/ocpi/2.3.0/payments/terminals/T-NAMED-BEC')[0], 'the PATCH at PT2');
    expect(ptp().partner.received('PATCH', '/ocpi/2.3.0/payments/terminals/T-NAMED-BEC')).toEqual([]);
    // And an activation without OCPI-to-* has two PTPs to choose from now.
    const activation = await bec().ocpi.post('/sender/payments/terminals/activate', example230('payment_terminal_activate.json'));
    expect(activation.data.status_message).toMatch(/Several PTPs could activate/);
  });
});
