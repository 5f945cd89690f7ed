import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';

describe('re-rating every CDR that passes through the hub', () => {
  let net: TestNetwork;
  let cdr: Record<string, any>;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['BE/BEC'], emsps: ['NL/EM1'], agreements: 'all' });
    const location = example('location_example.json'); // BE/BEC LOC1, Europe/Brussels
    expect((await net.parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC1', location)).data.status_code).toBe(1000);
    cdr = { ...example('cdr_example.json'), country_code: 'BE', party_id: 'BEC' };
    cdr.cdr_token = { ...cdr.cdr_token, country_code: 'NL', party_id: 'EM1' };
  });
  afterAll(() => net.close());

  const ratings = async (status?: string) => (await net.hub.admin.get('/admin/cdr-ratings', { params: { status, cpo: 'BE/BEC' } })).data;

  it('records a match for a CDR whose totals follow its tariff, in the Location time zone', async () => {
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    const [rating] = await waitFor(async () => (await ratings('match')).length > 0 && ratings('match'), 'the rating');
    expect(rating).toMatchObject({ cpo: 'BE/BEC', cdr_id: cdr.id, status: 'match', tariff_id: '12', time_zone: 'Europe/Brussels', differences: [] });
    expect(rating.computed.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
  });

  it('flags a CDR whose totals differ beyond the tolerance, naming each total', async () => {
    const wrong = { ...cdr, id: 'WRONG1', total_cost: { excl_vat: 4.5, incl_vat: 4.95 } };
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', wrong)).data.status_code).toBe(1000);
    const mismatches = await ratings('mismatch');
    expect(mismatches).toEqual([
      expect.objectContaining({
        cdr_id: 'WRONG1',
        reason: expect.stringMatching(/total_cost\.excl_vat, total_cost\.incl_vat/),
        differences: [
          { field: 'total_cost.excl_vat', computed: 4, reported: 4.5, difference: -0.5 },
          { field: 'total_cost.incl_vat', computed: 4.4, reported: 4.95, difference: -0.55 },
        ],
      }),
    ]);
    // The CDR still reached its eMSP: rating flags, it does not block.
    await waitFor(() => net.parties.EM1.partner.received('POST', '/ocpi/2.2.1/cdrs').some((r) => (r.body as { id: string }).id === 'WRONG1'), 'the CDR at EM1');
  });

  it('says why a CDR could not be rated', async () => {
    const noTariff = { ...cdr, id: 'NOTARIFF', tariffs: undefined, charging_periods: cdr.charging_periods.map((p: object) => ({ ...p, tariff_id: 'GONE' })) };
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', noTariff)).data.status_code).toBe(1000);
    expect(await ratings('unrated')).toEqual([expect.objectContaining({ cdr_id: 'NOTARIFF', reason: 'Tariff GONE is neither in the CDR nor known to the hub' })]);
    expect((await net.hub.admin.get('/admin/cdr-ratings', { params: { status: 'bogus' } })).status).toBe(400);
  });

  it('without a stored Location, rates in the zone of a single-zone country, and prices a component without vat as no VAT', async () => {
    const tariff = { ...cdr.tariffs[0], id: 'NOVAT', elements: [{ price_components: [{ type: 'TIME', price: 2.0, step_size: 300 }] }] };
    const elsewhere = {
      ...cdr, id: 'ELSEWHERE', tariffs: [tariff], total_cost: { excl_vat: 4, incl_vat: 4 }, total_time_cost: { excl_vat: 4, incl_vat: 4 },
      cdr_location: { ...cdr.cdr_location, id: 'LOC-NOT-STORED' },
      charging_periods: cdr.charging_periods.map((p: object) => ({ ...p, tariff_id: 'NOVAT' })),
    };
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', elsewhere)).data.status_code).toBe(1000);
    const rating = await waitFor(async () => (await ratings()).find((r: { cdr_id: string }) => r.cdr_id === 'ELSEWHERE'), 'the rating');
    expect(rating).toMatchObject({ status: 'match', time_zone: 'Europe/Brussels', differences: [] });
    expect(rating.computed.total_cost).toEqual({ excl_vat: 4, incl_vat: 4 });
    expect(rating.notes.map((n: { code: string }) => n.code)).toEqual(expect.arrayContaining(['TIME_ZONE_FROM_COUNTRY', 'VAT_UNKNOWN']));
  });
});
