import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';
import type { RecordedRequest } from '../../../support/partner';
import { ocpiFailure, ocpiOk, script, type ScriptedAnswer } from './forwarding-helpers';

const HUB_RESULT_URL = /^http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sender\/commands\/([A-Z_]+)\/[0-9a-f-]{36}$/;
const ACCEPTED = { result: 'ACCEPTED', timeout: 30 };

describe('commands through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];
  // What each CPO answers to a command; tests change it.
  const cpoAnswers: Record<string, (request: RecordedRequest) => ScriptedAnswer> = {};

  const token = (countryCode = 'NL', partyId = 'EM1') => ({ ...example('token_example_1_app_user.json'), country_code: countryCode, party_id: partyId });
  const emspUrl = (party: string, path: string) => `${parties[party].partner.url}/ocpi/2.2.1/commands/${path}`;
  const commandsAt = (cpo: string, command: string) => parties[cpo].partner.received('POST', `/ocpi/2.2.1/commands/${command}`);
  const lastCommandAt = (cpo: string, command: string) => commandsAt(cpo, command).at(-1)!;
  const hubUrlOf = (request: RecordedRequest) => (request.body as { response_url: string }).response_url;
  const resultsAt = (emsp: string, path: string) => parties[emsp].partner.received('POST', `/ocpi/2.2.1/commands/${path}`);
  const forwardedCount = () => ['CP1', 'CP2'].reduce((n, cpo) => n + parties[cpo].partner.received('POST', '/ocpi/2.2.1/commands/').length, 0);

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/CP1', 'DE/CP2'],
      emsps: ['NL/EM1', 'DE/EM2', 'FR/EM3'],
      // EM1 may reach both CPOs, EM2 only CP1, EM3 none.
      agreements: [['CP1', 'EM1'], ['CP2', 'EM1'], ['CP1', 'EM2']],
    });
    parties = net.parties;
    for (const cpo of ['CP1', 'CP2']) {
      cpoAnswers[cpo] = () => ocpiOk(ACCEPTED);
      script(parties[cpo].partner, '/ocpi/2.2.1/commands/', (request) => cpoAnswers[cpo](request));
    }
    for (const [cpo, locationId] of [['CP1', 'LOC1'], ['CP2', 'LOC2']]) {
      const location = { ...example('location_example.json'), country_code: parties[cpo].countryCode, party_id: cpo, id: locationId };
      const put = await parties[cpo].ocpi.put(`/receiver/locations/${parties[cpo].countryCode}/${cpo}/${locationId}`, location);
      expect(put.data.status_code).toBe(1000);
    }
    // Both are sessions of EM1's driver.
    for (const [cpo, sessionId] of [['CP1', 'S1'], ['CP2', 'S2']]) {
      const session = example('session_example_1_simple_start.json');
      const cdrToken = { ...(session.cdr_token as object), country_code: 'NL', party_id: 'EM1' };
      const data = { ...session, country_code: parties[cpo].countryCode, party_id: cpo, id: sessionId, cdr_token: cdrToken };
      await net.hub.services.store.put({ module: 'sessions', countryCode: parties[cpo].countryCode, partyId: cpo, objectId: sessionId }, data, new Date(session.last_updated as string));
    }
  });
  afterEach(() => {
    for (const cpo of ['CP1', 'CP2']) cpoAnswers[cpo] = () => ocpiOk(ACCEPTED);
  });
  afterAll(() => net.close());

  it('forwards START_SESSION with the hub as response_url, passes the CommandResponse back and the CommandResult on, once', async () => {
    const body = { response_url: emspUrl('EM1', 'START_SESSION/start-1'), token: token(), location_id: 'LOC1', evse_uid: '3256', connector_id: '1' };
    const sent = await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body, { headers: { 'X-Correlation-ID': 'corr-start-1' } });
    expect(sent.data.status_code).toBe(1000);
    expect(sent.data.data).toEqual(ACCEPTED);
    expect(sent.headers['ocpi-from-party-id']).toBe('CP1');
    expect(sent.headers['ocpi-to-party-id']).toBe('EM1');

    const atCpo = lastCommandAt('CP1', 'START_SESSION');
    expect(atCpo.body).toEqual({ ...body, response_url: expect.stringMatching(HUB_RESULT_URL) });
    expect(hubUrlOf(atCpo).startsWith(net.hub.url)).toBe(true);
    expect(atCpo.headers['ocpi-from-party-id']).toBe('EM1');
    expect(atCpo.headers['ocpi-to-party-id']).toBe('CP1');
    expect(atCpo.headers['x-correlation-id']).toBe('corr-start-1');
    expect(commandsAt('CP2', 'START_SESSION')).toEqual([]);

    const posted = await parties.CP1.ocpi.post(hubUrlOf(atCpo), { result: 'ACCEPTED' });
    expect(posted.data.status_code).toBe(1000);
    const delivered = await waitFor(() => resultsAt('EM1', 'START_SESSION/start-1')[0], 'the CommandResult at EM1');
    expect(delivered.body).toEqual({ result: 'ACCEPTED' });
    expect(delivered.headers['ocpi-from-country-code']).toBe('NL');
    expect(delivered.headers['ocpi-from-party-id']).toBe('CP1');
    expect(delivered.headers['ocpi-to-party-id']).toBe('EM1');
    expect(delivered.headers['x-correlation-id']).toBe('corr-start-1');

    const again = await parties.CP1.ocpi.post(hubUrlOf(atCpo), { result: 'FAILED' });
    expect(again.data.status_code).toBe(2001);
    expect(again.data.status_message).toMatch(/already received/);
    await net.hub.services.outbox.whenIdle();
    expect(resultsAt('EM1', 'START_SESSION/start-1')).toHaveLength(1);
  });

  it('picks the CPO by location, and forwards to the CPO in OCPI-to-* without looking', async () => {
    const unlock = { response_url: emspUrl('EM1', 'UNLOCK_CONNECTOR/u1'), location_id: 'LOC2', evse_uid: '3256', connector_id: '1' };
    const sent = await parties.EM1.ocpi.post('/receiver/commands/UNLOCK_CONNECTOR', unlock);
    expect(sent.data.data).toEqual(ACCEPTED);
    expect(commandsAt('CP1', 'UNLOCK_CONNECTOR')).toEqual([]);
    const atCp2 = lastCommandAt('CP2', 'UNLOCK_CONNECTOR');
    expect((await parties.CP2.ocpi.post(hubUrlOf(atCp2), { result: 'FAILED', message: [{ language: 'en', text: 'stuck' }] })).data.status_code).toBe(1000);
    const delivered = await waitFor(() => resultsAt('EM1', 'UNLOCK_CONNECTOR/u1')[0], 'the UNLOCK_CONNECTOR result');
    expect(delivered.body).toEqual({ result: 'FAILED', message: [{ language: 'en', text: 'stuck' }] });

    const direct = { ...unlock, response_url: emspUrl('EM1', 'UNLOCK_CONNECTOR/u2'), location_id: 'SOMEWHERE-ELSE' };
    const sentDirect = await parties.EM1.ocpi.post('/receiver/commands/UNLOCK_CONNECTOR', direct, { headers: { 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'CP2' } });
    expect(sentDirect.data.status_code).toBe(1000);
    const atCp2Direct = lastCommandAt('CP2', 'UNLOCK_CONNECTOR');
    expect((atCp2Direct.body as { location_id: string }).location_id).toBe('SOMEWHERE-ELSE');
    expect((await parties.CP2.ocpi.post(hubUrlOf(atCp2Direct), { result: 'ACCEPTED' })).data.status_code).toBe(1000);
  });

  it('routes STOP_SESSION to the CPO of the session', async () => {
    for (const [sessionId, cpo] of [['S1', 'CP1'], ['S2', 'CP2']]) {
      const sent = await parties.EM1.ocpi.post('/receiver/commands/STOP_SESSION', { response_url: emspUrl('EM1', `STOP_SESSION/${sessionId}`), session_id: sessionId });
      expect(sent.data.status_code).toBe(1000);
      const atCpo = lastCommandAt(cpo, 'STOP_SESSION');
      expect((atCpo.body as { session_id: string }).session_id).toBe(sessionId);
      expect((await parties[cpo].ocpi.post(hubUrlOf(atCpo), { result: 'ACCEPTED' })).data.status_code).toBe(1000);
      await waitFor(() => resultsAt('EM1', `STOP_SESSION/${sessionId}`)[0], `the STOP_SESSION result for ${sessionId}`);
    }
    expect(commandsAt('CP1', 'STOP_SESSION')).toHaveLength(1);
    const unknown = await parties.EM1.ocpi.post('/receiver/commands/STOP_SESSION', { response_url: emspUrl('EM1', 'STOP_SESSION/x'), session_id: 'NOPE' });
    expect(unknown.data.status_code).toBe(2001);
    expect(unknown.data.status_message).toMatch(/session_id.*NOPE/);
    // EM2 reaches CP1 too, but S1 is EM1's driver's session: unknown to EM2, with or without OCPI-to-*, and nothing forwarded.
    for (const headers of [{}, { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' }]) {
      const other = await parties.EM2.ocpi.post('/receiver/commands/STOP_SESSION', { response_url: emspUrl('EM2', 'STOP_SESSION/S1'), session_id: 'S1' }, { headers });
      expect(other.data.status_code).toBe(2001);
      expect(other.data.status_message).toMatch(/session_id: unknown session S1/);
    }
    expect(commandsAt('CP1', 'STOP_SESSION')).toHaveLength(1);
  });

  it('routes CANCEL_RESERVATION where its RESERVE_NOW went, and passes on a reservation the CPO cancels later, once', async () => {
    const reserve = { response_url: emspUrl('EM1', 'RESERVE_NOW/r1'), token: token(), expiry_date: '2030-01-01T12:00:00Z', reservation_id: 'RES-1', location_id: 'LOC2' };
    expect((await parties.EM1.ocpi.post('/receiver/commands/RESERVE_NOW', reserve)).data.data).toEqual(ACCEPTED);
    const reserveUrl = hubUrlOf(lastCommandAt('CP2', 'RESERVE_NOW'));
    expect((await parties.CP2.ocpi.post(reserveUrl, { result: 'ACCEPTED' })).data.status_code).toBe(1000);

    // reservation_id is a CiString: compared case-insensitively.
    const cancel = await parties.EM1.ocpi.post('/receiver/commands/CANCEL_RESERVATION', { response_url: emspUrl('EM1', 'CANCEL_RESERVATION/c1'), reservation_id: 'res-1' });
    expect(cancel.data.status_code).toBe(1000);
    expect(commandsAt('CP1', 'CANCEL_RESERVATION')).toEqual([]);
    const atCp2 = lastCommandAt('CP2', 'CANCEL_RESERVATION');
    expect((await parties.CP2.ocpi.post(hubUrlOf(atCp2), { result: 'ACCEPTED' })).data.status_code).toBe(1000);
    await waitFor(() => resultsAt('EM1', 'CANCEL_RESERVATION/c1')[0], 'the CANCEL_RESERVATION result');

    // Another eMSP cannot cancel it, nor can anyone cancel an unknown reservation.
    const foreign = await parties.EM2.ocpi.post('/receiver/commands/CANCEL_RESERVATION', { response_url: emspUrl('EM2', 'CANCEL_RESERVATION/c2'), reservation_id: 'RES-1' });
    expect(foreign.data.status_code).toBe(2001);
    const unknown = await parties.EM1.ocpi.post('/receiver/commands/CANCEL_RESERVATION', { response_url: emspUrl('EM1', 'CANCEL_RESERVATION/c3'), reservation_id: 'RES-404' });
    expect(unknown.data.status_code).toBe(2001);
    expect(unknown.data.status_message).toMatch(/reservation_id/);

    // The CPO cancels the reservation itself: CANCELED_RESERVATION to the RESERVE_NOW's URL (mod_commands.asciidoc).
    expect((await parties.CP2.ocpi.post(reserveUrl, { result: 'CANCELED_RESERVATION' })).data.status_code).toBe(1000);
    const results = await waitFor(() => resultsAt('EM1', 'RESERVE_NOW/r1').length === 2 && resultsAt('EM1', 'RESERVE_NOW/r1'), 'both RESERVE_NOW results');
    expect(results.map((r) => r.body)).toEqual([{ result: 'ACCEPTED' }, { result: 'CANCELED_RESERVATION' }]);
    expect((await parties.CP2.ocpi.post(reserveUrl, { result: 'CANCELED_RESERVATION' })).data.status_code).toBe(2001);
  });

  it('sends TIMEOUT when the CPO posts no result in time, and refuses the late result', async () => {
    cpoAnswers.CP1 = () => ocpiOk({ result: 'ACCEPTED', timeout: 5 });
    const body = { response_url: emspUrl('EM1', 'START_SESSION/slow'), token: token(), location_id: 'LOC1' };
    expect((await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body, { headers: { 'X-Correlation-ID': 'corr-slow' } })).data.status_code).toBe(1000);
    const hubUrl = hubUrlOf(lastCommandAt('CP1', 'START_SESSION'));

    expect(await net.hub.services.commands.sweepTimeouts()).toBe(0);
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 60_000))).toBe(1);
    const timedOut = await waitFor(() => resultsAt('EM1', 'START_SESSION/slow')[0], 'TIMEOUT at EM1');
    expect(timedOut.body).toEqual({ result: 'TIMEOUT' });
    expect(timedOut.headers['ocpi-from-party-id']).toBe('CP1');
    expect(timedOut.headers['x-correlation-id']).toBe('corr-slow');

    const late = await parties.CP1.ocpi.post(hubUrl, { result: 'ACCEPTED' });
    expect(late.data.status_code).toBe(2001);
    expect(late.data.status_message).toMatch(/timeout/);
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 120_000))).toBe(0);
    await net.hub.services.outbox.whenIdle();
    expect(resultsAt('EM1', 'START_SESSION/slow')).toHaveLength(1);
  });

  it('takes a result only from the CPO the command went to, for that command', async () => {
    const body = { response_url: emspUrl('EM1', 'START_SESSION/own'), token: token(), location_id: 'LOC1' };
    await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body);
    const hubUrl = hubUrlOf(lastCommandAt('CP1', 'START_SESSION'));
    for (const [poster, url] of [
      ['CP2', hubUrl],
      ['EM1', hubUrl],
      ['CP1', hubUrl.replace('/START_SESSION/', '/STOP_SESSION/')],
      ['CP1', hubUrl.replace(/[0-9a-f-]{36}$/, 'not-a-uuid')],
      ['CP1', hubUrl.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000')],
    ] as const) {
      const refused = await parties[poster].ocpi.post(url, { result: 'ACCEPTED' });
      expect(refused.status).toBe(404);
    }
    const invalid = await parties.CP1.ocpi.post(hubUrl, { result: 'DONE' });
    expect(invalid.data.status_code).toBe(2001);
    expect(invalid.data.status_message).toMatch(/result/);
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'EVSE_OCCUPIED' })).data.status_code).toBe(1000);
    const delivered = await waitFor(() => resultsAt('EM1', 'START_SESSION/own')[0], 'the result at EM1');
    expect(delivered.body).toEqual({ result: 'EVSE_OCCUPIED' });
  });

  it("passes the CPO's refusals and errors back, and then awaits no result", async () => {
    const body = (id: string) => ({ response_url: emspUrl('EM1', `START_SESSION/${id}`), token: token(), location_id: 'LOC1' });
    const rejected = { result: 'REJECTED', timeout: 0, message: [{ language: 'en', text: 'Not your customer' }] };
    cpoAnswers.CP1 = () => ocpiOk(rejected);
    const sent = await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('rejected'));
    expect(sent.data.status_code).toBe(1000);
    expect(sent.data.data).toEqual(rejected);
    const hubUrl = hubUrlOf(lastCommandAt('CP1', 'START_SESSION'));
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'ACCEPTED' })).status).toBe(404);
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 60_000))).toBe(0);

    cpoAnswers.CP1 = () => ocpiFailure(2001, 'Unknown EVSE 3256');
    const clientError = await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('client-error'));
    expect(clientError.data.status_code).toBe(2001);
    expect(clientError.data.status_message).toMatch(/Unknown EVSE 3256/);

    cpoAnswers.CP1 = () => ocpiFailure(3000, 'Charge point backend down');
    expect((await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('server-error'))).data.status_code).toBe(3000);

    cpoAnswers.CP1 = () => ocpiOk({ result: 'MAYBE', timeout: 10 });
    const garbled = await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('garbled'));
    expect(garbled.data.status_code).toBe(4000);
    expect(garbled.data.status_message).toMatch(/CommandResponse/);
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 60_000))).toBe(0);
  });

  it('answers 4002 when the CPO is too slow and 4003 when it is down', async () => {
    const body = (id: string) => ({ response_url: emspUrl('EM1', `START_SESSION/${id}`), token: token(), location_id: 'LOC1' });
    cpoAnswers.CP1 = () => ({ ...ocpiOk(ACCEPTED), delayMs: 2500 }); // the test hub waits 2 s
    expect((await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('slow-cpo'))).data.status_code).toBe(4002);

    await parties.CP1.partner.stop();
    try {
      expect((await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', body('cpo-down'))).data.status_code).toBe(4003);
    } finally {
      await parties.CP1.partner.start();
    }
    expect(await net.hub.services.commands.sweepTimeouts(new Date(Date.now() + 60_000))).toBe(0);
    await net.hub.services.outbox.whenIdle();
    expect(resultsAt('EM1', 'START_SESSION/slow-cpo')).toEqual([]);
  });

  it('routes only between parties with a roaming agreement', async () => {
    const before = forwardedCount();
    const start = (emsp: string, locationId: string) => ({ response_url: emspUrl(emsp, 'START_SESSION/x'), token: token(parties[emsp].countryCode, emsp), location_id: locationId });
    const loneEmsp = await parties.EM3.ocpi.post('/receiver/commands/START_SESSION', start('EM3', 'LOC1'));
    expect(loneEmsp.data.status_code).toBe(2003);
    const loneDirect = await parties.EM3.ocpi.post('/receiver/commands/START_SESSION', start('EM3', 'LOC1'), { headers: { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' } });
    expect(loneDirect.data.status_code).toBe(4001);
    const otherCpo = await parties.EM2.ocpi.post('/receiver/commands/START_SESSION', start('EM2', 'LOC2'));
    expect(otherCpo.data.status_code).toBe(2003);
    const otherDirect = await parties.EM2.ocpi.post('/receiver/commands/START_SESSION', start('EM2', 'LOC2'), { headers: { 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'CP2' } });
    expect(otherDirect.data.status_code).toBe(4001);
    const unknownLocation = await parties.EM1.ocpi.post('/receiver/commands/START_SESSION', start('EM1', 'LOC9'));
    expect(unknownLocation.data.status_code).toBe(2003);
    expect(forwardedCount()).toBe(before);
  });

  it('refuses invalid commands naming the problem, and forwards nothing', async () => {
    const before = forwardedCount();
    const url = emspUrl('EM1', 'x');
    const cases: [string, unknown, RegExp][] = [
      ['START_SESSION', { response_url: url, location_id: 'LOC1' }, /token/],
      ['START_SESSION', { response_url: url, token: { ...token(), whitelist: 'SOMETIMES' }, location_id: 'LOC1' }, /token\.whitelist/],
      ['START_SESSION', { response_url: url, token: token(), location_id: 'LOC1', connector_id: '1' }, /evse_uid/],
      ['START_SESSION', { response_url: 'ftp://emsp.example.com/results', token: token(), location_id: 'LOC1' }, /response_url/],
      ['START_SESSION', { response_url: url, token: token('DE', 'EM2'), location_id: 'LOC1' }, /token.*DE\/EM2/],
      ['STOP_SESSION', { response_url: url }, /session_id/],
      ['RESERVE_NOW', { response_url: url, token: token(), reservation_id: 'R', location_id: 'LOC1' }, /expiry_date/],
      ['CANCEL_RESERVATION', { response_url: url, reservation_id: 'x'.repeat(37) }, /reservation_id/],
      ['UNLOCK_CONNECTOR', { response_url: url, location_id: 'LOC1', evse_uid: '3256' }, /connector_id/],
      ['UNLOCK_CONNECTOR', undefined, /UnlockConnector/],
    ];
    for (const [command, body, problem] of cases) {
      const refused = await parties.EM1.ocpi.post(`/receiver/commands/${command}`, body);
      expect([command, refused.data.status_code]).toEqual([command, 2001]);
      expect(refused.data.status_message).toMatch(problem);
    }
    const unknownCommand = await parties.EM1.ocpi.post('/receiver/commands/SELF_DESTRUCT', { response_url: url });
    expect(unknownCommand.status).toBe(404);
    expect(unknownCommand.data.status_message).toMatch(/START_SESSION/);
    const asCpo = await parties.CP1.ocpi.post('/receiver/commands/STOP_SESSION', { response_url: url, session_id: 'S1' });
    expect(asCpo.status).toBe(404);
    expect(forwardedCount()).toBe(before);
  });
});
