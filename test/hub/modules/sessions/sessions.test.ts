import type { ServerResponse } from 'node:http';
import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';
import type { RecordedRequest } from '../../../support/partner';

type Session = Record<string, any>;

const to = (countryCode: string, partyId: string) => ({ headers: { 'OCPI-to-country-code': countryCode, 'OCPI-to-party-id': partyId } });

function answer(res: ServerResponse, body: Record<string, unknown>, httpStatus = 200): true {
  res.writeHead(httpStatus, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ ...body, timestamp: new Date().toISOString() }));
  return true;
}

describe('sessions through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({
      // The examples' owners (NL/STK, BE/BEC) and their token's eMSP (NL/TST).
      cpos: ['NL/STK', 'BE/BEC'],
      emsps: ['NL/TST', 'DE/EM2', 'FR/BLK'],
      // FR/BLK has no agreement with anyone.
      agreements: [['STK', 'TST'], ['BEC', 'TST'], ['STK', 'EM2'], ['BEC', 'EM2']],
      hub: { env: { OCPI_TIMEOUT_MS: '700' } },
    });
    parties = net.parties;
  });
  afterAll(() => net.close());

  const url = (s: Session) => `/receiver/sessions/${s.country_code}/${s.party_id}/${s.id}`;
  const atEmsp = (partyId: string, method: string, path: string) => parties[partyId].partner.received(method, `/ocpi/2.2.1/sessions${path}`);

  it('accepts both Session examples from their owners and returns them JSON-equal, to the owner, to the token eMSP and at its server only', async () => {
    for (const file of ['session_example_1_simple_start.json', 'session_example_2_short_finished.json']) {
      const session = example<Session>(file);
      const owner = parties[`${session.country_code}/${session.party_id}`];
      const put = await owner.ocpi.put(url(session), session);
      expect(put.status).toBe(201);
      expect(put.data.status_code).toBe(1000);
      expect((await owner.ocpi.get(url(session))).data.data).toEqual(session);
      const delivered = await waitFor(() => atEmsp('TST', 'PUT', `/${session.country_code}/${session.party_id}/101`)[0], `${file} at TST`);
      expect(delivered.body).toEqual(session);
      // Open routing: to the token's eMSP, from the CPO (not a broadcast from the hub).
      expect(delivered.headers['ocpi-from-party-id']).toBe(session.party_id);
      expect(delivered.headers['ocpi-to-party-id']).toBe('TST');
    }
    const list = await parties.TST.ocpi.get('/sender/sessions');
    expect(list.data.data).toEqual([example('session_example_2_short_finished.json'), example('session_example_1_simple_start.json')]);

    // EM2 has agreements with both CPOs but the sessions are not its own: it sees and receives nothing.
    await net.hub.services.outbox.whenIdle();
    expect(atEmsp('EM2', 'PUT', '')).toEqual([]);
    const em2 = await parties.EM2.ocpi.get('/sender/sessions');
    expect(em2.data.data).toEqual([]);
    expect(em2.headers['x-total-count']).toBe('0');
  });

  it('applies every PATCH example: charging periods appended, other fields replaced, each PATCH passed on as sent', async () => {
    const start = example<Session>('session_example_1_simple_start.json');
    const totalCost = example('session_patch_example_total_cost.json');
    const chargingPeriod = example<Session>('session_patch_example_charging_period.json');
    for (const patch of [totalCost, chargingPeriod]) {
      const patched = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/101', patch);
      expect(patched.status).toBe(200);
      expect(patched.data.status_code).toBe(1000);
    }
    let stored = (await parties.STK.ocpi.get('/receiver/sessions/NL/STK/101')).data.data;
    expect(stored).toEqual({ ...start, ...chargingPeriod });

    // A session that already has periods gets the new one added after them.
    const finished = example<Session>('session_example_2_short_finished.json');
    await parties.BEC.ocpi.patch('/receiver/sessions/BE/BEC/101', chargingPeriod);
    stored = (await parties.BEC.ocpi.get('/receiver/sessions/BE/BEC/101')).data.data;
    expect(stored.charging_periods).toEqual([...finished.charging_periods, ...chargingPeriod.charging_periods]);
    expect(stored.total_cost).toEqual(chargingPeriod.total_cost);
    expect(stored.kwh).toBe(15);
    expect(stored.status).toBe('COMPLETED');

    // A PATCH with an empty list changes no periods.
    await parties.BEC.ocpi.patch('/receiver/sessions/BE/BEC/101', { charging_periods: [], last_updated: '2019-06-23T08:20:00Z' });
    expect((await parties.BEC.ocpi.get('/receiver/sessions/BE/BEC/101')).data.data.charging_periods).toHaveLength(4);

    const patches = await waitFor(() => {
      const got = atEmsp('TST', 'PATCH', '/NL/STK/101');
      return got.length === 2 && got;
    }, 'the two PATCHes at TST');
    expect(patches.map((r) => r.body)).toEqual([totalCost, chargingPeriod]);
    expect(patches[0].headers['ocpi-from-party-id']).toBe('STK');
    expect((await parties.TST.ocpi.get('/sender/sessions')).data.data).toContainEqual({ ...start, ...chargingPeriod });
  });

  it('replaces the whole session on PUT, charging periods included', async () => {
    const finished = example<Session>('session_example_2_short_finished.json');
    const { charging_periods: _omitted, ...withoutPeriods } = finished;
    const replaced = { ...withoutPeriods, last_updated: '2015-06-30T00:00:00Z' };
    const put = await parties.BEC.ocpi.put('/receiver/sessions/BE/BEC/101', replaced);
    expect(put.status).toBe(200);
    expect((await parties.BEC.ocpi.get('/receiver/sessions/BE/BEC/101')).data.data).toEqual(replaced);
  });

  it('routes to the party in OCPI-to-*, reads OCPI-to naming the hub as open routing, and refuses an eMSP without agreement (4001, nothing stored)', async () => {
    const session: Session = { ...example<Session>('session_example_1_simple_start.json'), id: 'S-DIRECT' };
    const direct = await parties.STK.ocpi.put(url(session), session, to('NL', 'TST'));
    expect(direct.data.status_code).toBe(1000);
    const delivered = await waitFor(() => atEmsp('TST', 'PUT', '/NL/STK/S-DIRECT')[0], 'the direct session');
    expect(delivered.headers['ocpi-from-party-id']).toBe('STK');

    const viaHub = { ...session, id: 'S-HUB' };
    expect((await parties.STK.ocpi.put(url(viaHub), viaHub, to('NL', 'HUB'))).data.status_code).toBe(1000);
    await waitFor(() => atEmsp('TST', 'PUT', '/NL/STK/S-HUB')[0], 'the session addressed to the hub, at the token eMSP');
    await net.hub.services.outbox.whenIdle();
    expect(atEmsp('EM2', 'PUT', '/NL/STK/S-HUB')).toEqual([]);

    // The token's eMSP has no agreement with the CPO.
    const blocked = { ...session, id: 'S-BLK', cdr_token: { ...session.cdr_token, country_code: 'FR', party_id: 'BLK' } };
    const refused = await parties.STK.ocpi.put(url(blocked), blocked);
    expect(refused.data.status_code).toBe(4001);
    expect((await parties.STK.ocpi.get(url(blocked))).status).toBe(404);
    // The token's eMSP is not known to the hub at all.
    const unknown = { ...session, id: 'S-UNK', cdr_token: { ...session.cdr_token, country_code: 'XX', party_id: 'NOP' } };
    expect((await parties.STK.ocpi.put(url(unknown), unknown)).data.status_code).toBe(4001);
    // OCPI-to names a party without agreement.
    expect((await parties.STK.ocpi.put(url(session), session, to('FR', 'BLK'))).data.status_code).toBe(4001);
    // A PATCH that moves the session to such a token is refused, and changes nothing.
    const moved = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/S-DIRECT', { cdr_token: blocked.cdr_token, last_updated: '2020-03-09T10:20:00Z' });
    expect(moved.data.status_code).toBe(4001);
    expect((await parties.STK.ocpi.get('/receiver/sessions/NL/STK/S-DIRECT')).data.data).toEqual(session);
    await net.hub.services.outbox.whenIdle();
    expect(parties.BLK.partner.requests.filter((r) => r.path.includes('/sessions'))).toEqual([]);
    expect((await parties.BLK.ocpi.get('/sender/sessions')).data.data).toEqual([]);
  });

  it('lets a CPO write only its own sessions, checking ids, last_updated and every field, changing nothing otherwise', async () => {
    const session = example<Session>('session_example_1_simple_start.json');
    const before = (await parties.STK.ocpi.get('/receiver/sessions/NL/STK/101')).data.data;

    expect((await parties.BEC.ocpi.put('/receiver/sessions/NL/STK/101', session)).status).toBe(404);
    expect((await parties.BEC.ocpi.patch('/receiver/sessions/NL/STK/101', { kwh: 99, last_updated: '2030-01-01T00:00:00Z' })).status).toBe(404);
    expect((await parties.BEC.ocpi.get('/receiver/sessions/NL/STK/101')).status).toBe(404);
    expect((await parties.TST.ocpi.put('/receiver/sessions/NL/TST/101', { ...session, country_code: 'NL', party_id: 'TST' })).status).toBe(404);

    expect((await parties.STK.ocpi.put('/receiver/sessions/NL/STK/999', session)).data.status_code).toBe(2001);
    expect((await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/101', { id: '999', last_updated: '2030-01-01T00:00:00Z' })).data.status_code).toBe(2001);
    const noLastUpdated = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/101', { kwh: 99 });
    expect(noLastUpdated.data.status_code).toBe(2001);
    expect(noLastUpdated.data.status_message).toMatch(/last_updated/);
    const badStatus = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/101', { status: 'CHARGING', last_updated: '2030-01-01T00:00:00Z' });
    expect(badStatus.data.status_code).toBe(2001);
    expect(badStatus.data.status_message).toMatch(/status/);
    const badPeriod = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/101', {
      charging_periods: [{ start_date_time: 'yesterday', dimensions: [{ type: 'ENERGY', volume: '1' }] }],
      last_updated: '2030-01-01T00:00:00Z',
    });
    expect(badPeriod.data.status_message).toMatch(/charging_periods\.0\.start_date_time.*charging_periods\.0\.dimensions\.0\.volume/);
    const badPut = await parties.STK.ocpi.put('/receiver/sessions/NL/STK/101', { ...session, kwh: 'lots', auth_method: 'PIN', cdr_token: { ...session.cdr_token, type: 'CARD' } });
    expect(badPut.data.status_code).toBe(2001);
    expect(badPut.data.status_message).toMatch(/kwh/);
    expect(badPut.data.status_message).toMatch(/cdr_token\.type/);
    expect(badPut.data.status_message).toMatch(/auth_method/);
    const unknown = await parties.STK.ocpi.patch('/receiver/sessions/NL/STK/NOPE', { kwh: 1, last_updated: '2030-01-01T00:00:00Z' });
    expect(unknown.status).toBe(404);

    expect((await parties.STK.ocpi.get('/receiver/sessions/NL/STK/101')).data.data).toEqual(before);
  });

  it('serves each eMSP only its own sessions, paginated, with X-Total-Count counting only those', async () => {
    const mine = { ...example<Session>('session_example_1_simple_start.json'), id: 'EM2-1', cdr_token: { uid: 'x1', type: 'APP_USER', contract_id: 'DE-EM2-1', country_code: 'de', party_id: 'em2' } };
    expect((await parties.STK.ocpi.put(url(mine), mine)).data.status_code).toBe(1000);
    await waitFor(() => atEmsp('EM2', 'PUT', '/NL/STK/EM2-1')[0], 'the EM2 session at EM2');
    const em2 = await parties.EM2.ocpi.get('/sender/sessions');
    expect(em2.data.data).toEqual([mine]);
    expect(em2.headers['x-total-count']).toBe('1');

    const all = await parties.TST.ocpi.get('/sender/sessions');
    const total = Number(all.headers['x-total-count']);
    expect(total).toBe(all.data.data.length);
    expect(all.data.data.map((s: Session) => s.id)).not.toContain('EM2-1');
    const page = await parties.TST.ocpi.get('/sender/sessions?limit=1&offset=1');
    expect(page.data.data).toEqual(all.data.data.slice(1, 2));
    expect(page.headers['x-total-count']).toBe(String(total));
    expect(page.headers['x-limit']).toBe('100');
    expect(page.headers.link).toMatch(/offset=2/);
    const recent = await parties.TST.ocpi.get('/sender/sessions?date_from=2020-01-01T00:00:00Z&date_to=2020-03-09T10:17:09Z');
    expect(recent.data.data).toEqual([]);
    const old = await parties.TST.ocpi.get('/sender/sessions?date_to=2016-01-01T00:00:00Z');
    expect(old.data.data.map((s: Session) => `${s.party_id}/${s.id}`)).toEqual(['BEC/101']);
    expect((await parties.TST.ocpi.get('/sender/sessions?date_from=yesterday')).data.status_code).toBe(2001);
  });

  describe('charging preferences', () => {
    const preferences = { profile_type: 'FAST', departure_time: '2020-03-09T18:00:00Z', energy_need: 30 };
    const path = '/sender/sessions/101/charging_preferences';
    let calls: RecordedRequest[] = [];
    afterEach(() => {
      parties.STK.partner.intercept = undefined;
    });
    const cpoAnswers = (reply: (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>) => {
      calls = [];
      parties.STK.partner.intercept = (req, res) => {
        if (!req.path.endsWith('/charging_preferences')) return false;
        calls.push(req);
        return reply(req, res);
      };
    };

    it('forwards them to the CPO that holds the session and answers with its ChargingPreferencesResponse', async () => {
      cpoAnswers((_req, res) => answer(res, { data: 'ACCEPTED', status_code: 1000 }));
      // Both STK and BEC hold a session 101 of TST: OCPI-to-* chooses.
      const ambiguous = await parties.TST.ocpi.put(path, preferences);
      expect(ambiguous.data.status_code).toBe(2001);
      expect(calls).toEqual([]);

      const reply = await parties.TST.ocpi.put(path, preferences, { headers: { ...to('NL', 'STK').headers, 'X-Correlation-ID': 'prefs-1' } });
      expect(reply.status).toBe(200);
      expect(reply.data.status_code).toBe(1000);
      expect(reply.data.data).toBe('ACCEPTED');
      expect(calls).toHaveLength(1);
      expect(calls[0].method).toBe('PUT');
      expect(calls[0].path).toBe('/ocpi/2.2.1/sessions/101/charging_preferences');
      expect(calls[0].body).toEqual(preferences);
      expect(calls[0].headers['ocpi-from-party-id']).toBe('TST');
      expect(calls[0].headers['ocpi-to-party-id']).toBe('STK');
      expect(calls[0].headers['x-correlation-id']).toBe('prefs-1');

      // A session id held by one CPO only needs no OCPI-to-*.
      const single = await parties.TST.ocpi.put('/sender/sessions/S-DIRECT/charging_preferences', { profile_type: 'GREEN' });
      expect(single.data.data).toBe('ACCEPTED');
      expect(calls.at(-1)!.path).toBe('/ocpi/2.2.1/sessions/S-DIRECT/charging_preferences');
    });

    it("passes the CPO's refusals back", async () => {
      cpoAnswers((_req, res) => answer(res, { data: 'DEPARTURE_REQUIRED', status_code: 1000 }));
      expect((await parties.TST.ocpi.put(path, { profile_type: 'CHEAP' }, to('NL', 'STK'))).data.data).toBe('DEPARTURE_REQUIRED');
      // An EVSE without CHARGING_PREFERENCES_CAPABLE: HTTP 404 with 2001 (mod_sessions.asciidoc).
      cpoAnswers((_req, res) => answer(res, { status_code: 2001, status_message: 'not capable' }, 404));
      const notCapable = await parties.TST.ocpi.put(path, preferences, to('NL', 'STK'));
      expect(notCapable.status).toBe(404);
      expect(notCapable.data.status_code).toBe(2001);
    });

    it('answers 4003 when the CPO is unreachable and 4002 when it does not answer in time', async () => {
      cpoAnswers((_req, res) => {
        setTimeout(() => res.destroy(), 1500).unref();
        return true;
      });
      const slow = await parties.TST.ocpi.put(path, preferences, to('NL', 'STK'));
      expect(slow.data.status_code).toBe(4002);

      await parties.STK.partner.stop();
      try {
        const down = await parties.TST.ocpi.put(path, preferences, to('NL', 'STK'));
        expect(down.data.status_code).toBe(4003);
      } finally {
        await parties.STK.partner.start();
      }
    });

    it("refuses another eMSP's session, a party without agreement and invalid preferences, asking the CPO nothing", async () => {
      cpoAnswers((_req, res) => answer(res, { data: 'ACCEPTED', status_code: 1000 }));
      expect((await parties.EM2.ocpi.put(path, preferences, to('NL', 'STK'))).status).toBe(404);
      expect((await parties.BLK.ocpi.put(path, preferences)).status).toBe(404);
      expect((await parties.TST.ocpi.put('/sender/sessions/NOPE/charging_preferences', preferences)).status).toBe(404);
      const invalid = await parties.TST.ocpi.put(path, { profile_type: 'TURBO', energy_need: 'much' }, to('NL', 'STK'));
      expect(invalid.data.status_code).toBe(2001);
      expect(invalid.data.status_message).toMatch(/profile_type.*energy_need/);
      // A CPO is not an eMSP: it has no sessions to set preferences for.
      expect((await parties.STK.ocpi.put(path, preferences)).status).toBe(404);
      expect(calls).toEqual([]);
    });
  });
});
