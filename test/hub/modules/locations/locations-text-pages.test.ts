import { example, startNetwork, type TestNetwork } from '../../../support/network';

/**
 * GET-all of Locations on the hub form's routes answers the page's stored JSON text in the envelope
 * (ObjectStore.listTexts, envelope.ts respondJoinedData). It must answer what the object path (each
 * object parsed and serialised again, LocationsService.textPages = false) answers: the same items in
 * the same order, the same total, limit and next link, for every filter and the last page.
 */
describe('locations GET-all as stored JSON text', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['BE/BEC', 'NL/ALF'], emsps: ['NL/EM1'], agreements: [['BEC', 'EM1'], ['ALF', 'EM1']] });
    const location = example('location_example.json');
    // Interleaved owners and times, a decimal, a non-ASCII name, a string needing escapes (quotes, a backslash).
    for (let i = 0; i < 14; i++) {
      const [countryCode, partyId] = i % 2 ? ['NL', 'ALF'] : ['BE', 'BEC'];
      const body = {
        ...location,
        id: `TXT${i}`,
        country_code: countryCode,
        party_id: partyId,
        name: i === 3 ? 'Gare de l’Est "Nord" \\ ⚡' : `Location ${i}`,
        coordinates: { latitude: `51.${String(i).padStart(6, '0')}`, longitude: '3.729944' },
        last_updated: new Date(Date.UTC(2025, 0, 1, 0, 0, 14 - i)).toISOString(),
      };
      const put = await net.parties[partyId].ocpi.put(`/receiver/locations/${countryCode}/${partyId}/${body.id}`, body);
      expect([put.data.status_code, put.data.status_message]).toEqual([1000, "Success"]);
    }
  });
  afterAll(() => net.close());

  const get = async (textPages: boolean, params: Record<string, string | number>) => {
    net.hub.services.locations.textPages = textPages;
    const answer = await net.parties.EM1.ocpi.get('/sender/locations', { params, responseType: 'text', transformResponse: (t) => t });
    const { timestamp, ...rest } = JSON.parse(answer.data as string);
    return {
      status: answer.status,
      type: answer.headers['content-type'],
      total: answer.headers['x-total-count'],
      limit: answer.headers['x-limit'],
      link: answer.headers['link'],
      body: rest,
      raw: (answer.data as string).replace(timestamp, ''),
      timestamp,
    };
  };

  const QUERIES: Record<string, string | number>[] = [
    {},
    { limit: 5 },
    { offset: 5, limit: 5 },
    { offset: 10, limit: 5 }, // the last page: 4 items, no Link
    { offset: 14, limit: 5 }, // past the end: no items
    { date_from: '2025-01-01T00:00:03Z', date_to: '2025-01-01T00:00:10Z', limit: 3 },
    { date_from: '2025-01-01T00:00:03Z', date_to: '2025-01-01T00:00:10Z', offset: 6, limit: 3 },
    { limit: 0 },
  ];

  it.each(QUERIES.map((q) => [JSON.stringify(q), q]))('answers %s as the object path does', async (_, params) => {
    const text = await get(true, params);
    const objects = await get(false, params);
    // The text path was taken: PostgreSQL's jsonb text spaces its members, JSON.stringify does not.
    if (text.body.data.length) expect([text.raw.includes('", "'), objects.raw.includes('", "')]).toEqual([true, false]);
    expect({ ...text, raw: undefined, timestamp: undefined }).toEqual({ ...objects, raw: undefined, timestamp: undefined });
    expect(Number.isNaN(Date.parse(text.timestamp))).toBe(false);
  });

  it('pages through every location, oldest first, and the last page has no next link', async () => {
    net.hub.services.locations.textPages = true;
    const first = await get(true, { limit: 5 });
    expect(first.total).toBe('14');
    expect(first.link).toContain('offset=5');
    expect(first.body.data.map((l: { id: string }) => l.id)).toEqual(['TXT13', 'TXT12', 'TXT11', 'TXT10', 'TXT9']);
    const last = await get(true, { offset: 10, limit: 5 });
    expect(last.body.data.map((l: { id: string }) => l.id)).toEqual(['TXT3', 'TXT2', 'TXT1', 'TXT0']);
    expect(last.link).toBeUndefined();
    expect(last.body.data[0].name).toBe('Gare de l’Est "Nord" \\ ⚡');
    expect(last.body).toMatchObject({ status_code: 1000, status_message: 'Success' });
  });

  it('counts a new object in X-Total-Count at once (the kept count follows inserts)', async () => {
    const location = { ...example('location_example.json'), id: 'TXTNEW', country_code: 'BE', party_id: 'BEC', last_updated: '2025-02-01T00:00:00Z' };
    await net.parties.BEC.ocpi.put('/receiver/locations/BE/BEC/TXTNEW', location);
    const text = await get(true, { limit: 1 });
    const objects = await get(false, { limit: 1, date_from: '2000-01-01T00:00:00Z' }); // filtered: counted by the statement itself
    expect(text.total).toBe('15');
    expect(objects.total).toBe('15');
  });
});
