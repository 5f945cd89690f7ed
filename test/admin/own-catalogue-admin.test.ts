/**
 * The own CPO's locations and tariffs through the admin API and the CLI, with a real hub and real eMSP
 * partner servers: what the operator publishes reaches the eMSP that has an agreement with the own CPO
 * (and only that one), a price change arrives as a new version, and bad input changes nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { localDateOf } from '../../src/core/tariffs/tariffs-core';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';
import { ownSite } from '../support/own-sites';

const ZONE = 'Europe/Amsterdam';

const SIMPLE = { kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.35, time: 1.5, flat: 0.5 }, step_size: { time: 60 } };

const connector = (id: string, tariffIds: string[]) => ({
  id,
  standard: 'IEC_62196_T2',
  format: 'SOCKET',
  power_type: 'AC_3_PHASE',
  max_voltage: 230,
  max_amperage: 32,
  tariff_ids: tariffIds,
});

/** A location as an operator writes it: no country_code, party_id or last_updated anywhere. */
const location = (id: string, tariffIds: string[], timeZone = ZONE) => ({
  id,
  ...ownSite(id, timeZone),
  evses: [{ uid: `${id}-E1`, evse_id: 'NL*HUB*E1', status: 'AVAILABLE', connectors: [connector('1', tariffIds)] }],
});

describe('admin API and CLI: the own CPO\'s locations and tariffs, pushed to eMSPs', () => {
  let net: TestNetwork;
  let own: { countryCode: string; partyId: string };
  const admin = () => net.hub.admin;
  const em1 = () => net.parties.EM1.partner;
  const outboxRows = async () => (await net.hub.services.db.query(`SELECT count(*)::int AS n FROM outbox`))[0].n as number;
  const atEm1 = (method: string, suffix: string) => em1().received(method, `/ocpi/2.2.1/${suffix}`);

  beforeAll(async () => {
    // EM1 gets an agreement with the own CPO; EM2 has none and must receive nothing.
    net = await startNetwork({ cpos: [], emsps: ['NL/EM1', 'DE/EM2'] });
    own = net.hub.services.ownCpo;
    const agreed = await admin().post('/admin/agreements', { cpo: `${own.countryCode}/${own.partyId}`, emsp: 'NL/EM1' });
    expect(agreed.status).toBe(201);
  });
  afterAll(() => net.close());

  it('publishes a tariff from its description and pushes the OCPI Tariff to the eMSP with an agreement', async () => {
    const put = await admin().put('/admin/tariffs/OWN-AC', SIMPLE);
    expect(put.status).toBe(201);
    expect(put.data).toEqual({
      country_code: own.countryCode,
      party_id: own.partyId,
      id: 'OWN-AC',
      currency: 'EUR',
      elements: [
        {
          price_components: [
            { type: 'FLAT', price: 0.5, vat: 21, step_size: 1 },
            { type: 'ENERGY', price: 0.35, vat: 21, step_size: 1 },
            { type: 'TIME', price: 1.5, vat: 21, step_size: 60 },
          ],
        },
      ],
      last_updated: expect.any(String),
    });
    expect(Date.now() - Date.parse(put.data.last_updated)).toBeLessThan(60_000);
    const pushed = await waitFor(() => atEm1('PUT', `tariffs/${own.countryCode}/${own.partyId}/OWN-AC`)[0], 'the tariff at EM1');
    expect(pushed.body).toEqual(put.data);
    // The object store holds what the transaction side reads.
    expect((await net.hub.services.tariffs.getOwn(net.hub.services.ownCpo, 'OWN-AC')).data).toEqual(put.data);
    expect((await admin().get('/admin/tariffs/OWN-AC')).data).toEqual({ id: 'OWN-AC', description: SIMPLE, tariff: put.data });
    // eMSPs pull it through the hub like any CPO's (the own CPO counts as registered).
    expect((await net.parties.EM1.ocpi.get('/sender/tariffs')).data.data).toEqual([put.data]);
    expect((await net.parties.EM2.ocpi.get('/sender/tariffs')).data.data).toEqual([]);
    expect(net.parties.EM2.partner.received('PUT', '/ocpi/2.2.1/tariffs')).toEqual([]);
  });

  it('publishes a location the operator wrote without owner ids or last_updated, at every level', async () => {
    const put = await admin().put('/admin/locations/LOC1', location('LOC1', ['OWN-AC']));
    expect(put.status).toBe(201);
    expect(put.data).toMatchObject({ country_code: own.countryCode, party_id: own.partyId, id: 'LOC1', time_zone: ZONE });
    const stamp = put.data.last_updated;
    expect(put.data.evses[0].last_updated).toBe(stamp);
    expect(put.data.evses[0].connectors[0]).toMatchObject({ tariff_ids: ['OWN-AC'], last_updated: stamp });

    const pushed = await waitFor(() => atEm1('PUT', `locations/${own.countryCode}/${own.partyId}/LOC1`)[0], 'the location at EM1');
    expect(pushed.body).toEqual(put.data);
    expect(pushed.headers['ocpi-to-party-id']).toBe('EM1');
    // eMSPs read it through the hub like any CPO's location.
    expect((await net.parties.EM1.ocpi.get('/sender/locations/LOC1')).data.data).toEqual(put.data);
    expect((await net.parties.EM2.ocpi.get('/sender/locations/LOC1')).data.status_code).toBe(2003);
    expect((await admin().get('/admin/locations/LOC1')).data).toEqual(put.data);
    expect((await admin().get('/admin/locations')).data.map((l: { id: string }) => l.id)).toEqual(['LOC1']);
    expect(net.parties.EM2.partner.received('PUT', '/ocpi/2.2.1/locations')).toEqual([]);
  });

  it('changes an EVSE and a connector (PATCH and PUT), each a new last_updated pushed as OCPI does', async () => {
    await admin().put('/admin/tariffs/OWN-DC', { ...SIMPLE, prices: { energy: 0.59 } });
    const before = (await admin().get('/admin/locations/LOC1')).data.last_updated;

    const patched = await admin().patch('/admin/locations/LOC1/evses/LOC1-E1/connectors/1', { tariff_ids: ['OWN-DC'] });
    expect(patched.status).toBe(200);
    expect(patched.data.evses[0].connectors[0].tariff_ids).toEqual(['OWN-DC']);
    expect(Date.parse(patched.data.last_updated)).toBeGreaterThan(Date.parse(before));
    const patch = await waitFor(() => atEm1('PATCH', `locations/${own.countryCode}/${own.partyId}/LOC1/LOC1-E1/1`)[0], 'the connector PATCH');
    expect(patch.body).toEqual({ tariff_ids: ['OWN-DC'], last_updated: patched.data.last_updated });

    const status = await admin().patch('/admin/locations/LOC1/evses/LOC1-E1', { status: 'INOPERATIVE' });
    expect(status.data.evses[0].status).toBe('INOPERATIVE');
    await waitFor(() => atEm1('PATCH', `locations/${own.countryCode}/${own.partyId}/LOC1/LOC1-E1`).find((r) => r.path.endsWith('/LOC1-E1')), 'the EVSE PATCH');

    const added = await admin().put('/admin/locations/LOC1/evses/LOC1-E1/connectors/2', connector('2', ['OWN-AC']));
    expect(added.status).toBe(201);
    expect(added.data.evses[0].connectors.map((c: { id: string }) => c.id)).toEqual(['1', '2']);
    expect(added.data.evses[0].connectors[1].last_updated).toBe(added.data.last_updated);
  });

  it('sends a price change as a new version with a later last_updated; the old one stays as it was delivered', async () => {
    const first = atEm1('PUT', `tariffs/${own.countryCode}/${own.partyId}/OWN-AC`)[0].body as { last_updated: string };
    const changed = await admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, prices: { ...SIMPLE.prices, energy: 0.39 } });
    expect(changed.status).toBe(200);
    expect(Date.parse(changed.data.last_updated)).toBeGreaterThan(Date.parse(first.last_updated));
    const versions = await waitFor(() => {
      const puts = atEm1('PUT', `tariffs/${own.countryCode}/${own.partyId}/OWN-AC`);
      return puts.length === 2 && puts;
    }, 'the second version at EM1');
    expect(versions.map((r) => (r.body as { elements: { price_components: { type: string; price: number }[] }[] }).elements[0].price_components[1].price)).toEqual([0.35, 0.39]);
    expect(versions[1].body).toEqual(changed.data);
    // The same description again is still a change the operator made: a new version too.
    const again = await admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, prices: { ...SIMPLE.prices, energy: 0.39 } });
    expect(Date.parse(again.data.last_updated)).toBeGreaterThan(Date.parse(changed.data.last_updated));
    await waitFor(() => atEm1('PUT', `tariffs/${own.countryCode}/${own.partyId}/OWN-AC`).length === 3, 'the third version');
  });

  it('merges day-ahead prices into a dynamic tariff and republishes it, fallback last', async () => {
    const today = localDateOf(new Date(), ZONE);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const dynamic = { kind: 'dynamic', currency: 'EUR', vat: 21, time_zone: ZONE, prices: { energy: 0.45 } };
    const created = await admin().put('/admin/tariffs/OWN-DYN', dynamic);
    expect(created.status).toBe(201);
    expect(created.data.elements).toEqual([{ price_components: [{ type: 'ENERGY', price: 0.45, vat: 21, step_size: 1 }] }]);

    const hours = Array.from({ length: 24 }, (_, h) => (h === 18 ? null : h < 7 ? 0.11 : 0.24));
    const first = await admin().post('/admin/tariffs/OWN-DYN/day-ahead', { date: tomorrow, prices: hours });
    expect(first.status).toBe(200);
    expect(first.data.elements.map((e: { restrictions?: Record<string, string> }) => e.restrictions ?? null)).toEqual([
      { start_date: tomorrow, end_date: expect.any(String), start_time: '00:00', end_time: '07:00' },
      { start_date: tomorrow, end_date: expect.any(String), start_time: '07:00', end_time: '18:00' },
      { start_date: tomorrow, end_date: expect.any(String), start_time: '19:00', end_time: '00:00' },
      null,
    ]);
    const second = await admin().post('/admin/tariffs/OWN-DYN/day-ahead', { date: today, prices: hours.map(() => 0.2) });
    expect(second.data.elements.map((e: { restrictions?: { start_date: string } }) => e.restrictions?.start_date ?? null)).toEqual([today, tomorrow, tomorrow, tomorrow, null]);
    expect(Date.parse(second.data.last_updated)).toBeGreaterThan(Date.parse(first.data.last_updated));
    await waitFor(
      () => atEm1('PUT', `tariffs/${own.countryCode}/${own.partyId}/OWN-DYN`).find((r) => isDeepStrictEqual(r.body, second.data)),
      'the merged dynamic tariff at EM1',
    );
    const shown = (await admin().get('/admin/tariffs/OWN-DYN')).data;
    expect(Object.keys(shown.description.day_ahead)).toEqual([today, tomorrow]);
    expect((await admin().get('/admin/tariffs')).data.map((t: { id: string }) => t.id)).toEqual(['OWN-AC', 'OWN-DC', 'OWN-DYN']);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const tariffBefore = (await admin().get('/admin/tariffs/OWN-AC')).data;
    const locationBefore = (await admin().get('/admin/locations/LOC1')).data;
    const rows = await outboxRows();
    const refusals: [Promise<{ status: number; data: { error: { message: string } } }>, number, RegExp][] = [
      [admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, prices: { energy: -1 } }), 400, /prices\.energy: must not be negative/],
      [admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, kind: 'cheap' }), 400, /kind: must be "simple", "time_of_use" or "dynamic"/],
      [admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, vat: undefined }), 400, /vat: is required/],
      [admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, prices: { energy: 1 }, pricez: {} }), 400, /pricez: is not a field/],
      [
        admin().put('/admin/tariffs/OWN-AC', { ...SIMPLE, kind: 'time_of_use', windows: [{ start_time: '17:00', end_time: '21:00', prices: { parking: 2 } }] }),
        400,
        /windows\[0\]\.prices\.parking: needs a base prices\.parking too/,
      ],
      [admin().put('/admin/tariffs/has%20space', SIMPLE), 400, /tariff id must be 1 to 36/],
      [admin().post('/admin/tariffs/OWN-AC/day-ahead', { date: '2030-01-01', prices: Array(24).fill(0.1) }), 409, /simple, not dynamic/],
      [admin().post('/admin/tariffs/NOPE/day-ahead', { date: '2030-01-01', prices: Array(24).fill(0.1) }), 404, /No own tariff NOPE/],
      [admin().post('/admin/tariffs/OWN-DYN/day-ahead', { date: '2030-01-01', prices: [0.1] }), 400, /prices: must list 24 hourly prices/],
      [admin().post('/admin/tariffs/OWN-DYN/day-ahead', { date: '2020-01-01', prices: Array(24).fill(0.1) }), 400, /before .* the oldest date this tariff keeps/],
      [admin().get('/admin/tariffs/NOPE'), 404, /No own tariff with id NOPE/],
      [admin().delete('/admin/tariffs/OWN-AC'), 409, /still named by connector LOC1\/LOC1-E1\/2/],
      [admin().put('/admin/locations/LOC2', { ...location('LOC2', ['OWN-AC']), party_id: 'XYZ' }), 400, /party_id "XYZ" is not the own CPO's/],
      [admin().put('/admin/locations/LOC2', location('LOC2', ['NO-SUCH'])), 400, /names tariff NO-SUCH, which the own CPO does not publish/],
      [admin().put('/admin/locations/LOC2', { ...location('LOC2', ['OWN-AC']), address: undefined }), 400, /Invalid Location: address/],
      [admin().put('/admin/locations/LOC2', { ...location('LOC2', ['OWN-AC']), id: 'OTHER' }), 400, /id "OTHER" in the body differs/],
      [admin().put('/admin/locations/LOC2', location('LOC2', ['OWN-DYN'], 'Europe/London')), 400, /OWN-DYN has day-ahead hours in Europe\/Amsterdam, but location LOC2 is in Europe\/London/],
      [admin().put('/admin/locations/LOC2', [1, 2]), 400, /must be a JSON object/],
      [admin().patch('/admin/locations/LOC1/evses/NOPE', { status: 'AVAILABLE' }), 404, /Unknown EVSE NOPE/],
      [admin().patch('/admin/locations/NOPE', { publish: false }), 404, /Unknown location NOPE/],
      [admin().get('/admin/locations/NOPE'), 404, /No own location with id NOPE/],
    ];
    for (const [answer, status, message] of refusals) {
      const { status: actual, data } = await answer;
      expect({ actual, message: data.error.message }).toEqual({ actual: status, message: expect.stringMatching(message) });
    }
    expect((await admin().get('/admin/tariffs/OWN-AC')).data).toEqual(tariffBefore);
    expect((await admin().get('/admin/locations/LOC1')).data).toEqual(locationBefore);
    expect((await admin().get('/admin/locations/LOC2')).status).toBe(404);
    expect(await outboxRows()).toBe(rows);
  });

  it('keeps a dynamic tariff and the locations using it in one time zone', async () => {
    await admin().put('/admin/locations/LOC1/evses/LOC1-E1/connectors/1', connector('1', ['OWN-DYN']));
    const moved = await admin().put('/admin/tariffs/OWN-DYN', { kind: 'dynamic', currency: 'EUR', vat: 21, time_zone: 'Europe/London', prices: { energy: 0.45 } });
    expect(moved.status).toBe(400);
    expect(moved.data.error.message).toMatch(/time_zone Europe\/London differs from Europe\/Amsterdam of location LOC1/);
    const relocated = await admin().patch('/admin/locations/LOC1', { time_zone: 'Europe/London' });
    expect(relocated.status).toBe(400);
    expect((await admin().get('/admin/locations/LOC1')).data.time_zone).toBe(ZONE);
  });

  it('deletes a tariff no connector names, and the eMSP is told', async () => {
    const deleted = await admin().delete('/admin/tariffs/OWN-DC');
    expect(deleted.status).toBe(204);
    await waitFor(() => atEm1('DELETE', `tariffs/${own.countryCode}/${own.partyId}/OWN-DC`)[0], 'the DELETE at EM1');
    expect((await admin().get('/admin/tariffs/OWN-DC')).status).toBe(404);
    expect((await admin().delete('/admin/tariffs/OWN-DC')).status).toBe(404);
  });

  it('works from the CLI', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'own-catalogue-'));
    const file = (name: string, content: unknown) => {
      const at = path.join(dir, name);
      writeFileSync(at, JSON.stringify(content));
      return at;
    };
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } };
    const cli = (...argv: string[]) => {
      out = '';
      err = '';
      return runCli([...argv, '--hub', net.hub.url], io);
    };

    expect(await cli('tariff', 'put', 'CLI-T', '--file', file('desc.json', { kind: 'dynamic', currency: 'EUR', vat: 9, time_zone: ZONE, prices: { energy: 0.3 } }))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ id: 'CLI-T', currency: 'EUR' });
    const today = localDateOf(new Date(), ZONE);
    expect(await cli('tariff', 'day-ahead', 'CLI-T', '--date', today, '--file', file('prices.json', Array(24).fill(0.17)))).toBe(0);
    expect(JSON.parse(out).elements[0]).toEqual({
      price_components: [{ type: 'ENERGY', price: 0.17, vat: 9, step_size: 1 }],
      restrictions: { start_date: today, end_date: expect.any(String) },
    });
    expect(await cli('tariff', 'day-ahead', 'CLI-T', '--date', today, '--file', file('wrapped.json', { prices: Array(24).fill(0.18) }))).toBe(0);
    expect(JSON.parse(out).elements[0].price_components[0].price).toBe(0.18);
    expect(await cli('location', 'put', '--file', file('loc.json', location('CLI-LOC', ['CLI-T'])))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ id: 'CLI-LOC', party_id: own.partyId });
    expect(await cli('location', 'list')).toBe(0);
    expect(JSON.parse(out).map((l: { id: string }) => l.id)).toEqual(['LOC1', 'CLI-LOC']);
    expect(await cli('location', 'show', 'CLI-LOC')).toBe(0);
    expect(await cli('tariff', 'list')).toBe(0);
    expect(JSON.parse(out).map((t: { id: string }) => t.id)).toContain('CLI-T');
    expect(await cli('tariff', 'show', 'CLI-T')).toBe(0);
    expect(JSON.parse(out).description.kind).toBe('dynamic');
    await waitFor(() => atEm1('PUT', `locations/${own.countryCode}/${own.partyId}/CLI-LOC`)[0], 'the CLI location at EM1');

    expect(await cli('tariff', 'put', 'CLI-T', '--file', path.join(dir, 'missing.json'))).toBe(2);
    expect(err).toMatch(/Cannot read .*missing\.json/);
    expect(await cli('tariff', 'day-ahead', 'CLI-T', '--file', file('p2.json', []))).toBe(2);
    expect(err).toMatch(/Missing --date/);
    expect(await cli('tariff', 'put', 'CLI-T', '--file', file('bad.json', { kind: 'simple', currency: 'EUR', vat: 9, prices: {} }))).toBe(1);
    expect(err).toMatch(/Error 400: Invalid tariff description: prices: must price at least one/);
    expect(await cli('location', 'put', '--file', file('noid.json', { publish: true }))).toBe(2);
    expect(err).toMatch(/must hold an OCPI Location with its id/);
  });
});
