// The OCPI 2.3.0-ed2 Invoice Reconciliation module through the hub (mod_invoice_reconciliation.asciidoc,
// docs/versions.md, docs/settlement.md): a CPO and eMSPs as real 2.3.0 HTTP servers, and a 2.2.1 eMSP
// that must never see the module. Direct billing (the CPO's record → the eMSP of the listed CDRs),
// reverse billing (the eMSP's record → the CPO owning them), and the reports each record gives against
// the hub's settlement statements.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { waitFor } from '../support/network';
import { startPartner, type TestPartner } from '../support/partner';
import type { PartnerEndpoint } from '../../src/demo/demo-partner';
import { PARTNER_FINANCE_PREFIX } from '../../src/hub/partner-finance/partner-finance.routes';
import { OCPI_2_3_0_EXAMPLES } from '../support/spec-examples';
import { startTestHub, type TestHub } from '../support/test-hub';

type Json = Record<string, any>;
const example230 = <T = Json>(name: string): T => JSON.parse(readFileSync(path.join(OCPI_2_3_0_EXAMPLES, name), 'utf8')) as T;

interface Member {
  id: string;
  partner: TestPartner;
  /** axios to the hub in the member's version, as the member (token C, OCPI-from-*); never throws. */
  ocpi: AxiosInstance;
}

const IR_RECEIVER: PartnerEndpoint = { identifier: 'invoicereconciliation', role: 'RECEIVER', path: '/invoicereconciliation' };
const CPO_ENDPOINTS: PartnerEndpoint[] = [{ identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' }, IR_RECEIVER];
const EMSP_ENDPOINTS: PartnerEndpoint[] = [
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
  { identifier: 'cdrs', role: 'RECEIVER', path: '/cdrs' },
  IR_RECEIVER,
];

/** The 2.3.0 text's CDR example (BE/BEC, a DE/TNM token, 4.00 excl. VAT), moved to `end` and given to `emsp`'s token. */
function cdrAt(id: string, end: string, emsp = 'DE/TNM'): Json {
  const base = example230('cdr_example.json');
  const start = new Date(Date.parse(end) - 1.973 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const [country_code, party_id] = emsp.split('/');
  return {
    ...base,
    id,
    session_id: `SES-${id}`,
    start_date_time: start,
    end_date_time: end,
    cdr_token: { ...base.cdr_token, country_code, party_id },
    charging_periods: [{ ...base.charging_periods[0], start_date_time: start }],
    last_updated: end,
  };
}

const record = (owner: string, id: string, invoiceId: string, cdrs: string[], lastUpdated = '2024-05-02T10:00:00Z') => {
  const [country_code, party_id] = owner.split('/');
  return { country_code, party_id, id, invoice_id: invoiceId, cdrs, last_updated: lastUpdated };
};

describe('the OCPI 2.3.0 Invoice Reconciliation module through the hub, feeding the reconciliation reports', () => {
  let hub: TestHub;
  const members: Record<string, Member> = {};
  const statements: Record<string, string> = {};

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
  const agree = async (cpo: string, emsp: string) => expect((await hub.admin.post('/admin/agreements', { cpo, emsp })).status).toBe(201);
  const bec = () => members.BEC;
  const tnm = () => members.TNM;
  const reports = async (statement: string) => (await hub.admin.get(`/admin/settlement/statements/${statement}/invoice-reconciliations`)).data as Json[];
  const report = async (id: string) => (await hub.admin.get(`/admin/settlement/invoice-reconciliations/${id}`)).data as Json;
  const counts = async () =>
    (
      await hub.services.db.query(
        `SELECT (SELECT count(*)::int FROM ocpi_objects WHERE module = 'invoicereconciliation') AS records,
                (SELECT count(*)::int FROM outbox WHERE module = 'invoicereconciliation') AS deliveries,
                (SELECT count(*)::int FROM invoice_reconciliations) AS reports`,
      )
    )[0];

  beforeAll(async () => {
    hub = await startTestHub({ env: { OCPI_VERSIONS: '2.2.1,2.3.0' } });
    await join('BE', 'BEC', 'CPO', '2.3.0', CPO_ENDPOINTS);
    await join('DE', 'TNM', 'EMSP', '2.3.0', EMSP_ENDPOINTS);
    await join('AT', 'EM2', 'EMSP', '2.3.0', EMSP_ENDPOINTS);
    // A 2.2.1 eMSP that even lists the endpoint: 2.2.1 has no such module, so the hub sends it nothing.
    await join('NL', 'OLD', 'EMSP', '2.2.1', EMSP_ENDPOINTS);
    for (const emsp of ['DE/TNM', 'AT/EM2', 'NL/OLD']) await agree('BE/BEC', emsp);

    const cdrs = [
      cdrAt('MAR-1', '2024-03-05T10:00:00Z'),
      cdrAt('MAR-2', '2024-03-12T18:30:00Z'),
      cdrAt('APR-1', '2024-04-02T09:00:00Z'),
      cdrAt('MAY-1', '2024-05-01T09:00:00Z'), // not settled: on no statement
      cdrAt('MAR-EM2', '2024-03-06T10:00:00Z', 'AT/EM2'),
      cdrAt('MAR-OLD', '2024-03-07T10:00:00Z', 'NL/OLD'),
    ];
    for (const cdr of cdrs) expect((await bec().ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    await waitFor(() => tnm().partner.received('POST', '/ocpi/2.3.0/cdrs').length === 4, 'the CDRs at TNM');
    for (const period of ['2024-03', '2024-04']) {
      const run = await hub.admin.post('/admin/settlement/runs', { period });
      expect(run.status).toBe(201);
    }
    const listed = (await hub.admin.get('/admin/settlement/statements', { params: { cpo: 'BE/BEC', emsp: 'DE/TNM' } })).data as Json[];
    for (const s of listed) statements[s.period.label] = s.id;
    expect(Object.keys(statements).sort()).toEqual(['2024-03', '2024-04']);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(Object.values(members).map((m) => m.partner.stop()));
    await hub?.close();
  });

  it('lists the invoicereconciliation endpoints in the 2.3.0 version details only; 2.2.1 has no such routes', async () => {
    const v230 = (await tnm().ocpi.get(`${hub.url}/ocpi/2.3.0`)).data.data.endpoints as Json[];
    expect(v230.filter((e) => e.identifier === 'invoicereconciliation')).toEqual([
      { identifier: 'invoicereconciliation', role: 'SENDER', url: `${hub.url}/ocpi/2.3.0/sender/invoicereconciliation` },
      { identifier: 'invoicereconciliation', role: 'RECEIVER', url: `${hub.url}/ocpi/2.3.0/receiver/invoicereconciliation` },
    ]);
    const v221 = (await members.OLD.ocpi.get(`${hub.url}/ocpi/2.2.1`)).data.data.endpoints as Json[];
    expect(v221.map((e) => e.identifier)).not.toContain('invoicereconciliation');
    expect((await members.OLD.ocpi.get('/sender/invoicereconciliation')).status).toBe(404);
    expect((await members.OLD.ocpi.post('/receiver/invoicereconciliation', record('NL/OLD', 'X', 'X', ['MAR-OLD']))).status).toBe(404);
  });

  let directReports: Json[];

  it('direct billing: passes the CPO’s record to the eMSP of its CDRs, unchanged, and reports it against each statement it touches', async () => {
    const sent = { ...record('BE/BEC', 'IR-1', 'INV-2024-Q1', ['MAR-1', 'APR-1', 'MAY-1']), x_vendor: { kept: true } };
    const posted = await bec().ocpi.post('/receiver/invoicereconciliation', sent);
    expect([posted.status, posted.data.status_code]).toEqual([201, 1000]);
    const got = await waitFor(() => tnm().partner.received('POST', '/ocpi/2.3.0/invoicereconciliation')[0], 'the record at TNM');
    expect(got.path).toBe('/ocpi/2.3.0/invoicereconciliation');
    expect(got.body).toEqual(sent);
    expect([got.headers['ocpi-from-party-id'], got.headers['ocpi-to-party-id']]).toEqual(['BEC', 'TNM']);
    await hub.services.outbox.whenIdle();
    expect(members.EM2.partner.requests.filter((r) => r.path.includes('invoicereconciliation'))).toEqual([]);
    expect((await bec().ocpi.get('/receiver/invoicereconciliation/BE/BEC/IR-1')).data.data).toEqual(sent);

    // One report per statement touched: March (MAR-1 on it, MAR-2 not listed) and April (APR-1).
    const [march] = await reports(statements['2024-03']);
    const [april] = await reports(statements['2024-04']);
    expect(march).toMatchObject({ submitted_by: 'BE/BEC', invoice_reference: 'INV-2024-Q1', basis: 'net', currency: 'EUR' });
    const marchFull = await report(march.id);
    expect(marchFull.counts).toEqual({ matched: 1, amount_differs: 0, unknown_to_hub: 1, missing_from_invoice: 1, no_amount_on_statement: 0, duplicate_in_invoice: 0 });
    expect(marchFull.lines).toEqual([
      { cdr_id: 'MAY-1', outcome: 'unknown_to_hub', invoice_amount: null },
      { cdr_id: 'MAR-2', outcome: 'missing_from_invoice', statement_amount: '4.00' },
      { cdr_id: 'MAR-1', outcome: 'matched', amount: null, statement_amount: '4.00' },
    ]);
    expect(marchFull.totals).toEqual({ statement: '8.00', invoice: null, difference: null, listed: '4.00' });
    const aprilFull = await report(april.id);
    // APR-1 is April's; MAR-1 is March's report's, not April's unknown.
    expect(aprilFull.lines).toEqual([
      { cdr_id: 'MAY-1', outcome: 'unknown_to_hub', invoice_amount: null },
      { cdr_id: 'APR-1', outcome: 'matched', amount: null, statement_amount: '4.00' },
    ]);
    directReports = [march, april];
  });

  it('shows the reports through the partner finance API to both sides of the statement', async () => {
    for (const name of ['BEC', 'TNM']) {
      const issued = await hub.admin.post(`/admin/parties/${members[name].id}/finance-keys`, { label: `${name} finance` });
      expect(issued.status).toBe(201);
      const finance = axios.create({ baseURL: `${hub.url}${PARTNER_FINANCE_PREFIX}`, headers: { Authorization: `Bearer ${issued.data.key}` }, validateStatus: () => true });
      const listed = (await finance.get(`/statements/${statements['2024-03']}/invoice-reconciliations`)).data as Json[];
      expect(listed.map((r) => r.id)).toEqual([directReports[0].id]);
      expect((await finance.get(`/invoice-reconciliations/${directReports[1].id}`)).data.invoice_reference).toBe('INV-2024-Q1');
    }
  });

  it('PUT: passes the updated record on and reports it again; the eMSP pulls it by GET, paginated and dated', async () => {
    const updated = record('BE/BEC', 'IR-1', 'INV-2024-Q1', ['MAR-1', 'MAR-2'], '2024-05-03T10:00:00Z');
    const put = await bec().ocpi.put('/receiver/invoicereconciliation/BE/BEC/IR-1', updated);
    expect([put.status, put.data.status_code]).toEqual([200, 1000]);
    const got = await waitFor(() => tnm().partner.received('PUT', '/ocpi/2.3.0/invoicereconciliation/BE/BEC/IR-1')[0], 'the PUT at TNM');
    expect(got.body).toEqual(updated);
    const [latest] = await reports(statements['2024-03']);
    expect(latest.id).not.toBe(directReports[0].id);
    expect((await report(latest.id)).counts).toMatchObject({ matched: 2, missing_from_invoice: 0, unknown_to_hub: 0 });
    // The April statement is not touched by the new CDR list: no new report there.
    expect((await reports(statements['2024-04'])).map((r) => r.id)).toEqual([directReports[1].id]);

    const pulled = await tnm().ocpi.get('/sender/invoicereconciliation');
    expect([pulled.data.status_code, pulled.data.data, pulled.headers['x-total-count']]).toEqual([1000, [updated], '1']);
    expect((await tnm().ocpi.get('/sender/invoicereconciliation', { params: { date_to: '2024-05-03T10:00:00Z' } })).data.data).toEqual([]);
    expect((await tnm().ocpi.get('/sender/invoicereconciliation', { params: { date_from: '2024-05-03T10:00:00Z', limit: 1 } })).data.data).toEqual([updated]);
    // Only the addressee sees it: not another eMSP, not the CPO's own Sender view.
    expect((await members.EM2.ocpi.get('/sender/invoicereconciliation')).data.data).toEqual([]);
    expect((await bec().ocpi.get('/sender/invoicereconciliation')).data.data).toEqual([]);
  });

  it('reverse billing: passes the eMSP’s record to the CPO owning its CDRs, reported as the eMSP’s', async () => {
    const sent = record('DE/TNM', 'SB-1', 'SELF-BILL-2024-03', ['MAR-1', 'MAR-2']);
    const posted = await tnm().ocpi.post('/receiver/invoicereconciliation', sent);
    expect([posted.status, posted.data.status_code]).toEqual([201, 1000]);
    const got = await waitFor(() => bec().partner.received('POST', '/ocpi/2.3.0/invoicereconciliation')[0], 'the record at BEC');
    expect(got.body).toEqual(sent);
    expect([got.headers['ocpi-from-party-id'], got.headers['ocpi-to-party-id']]).toEqual(['TNM', 'BEC']);
    const [latest] = await reports(statements['2024-03']);
    expect(latest).toMatchObject({ submitted_by: 'DE/TNM', invoice_reference: 'SELF-BILL-2024-03' });
    expect((await report(latest.id)).counts).toMatchObject({ matched: 2, missing_from_invoice: 0 });
    expect((await bec().ocpi.get('/sender/invoicereconciliation')).data.data).toEqual([sent]);
  });

  it('DELETE: removes the record and tells its counterpart; the reports stay', async () => {
    const before = (await reports(statements['2024-03'])).length;
    const deleted = await tnm().ocpi.delete('/receiver/invoicereconciliation/DE/TNM/SB-1');
    expect(deleted.data.status_code).toBe(1000);
    await waitFor(() => bec().partner.received('DELETE', '/ocpi/2.3.0/invoicereconciliation/DE/TNM/SB-1')[0], 'the DELETE at BEC');
    expect((await bec().ocpi.get('/sender/invoicereconciliation')).data.data).toEqual([]);
    const gone = await tnm().ocpi.get('/receiver/invoicereconciliation/DE/TNM/SB-1');
    expect([gone.status, gone.data.status_code]).toEqual([404, 2000]);
    expect((await tnm().ocpi.delete('/receiver/invoicereconciliation/DE/TNM/SB-1')).status).toBe(404);
    expect((await reports(statements['2024-03'])).length).toBe(before);
  });

  it('refuses bad input with 2001 and the reason, and stores, queues and reports nothing', async () => {
    const before = await counts();
    const refusals: [Member, 'post' | 'put', string, unknown, RegExp][] = [
      [bec(), 'post', '/receiver/invoicereconciliation', { ...record('BE/BEC', 'B-1', 'I', ['MAR-1']), cdrs: [] }, /cdrs/],
      [bec(), 'post', '/receiver/invoicereconciliation', { ...record('BE/BEC', 'B-2', 'I', ['MAR-1']), invoice_id: undefined }, /invoice_id/],
      [bec(), 'post', '/receiver/invoicereconciliation', { ...record('BE/BEC', 'B-3', 'I', ['MAR-1']), last_updated: 'yesterday' }, /last_updated/],
      [bec(), 'post', '/receiver/invoicereconciliation', record('BE/BEC', 'x'.repeat(37), 'I', ['MAR-1']), /id/],
      [bec(), 'post', '/receiver/invoicereconciliation', record('BE/BEC', 'B-4', 'I', ['MAR-1', 'NOPE']), /not CDRs of BE\/BEC at the hub: NOPE/],
      [bec(), 'post', '/receiver/invoicereconciliation', record('BE/BEC', 'B-5', 'I', ['MAR-1', 'MAR-EM2']), /belong to 2 eMSPs .*AT\/EM2: MAR-EM2; DE\/TNM: MAR-1/],
      [bec(), 'post', '/receiver/invoicereconciliation', record('BE/BEC', 'B-6', 'I', ['MAR-1']), /not CDRs of BE\/BEC with AT\/EM2's tokens at the hub: MAR-1/], // OCPI-to-* below
      [tnm(), 'post', '/receiver/invoicereconciliation', record('DE/TNM', 'B-7', 'I', ['MAR-EM2']), /not CDRs with DE\/TNM's tokens at the hub: MAR-EM2/],
      [bec(), 'put', '/receiver/invoicereconciliation/BE/BEC/IR-1', record('BE/BEC', 'OTHER', 'I', ['MAR-1']), /differs from/],
      [bec(), 'put', '/receiver/invoicereconciliation/BE/BEC/IR-1', record('BE/BEC', 'IR-1', 'I', ['MAR-EM2']), /was sent to DE\/TNM; its CDRs now belong to AT\/EM2/],
    ];
    for (const [member, method, url, body, reason] of refusals) {
      // B-6 names a receiver that is not its CDRs' eMSP.
      const headers = (body as Json).id === 'B-6' ? { 'OCPI-to-country-code': 'AT', 'OCPI-to-party-id': 'EM2' } : {};
      const answer = await member.ocpi[method](url, body, { headers });
      expect({ url, id: (body as Json).id, status: answer.data.status_code }).toEqual({ url, id: (body as Json).id, status: 2001 });
      expect(answer.data.status_message).toMatch(reason);
    }
    // Not one's own record: 404, as any client-owned push under another party's id.
    const foreign = await bec().ocpi.post('/receiver/invoicereconciliation', record('DE/TNM', 'B-8', 'I', ['MAR-1']));
    expect([foreign.status, foreign.data.status_code]).toEqual([404, 2000]);
    const unknown = await bec().ocpi.put('/receiver/invoicereconciliation/BE/BEC/NOPE', record('BE/BEC', 'NOPE', 'I', ['MAR-1']));
    expect([unknown.status, unknown.data.status_code]).toEqual([404, 2000]);
    expect(await counts()).toEqual(before);
  });

  it('does not pass a record to a 2.2.1 eMSP (4001, nothing stored or queued)', async () => {
    const before = await counts();
    const answer = await bec().ocpi.post('/receiver/invoicereconciliation', record('BE/BEC', 'IR-OLD', 'INV-OLD', ['MAR-OLD']));
    expect(answer.data.status_code).toBe(4001);
    expect(answer.data.status_message).toMatch(/NL\/OLD speaks OCPI 2\.2\.1, which has no Invoice Reconciliation module/);
    expect(await counts()).toEqual(before);
    await hub.services.outbox.whenIdle();
    expect(members.OLD.partner.requests.filter((r) => r.path.includes('invoicereconciliation'))).toEqual([]);
    // Every delivery of the module reached its 2.3.0 receiver at the first attempt.
    expect(await hub.services.db.query(`SELECT status, count(*)::int AS n FROM outbox WHERE module = 'invoicereconciliation' GROUP BY status`)).toEqual([{ status: 'delivered', n: 4 }]);
  });

  it('reverse billing with one CDR id at two CPOs: 2001 asking for OCPI-to-*, then to the CPO named; no statement there, no report', async () => {
    const cp2 = await join('AT', 'CP2', 'CPO', '2.3.0', CPO_ENDPOINTS);
    await agree('AT/CP2', 'DE/TNM');
    // CDR ids are unique per CPO only: CP2 has a MAR-1 of its own, with a TNM token.
    expect((await cp2.ocpi.post('/receiver/cdrs', { ...cdrAt('MAR-1', '2024-03-08T10:00:00Z'), country_code: 'AT', party_id: 'CP2' })).data.status_code).toBe(1000);
    const before = await counts();
    const sent = record('DE/TNM', 'SB-2', 'SELF-BILL-CP2', ['MAR-1']);
    const ambiguous = await tnm().ocpi.post('/receiver/invoicereconciliation', sent);
    expect(ambiguous.data.status_code).toBe(2001);
    expect(ambiguous.data.status_message).toMatch(/belong to 2 CPOs \(AT\/CP2: MAR-1; BE\/BEC: MAR-1\).*name the CPO in OCPI-to-\*/);
    expect(await counts()).toEqual(before);

    const named = await tnm().ocpi.post('/receiver/invoicereconciliation', sent, { headers: { 'OCPI-to-country-code': 'AT', 'OCPI-to-party-id': 'CP2' } });
    expect([named.status, named.data.status_code]).toEqual([201, 1000]);
    const got = await waitFor(() => cp2.partner.received('POST', '/ocpi/2.3.0/invoicereconciliation')[0], 'the record at CP2');
    expect(got.body).toEqual(sent);
    await hub.services.outbox.whenIdle();
    expect(bec().partner.received('POST', '/ocpi/2.3.0/invoicereconciliation')).toHaveLength(1); // SB-1 only
    expect(await counts()).toEqual({ ...before, records: before.records + 1, deliveries: before.deliveries + 1 });
  });
});
