// The partners' own finance API (/partner/v1, docs/settlement.md "Statements for the partners"):
// finance keys, own statements only, disputes raised and answered by partners and resolved by the
// operator, invoice reconciliation; and isolation between partners for every route the router declares.
import axios, { type AxiosInstance } from 'axios';
import { PARTNER_FINANCE_PREFIX, partnerFinanceRouter } from '../../src/hub/partner-finance/partner-finance.routes';
import { example, startNetwork, type TestNetwork } from '../support/network';
import { pdfText } from '../support/pdf-text';

type Cdr = Record<string, any>;

function cdrAt(id: string, end: string, owner: { cc: string; pid: string }, emsp: { cc: string; pid: string }, changes: Cdr = {}): Cdr {
  const base = example<Cdr>('cdr_example.json');
  const start = new Date(Date.parse(end) - 1.973 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...base,
    id,
    country_code: owner.cc,
    party_id: owner.pid,
    cdr_token: { ...base.cdr_token, country_code: emsp.cc, party_id: emsp.pid },
    session_id: `SES-${id}`,
    start_date_time: start,
    end_date_time: end,
    charging_periods: [{ ...base.charging_periods[0], start_date_time: start }],
    last_updated: end,
    ...changes,
  };
}

describe('partner finance API', () => {
  let net: TestNetwork;
  const keys: Record<string, string> = {};
  const finance: Record<string, AxiosInstance> = {};
  let victimStatement: string;
  let attackerStatement: string;

  const financeClient = (key?: string) =>
    axios.create({ baseURL: `${net.hub.url}${PARTNER_FINANCE_PREFIX}`, headers: key ? { Authorization: `Bearer ${key}` } : {}, validateStatus: () => true });

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['BE/BEC', 'NL/CP2'], emsps: ['DE/TNM', 'NL/EM2'], agreements: 'all' });
    const bec = { cc: 'BE', pid: 'BEC' };
    const cp2 = { cc: 'NL', pid: 'CP2' };
    const tnm = { cc: 'DE', pid: 'TNM' };
    const em2 = { cc: 'NL', pid: 'EM2' };
    for (const cdr of [
      cdrAt('V-1', '2024-03-05T10:00:00Z', bec, tnm),
      cdrAt('V-2', '2024-03-12T18:30:00Z', bec, tnm, { total_cost: { excl_vat: 4.5, incl_vat: 4.95 }, total_time_cost: { excl_vat: 4.5, incl_vat: 4.95 } }),
      cdrAt('V-3', '2024-03-20T08:00:00Z', bec, tnm),
    ]) {
      expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    }
    expect((await net.parties.CP2.ocpi.post('/receiver/cdrs', cdrAt('A-1', '2024-03-06T10:00:00Z', cp2, em2))).data.status_code).toBe(1000);
    expect((await net.hub.admin.post('/admin/settlement/runs', { period: '2024-03' })).status).toBe(201);
    const statements = (await net.hub.admin.get('/admin/settlement/statements', { params: { period: '2024-03' } })).data as { id: string; cpo: string; emsp: string }[];
    victimStatement = statements.find((s) => s.cpo === 'BE/BEC' && s.emsp === 'DE/TNM')!.id;
    attackerStatement = statements.find((s) => s.cpo === 'NL/CP2' && s.emsp === 'NL/EM2')!.id;

    for (const name of ['BEC', 'TNM', 'CP2', 'EM2']) {
      const issued = await net.hub.admin.post(`/admin/parties/${net.parties[name].id}/finance-keys`, { label: `${name} finance` });
      expect(issued.status).toBe(201);
      keys[name] = issued.data.key;
      finance[name] = financeClient(issued.data.key);
    }
  });
  afterAll(() => net.close());

  it('shows a finance key once and lists it without the key', async () => {
    const listed = (await net.hub.admin.get(`/admin/parties/${net.parties.TNM.id}/finance-keys`)).data;
    expect(listed).toEqual([expect.objectContaining({ label: 'TNM finance', revoked_at: null })]);
    expect(JSON.stringify(listed)).not.toContain(keys.TNM);
    expect((await net.hub.admin.post(`/admin/parties/${net.parties.TNM.id}/finance-keys`, { label: '' })).status).toBe(400);
  });

  it('lets each side of a statement read it, its lines and its CSV, and shows nobody else’s', async () => {
    for (const name of ['BEC', 'TNM']) {
      const list = (await finance[name].get('/statements')).data as { id: string }[];
      expect(list.map((s) => s.id)).toEqual([victimStatement]);
    }
    const lines = (await finance.TNM.get(`/statements/${victimStatement}/lines`)).data;
    expect(lines.lines.map((l: { cdr_id: string }) => l.cdr_id)).toEqual(['V-1', 'V-2', 'V-3']);
    const csv = await finance.BEC.get(`/statements/${victimStatement}/csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.data).toContain('V-2');
    expect((await finance.EM2.get('/statements')).data.map((s: { id: string }) => s.id)).toEqual([attackerStatement]);
  });

  it('gives each side the statement as a PDF: parties, period, totals, VAT per rate and every line', async () => {
    const pdf = await finance.TNM.get(`/statements/${victimStatement}/pdf`, { responseType: 'arraybuffer' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = pdfText(Buffer.from(pdf.data));
    for (const shown of ['Settlement statement', 'BE/BEC', 'DE/TNM', '2024-03', 'EUR', 'V-1', 'V-2', 'V-3', '10.0 %', '12.50', '13.75']) expect(text).toContain(shown);
    // The operator's copy is the same document; another partner gets nothing.
    expect(pdfText(Buffer.from((await net.hub.admin.get(`/admin/settlement/statements/${victimStatement}/pdf`, { responseType: 'arraybuffer' })).data))).toEqual(text);
    expect((await finance.EM2.get(`/statements/${victimStatement}/pdf`)).status).toBe(404);
  });

  it('keeps every step of a dispute: raised by the eMSP, answered by the CPO, resolved by the operator', async () => {
    const evidence = { ocmf: 'OCMF|{"FV":"1.0"}|{"SA":"ECDSA-secp256r1-SHA256"}' };
    const raised = await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'V-2', reason: 'Charged for 2 h, the car left after 1 h', amount_claimed: '2.25', evidence });
    expect(raised.status).toBe(201);
    expect(raised.data).toMatchObject({ raised_by: 'DE/TNM', amount_claimed: '2.25', evidence, status: 'open' });
    const id = raised.data.id;
    // The other side sees it and answers; the raiser adds to it.
    expect((await finance.BEC.get('/disputes')).data.map((d: { id: string }) => d.id)).toContain(id);
    expect((await finance.BEC.post(`/disputes/${id}/steps`, { message: 'The session ran 1.97 h by the meter' })).status).toBe(201);
    expect((await finance.TNM.post(`/disputes/${id}/steps`, { message: 'Our app shows the stop at 19:31', evidence: { screenshot: 'https://example.com/s.png' } })).status).toBe(201);
    expect((await net.hub.admin.post(`/admin/settlement/disputes/${id}/resolve`, { resolution: 'rejected', note: 'meter data holds' })).status).toBe(200);
    const steps = (await finance.TNM.get(`/disputes/${id}`)).data.steps as { kind: string; author: string }[];
    expect(steps.map((s) => `${s.kind} ${s.author}`)).toEqual(['raised DE/TNM', 'answered BE/BEC', 'commented DE/TNM', 'resolved operator']);
    // Closed for answers now; nothing is added.
    expect((await finance.BEC.post(`/disputes/${id}/steps`, { message: 'late' })).status).toBe(409);
    expect((await finance.TNM.get(`/disputes/${id}`)).data.steps).toHaveLength(4);
    // A run writes the dispute onto the statement's next version, where both sides see it.
    expect((await net.hub.admin.post('/admin/settlement/runs', { period: '2024-03' })).status).toBe(201);
    const shown = (await finance.BEC.get(`/statements/${victimStatement}/lines`)).data;
    expect(shown.disputes.map((d: { id: string }) => d.id)).toContain(id);
  });

  it('refuses a bad dispute with a clear 4xx and stores nothing', async () => {
    const before = (await finance.TNM.get('/disputes')).data.length;
    const tooPrecise = await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'V-1', reason: 'x', amount_claimed: '1.005' });
    expect(tooPrecise.status).toBe(400);
    expect(tooPrecise.data.error.message).toMatch(/more decimals than EUR/);
    expect((await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'NOPE', reason: 'x' })).status).toBe(400);
    expect((await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'V-1', reason: '   ' })).status).toBe(400);
    expect((await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'V-1', reason: 'x', extra: 1 })).status).toBe(400);
    expect((await finance.TNM.get('/disputes')).data.length).toBe(before);
  });

  it('reconciles an invoice sent as CSV or JSON into one report both sides and the operator see', async () => {
    const csv = 'cdr_id,amount,note\nV-1,4.00,ok\nV-2,4.40,"short, by 0.10"\nX-9,1.00,not ours\n';
    const posted = await finance.BEC.post(`/statements/${victimStatement}/invoice-reconciliations?invoice_reference=INV-2024-03`, csv, { headers: { 'Content-Type': 'text/csv' } });
    expect(posted.status).toBe(201);
    expect(posted.data).toMatchObject({
      submitted_by: 'BE/BEC',
      invoice_reference: 'INV-2024-03',
      basis: 'net',
      counts: { matched: 1, amount_differs: 1, unknown_to_hub: 1, missing_from_invoice: 1, no_amount_on_statement: 0, duplicate_in_invoice: 0 },
      totals: { statement: '12.50', invoice: '9.40', difference: '-3.10' },
    });
    expect(posted.data.lines[0]).toEqual({ cdr_id: 'V-2', outcome: 'amount_differs', statement_amount: '4.50', invoice_amount: '4.40', difference: '-0.10' });
    // The eMSP sees the same report; gross basis from JSON.
    expect((await finance.TNM.get(`/invoice-reconciliations/${posted.data.id}`)).data.counts).toEqual(posted.data.counts);
    const json = await finance.TNM.post(`/statements/${victimStatement}/invoice-reconciliations`, {
      basis: 'gross',
      lines: [{ cdr_id: 'V-1', amount: 4.4 }, { cdr_id: 'V-2', amount: '4.95' }, { cdr_id: 'V-3', amount: '4.40' }],
    });
    expect(json.status).toBe(201);
    expect(json.data.counts.matched).toBe(3);
    const listed = (await net.hub.admin.get(`/admin/settlement/statements/${victimStatement}/invoice-reconciliations`)).data;
    expect(listed.map((r: { submitted_by: string }) => r.submitted_by)).toEqual(['DE/TNM', 'BE/BEC']);
  });

  it('refuses an invoice it cannot read, saying why, and keeps no report', async () => {
    const count = async () => (await net.hub.admin.get(`/admin/settlement/statements/${victimStatement}/invoice-reconciliations`)).data.length;
    const before = await count();
    const url = `/statements/${victimStatement}/invoice-reconciliations`;
    const noHeader = await finance.BEC.post(url, 'V-1;4.00\n', { headers: { 'Content-Type': 'text/csv' } });
    expect(noHeader.status).toBe(400);
    expect(noHeader.data.error.message).toMatch(/cdr_id and amount/);
    const badAmount = await finance.BEC.post(url, 'cdr_id,amount\nV-1,"4,00"\n', { headers: { 'Content-Type': 'text/csv' } });
    expect(badAmount.status).toBe(400);
    expect(badAmount.data.error.message).toMatch(/line 1 .*not a decimal/);
    const badQuote = await finance.BEC.post(url, 'cdr_id,amount\n"V-1,4.00\n', { headers: { 'Content-Type': 'text/csv' } });
    expect(badQuote.status).toBe(400);
    expect((await finance.BEC.post(url, { lines: [{ cdr_id: 'V\u0001', amount: '1' }] })).status).toBe(400);
    expect((await finance.BEC.post(url, { lines: 'no' })).status).toBe(400);
    expect((await finance.BEC.post(`${url}?basis=both`, 'cdr_id,amount\n', { headers: { 'Content-Type': 'text/csv' } })).status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('answers 401 without a finance key, with a revoked one, with the admin key or an OCPI token', async () => {
    expect((await financeClient().get('/statements')).status).toBe(401);
    expect((await financeClient(net.hub.adminKey).get('/statements')).status).toBe(401);
    expect((await financeClient(net.parties.TNM.token).get('/statements')).status).toBe(401);
    const spare = await net.hub.admin.post(`/admin/parties/${net.parties.TNM.id}/finance-keys`, { label: 'spare' });
    expect((await financeClient(spare.data.key).get('/statements')).status).toBe(200);
    expect((await net.hub.admin.post(`/admin/finance-keys/${spare.data.id}/revoke`)).data.revoked_at).not.toBeNull();
    const refused = await financeClient(spare.data.key).get('/statements');
    expect(refused.status).toBe(401);
    expect(refused.data.error.code).toBe('unauthorized');
  });

  describe('isolation: every route of the partner finance API, tried by the other pair’s parties', () => {
    // The victims' objects each route aims at; a route missing here fails the test, so a new route
    // must say what another partner gets.
    let dispute: string;
    let reconciliation: string;
    beforeAll(async () => {
      dispute = (await finance.TNM.post('/disputes', { statement_id: victimStatement, cdr_id: 'V-3', reason: 'double charge?' })).data.id;
      reconciliation = (await finance.BEC.post(`/statements/${victimStatement}/invoice-reconciliations`, { lines: [{ cdr_id: 'V-1', amount: '4' }] })).data.id;
    });

    type Probe = { path: string; body?: unknown; listWithout?: string };
    const probes = (): Record<string, Probe> => ({
      'GET /statements': { path: '/statements', listWithout: victimStatement },
      'GET /statements/:id': { path: `/statements/${victimStatement}` },
      'GET /statements/:id/lines': { path: `/statements/${victimStatement}/lines` },
      'GET /statements/:id/versions/:version': { path: `/statements/${victimStatement}/versions/1` },
      'GET /statements/:id/csv': { path: `/statements/${victimStatement}/csv` },
      'GET /statements/:id/pdf': { path: `/statements/${victimStatement}/pdf` },
      'POST /statements/:id/invoice-reconciliations': { path: `/statements/${victimStatement}/invoice-reconciliations`, body: { lines: [{ cdr_id: 'V-1', amount: '1' }] } },
      'GET /statements/:id/invoice-reconciliations': { path: `/statements/${victimStatement}/invoice-reconciliations` },
      'GET /invoice-reconciliations/:id': { path: `/invoice-reconciliations/${reconciliation}` },
      'GET /disputes': { path: '/disputes', listWithout: dispute },
      'POST /disputes': { path: '/disputes', body: { statement_id: victimStatement, cdr_id: 'V-1', reason: 'not mine to dispute' } },
      'GET /disputes/:id': { path: `/disputes/${dispute}` },
      'POST /disputes/:id/steps': { path: `/disputes/${dispute}/steps`, body: { message: 'meddling' } },
    });

    it('has a probe for every route the router declares', () => {
      const declared = partnerFinanceRouter({ partnerStatements: undefined as never }).stack.flatMap((layer) =>
        layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).slice(PARTNER_FINANCE_PREFIX.length)}`),
      );
      expect(declared.sort()).toEqual(Object.keys(probes()).sort());
    });

    for (const attacker of ['CP2', 'EM2']) {
      it(`gives ${attacker} nothing of BE/BEC–DE/TNM: 404 for each object, lists without them, nothing written`, async () => {
        const steps = async () => (await finance.TNM.get(`/disputes/${dispute}`)).data.steps.length;
        const reports = async () => (await finance.BEC.get(`/statements/${victimStatement}/invoice-reconciliations`)).data.length;
        const [stepsBefore, reportsBefore] = [await steps(), await reports()];
        for (const [route, probe] of Object.entries(probes())) {
          const method = route.split(' ')[0];
          const answer = method === 'GET' ? await finance[attacker].get(probe.path) : await finance[attacker].post(probe.path, probe.body);
          if (probe.listWithout) {
            expect([route, answer.status]).toEqual([route, 200]);
            expect(JSON.stringify(answer.data)).not.toContain(probe.listWithout);
          } else {
            expect([route, answer.status]).toEqual([route, 404]);
          }
        }
        expect([await steps(), await reports()]).toEqual([stepsBefore, reportsBefore]);
      });
    }
  });
});
