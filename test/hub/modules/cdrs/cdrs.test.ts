import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';

type Cdr = Record<string, any>;

const to = (countryCode: string, partyId: string) => ({ headers: { 'OCPI-to-country-code': countryCode, 'OCPI-to-party-id': partyId } });

describe('CDRs through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];
  const cdr = example<Cdr>('cdr_example.json');

  beforeAll(async () => {
    net = await startNetwork({
      // The example's owner (BE/BEC) and its token's eMSP (DE/TNM).
      cpos: ['BE/BEC', 'NL/CP2'],
      emsps: ['DE/TNM', 'NL/EM2', 'FR/BLK'],
      // FR/BLK has no agreement with anyone.
      agreements: [['BEC', 'TNM'], ['BEC', 'EM2'], ['CP2', 'TNM']],
    });
    parties = net.parties;
  });
  afterAll(() => net.close());

  const cdrsAt = (partyId: string) => parties[partyId].partner.received('POST', '/ocpi/2.2.1/cdrs');

  it('accepts the CDR example from its owner, answers with its Location at the hub, and delivers it to the token eMSP only', async () => {
    const posted = await parties.BEC.ocpi.post('/receiver/cdrs', cdr);
    expect(posted.status).toBe(201);
    expect(posted.data.status_code).toBe(1000);
    const location = `${net.hub.url}/ocpi/2.2.1/receiver/cdrs/BE/BEC/12345`;
    expect(posted.headers.location).toBe(location);

    const readBack = await parties.BEC.ocpi.get(location.replace(`${net.hub.url}/ocpi/2.2.1`, ''));
    expect(readBack.data.data).toEqual(cdr);
    const pulled = await parties.TNM.ocpi.get('/sender/cdrs');
    expect(pulled.data.data).toEqual([cdr]);
    expect(pulled.headers['x-total-count']).toBe('1');

    const delivered = await waitFor(() => cdrsAt('TNM')[0], 'the CDR at TNM');
    expect(delivered.path).toBe('/ocpi/2.2.1/cdrs');
    expect(delivered.body).toEqual(cdr);
    expect(delivered.headers['ocpi-from-party-id']).toBe('BEC'); // open routing: from the CPO
    expect(delivered.headers['ocpi-to-party-id']).toBe('TNM');

    // EM2 has an agreement with BEC, but the CDR is not its own.
    await net.hub.services.outbox.whenIdle();
    expect(cdrsAt('EM2')).toEqual([]);
    expect((await parties.EM2.ocpi.get('/sender/cdrs')).data.data).toEqual([]);
  });

  it('refuses a CDR id its owner already sent (CDRs are final) and accepts the credit CDR that corrects it', async () => {
    const again = await parties.BEC.ocpi.post('/receiver/cdrs', { ...cdr, total_cost: { excl_vat: 1 } });
    expect(again.data.status_code).toBe(2001);
    expect(again.data.status_message).toMatch(/credit CDR/);
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/12345')).data.data).toEqual(cdr);

    // Concurrent POSTs of one new id: exactly one is stored.
    const racing = await Promise.all([1, 2, 3, 4].map((n) => parties.BEC.ocpi.post('/receiver/cdrs', { ...cdr, id: 'RACE', total_energy: n })));
    expect(racing.map((r) => r.data.status_code).sort()).toEqual([1000, 2001, 2001, 2001]);
    const winner = racing.findIndex((r) => r.status === 201) + 1;
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/RACE')).data.data.total_energy).toBe(winner);

    const noReference = await parties.BEC.ocpi.post('/receiver/cdrs', { ...cdr, id: '12345-C', credit: true });
    expect(noReference.data.status_code).toBe(2001);
    expect(noReference.data.status_message).toMatch(/credit_reference_id/);
    const longId = await parties.BEC.ocpi.post('/receiver/cdrs', { ...cdr, id: '123456789012345678901234567890123456-X' });
    expect(longId.data.status_message).toMatch(/\bid\b/);

    const credit = {
      ...cdr,
      id: '123456789012345678901234567890123456-C', // 39 characters: allowed for a credit CDR
      credit: true,
      credit_reference_id: '12345',
      total_cost: { excl_vat: -4, incl_vat: -4.4 },
      total_time_cost: { excl_vat: -4, incl_vat: -4.4 },
      last_updated: '2015-07-01T00:00:00Z',
    };
    const posted = await parties.BEC.ocpi.post('/receiver/cdrs', credit);
    expect(posted.status).toBe(201);
    expect(posted.headers.location).toMatch(/\/receiver\/cdrs\/BE\/BEC\/123456789012345678901234567890123456-C$/);
    expect((await parties.BEC.ocpi.get(`/receiver/cdrs/BE/BEC/${credit.id}`)).data.data).toEqual(credit);
    await waitFor(() => cdrsAt('TNM').length === 3, 'the credit CDR at TNM');
    await net.hub.services.outbox.whenIdle();
    expect(cdrsAt('TNM').map((r) => (r.body as Cdr).id)).toEqual(['12345', 'RACE', credit.id]);
    expect(cdrsAt('TNM')[2].body).toEqual(credit);
  });

  it('lets a CPO send and read only its own CDRs, in its CPO role, checking every field, storing nothing otherwise', async () => {
    // The body names BE/BEC, which is not CP2's: HTTP 404 with 2001.
    const foreign = await parties.CP2.ocpi.post('/receiver/cdrs', { ...cdr, id: 'FOREIGN' });
    expect(foreign.status).toBe(404);
    expect(foreign.data.status_code).toBe(2001);
    const asEmsp = await parties.TNM.ocpi.post('/receiver/cdrs', { ...cdr, id: 'ASEMSP', country_code: 'DE', party_id: 'TNM' });
    expect(asEmsp.status).toBe(404);
    expect((await parties.CP2.ocpi.get('/receiver/cdrs/BE/BEC/12345')).status).toBe(404);
    expect((await parties.TNM.ocpi.get('/receiver/cdrs/BE/BEC/12345')).status).toBe(404);
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/FOREIGN')).status).toBe(404);

    const { cdr_location: _missing, ...noLocation } = cdr;
    const invalid = await parties.BEC.ocpi.post('/receiver/cdrs', { ...noLocation, id: 'BAD1', auth_method: 'PIN', end_date_time: '2015-06-29 23:37' });
    expect(invalid.data.status_code).toBe(2001);
    expect(invalid.data.status_message).toMatch(/end_date_time/);
    expect(invalid.data.status_message).toMatch(/auth_method/);
    expect(invalid.data.status_message).toMatch(/cdr_location/);
    const badParts = await parties.BEC.ocpi.post('/receiver/cdrs', {
      ...cdr,
      id: 'BAD2',
      cdr_location: { ...cdr.cdr_location, connector_format: 'PLUG' },
      charging_periods: [],
      tariffs: [{ ...cdr.tariffs[0], elements: [{ price_components: [{ type: 'TIME', price: 2 }] }] }],
    });
    expect(badParts.data.status_message).toMatch(/cdr_location\.connector_format/);
    expect(badParts.data.status_message).toMatch(/charging_periods/);
    expect(badParts.data.status_message).toMatch(/tariffs\.0\.elements\.0\.price_components\.0\.step_size/);
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', [cdr])).data.status_code).toBe(2001);
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/BAD1')).status).toBe(404);
  });

  it('refuses a CDR for an eMSP without agreement (4001) and stores nothing; OCPI-to-* chooses the receiver', async () => {
    const blocked = { ...cdr, id: 'BLK1', cdr_token: { ...cdr.cdr_token, country_code: 'FR', party_id: 'BLK' } };
    const refused = await parties.BEC.ocpi.post('/receiver/cdrs', blocked);
    expect(refused.data.status_code).toBe(4001);
    expect(refused.headers.location).toBeUndefined();
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/BLK1')).status).toBe(404);
    // OCPI-to-* naming a party without agreement is refused the same way.
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', { ...cdr, id: 'TO-BLK' }, to('FR', 'BLK'))).data.status_code).toBe(4001);
    expect((await parties.BEC.ocpi.get('/receiver/cdrs/BE/BEC/TO-BLK')).status).toBe(404);

    const direct = { ...cdr, id: 'DIRECT1' };
    expect((await parties.BEC.ocpi.post('/receiver/cdrs', direct, to('NL', 'EM2'))).status).toBe(201);
    const delivered = await waitFor(() => cdrsAt('EM2')[0], 'the direct CDR at EM2');
    expect(delivered.body).toEqual(direct);
    expect(delivered.headers['ocpi-from-party-id']).toBe('BEC');
    await net.hub.services.outbox.whenIdle();
    expect(cdrsAt('TNM').map((r) => (r.body as Cdr).id)).not.toContain('DIRECT1');
    expect(parties.BLK.partner.requests.filter((r) => r.path.includes('/cdrs'))).toEqual([]);
    expect((await parties.BLK.ocpi.get('/sender/cdrs')).data.data).toEqual([]);
  });

  it("serves each eMSP its own CDRs of every CPO it has agreements with, paginated, with X-Total-Count counting only those", async () => {
    // The same id at another CPO is another CDR (ids are unique per country_code/party_id).
    const other = { ...cdr, country_code: 'NL', party_id: 'CP2', last_updated: '2016-01-01T00:00:00Z' };
    expect((await parties.CP2.ocpi.post('/receiver/cdrs', other)).status).toBe(201);

    const all = await parties.TNM.ocpi.get('/sender/cdrs');
    // Oldest first: BEC's 12345, RACE and DIRECT1 (the token is TNM's, though it was sent to EM2),
    // then the credit CDR, then CP2's 12345.
    expect(all.data.data.map((c: Cdr) => `${c.party_id}/${c.id}`)).toEqual([
      'BEC/12345',
      'BEC/RACE',
      'BEC/DIRECT1',
      'BEC/123456789012345678901234567890123456-C',
      'CP2/12345',
    ]);
    expect(all.headers['x-total-count']).toBe('5');
    const page = await parties.TNM.ocpi.get('/sender/cdrs?offset=1&limit=2');
    expect(page.data.data).toEqual(all.data.data.slice(1, 3));
    expect(page.headers['x-total-count']).toBe('5');
    expect(page.headers.link).toMatch(/offset=3/);
    const last = await parties.TNM.ocpi.get('/sender/cdrs?offset=3&limit=2');
    expect(last.headers.link).toBeUndefined();
    const dated = await parties.TNM.ocpi.get('/sender/cdrs?date_from=2015-07-01T00:00:00Z&date_to=2016-01-01T00:00:00Z');
    expect(dated.data.data.map((c: Cdr) => c.id)).toEqual(['123456789012345678901234567890123456-C']);
    expect(dated.headers['x-total-count']).toBe('1');

    // EM2 has no agreement with CP2, and the CDRs are TNM's anyway.
    expect((await parties.EM2.ocpi.get('/sender/cdrs')).headers['x-total-count']).toBe('0');
  });
});
