/**
 * Own tariffs per eMSP, with a real hub and real eMSP partner servers: each eMSP receives (pushed and
 * pulled) the public tariffs and those offered to it only, each eMSP's connectors name its own tariff in
 * place of the public one, a tariff offered elsewhere is deleted where it was, and a session of an
 * eMSP's driver is priced with that eMSP's tariff while a driver paying ad hoc gets the public price.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';
import { ownSite } from '../support/own-sites';

const ZONE = 'Europe/Amsterdam';
const priced = (energy: number) => ({ kind: 'simple', currency: 'EUR', vat: 21, prices: { energy } });

const location = (id: string, tariffIds: string[]) => ({
  id,
  ...ownSite(id, ZONE),
  evses: [
    {
      uid: `${id}-E1`,
      evse_id: 'NL*HUB*E1',
      status: 'AVAILABLE',
      connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, tariff_ids: tariffIds }],
    },
  ],
});

type Received = { body: unknown; path: string };
const connectorTariffs = (body: unknown) => (body as { evses: { connectors: { tariff_ids: string[] }[] }[] }).evses[0].connectors[0].tariff_ids;
const ids = (list: { id: string }[]) => list.map((t) => t.id).sort();

describe('own tariffs per eMSP: public ones for everyone, scoped ones only for their eMSPs', () => {
  let net: TestNetwork;
  let own: { countryCode: string; partyId: string };
  const admin = () => net.hub.admin;
  const partner = (name: 'EM1' | 'EM2' | 'EM3') => net.parties[name].partner;
  const tariffPuts = (name: 'EM1' | 'EM2' | 'EM3', id: string): Received[] =>
    partner(name).received('PUT', `/ocpi/2.2.1/tariffs/${own.countryCode}/${own.partyId}/${id}`);
  const locationPuts = (name: 'EM1' | 'EM2' | 'EM3'): Received[] => partner(name).received('PUT', `/ocpi/2.2.1/locations/${own.countryCode}/${own.partyId}/LOC1`);

  beforeAll(async () => {
    net = await startNetwork({ cpos: [], emsps: ['NL/EM1', 'DE/EM2', 'BE/EM3'] });
    own = net.hub.services.ownCpo;
    for (const emsp of ['NL/EM1', 'DE/EM2', 'BE/EM3']) {
      expect((await admin().post('/admin/agreements', { cpo: `${own.countryCode}/${own.partyId}`, emsp })).status).toBe(201);
    }
    expect((await admin().put('/admin/tariffs/PUBLIC-AC', priced(0.45))).status).toBe(201);
    expect((await admin().put('/admin/tariffs/EM1-AC', { ...priced(0.35), emsps: ['nl/em1'] })).status).toBe(201);
    expect((await admin().put('/admin/tariffs/EM2-AC', { ...priced(0.39), emsps: ['DE/EM2'] })).status).toBe(201);
    expect((await admin().put('/admin/locations/LOC1', location('LOC1', ['PUBLIC-AC', 'EM1-AC', 'EM2-AC']))).status).toBe(201);
  });
  afterAll(() => net.close());

  it('pushes each eMSP the public tariffs and its own, never another eMSP\'s', async () => {
    await waitFor(() => tariffPuts('EM1', 'EM1-AC')[0] && tariffPuts('EM2', 'EM2-AC')[0] && tariffPuts('EM3', 'PUBLIC-AC')[0], 'the tariffs at the eMSPs');
    await waitFor(() => tariffPuts('EM1', 'PUBLIC-AC')[0] && tariffPuts('EM2', 'PUBLIC-AC')[0], 'the public tariff at EM1 and EM2');
    expect(tariffPuts('EM1', 'EM2-AC')).toEqual([]);
    expect(tariffPuts('EM2', 'EM1-AC')).toEqual([]);
    expect([...tariffPuts('EM3', 'EM1-AC'), ...tariffPuts('EM3', 'EM2-AC')]).toEqual([]);
    // The admin view keeps the scope in the description; the OCPI Tariff carries none of it.
    const view = (await admin().get('/admin/tariffs/EM1-AC')).data;
    expect(view.description.emsps).toEqual(['NL/EM1']);
    expect(tariffPuts('EM1', 'EM1-AC')[0].body).toEqual(view.tariff);
  });

  it('answers each eMSP\'s GET of all tariffs with the public ones and its own, with a total to match', async () => {
    const em1 = await net.parties.EM1.ocpi.get('/sender/tariffs');
    expect(ids(em1.data.data)).toEqual(['EM1-AC', 'PUBLIC-AC']);
    expect(em1.headers['x-total-count']).toBe('2');
    expect(ids((await net.parties.EM2.ocpi.get('/sender/tariffs')).data.data)).toEqual(['EM2-AC', 'PUBLIC-AC']);
    expect(ids((await net.parties.EM3.ocpi.get('/sender/tariffs')).data.data)).toEqual(['PUBLIC-AC']);
  });

  it('names at each eMSP\'s connectors its own tariff in place of the public one, pushed and pulled', async () => {
    await waitFor(() => locationPuts('EM1')[0] && locationPuts('EM2')[0] && locationPuts('EM3')[0], 'the location at the eMSPs');
    expect(connectorTariffs(locationPuts('EM1')[0].body)).toEqual(['EM1-AC']);
    expect(connectorTariffs(locationPuts('EM2')[0].body)).toEqual(['EM2-AC']);
    expect(connectorTariffs(locationPuts('EM3')[0].body)).toEqual(['PUBLIC-AC']);
    expect(connectorTariffs((await net.parties.EM1.ocpi.get('/sender/locations/LOC1')).data.data)).toEqual(['EM1-AC']);
    expect(connectorTariffs((await net.parties.EM3.ocpi.get('/sender/locations')).data.data[0])).toEqual(['PUBLIC-AC']);
    // The operator sees every tariff the connector names.
    expect(connectorTariffs((await admin().get('/admin/locations/LOC1')).data)).toEqual(['PUBLIC-AC', 'EM1-AC', 'EM2-AC']);
    // A connector PATCH is filtered per receiver too.
    await admin().patch('/admin/locations/LOC1/evses/LOC1-E1/connectors/1', { tariff_ids: ['EM1-AC', 'PUBLIC-AC'] });
    const patchAt = (name: 'EM1' | 'EM2') => partner(name).received('PATCH', `/ocpi/2.2.1/locations/${own.countryCode}/${own.partyId}/LOC1/LOC1-E1/1`)[0];
    await waitFor(() => patchAt('EM1') && patchAt('EM2'), 'the connector PATCH at EM1 and EM2');
    expect((patchAt('EM1').body as { tariff_ids: string[] }).tariff_ids).toEqual(['EM1-AC']);
    expect((patchAt('EM2').body as { tariff_ids: string[] }).tariff_ids).toEqual(['PUBLIC-AC']);
    await admin().patch('/admin/locations/LOC1/evses/LOC1-E1/connectors/1', { tariff_ids: ['PUBLIC-AC', 'EM1-AC', 'EM2-AC'] });
  });

  it('prices a session of an eMSP\'s driver with that eMSP\'s tariff, an ad hoc driver\'s with the public one', async () => {
    const { transactions } = net.hub.services;
    const connectorIds = ['PUBLIC-AC', 'EM1-AC', 'EM2-AC'];
    expect((await transactions.sessionTariffOf(connectorIds, { country_code: 'NL', party_id: 'EM1' }))?.id).toBe('EM1-AC');
    expect((await transactions.sessionTariffOf(connectorIds, { country_code: 'DE', party_id: 'EM2' }))?.id).toBe('EM2-AC');
    expect((await transactions.sessionTariffOf(connectorIds, { country_code: 'BE', party_id: 'EM3' }))?.id).toBe('PUBLIC-AC');
    expect((await transactions.sessionTariffOf(connectorIds, { country_code: own.countryCode, party_id: own.partyId }))?.id).toBe('PUBLIC-AC');
    expect((await transactions.sessionTariffOf(connectorIds, null))?.id).toBe('PUBLIC-AC');
  });

  it('deletes a tariff at the eMSP that loses it, pushes it to the one that gains it, and pushes the location again', async () => {
    const before = locationPuts('EM2').length;
    expect((await admin().put('/admin/tariffs/EM2-AC', { ...priced(0.39), emsps: ['BE/EM3'] })).status).toBe(200);
    const deleted = await waitFor(
      () => partner('EM2').received('DELETE', `/ocpi/2.2.1/tariffs/${own.countryCode}/${own.partyId}/EM2-AC`)[0],
      'the DELETE at EM2',
    );
    expect(deleted).toBeDefined();
    await waitFor(() => tariffPuts('EM3', 'EM2-AC')[0], 'the tariff at EM3');
    expect(partner('EM1').received('DELETE', `/ocpi/2.2.1/tariffs/${own.countryCode}/${own.partyId}/EM2-AC`)).toEqual([]);
    expect(partner('EM3').received('DELETE', `/ocpi/2.2.1/tariffs/${own.countryCode}/${own.partyId}/EM2-AC`)).toEqual([]);
    const again = await waitFor(() => locationPuts('EM2').length > before && locationPuts('EM2'), 'the location pushed again to EM2');
    expect(connectorTariffs(again[again.length - 1].body)).toEqual(['PUBLIC-AC']);
    await waitFor(() => locationPuts('EM3').length > 1, 'the location pushed again to EM3');
    expect(connectorTariffs(locationPuts('EM3').at(-1)!.body)).toEqual(['EM2-AC']);
    expect(ids((await net.parties.EM2.ocpi.get('/sender/tariffs')).data.data)).toEqual(['PUBLIC-AC']);
  });

  it('publishes a promotion for one eMSP\'s drivers as a new version of its tariff, and ends it', async () => {
    const night = { id: 'NIGHT', start_date: '2027-03-26', end_date: '2027-03-29', start_time: '23:00', end_time: '07:00', prices: { energy: 0.2 } };
    const added = await admin().post('/admin/tariffs/EM1-AC/promotions', night);
    expect(added.status).toBe(201);
    expect(added.data.elements.map((e: { restrictions?: unknown }) => e.restrictions)).toEqual([
      { start_time: '23:00', end_time: '00:00', start_date: '2027-03-26', end_date: '2027-03-29' },
      { start_time: '00:00', end_time: '07:00', start_date: '2027-03-27', end_date: '2027-03-30' },
      undefined,
    ]);
    await waitFor(() => tariffPuts('EM1', 'EM1-AC').some((r) => isDeepStrictEqual(r.body, added.data)), 'the promoted tariff at EM1');
    expect(tariffPuts('EM2', 'EM1-AC')).toEqual([]);
    expect((await admin().get('/admin/tariffs/EM1-AC')).data.description.promotions).toEqual([night]);
    // Bad input changes nothing.
    const bad = await admin().post('/admin/tariffs/EM1-AC/promotions', { ...night, id: 'BAD', prices: { time: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.data.error.message).toMatch(/promotions\[1\]\.prices\.time: needs a base prices\.time too/);
    expect((await admin().post('/admin/tariffs/NO-SUCH/promotions', night)).status).toBe(404);
    expect((await admin().delete('/admin/tariffs/EM1-AC/promotions/OTHER')).status).toBe(404);
    const ended = await admin().delete('/admin/tariffs/EM1-AC/promotions/NIGHT');
    expect(ended.status).toBe(200);
    expect(ended.data.elements).toHaveLength(1);
    await waitFor(() => tariffPuts('EM1', 'EM1-AC').some((r) => isDeepStrictEqual(r.body, ended.data)), 'the tariff without promotion at EM1');
    expect((await admin().get('/admin/tariffs/EM1-AC')).data.description).toEqual({ ...priced(0.35), emsps: ['NL/EM1'] });
  });

  it('adds and ends a promotion through the CLI', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'promo-'));
    const file = path.join(dir, 'promotion.json');
    writeFileSync(file, JSON.stringify({ id: 'WEEKEND', start_date: '2027-04-03', end_date: '2027-04-05', prices: { energy: 0.25 } }));
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
      return { code, out, err };
    };
    const promoted = await cli('tariff', 'promote', 'PUBLIC-AC', '--file', file);
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.out).elements[0]).toEqual({
      price_components: [{ type: 'ENERGY', price: 0.25, vat: 21, step_size: 1 }],
      restrictions: { start_date: '2027-04-03', end_date: '2027-04-05' },
    });
    expect(await cli('tariff', 'unpromote', 'PUBLIC-AC')).toMatchObject({ code: 2, err: expect.stringContaining('--promotion') });
    const ended = await cli('tariff', 'unpromote', 'PUBLIC-AC', '--promotion', 'WEEKEND');
    expect(ended.code).toBe(0);
    expect(JSON.parse(ended.out).elements).toHaveLength(1);
  });

  it('refuses an eMSP that is no party address, and stores nothing', async () => {
    const bad = await admin().put('/admin/tariffs/EM1-AC', { ...priced(0.1), emsps: ['NLEM1'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.data)).toContain('emsps[0]');
    const twice = await admin().put('/admin/tariffs/EM1-AC', { ...priced(0.1), emsps: ['NL/EM1', 'nl/em1'] });
    expect(twice.status).toBe(400);
    expect((await admin().get('/admin/tariffs/EM1-AC')).data.description).toEqual({ ...priced(0.35), emsps: ['NL/EM1'] });
  });
});
