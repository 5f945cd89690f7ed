import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { pdfText } from '../support/pdf-text';
import { LINE_CSV_COLUMNS } from '../../src/hub/settlement/settlement.csv';
import { example, startNetwork, type TestNetwork, waitFor } from '../support/network';

type Cdr = Record<string, any>;

/** The spec's CDR example (BE/BEC → DE/TNM, tariff 12: 2.00/h excl. 10 % VAT, 4.00/4.40), moved to `end`. */
function cdrAt(id: string, end: string, changes: Cdr = {}): Cdr {
  const base = example<Cdr>('cdr_example.json');
  const endMs = Date.parse(end);
  const start = new Date(endMs - 1.973 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...base,
    id,
    session_id: `SES-${id}`,
    start_date_time: start,
    end_date_time: end,
    charging_periods: [{ ...base.charging_periods[0], start_date_time: start }],
    last_updated: end,
    ...changes,
  };
}

/** RFC 4180 rows of a CSV text (quoted fields with commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('settlement end to end: CDRs through the hub, a credit CDR, a dispute, statements and CSV', () => {
  let net: TestNetwork;
  const admin = () => net.hub.admin;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['BE/BEC'], emsps: ['DE/TNM'], agreements: 'all' });
    // The CDRs' location, so the re-rating reads times in Europe/Brussels.
    expect((await net.parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC1', example('location_example.json'))).data.status_code).toBe(1000);
  });
  afterAll(() => net.close());

  async function push(cdr: Cdr) {
    const answer = await net.parties.BEC.ocpi.post('/receiver/cdrs', cdr);
    expect(answer.data.status_code).toBe(1000);
  }

  async function cli(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
    return { code, out, err };
  }

  let march: Record<string, any>;
  let disputeId: string;

  it('settles March: one line per CDR, the credit netted against its original, the mismatch listed', async () => {
    await push(cdrAt('MAR-1', '2024-03-05T10:00:00Z'));
    await push(cdrAt('MAR-2', '2024-03-12T18:30:00Z', { total_cost: { excl_vat: 4.5, incl_vat: 4.95 }, total_time_cost: { excl_vat: 4.5, incl_vat: 4.95 } }));
    await push(cdrAt('MAR-3', '2024-03-31T21:00:00Z'));
    // The CPO credits MAR-1 within the month: the spec's credit CDR (all data of the original, negative total_cost).
    await push(cdrAt('MAR-1-C', '2024-03-05T10:00:00Z', {
      credit: true,
      credit_reference_id: 'MAR-1',
      total_cost: { excl_vat: -4, incl_vat: -4.4 },
      total_time_cost: { excl_vat: -4, incl_vat: -4.4 },
    }));
    await push(cdrAt('APR-1', '2024-04-02T09:00:00Z')); // next month: not on March's statement
    await waitFor(() => net.parties.TNM.partner.received('POST', '/ocpi/2.2.1/cdrs').length === 5, 'the CDRs at the eMSP');

    const run = await admin().post('/admin/settlement/runs', { period: '2024-03' });
    expect(run.status).toBe(201);
    expect(run.data).toMatchObject({ period: { kind: 'monthly', start: '2024-03-01', end: '2024-04-01', label: '2024-03' }, lines_written: 4 });
    expect(run.data.statements).toEqual([{ id: expect.any(String), version: 1, changed: true }]);

    const list = await admin().get('/admin/settlement/statements', { params: { period: '2024-03' } });
    expect(list.data).toEqual([
      expect.objectContaining({
        id: run.data.statements[0].id,
        cpo: 'BE/BEC',
        emsp: 'DE/TNM',
        currency: 'EUR',
        status: 'open',
        latest_version: 1,
        totals: {
          line_count: 4,
          credit_line_count: 1,
          energy_kwh: '30.684', // 3 × 15.342, the credit takes one back
          time_hours: '3.946',
          parking_hours: '0',
          net: '8.5',
          vat: '0.85',
          gross: '9.35',
          lines_without_vat: 0,
          mismatch_count: 1,
          disputed_line_count: 0,
        },
      }),
    ]);
    march = list.data[0];

    const shown = await admin().get(`/admin/settlement/statements/${march.id}/lines`);
    expect(shown.status).toBe(200);
    const line = (id: string, more: Cdr = {}) => ({
      cdr_id: id,
      credit: false,
      credit_reference_id: null,
      nets_against: null,
      late: false,
      session_id: `SES-${id}`,
      location_id: 'LOC1',
      evse_uid: '3256',
      evse_id: 'BE*BEC*E041503003',
      energy_kwh: '15.342',
      time_hours: '1.973',
      parking_hours: '0',
      tariff_id: '12',
      net: '4',
      vat: '0.4',
      gross: '4.4',
      rating_status: 'match',
      rating_reason: null,
      dispute_id: null,
      ...more,
    });
    expect(shown.data.lines.map(({ start_date_time, end_date_time, ...rest }: Cdr) => ({ ...rest, end: end_date_time }))).toEqual([
      { ...line('MAR-1', { nets_against: 'MAR-1-C' }), end: '2024-03-05T10:00:00.000Z' },
      {
        ...line('MAR-1-C', { credit: true, credit_reference_id: 'MAR-1', nets_against: 'MAR-1', energy_kwh: '-15.342', time_hours: '-1.973', net: '-4', vat: '-0.4', gross: '-4.4' }),
        end: '2024-03-05T10:00:00.000Z',
      },
      { ...line('MAR-2', { net: '4.5', vat: '0.45', gross: '4.95', rating_status: 'mismatch', rating_reason: expect.stringMatching(/total_cost\.excl_vat/) }), end: '2024-03-12T18:30:00.000Z' },
      { ...line('MAR-3'), end: '2024-03-31T21:00:00.000Z' },
    ]);
    expect(shown.data.lines[0].start_date_time).toBe('2024-03-05T08:01:37.000Z');
    // The re-rating mismatches of the statement: MAR-2 billed 4.50 where its tariff gives 4.00. (The
    // credit CDR re-rates as a match: its totals are compared by their absolute value.)
    expect(shown.data.mismatches.map((m: Cdr) => m.cdr_id)).toEqual(['MAR-2']);
    expect(shown.data.mismatches[0].differences).toContainEqual({ field: 'total_cost.excl_vat', computed: 4, reported: 4.5, difference: -0.5 });
  });

  it('exports the statement and the mismatch report as CSV', async () => {
    const csv = await admin().get(`/admin/settlement/statements/${march.id}/csv`, { responseType: 'text' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.data);
    expect(rows[0]).toEqual([...LINE_CSV_COLUMNS]);
    const records = rows.slice(1).map((r) => Object.fromEntries(r.map((v, i) => [rows[0][i], v])));
    expect(records.map((r) => r.cdr_id)).toEqual(['MAR-1', 'MAR-1-C', 'MAR-2', 'MAR-3']);
    expect(records[1]).toEqual({
      statement_id: march.id,
      version: '1',
      period: '2024-03',
      cpo: 'BE/BEC',
      emsp: 'DE/TNM',
      currency: 'EUR',
      cdr_id: 'MAR-1-C',
      session_id: 'SES-MAR-1-C',
      location_id: 'LOC1',
      evse_uid: '3256',
      evse_id: 'BE*BEC*E041503003',
      start_date_time: '2024-03-05T08:01:37.000Z',
      end_date_time: '2024-03-05T10:00:00.000Z',
      energy_kwh: '-15.342',
      time_hours: '-1.973',
      parking_hours: '0',
      tariff_id: '12',
      net: '-4',
      vat: '-0.4',
      gross: '-4.4',
      credit: 'true',
      credit_reference_id: 'MAR-1',
      nets_against: 'MAR-1',
      late: 'false',
      rating_status: 'match',
      dispute_id: '',
    });
    const mismatches = parseCsv((await admin().get(`/admin/settlement/statements/${march.id}/mismatches.csv`, { responseType: 'text' })).data);
    expect(mismatches[0]).toEqual(['statement_id', 'version', 'cdr_id', 'status', 'reason', 'field', 'computed', 'reported', 'difference']);
    expect(mismatches.filter((r) => r[2] === 'MAR-2').map((r) => r.slice(5))).toEqual([
      ['total_cost.excl_vat', '4', '4.5', '-0.5'],
      ['total_cost.incl_vat', '4.4', '4.95', '-0.55'],
      ['total_time_cost.excl_vat', '4', '4.5', '-0.5'],
      ['total_time_cost.incl_vat', '4.4', '4.95', '-0.55'],
    ]);
  });

  it('takes a dispute, closes the statement, and never changes it again', async () => {
    const refused = await admin().post('/admin/settlement/disputes', { statement_id: march.id, cdr_id: 'MAR-1-C', reason: 'no' });
    expect(refused.status).toBe(400);
    expect(refused.data.error.message).toMatch(/credit CDR/);
    expect((await admin().post('/admin/settlement/disputes', { statement_id: march.id, cdr_id: 'NOPE', reason: 'x' })).status).toBe(400);
    expect((await admin().post('/admin/settlement/disputes', { statement_id: march.id, cdr_id: 'MAR-3' })).status).toBe(400);

    const dispute = await admin().post('/admin/settlement/disputes', { statement_id: march.id, cdr_id: 'MAR-3', reason: 'The driver was charged twice for this session' });
    expect(dispute.status).toBe(201);
    expect(dispute.data).toMatchObject({ statement_id: march.id, cpo: 'BE/BEC', cdr_id: 'MAR-3', status: 'open', resolution: null, credit_cdr_ids: [] });
    disputeId = dispute.data.id;
    expect((await admin().post('/admin/settlement/disputes', { statement_id: march.id, cdr_id: 'MAR-3', reason: 'again' })).status).toBe(409);
    // Credited needs the CPO's credit CDR first.
    expect((await admin().post(`/admin/settlement/disputes/${disputeId}/resolve`, { resolution: 'credited' })).status).toBe(409);

    // Closing what was not reviewed is refused; then the reviewed version is closed.
    expect((await admin().post(`/admin/settlement/statements/${march.id}/close`, { version: 2 })).status).toBe(409);
    const closed = await admin().post(`/admin/settlement/statements/${march.id}/close`, { version: 1 });
    expect(closed.status).toBe(200);
    expect(closed.data).toMatchObject({ status: 'closed', closed_version: 1, closed_at: expect.any(String) });
    expect((await admin().post(`/admin/settlement/statements/${march.id}/close`)).status).toBe(409);

    // A re-run of March leaves the closed statement alone.
    const rerun = await admin().post('/admin/settlement/runs', { period: '2024-03' });
    expect(rerun.data.statements).toEqual([]);
    expect((await admin().get(`/admin/settlement/statements/${march.id}`)).data.versions.map((v: Cdr) => v.version)).toEqual([1]);
  });

  it('shows the CPO’s credit CDR for the disputed line, and its late revision, on the next open statement', async () => {
    // The CPO revises MAR-3: a credit CDR and a corrected CDR, both of March, which is closed: late.
    await push(cdrAt('MAR-3-C', '2024-03-31T21:00:00Z', {
      session_id: 'SES-MAR-3',
      credit: true,
      credit_reference_id: 'MAR-3',
      total_cost: { excl_vat: -4, incl_vat: -4.4 },
      total_time_cost: { excl_vat: -4, incl_vat: -4.4 },
    }));
    await push(cdrAt('MAR-3-R', '2024-03-31T21:00:00Z', { session_id: 'SES-MAR-3', total_cost: { excl_vat: 2, incl_vat: 2.2 }, total_time_cost: { excl_vat: 2, incl_vat: 2.2 } }));
    const dispute = (await admin().get(`/admin/settlement/disputes/${disputeId}`)).data;
    expect(dispute.credit_cdr_ids).toEqual(['MAR-3-C']);

    const run = await admin().post('/admin/settlement/runs', { period: '2024-04' });
    expect(run.status).toBe(201);
    const april = (await admin().get('/admin/settlement/statements', { params: { period: '2024-04', cpo: 'be/bec' } })).data[0];
    expect(april.totals).toMatchObject({ line_count: 3, credit_line_count: 1, net: '2', gross: '2.2', disputed_line_count: 1 });
    const shown = (await admin().get(`/admin/settlement/statements/${april.id}/lines`)).data;
    expect(shown.lines.map((l: Cdr) => [l.cdr_id, l.late, l.credit, l.net, l.nets_against, l.dispute_id])).toEqual([
      ['MAR-3-C', true, true, '-4', null, disputeId], // its original was settled in March: it stands alone
      ['MAR-3-R', true, false, '2', null, null],
      ['APR-1', false, false, '4', null, null],
    ]);
    expect(shown.disputes).toEqual([expect.objectContaining({ id: disputeId, status: 'open', credit_cdr_ids: ['MAR-3-C'] })]);

    const resolved = await admin().post(`/admin/settlement/disputes/${disputeId}/resolve`, { resolution: 'credited', note: 'credited in April' });
    expect(resolved.data).toMatchObject({ status: 'resolved', resolution: 'credited', note: 'credited in April', resolved_at: expect.any(String) });
    expect((await admin().get('/admin/settlement/disputes', { params: { status: 'open' } })).data).toEqual([]);
    // March as closed is unchanged.
    const marchNow = (await admin().get(`/admin/settlement/statements/${march.id}`)).data.statement;
    expect(marchNow.totals).toEqual(march.totals);
  });

  it('answers bad input with clear 4xx and changes nothing', async () => {
    const runsBefore = (await admin().get('/admin/settlement/runs')).data.length;
    expect((await admin().post('/admin/settlement/runs', { period: '2024-13' })).data.error.message).toMatch(/not a month/);
    expect((await admin().post('/admin/settlement/runs', { period: '2999-01' })).data.error.message).toMatch(/has not started/);
    expect((await admin().post('/admin/settlement/runs', { period: '2024-03', bogus: 1 })).status).toBe(400);
    expect((await admin().get('/admin/settlement/runs')).data.length).toBe(runsBefore);
    expect((await admin().get('/admin/settlement/statements/not-a-uuid')).status).toBe(404);
    expect((await admin().get(`/admin/settlement/statements/${march.id}/versions/7`)).status).toBe(404);
    expect((await admin().get(`/admin/settlement/statements/${march.id}/versions/x`)).status).toBe(404);
    expect((await admin().get('/admin/settlement/statements', { params: { status: 'half' } })).status).toBe(400);
    expect((await admin().post(`/admin/settlement/disputes/${disputeId}/resolve`, { resolution: 'rejected' })).status).toBe(409);
    expect((await admin().post(`/admin/settlement/disputes/${disputeId}/resolve`, { resolution: 'maybe' })).status).toBe(400);
  });

  it('keeps the pair’s statement time zone: listed, settable for a new pair, refused once statements exist', async () => {
    expect((await admin().get('/admin/settlement/time-zones')).data).toEqual({ default_time_zone: 'UTC', pairs: [] });
    const refused = await admin().put('/admin/settlement/time-zones', { cpo: 'BE/BEC', emsp: 'DE/TNM', time_zone: 'Europe/Brussels' });
    expect(refused.status).toBe(409);
    expect(refused.data.error.message).toMatch(/cut in UTC; a pair's time zone cannot change once it has statements/);
    expect((await admin().put('/admin/settlement/time-zones', { cpo: 'be/bec', emsp: 'DE/XYZ', time_zone: 'Mars/Base' })).status).toBe(400);
    expect((await admin().put('/admin/settlement/time-zones', { cpo: 'BE/BEC', emsp: 'DE/XYZ' })).status).toBe(400);
    expect((await admin().get('/admin/settlement/time-zones')).data.pairs).toEqual([]);
    const set = await admin().put('/admin/settlement/time-zones', { cpo: 'be/bec', emsp: 'de/xyz', time_zone: 'Europe/Brussels' });
    expect(set.status).toBe(200);
    expect(set.data).toMatchObject({ cpo: 'BE/BEC', emsp: 'DE/XYZ', time_zone: 'Europe/Brussels' });
    expect((await admin().get(`/admin/settlement/statements/${march.id}`)).data.statement.period.time_zone).toBe('UTC');
  });

  it('does the same from the shell: ocpi-hub settlement …', async () => {
    const listed = await cli('settlement', 'list', '--period', '2024-03');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out).map((s: Cdr) => s.id)).toEqual([march.id]);
    const csv = await cli('settlement', 'csv', march.id);
    expect(csv.code).toBe(0);
    expect(parseCsv(csv.out).slice(1).map((r) => r[6])).toEqual(['MAR-1', 'MAR-1-C', 'MAR-2', 'MAR-3']);
    expect(JSON.parse((await cli('settlement', 'show', march.id, '--version', '1')).out).lines).toHaveLength(4);
    const pdfFile = path.join(mkdtempSync(path.join(tmpdir(), 'statement-')), 'march.pdf');
    expect((await cli('settlement', 'pdf', march.id, '--out', pdfFile)).code).toBe(0);
    expect(pdfText(readFileSync(pdfFile))).toContain('MAR-1-C (credit)');
    expect((await cli('settlement', 'pdf', march.id)).code).toBe(2);
    const run = await cli('settlement', 'run', '--period', '2024-04');
    expect(JSON.parse(run.out).statements).toEqual([expect.objectContaining({ changed: false, version: 1 })]);
    const dispute = await cli('settlement', 'dispute', march.id, 'MAR-2', '--reason', 'Billed above the tariff');
    expect(dispute.code).toBe(0);
    const resolved = await cli('settlement', 'resolve', JSON.parse(dispute.out).id, '--resolution', 'rejected');
    expect(JSON.parse(resolved.out).resolution).toBe('rejected');
    expect((await cli('settlement', 'dispute', march.id, 'MAR-2')).code).toBe(2);
    expect((await cli('settlement', 'show', march.id, '--version', 'latest')).code).toBe(2);
    expect((await cli('settlement', 'close', march.id)).err).toMatch(/Error 409/);
    const zone = await cli('settlement', 'time-zone', '--cpo', 'BE/BEC', '--emsp', 'FR/NEW', '--zone', 'Europe/Paris');
    expect(JSON.parse(zone.out)).toMatchObject({ cpo: 'BE/BEC', emsp: 'FR/NEW', time_zone: 'Europe/Paris' });
    expect(JSON.parse((await cli('settlement', 'time-zones')).out).pairs.map((p: { emsp: string }) => p.emsp)).toEqual(['DE/XYZ', 'FR/NEW']);
    expect((await cli('settlement', 'time-zone', '--cpo', 'BE/BEC', '--emsp', 'FR/NEW')).code).toBe(2);
  });
});
