/**
 * The National Access Point's OCPI feed: a NAP party (role NAP) registered by the credentials
 * handshake reads, with its own token C over HTTP, the published locations (with EVSE status) and the
 * tariffs of the CPOs that opted in — the own CPO and a partner — and nothing else: not a CPO that did
 * not opt in, not an unpublished location, and no other module.
 */
import axios, { type AxiosInstance } from 'axios';
import { waitFor } from '../../support/network';
import { startPartner, type TestPartner } from '../../support/partner';
import { type OwnNetwork, OWN_TARIFF, startOwnNetwork } from '../../support/own-network';
import { HPC_TARIFF, hpcLocation, OWN_PARTY } from './afir-support';

describe('NAP OCPI feed', () => {
  let net: OwnNetwork;
  let napPartner: TestPartner;
  let nap: AxiosInstance;

  beforeAll(async () => {
    net = await startOwnNetwork({ cpos: ['DE/CPA', 'DE/CPB'], emsps: ['NL/EM1'], agreements: [['DE/CPA', 'NL/EM1'], ['DE/CPB', 'NL/EM1']] });
    const cpa = net.parties['DE/CPA'].ocpi;
    expect((await cpa.put('/receiver/tariffs/DE/CPA/HPC', HPC_TARIFF)).data.status_code).toBe(1000);
    expect((await cpa.put('/receiver/locations/DE/CPA/FAST1', hpcLocation('FAST1'))).data.status_code).toBe(1000);
    expect((await cpa.put('/receiver/locations/DE/CPA/HIDDEN', hpcLocation('HIDDEN', { publish: false }))).data.status_code).toBe(1000);
    const cpb = net.parties['DE/CPB'].ocpi;
    const cpbLocation = { ...hpcLocation('CPBLOC'), country_code: 'DE', party_id: 'CPB' };
    expect((await cpb.put('/receiver/locations/DE/CPB/CPBLOC', cpbLocation)).data.status_code).toBe(1000);
    expect((await cpb.put('/receiver/tariffs/DE/CPB/HPC', { ...HPC_TARIFF, party_id: 'CPB' })).data.status_code).toBe(1000);

    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: true })).status).toBe(200);
    expect((await net.hub.admin.put(`/admin/afir/nap/${OWN_PARTY}`, { publish: true })).status).toBe(200);
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPB', { publish: false })).status).toBe(200);

    // The NAP onboards like any partner: a party with role NAP, then the credentials handshake.
    const created = await net.hub.admin.post('/admin/parties', { country_code: 'DE', party_id: 'NAP', roles: ['NAP'], name: 'Nationaler Zugangspunkt' });
    expect(created.status).toBe(201);
    napPartner = await startPartner({ countryCode: 'DE', partyId: 'NAP', role: 'NAP', endpoints: [{ identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' }] });
    const { body } = await napPartner.registerWith(net.hub.versionsUrl, created.data.token_a);
    expect(body.status_code).toBe(1000);
    nap = axios.create({
      baseURL: `${net.hub.url}/ocpi/2.2.1`,
      validateStatus: () => true,
      headers: { Authorization: `Token ${Buffer.from(body.data.token as string).toString('base64')}` },
    });
  });
  afterAll(async () => {
    await napPartner?.stop();
    await net.close();
  });

  const ids = (data: { id: string }[]) => data.map((o) => `${(o as { party_id?: string }).party_id}/${o.id}`).sort();

  it('lists the published locations of the CPOs that opted in, and their tariffs', async () => {
    const locations = await nap.get('/sender/locations');
    expect(locations.data.status_code).toBe(1000);
    expect(ids(locations.data.data)).toEqual(['CPA/FAST1', 'HUB/SITE1']);
    expect(locations.headers['x-total-count']).toBe('2');
    const tariffs = await nap.get('/sender/tariffs');
    expect(tariffs.data.status_code).toBe(1000);
    // The ad hoc price with it: HPC is of type AD_HOC_PAYMENT.
    expect(ids(tariffs.data.data)).toEqual(['CPA/HPC', `HUB/${OWN_TARIFF.id}`]);
    expect(tariffs.data.data.find((t: { id: string }) => t.id === 'HPC').type).toBe('AD_HOC_PAYMENT');
  });

  it('gets one published location, EVSE and its status; an unpublished or non-opted one is unknown', async () => {
    const one = await nap.get('/sender/locations/FAST1/FAST1-1');
    expect(one.data).toMatchObject({ status_code: 1000, data: { uid: 'FAST1-1', status: 'AVAILABLE' } });
    expect((await nap.get('/sender/locations/HIDDEN')).data.status_code).toBe(2003);
    expect((await nap.get('/sender/locations/CPBLOC')).data.status_code).toBe(2003);
  });

  it('sees an EVSE status change at once', async () => {
    const patch = await net.parties['DE/CPA'].ocpi.patch('/receiver/locations/DE/CPA/FAST1/FAST1-1', { status: 'CHARGING', last_updated: '2026-11-20T09:00:00Z' });
    expect(patch.data.status_code).toBe(1000);
    expect((await nap.get('/sender/locations/FAST1/FAST1-1')).data.data.status).toBe('CHARGING');
  });

  it('may read nothing else and write nothing', async () => {
    for (const path of ['/sender/sessions', '/sender/cdrs', '/sender/tokens', '/hubclientinfo']) {
      const answer = await nap.get(path);
      expect([answer.status, answer.data.status_code]).toEqual([404, 2000]);
    }
    const push = await nap.put('/receiver/locations/DE/NAP/X', { ...hpcLocation('X'), country_code: 'DE', party_id: 'NAP' });
    expect(push.status).toBe(404);
    const stored = await nap.get('/sender/locations');
    expect(ids(stored.data.data)).toEqual(['CPA/FAST1', 'HUB/SITE1']);
  });

  it('is told nothing about the other parties (no hubclientinfo pushes), while they learn of it', async () => {
    await waitFor(() => net.parties['NL/EM1'].partner.received('PUT', '/ocpi/2.2.1/clientinfo/DE/NAP')[0], 'the eMSP told of the NAP');
    expect(napPartner.received('PUT', '/ocpi/2.2.1/clientinfo')).toEqual([]);
  });

  it('follows an opt-out at once', async () => {
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: false })).status).toBe(200);
    expect(ids((await nap.get('/sender/locations')).data.data)).toEqual(['HUB/SITE1']);
    expect((await nap.get('/sender/locations/FAST1')).data.status_code).toBe(2003);
    expect((await net.hub.admin.put('/admin/afir/nap/DE*CPA', { publish: true })).status).toBe(200);
    expect(ids((await nap.get('/sender/locations')).data.data)).toEqual(['CPA/FAST1', 'HUB/SITE1']);
  });

  it('leaves the eMSPs\' view as it was: every location of their agreements, published or not', async () => {
    const emsp = await net.parties['NL/EM1'].ocpi.get('/sender/locations');
    expect(ids(emsp.data.data)).toEqual(['CPA/FAST1', 'CPA/HIDDEN', 'CPB/CPBLOC', 'HUB/SITE1']);
  });
});
