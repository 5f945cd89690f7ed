import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';

// Every full Location example of the spec, with the CPO (country code/party id) that owns it.
const LOCATION_EXAMPLES = [
  'location_example.json',
  'location_example_parking_garage_opening_hours.json',
  'location_example_uc2_destination_charger.json',
  'location_example_uc3_destination_charger_not_published.json',
  'location_example_uc4_limited_visibility.json',
  'location_example_uc5_home_charge_point.json',
];

describe('locations through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['BE/BEC', 'SE/EVC', 'NL/ALF', 'NL/ALL', 'DE/ALL'],
      emsps: ['NL/EM1', 'DE/EM2', 'FR/BLK'],
      // FR/BLK has no agreement with anyone: it must see nothing.
      agreements: ['BEC', 'EVC', 'ALF', 'NL/ALL', 'DE/ALL'].flatMap((cpo) => [[cpo, 'EM1'], [cpo, 'EM2']] as [string, string][]),
    });
    parties = net.parties;
  });
  afterAll(() => net.close());

  const cpo = (countryCode: string, partyId: string) => parties[`${countryCode}/${partyId}`];

  it('accepts every full Location example from its owner and returns it JSON-equal, to the owner, to eMSPs and at their servers', async () => {
    for (const file of LOCATION_EXAMPLES) {
      const location = example(file);
      const owner = cpo(location.country_code as string, location.party_id as string);
      const url = `/receiver/locations/${location.country_code}/${location.party_id}/${location.id}`;
      const put = await owner.ocpi.put(url, location);
      expect([200, 201]).toContain(put.status);
      expect(put.data.status_code).toBe(1000);
      const back = await owner.ocpi.get(url);
      expect(back.data.data).toEqual(location);
      const viaSender = await parties.EM1.ocpi.get(`/sender/locations/${location.id}`, {
        headers: { 'OCPI-to-country-code': owner.countryCode, 'OCPI-to-party-id': owner.partyId },
      });
      expect(viaSender.data.data).toEqual(location);
      const atEmsp = await waitFor(
        () =>
          parties.EM2.partner
            .received('PUT', `/ocpi/2.2.1/locations${url.replace('/receiver/locations', '')}`)
            .find((r) => (r.body as { publish: boolean }).publish === location.publish),
        `${file} at EM2`,
      );
      expect(atEmsp.body).toEqual(location);
      expect(atEmsp.headers['ocpi-from-party-id']).toBe('HUB'); // broadcast: from the hub
      expect(atEmsp.headers['ocpi-to-party-id']).toBe('EM2');
    }
  });

  it('answers 201 for a new object and 200 for a replaced one', async () => {
    const location = example('location_example.json');
    const again = await parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/LOC1`, location);
    expect(again.status).toBe(200);
  });

  it('adds an EVSE with PUT and applies every PATCH example, parents taking last_updated', async () => {
    // The spec's location_put_example_add_evse.json is not a valid EVSE by the spec's own tables: its
    // connector lacks power_type, max_voltage, max_amperage and last_updated, and physical_reference is
    // a number. The hub follows the tables: it refuses the example, naming each defect, and stores nothing.
    const specExample = example('location_put_example_add_evse.json');
    const refused = await parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/LOC1/${specExample.uid}`, specExample);
    expect(refused.data.status_code).toBe(2001);
    expect(refused.data.status_message).toMatch(/connectors\.0\.power_type.*connectors\.0\.max_voltage.*physical_reference/);
    const connectors = specExample.connectors as Record<string, unknown>[];
    const evse: Record<string, unknown> = {
      ...specExample,
      physical_reference: String(specExample.physical_reference),
      connectors: connectors.map((c) => ({ ...c, power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, last_updated: specExample.last_updated })),
    };
    // location_example.json already has EVSE 3256: the PUT replaces it (200).
    const put = await parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/LOC1/${evse.uid}`, evse);
    expect(put.status).toBe(200);
    let location = (await parties.BEC.ocpi.get('/receiver/locations/BE/BEC/LOC1')).data.data;
    expect(location.evses.find((e: { uid: string }) => e.uid === evse.uid)).toEqual(evse);
    expect(location.last_updated).toBe(evse.last_updated);

    const renamed = example('location_patch_example_location.json');
    expect((await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1', renamed)).data.status_code).toBe(1000);
    const status = example('location_patch_example_status.json');
    expect((await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1/3256', status)).data.status_code).toBe(1000);
    const tariff = example('location_patch_example_tariff.json');
    expect((await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1/3256/1', tariff)).data.status_code).toBe(1000);
    const removed = example('location_patch_example_remove_evse.json');
    const otherEvse = (example('location_example.json').evses as { uid: string }[])[1];
    expect((await parties.BEC.ocpi.patch(`/receiver/locations/BE/BEC/LOC1/${otherEvse.uid}`, removed)).data.status_code).toBe(1000);

    location = (await parties.BEC.ocpi.get('/receiver/locations/BE/BEC/LOC1')).data.data;
    expect(location.name).toBe(renamed.name);
    expect(location.last_updated).toBe(removed.last_updated);
    const added = location.evses.find((e: { uid: string }) => e.uid === '3256');
    expect(added.status).toBe('CHARGING');
    expect(added.connectors[0].tariff_ids).toEqual(['15']);
    expect(added.last_updated).toBe(tariff.last_updated);
    expect(location.evses.find((e: { uid: string }) => e.uid === otherEvse.uid).status).toBe('REMOVED');

    // The same changes reached the eMSP, in order.
    const patches = await waitFor(() => {
      const got = parties.EM1.partner.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/ocpi/2.2.1/locations/BE/BEC/LOC1'));
      return got.length === 4 && got;
    }, 'the four PATCHes at EM1');
    expect(patches.map((r) => r.path)).toEqual([
      '/ocpi/2.2.1/locations/BE/BEC/LOC1',
      '/ocpi/2.2.1/locations/BE/BEC/LOC1/3256',
      '/ocpi/2.2.1/locations/BE/BEC/LOC1/3256/1',
      `/ocpi/2.2.1/locations/BE/BEC/LOC1/${otherEvse.uid}`,
    ]);
    expect(patches[2].body).toEqual(tariff);
  });

  it('serves eMSPs the merged, paginated list of their CPOs, and nothing to a party without agreements', async () => {
    const all = await parties.EM1.ocpi.get('/sender/locations');
    expect(all.data.status_code).toBe(1000);
    // 6 examples, but uc2 and uc3 are the same location at NL/ALF; plus DIRECT1 is not yet pushed.
    expect(all.headers['x-total-count']).toBe('5');
    expect(all.data.data).toHaveLength(5);
    const page = await parties.EM1.ocpi.get('/sender/locations?limit=2');
    expect(page.data.data).toHaveLength(2);
    expect(page.headers.link).toMatch(/offset=2/);

    const blocked = await parties.BLK.ocpi.get('/sender/locations');
    expect(blocked.data.data).toEqual([]);
    expect(blocked.headers['x-total-count']).toBe('0');
    expect(parties.BLK.partner.requests.filter((r) => r.path.includes('/locations'))).toEqual([]);
    const single = await parties.BLK.ocpi.get('/sender/locations/LOC1');
    expect(single.status).toBe(404);
    expect(single.data.status_code).toBe(2003);
  });

  it('lets a party write only under its own country code, party id and role, changing nothing otherwise', async () => {
    const location = example('location_example.json');
    const foreign = await parties.EVC.ocpi.put('/receiver/locations/BE/BEC/LOC1', { ...location, name: 'hijacked' });
    expect(foreign.status).toBe(404);
    const asEmsp = await parties.EM1.ocpi.put('/receiver/locations/NL/EM1/LOC9', { ...location, country_code: 'NL', party_id: 'EM1', id: 'LOC9' });
    expect(asEmsp.status).toBe(404);
    const mismatch = await parties.BEC.ocpi.put('/receiver/locations/BE/BEC/OTHER', location);
    expect(mismatch.data.status_code).toBe(2001);
    const wrongOwner = await parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC1', { ...location, party_id: 'XXX' });
    expect(wrongOwner.data.status_code).toBe(2001);
    const noLastUpdated = await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1', { name: 'x' });
    expect(noLastUpdated.data.status_code).toBe(2001);
    const unknownEvse = await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1/NOPE', { status: 'AVAILABLE', last_updated: '2020-01-01T00:00:00Z' });
    expect(unknownEvse.status).toBe(404);
    const evse = (example('location_example.json').evses as { uid: string }[])[0];
    const unknownLocation = await parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/NOPE/${evse.uid}`, evse);
    expect(unknownLocation.data.status_code).toBe(2003);
    const badStatus = await parties.BEC.ocpi.patch('/receiver/locations/BE/BEC/LOC1/3256', { status: 'EXPLODED', last_updated: '2020-01-01T00:00:00Z' });
    expect(badStatus.data.status_code).toBe(2001);
    const toUnknown = await parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC1', location, { headers: { 'OCPI-to-country-code': 'FR', 'OCPI-to-party-id': 'BLK' } });
    expect(toUnknown.data.status_code).toBe(4001);

    const stored = (await parties.BEC.ocpi.get('/receiver/locations/BE/BEC/LOC1')).data.data;
    expect(stored.name).toBe('Interparking Gent Zuid');
    expect(stored.party_id).toBe('BEC');
    expect((await parties.BEC.ocpi.get('/receiver/locations/BE/BEC/OTHER')).status).toBe(404);
  });

  it('routes a push addressed to one eMSP to that eMSP only', async () => {
    const location = { ...example('location_example.json'), id: 'DIRECT1', last_updated: '2021-01-01T00:00:00Z' };
    const put = await parties.BEC.ocpi.put('/receiver/locations/BE/BEC/DIRECT1', location, { headers: { 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'EM2' } });
    expect(put.data.status_code).toBe(1000);
    const delivered = await waitFor(() => parties.EM2.partner.received('PUT', '/ocpi/2.2.1/locations/BE/BEC/DIRECT1')[0], 'the direct push');
    expect(delivered.headers['ocpi-from-party-id']).toBe('BEC');
    await net.hub.services.outbox.whenIdle();
    expect(parties.EM1.partner.received('PUT', '/ocpi/2.2.1/locations/BE/BEC/DIRECT1')).toEqual([]);
  });
});
