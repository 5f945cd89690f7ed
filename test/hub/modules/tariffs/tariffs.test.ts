import { readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';
import { OCPI_2_2_1_EXAMPLES } from '../../../support/spec-examples';

// Every full Tariff example of the spec (tariff_put_example.json is not full: see below).
const TARIFF_EXAMPLES = readdirSync(OCPI_2_2_1_EXAMPLES)
  .filter((f) => /^tariff_\d+_.*\.json$/.test(f))
  .sort();

type Tariff = Record<string, unknown> & { country_code: string; party_id: string; id: string };

describe('tariffs through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({
      // DE/ALL owns every example; NL/TNM is another CPO.
      cpos: ['DE/ALL', 'NL/TNM'],
      emsps: ['NL/EM1', 'DE/EM2', 'FR/BLK'],
      // FR/BLK has no agreement with anyone: it must see nothing and receive nothing.
      agreements: [['ALL', 'EM1'], ['ALL', 'EM2'], ['TNM', 'EM1']],
    });
    parties = net.parties;
  });
  afterAll(() => net.close());

  const receiverUrl = (t: Tariff) => `/receiver/tariffs/${t.country_code}/${t.party_id}/${t.id}`;

  it('accepts every full Tariff example from its owner and returns it JSON-equal, to the owner, to eMSPs and at their servers', async () => {
    expect(TARIFF_EXAMPLES.length).toBeGreaterThanOrEqual(17);
    for (const file of TARIFF_EXAMPLES) {
      const tariff = example<Tariff>(file);
      const owner = parties[`${tariff.country_code}/${tariff.party_id}`];
      const put = await owner.ocpi.put(receiverUrl(tariff), tariff);
      expect([200, 201]).toContain(put.status);
      expect(put.data.status_code).toBe(1000);
      expect((await owner.ocpi.get(receiverUrl(tariff))).data.data).toEqual(tariff);
      const list = await parties.EM1.ocpi.get('/sender/tariffs');
      expect(list.data.data.find((t: Tariff) => t.id === tariff.id)).toEqual(tariff);
      // Several examples share an id (and a last_updated): each arrives as its own version.
      const atEmsp = await waitFor(
        () => parties.EM2.partner.received('PUT', `/ocpi/2.2.1/tariffs/DE/ALL/${tariff.id}`).find((r) => isDeepStrictEqual(r.body, tariff)),
        `${file} at EM2`,
      );
      expect(atEmsp.body).toEqual(tariff);
      expect(atEmsp.headers['ocpi-from-party-id']).toBe('HUB'); // broadcast: from the hub
      expect(atEmsp.headers['ocpi-to-party-id']).toBe('EM2');
    }
  });

  it('refuses tariff_put_example.json: the spec example lacks last_updated, which the Tariff object requires', async () => {
    // mod_tariffs.asciidoc shows this PUT without last_updated, but its Tariff table makes the field
    // required (cardinality 1). The hub follows the table and says which field is missing.
    const tariff = example<Tariff>('tariff_put_example.json');
    const refused = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/PUT1', { ...tariff, id: 'PUT1' });
    expect(refused.data.status_code).toBe(2001);
    expect(refused.data.status_message).toMatch(/last_updated/);
    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/PUT1')).status).toBe(404);
    const fixed = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/PUT1', { ...tariff, id: 'PUT1', last_updated: '2024-01-01T00:00:00Z' });
    expect(fixed.status).toBe(201);
  });

  it('answers 201 for a new tariff and 200 for a replaced one', async () => {
    const tariff = { ...example<Tariff>('tariff_1_simple_2hour.json'), id: 'NEW1' };
    expect((await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/NEW1', tariff)).status).toBe(201);
    expect((await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/NEW1', { ...tariff, currency: 'USD' })).status).toBe(200);
    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/NEW1')).data.data.currency).toBe('USD');
  });

  it('deletes a tariff and passes the DELETE on; a tariff created again reaches the eMSPs again', async () => {
    const tariff = { ...example<Tariff>('tariff_5_free_of_charge.json'), id: 'GONE' };
    await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/GONE', tariff);
    const deleted = await parties.ALL.ocpi.delete('/receiver/tariffs/DE/ALL/GONE');
    expect(deleted.status).toBe(200);
    expect(deleted.data.status_code).toBe(1000);
    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/GONE')).status).toBe(404);
    expect((await parties.EM1.ocpi.get('/sender/tariffs')).data.data.map((t: Tariff) => t.id)).not.toContain('GONE');
    const atEmsp = await waitFor(() => parties.EM1.partner.received('DELETE', '/ocpi/2.2.1/tariffs/DE/ALL/GONE')[0], 'the DELETE at EM1');
    expect(atEmsp.body).toBeUndefined();
    expect(atEmsp.headers['ocpi-from-party-id']).toBe('HUB');

    const unknown = await parties.ALL.ocpi.delete('/receiver/tariffs/DE/ALL/GONE');
    expect(unknown.status).toBe(404);

    // The same tariff, byte for byte, PUT again after the DELETE: the eMSP must get it again.
    await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/GONE', tariff);
    await waitFor(() => parties.EM1.partner.received('PUT', '/ocpi/2.2.1/tariffs/DE/ALL/GONE').length === 2, 'the second PUT at EM1');
    const order = parties.EM1.partner.requests.filter((r) => r.path === '/ocpi/2.2.1/tariffs/DE/ALL/GONE').map((r) => r.method);
    expect(order).toEqual(['PUT', 'DELETE', 'PUT']);
  });

  it('serves eMSPs the merged, paginated list of their CPOs, and nothing to a party without agreements', async () => {
    const tnm = { ...example<Tariff>('tariff_8_simple_025kwh.json'), country_code: 'NL', party_id: 'TNM', id: 'T1', last_updated: '2030-01-01T00:00:00Z' };
    expect((await parties.TNM.ocpi.put('/receiver/tariffs/NL/TNM/T1', tnm)).data.status_code).toBe(1000);

    const em1 = await parties.EM1.ocpi.get('/sender/tariffs');
    const em1Total = Number(em1.headers['x-total-count']);
    expect(em1.data.data).toHaveLength(em1Total);
    expect(em1.data.data.at(-1)).toEqual(tnm); // oldest first: TNM's is the newest
    // EM2 has no agreement with TNM.
    const em2 = await parties.EM2.ocpi.get('/sender/tariffs');
    expect(Number(em2.headers['x-total-count'])).toBe(em1Total - 1);
    expect(em2.data.data.map((t: Tariff) => t.party_id)).not.toContain('TNM');

    const page = await parties.EM1.ocpi.get('/sender/tariffs?limit=2&offset=1');
    expect(page.data.data).toEqual(em1.data.data.slice(1, 3));
    expect(page.headers['x-total-count']).toBe(String(em1Total));
    expect(page.headers.link).toMatch(/offset=3/);
    const recent = await parties.EM1.ocpi.get('/sender/tariffs?date_from=2029-01-01T00:00:00Z');
    expect(recent.data.data).toEqual([tnm]);

    const blocked = await parties.BLK.ocpi.get('/sender/tariffs');
    expect(blocked.data.data).toEqual([]);
    expect(blocked.headers['x-total-count']).toBe('0');
    await net.hub.services.outbox.whenIdle();
    expect(parties.BLK.partner.requests.filter((r) => r.path.includes('/tariffs'))).toEqual([]);
    // There is no single-tariff Sender GET in the spec.
    expect((await parties.EM1.ocpi.get('/sender/tariffs/T1')).status).toBe(404);
  });

  it('lets a party write only its own tariffs in its CPO role, checking ids and every field, changing nothing otherwise', async () => {
    const tariff = example<Tariff>('tariff_1_simple_2hour.json');
    const before = (await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/12')).data.data;

    const foreign = await parties.TNM.ocpi.put('/receiver/tariffs/DE/ALL/12', { ...tariff, currency: 'GBP' });
    expect(foreign.status).toBe(404);
    expect((await parties.TNM.ocpi.delete('/receiver/tariffs/DE/ALL/12')).status).toBe(404);
    expect((await parties.TNM.ocpi.get('/receiver/tariffs/DE/ALL/12')).status).toBe(404);
    const asEmsp = await parties.EM1.ocpi.put('/receiver/tariffs/NL/EM1/12', { ...tariff, country_code: 'NL', party_id: 'EM1' });
    expect(asEmsp.status).toBe(404);

    const idMismatch = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/99', tariff);
    expect(idMismatch.data.status_code).toBe(2001);
    const ownerMismatch = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', { ...tariff, party_id: 'TNM' });
    expect(ownerMismatch.data.status_code).toBe(2001);

    const elements = tariff.elements as { price_components: Record<string, unknown>[] }[];
    const badDimension = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', {
      ...tariff,
      elements: [{ price_components: [{ ...elements[0].price_components[0], type: 'DISTANCE' }] }],
    });
    expect(badDimension.data.status_code).toBe(2001);
    expect(badDimension.data.status_message).toMatch(/elements\.0\.price_components\.0\.type/);
    const badDate = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', { ...tariff, last_updated: '29-06-2015 20:39' });
    expect(badDate.data.status_code).toBe(2001);
    expect(badDate.data.status_message).toMatch(/last_updated/);
    const badRestriction = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', {
      ...tariff,
      elements: [{ ...elements[0], restrictions: { start_time: '7:00', day_of_week: ['FUNDAY'] } }],
    });
    expect(badRestriction.data.status_message).toMatch(/restrictions\.start_time.*restrictions\.day_of_week/);
    const noElements = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', { ...tariff, elements: [] });
    expect(noElements.data.status_message).toMatch(/elements/);
    const badType = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/12', { ...tariff, type: 'PROFILE_SLOW', currency: 12 });
    expect(badType.data.status_message).toMatch(/currency.*type|type.*currency/);

    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/12')).data.data).toEqual(before);
  });

  it('routes a tariff addressed to one eMSP to that eMSP only, and refuses an eMSP without agreement', async () => {
    const tariff = { ...example<Tariff>('tariff_9_025kwh_start.json'), id: 'DIRECT1' };
    const to = (partyId: string, countryCode: string) => ({ headers: { 'OCPI-to-country-code': countryCode, 'OCPI-to-party-id': partyId } });
    const put = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/DIRECT1', tariff, to('EM2', 'DE'));
    expect(put.data.status_code).toBe(1000);
    const delivered = await waitFor(() => parties.EM2.partner.received('PUT', '/ocpi/2.2.1/tariffs/DE/ALL/DIRECT1')[0], 'the direct push');
    expect(delivered.headers['ocpi-from-party-id']).toBe('ALL');
    await net.hub.services.outbox.whenIdle();
    expect(parties.EM1.partner.received('PUT', '/ocpi/2.2.1/tariffs/DE/ALL/DIRECT1')).toEqual([]);

    const toBlocked = await parties.ALL.ocpi.put('/receiver/tariffs/DE/ALL/BLOCKED1', { ...tariff, id: 'BLOCKED1' }, to('BLK', 'FR'));
    expect(toBlocked.data.status_code).toBe(4001);
    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/BLOCKED1')).status).toBe(404);
    const deleteToBlocked = await parties.ALL.ocpi.delete('/receiver/tariffs/DE/ALL/DIRECT1', to('BLK', 'FR'));
    expect(deleteToBlocked.data.status_code).toBe(4001);
    expect((await parties.ALL.ocpi.get('/receiver/tariffs/DE/ALL/DIRECT1')).status).toBe(200);
  });
});
