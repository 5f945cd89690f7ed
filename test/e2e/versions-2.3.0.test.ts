// OCPI 2.3.0 partners beside 2.2.1 ones, through one hub (docs/versions.md): each partner works in its
// own version, pushes reach each receiver in the receiver's version, a 2.3.0 receiver gets a 2.3.0
// sender's original unchanged (undocumented fields included), and what 2.2.1 cannot carry is reported.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { LocationV230 } from '../../src/core/ocpi-versions/v2.3.0/locations.v230.schema';
import { CdrV230 } from '../../src/core/ocpi-versions/v2.3.0/cdrs.v230.schema';
import { Cdr } from '../../src/hub/modules/cdrs/cdrs.schema';
import { Location } from '../../src/hub/modules/locations/locations.schema';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';
import { startPartner } from '../support/partner';
import { OCPI_2_3_0_EXAMPLES } from '../support/spec-examples';

const example230 = <T = Record<string, any>>(name: string): T => JSON.parse(readFileSync(path.join(OCPI_2_3_0_EXAMPLES, name), 'utf8')) as T;

describe('OCPI 2.3.0 and 2.2.1 partners through one hub', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['BE/BEC'],
      emsps: ['DE/TNM', 'NL/EM2'],
      agreements: 'all',
      versions: { 'BE/BEC': '2.3.0', 'DE/TNM': '2.3.0' },
      hub: { env: { OCPI_VERSIONS: '2.2.1,2.3.0' } },
    });
  });
  afterAll(() => net.close());

  it('offers both versions, and each partner works in the highest it shares with the hub', async () => {
    const versions = await net.parties.BEC.ocpi.get(`${net.hub.url}/ocpi/versions`);
    expect(versions.data.data).toEqual([
      { version: '2.2.1', url: `${net.hub.url}/ocpi/2.2.1` },
      { version: '2.3.0', url: `${net.hub.url}/ocpi/2.3.0` },
    ]);
    const details = await net.parties.BEC.ocpi.get(`${net.hub.url}/ocpi/2.3.0`);
    expect(details.data.data.version).toBe('2.3.0');
    expect(details.data.data.endpoints.every((e: { url: string }) => e.url.startsWith(`${net.hub.url}/ocpi/2.3.0/`))).toBe(true);
    const parties = (await net.hub.admin.get('/admin/parties')).data as { party_id: string; version: string }[];
    expect(Object.fromEntries(parties.map((p) => [p.party_id, p.version]))).toEqual({ BEC: '2.3.0', TNM: '2.3.0', EM2: '2.2.1' });
  });

  it('gives a 2.3.0 partner the hub’s credentials in 2.3.0: hub_party_id and the reachable parties, no HUB role', async () => {
    const credentials = net.parties.TNM.partner.hubCredentials as unknown as { hub_party_id: string; roles: { role: string; party_id: string }[] };
    expect(credentials.hub_party_id).toBe(`${net.hub.services.config.hub.countryCode}${net.hub.services.config.hub.partyId}`);
    expect(credentials.roles.map((r) => r.role)).not.toContain('HUB');
    expect(credentials.roles.map((r) => `${r.role} ${r.party_id}`)).toContain('CPO BEC');
    // A 2.2.1 partner still sees the hub as a HUB.
    expect((net.parties.EM2.partner.hubCredentials!.roles as { role: string }[]).map((r) => r.role)).toEqual(['HUB']);
  });

  it('passes a 2.3.0 location to a 2.3.0 eMSP unchanged and to a 2.2.1 eMSP translated, with its loss report', async () => {
    const location: Record<string, any> = { ...example230('location_example.json'), x_vendor_note: { kept: true } };
    const put = await net.parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/${location.id}`, location);
    expect(put.data.status_code).toBe(1000);

    const original = await waitFor(() => net.parties.TNM.partner.received('PUT', `/ocpi/2.3.0/locations/BE/BEC/${location.id}`)[0], 'the 2.3.0 delivery');
    expect(original.body).toEqual(location);
    const translated = await waitFor(() => net.parties.EM2.partner.received('PUT', `/ocpi/2.2.1/locations/BE/BEC/${location.id}`)[0], 'the 2.2.1 delivery');
    expect(Location.safeParse(translated.body).success).toBe(true);
    expect(translated.body).not.toHaveProperty('parking_places');
    expect(translated.body).not.toHaveProperty('x_vendor_note');

    await net.hub.services.outbox.whenIdle();
    const report = (await net.hub.admin.get(`/admin/parties/${net.parties.EM2.id}/losses`)).data;
    const losses = report.deliveries.flatMap((d: { losses: { path: string }[] }) => d.losses.map((l) => l.path));
    expect(losses).toEqual(expect.arrayContaining(['parking_places', 'x_vendor_note']));
    expect((await net.hub.admin.get(`/admin/parties/${net.parties.TNM.id}/losses`)).data.deliveries).toEqual([]);
  });

  it('answers a 2.3.0 eMSP’s GET-all in 2.3.0 and a 2.2.1 eMSP’s in 2.2.1', async () => {
    const in230 = await net.parties.TNM.ocpi.get('/sender/locations');
    expect(in230.data.status_code).toBe(1000);
    expect(in230.data.data.length).toBeGreaterThan(0);
    for (const item of in230.data.data) expect(LocationV230.safeParse(item).success).toBe(true);
    const in221 = await net.parties.EM2.ocpi.get('/sender/locations');
    for (const item of in221.data.data) expect(Location.safeParse(item).success).toBe(true);
  });

  it('answers GETs of the 2.3.0 CPO’s own version with its original, kept through its PATCHes; other versions get the hub form', async () => {
    const location: Record<string, any> = example230('location_example.json');
    const evse = location.evses[0];
    const patch = { status: 'CHARGING', last_updated: '2030-01-01T00:00:00Z' };
    expect((await net.parties.BEC.ocpi.patch(`/receiver/locations/BE/BEC/${location.id}/${evse.uid}`, patch)).data.status_code).toBe(1000);

    const stored = await net.hub.services.store.get({ module: 'locations', countryCode: 'BE', partyId: 'BEC', objectId: location.id });
    expect(stored!.original?.version).toBe('2.3.0');

    const one = (await net.parties.TNM.ocpi.get(`/sender/locations/${location.id}`)).data.data;
    expect(one.x_vendor_note).toEqual({ kept: true });
    expect(one.parking_places).toEqual(location.parking_places);
    expect(one.evses[0].status).toBe('CHARGING');
    expect(LocationV230.safeParse(one).success).toBe(true);
    const evseOnly = (await net.parties.TNM.ocpi.get(`/sender/locations/${location.id}/${evse.uid}`)).data.data;
    expect(evseOnly).toMatchObject({ uid: evse.uid, status: 'CHARGING' });
    const all = (await net.parties.TNM.ocpi.get('/sender/locations')).data.data as { id: string; x_vendor_note?: unknown }[];
    expect(all.find((l) => l.id === location.id)?.x_vendor_note).toEqual({ kept: true });
    const own = (await net.parties.BEC.ocpi.get(`/receiver/locations/BE/BEC/${location.id}`)).data.data;
    expect(own.x_vendor_note).toEqual({ kept: true });

    const in221 = (await net.parties.EM2.ocpi.get(`/sender/locations/${location.id}`)).data.data;
    expect(Location.safeParse(in221).success).toBe(true);
    expect(in221).not.toHaveProperty('x_vendor_note');
    expect(in221.evses[0].status).toBe('CHARGING');
  });

  it('reads the 2.3.0 original for what AFIR asks and the hub form has no place for (help_phone)', async () => {
    const rule = async (id: string) => {
      const readiness = (await net.hub.admin.get(`/admin/afir/readiness/${id}`, { params: { owner: 'BE*BEC' } })).data as { checks: { rule: string; findings: unknown[] }[] }[];
      // A missing help_phone is a warning: a finding on a check that stays ok.
      return readiness[0].checks.find((c) => c.rule === 'help-phone')!.findings.length === 0;
    };
    const location: Record<string, any> = { ...example230('location_example.json'), id: 'LOC-HELP', help_phone: '+3212345678' };
    expect((await net.parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC-HELP', location)).data.status_code).toBe(1000);
    expect(await rule('LOC-HELP')).toBe(true);
    // The hub form itself does not carry it: the original does.
    const stored = await net.hub.services.store.get({ module: 'locations', countryCode: 'BE', partyId: 'BEC', objectId: 'LOC-HELP' });
    expect(stored!.data).not.toHaveProperty('help_phone');
    const { help_phone: _dropped, ...without } = location;
    expect((await net.parties.BEC.ocpi.put('/receiver/locations/BE/BEC/LOC-HELP', { ...without, last_updated: '2030-01-02T00:00:00Z' })).data.status_code).toBe(1000);
    expect(await rule('LOC-HELP')).toBe(false);
  });

  it('routes a 2.3.0 CDR to its eMSP in that eMSP’s version', async () => {
    const cdr = example230('cdr_example.json');
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', cdr)).data.status_code).toBe(1000);
    const same = await waitFor(() => net.parties.TNM.partner.received('POST', '/ocpi/2.3.0/cdrs')[0], 'the 2.3.0 CDR');
    expect(same.body).toEqual(cdr);
    expect(CdrV230.safeParse(same.body).success).toBe(true);

    const forEm2 = { ...cdr, id: `${cdr.id}-EM2`, cdr_token: { ...cdr.cdr_token, country_code: 'NL', party_id: 'EM2' } };
    expect((await net.parties.BEC.ocpi.post('/receiver/cdrs', forEm2)).data.status_code).toBe(1000);
    const translated = await waitFor(() => net.parties.EM2.partner.received('POST', '/ocpi/2.2.1/cdrs')[0], 'the 2.2.1 CDR');
    expect(Cdr.safeParse(translated.body).success).toBe(true);
    // Settlement reads the hub form: the 2.3.0 total's taxes became incl_vat.
    const stored = await net.hub.services.store.get<{ total_cost: { excl_vat: number; incl_vat?: number } }>({ module: 'cdrs', countryCode: 'BE', partyId: 'BEC', objectId: forEm2.id });
    expect(stored!.data.total_cost.excl_vat).toBe(cdr.total_cost.before_taxes);
  });

  it('refuses with 2001 and stores nothing what the hub form cannot express', async () => {
    const location = example230('location_example.json');
    const connector = { ...location.evses[0].connectors[0], id: 'MCS1', standard: 'MCS' };
    const refused = await net.parties.BEC.ocpi.put(`/receiver/locations/BE/BEC/${location.id}/${location.evses[0].uid}/MCS1`, connector);
    expect(refused.data.status_code).toBe(2001);
    expect(refused.data.status_message).toMatch(/cannot translate from OCPI 2\.3\.0 to 2\.2\.1/);
    const stored = await net.hub.services.store.get<{ evses: { connectors: { id: string }[] }[] }>({ module: 'locations', countryCode: 'BE', partyId: 'BEC', objectId: location.id });
    expect(stored!.data.evses[0].connectors.map((c) => c.id)).not.toContain('MCS1');
  });

  it('connects to a 2.3.0 partner from the hub’s side too, and stores its version', async () => {
    const created = await net.hub.admin.post('/admin/parties', { country_code: 'NL', party_id: 'X23', roles: ['CPO'], name: 'X23 2.3.0 CPO' });
    const partner = await startPartner({ countryCode: 'NL', partyId: 'X23', role: 'CPO', version: '2.3.0' });
    try {
      const connected = await net.hub.admin.post(`/admin/parties/${created.data.id}/connect`, { versions_url: partner.versionsUrl, token: partner.newToken() });
      expect(connected.status).toBe(200);
      expect(connected.data).toMatchObject({ status: 'CONNECTED', version: '2.3.0' });
      const hubCredentials = partner.hubCredentials as unknown as { token: string; hub_party_id: string; roles: unknown[] };
      expect(hubCredentials.hub_party_id).toBeDefined();
      // The partner can call the hub's 2.3.0 API with the token the hub gave it.
      const check = await axios.get(`${net.hub.url}/ocpi/2.3.0`, { headers: { Authorization: partner.authorization(hubCredentials.token as string) }, validateStatus: () => true });
      expect(check.data.status_code).toBe(1000);
    } finally {
      await partner.stop();
    }
  });
});
