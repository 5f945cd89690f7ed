import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';
import type { RecordedRequest } from '../../../support/partner';
import { type ExtraParty, joinNetwork, ocpiOk, queryOf, script, type ScriptedAnswer } from '../commands/forwarding-helpers';

const HUB_RESULT_URL = /^http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sender\/chargingprofiles\/results\/[0-9a-f-]{36}$/;
const ACCEPTED = { result: 'ACCEPTED', timeout: 20 };
const PROFILE = {
  charging_rate_unit: 'W',
  min_charging_rate: 1.5,
  charging_profile_period: [
    { start_period: 0, limit: 11000 },
    { start_period: 1800, limit: 7400.5 },
  ],
};
const ACTIVE_PROFILE = { start_date_time: '2030-01-01T12:00:00Z', charging_profile: { ...PROFILE, duration: 900 } };
const SENDER_ENDPOINTS = [{ identifier: 'chargingprofiles', role: 'SENDER' as const, path: '/chargingprofiles' }];

describe('charging profiles through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];
  // A smart charging service provider, and an eMSP that offers a chargingprofiles Sender endpoint.
  let scsp: ExtraParty;
  let em9: ExtraParty;
  let cpoAnswer: (request: RecordedRequest) => ScriptedAnswer = () => ocpiOk(ACCEPTED);

  const atCpo = (method: string, sessionId: string) => parties.CP1.partner.received(method, `/ocpi/2.2.1/chargingprofiles/${sessionId}`);
  const forwardedCount = () => parties.CP1.partner.requests.filter((r) => r.path.startsWith('/ocpi/2.2.1/chargingprofiles/')).length;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CP1'], emsps: ['NL/EM1', 'DE/EM2'], agreements: [['CP1', 'EM1']] });
    parties = net.parties;
    scsp = await joinNetwork(net, 'NL/SC1', 'SCSP', SENDER_ENDPOINTS);
    em9 = await joinNetwork(net, 'BE/EM9', 'EMSP', SENDER_ENDPOINTS);
    for (const party of ['NL/SC1', 'BE/EM9']) expect((await net.hub.admin.post('/admin/agreements', { cpo: 'NL/CP1', emsp: party })).status).toBe(201);
    script(parties.CP1.partner, '/ocpi/2.2.1/chargingprofiles/', (request) => cpoAnswer(request));
    // S1 and S3 are EM1's sessions, S2 EM9's.
    for (const [sessionId, countryCode, partyId] of [['S1', 'NL', 'EM1'], ['S2', 'BE', 'EM9'], ['S3', 'NL', 'EM1']]) {
      const session = example('session_example_1_simple_start.json');
      const data = { ...session, party_id: 'CP1', id: sessionId, cdr_token: { ...(session.cdr_token as object), country_code: countryCode, party_id: partyId } };
      await net.hub.services.store.put({ module: 'sessions', countryCode: 'NL', partyId: 'CP1', objectId: sessionId }, data, new Date(session.last_updated as string));
    }
  });
  afterEach(() => {
    cpoAnswer = () => ocpiOk(ACCEPTED);
  });
  afterAll(async () => {
    await net.close();
    await Promise.all([scsp.partner.stop(), em9.partner.stop()]);
  });

  it('forwards a SetChargingProfile with the hub as response_url and the ChargingProfileResult back, once', async () => {
    const responseUrl = `${scsp.partner.url}/ocpi/2.2.1/chargingprofile/response?request_id=5678`;
    const sent = await scsp.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: PROFILE, response_url: responseUrl }, { headers: { 'X-Correlation-ID': 'corr-set' } });
    expect(sent.data.status_code).toBe(1000);
    expect(sent.data.data).toEqual(ACCEPTED);
    expect(sent.headers['ocpi-from-party-id']).toBe('CP1');
    expect(sent.headers['ocpi-to-party-id']).toBe('SC1');

    const forwarded = atCpo('PUT', 'S1').at(-1)!;
    expect(forwarded.body).toEqual({ charging_profile: PROFILE, response_url: expect.stringMatching(HUB_RESULT_URL) });
    expect(forwarded.headers['ocpi-from-party-id']).toBe('SC1');
    expect(forwarded.headers['x-correlation-id']).toBe('corr-set');
    const hubUrl = (forwarded.body as { response_url: string }).response_url;

    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'DONE' })).data.status_code).toBe(2001);
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'ACCEPTED' })).data.status_code).toBe(1000);
    const delivered = await waitFor(() => scsp.partner.received('POST', '/ocpi/2.2.1/chargingprofile/response?request_id=5678')[0], 'the result at SC1');
    expect(delivered.body).toEqual({ result: 'ACCEPTED' });
    expect(delivered.headers['ocpi-from-party-id']).toBe('CP1');
    expect(delivered.headers['ocpi-to-party-id']).toBe('SC1');
    expect(delivered.headers['x-correlation-id']).toBe('corr-set');
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'REJECTED' })).data.status_code).toBe(2001);
  });

  it('forwards a GET ActiveChargingProfile and DELETE with the hub as response_url, results back to the requester', async () => {
    const activeUrl = `${parties.EM1.partner.url}/ocpi/2.2.1/chargingprofiles/active/1`;
    const get = await parties.EM1.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 900, response_url: activeUrl } });
    expect(get.data.data).toEqual(ACCEPTED);
    const forwardedGet = atCpo('GET', 'S1').at(-1)!;
    expect(queryOf(forwardedGet).get('duration')).toBe('900');
    expect(queryOf(forwardedGet).get('response_url')).toMatch(HUB_RESULT_URL);
    // A GET's result must be an ActiveChargingProfileResult.
    const getHubUrl = queryOf(forwardedGet).get('response_url')!;
    expect((await parties.CP1.ocpi.post(getHubUrl, { result: 'ACCEPTED', profile: { charging_profile: PROFILE } })).data.status_message).toMatch(/profile\.start_date_time/);
    expect((await parties.CP1.ocpi.post(getHubUrl, { result: 'ACCEPTED', profile: ACTIVE_PROFILE })).data.status_code).toBe(1000);
    const active = await waitFor(() => parties.EM1.partner.received('POST', '/ocpi/2.2.1/chargingprofiles/active/1')[0], 'the ActiveChargingProfileResult');
    expect(active.body).toEqual({ result: 'ACCEPTED', profile: ACTIVE_PROFILE });

    const clearUrl = `${parties.EM1.partner.url}/ocpi/2.2.1/chargingprofiles/clear/1`;
    const del = await parties.EM1.ocpi.delete('/receiver/chargingprofiles/S1', { params: { response_url: clearUrl } });
    expect(del.data.data).toEqual(ACCEPTED);
    const forwardedDelete = atCpo('DELETE', 'S1').at(-1)!;
    const clearHubUrl = queryOf(forwardedDelete).get('response_url')!;
    expect(clearHubUrl).toMatch(HUB_RESULT_URL);
    expect((await parties.CP1.ocpi.post(clearHubUrl, { result: 'UNKNOWN' })).data.status_code).toBe(1000);
    const cleared = await waitFor(() => parties.EM1.partner.received('POST', '/ocpi/2.2.1/chargingprofiles/clear/1')[0], 'the ClearProfileResult');
    expect(cleared.body).toEqual({ result: 'UNKNOWN' });
  });

  it("pushes the CPO's ActiveChargingProfile to who set a profile, else to the session's eMSP", async () => {
    // SC1 set a profile on S1 (first test): the update goes to SC1.
    const toSetter = await parties.CP1.ocpi.put('/sender/chargingprofiles/S1', ACTIVE_PROFILE, { headers: { 'X-Correlation-ID': 'corr-active' } });
    expect(toSetter.data.status_code).toBe(1000);
    const atScsp = await waitFor(() => scsp.partner.received('PUT', '/ocpi/2.2.1/chargingprofiles/S1')[0], 'the ActiveChargingProfile at SC1');
    expect(atScsp.body).toEqual(ACTIVE_PROFILE);
    expect(atScsp.headers['ocpi-from-party-id']).toBe('CP1');
    expect(atScsp.headers['ocpi-to-party-id']).toBe('SC1');
    expect(atScsp.headers['x-correlation-id']).toBe('corr-active');

    // Nobody set one on S2: the session's eMSP gets it.
    expect((await parties.CP1.ocpi.put('/sender/chargingprofiles/S2', ACTIVE_PROFILE)).data.status_code).toBe(1000);
    const atEm9 = await waitFor(() => em9.partner.received('PUT', '/ocpi/2.2.1/chargingprofiles/S2')[0], 'the ActiveChargingProfile at EM9');
    expect(atEm9.headers['ocpi-to-party-id']).toBe('EM9');

    // EM1 offers no chargingprofiles Sender endpoint; nobody is known for S9; the body must be an ActiveChargingProfile.
    expect((await parties.CP1.ocpi.put('/sender/chargingprofiles/S3', ACTIVE_PROFILE)).data.status_code).toBe(4001);
    expect((await parties.CP1.ocpi.put('/sender/chargingprofiles/S9', ACTIVE_PROFILE)).status).toBe(404);
    const invalid = await parties.CP1.ocpi.put('/sender/chargingprofiles/S1', { charging_profile: PROFILE });
    expect(invalid.data.status_code).toBe(2001);
    expect(invalid.data.status_message).toMatch(/start_date_time/);
    expect((await parties.EM1.ocpi.put('/sender/chargingprofiles/S1', ACTIVE_PROFILE)).status).toBe(404);
    await net.hub.services.outbox.whenIdle();
    expect(scsp.partner.received('PUT', '/ocpi/2.2.1/chargingprofiles/')).toHaveLength(1);
  });

  it('routes only to CPOs the caller has an agreement with; OCPI-to-* skips the session lookup', async () => {
    const before = forwardedCount();
    const responseUrl = `${parties.EM1.partner.url}/ocpi/2.2.1/cp/x`;
    const unknown = await parties.EM1.ocpi.put('/receiver/chargingprofiles/S404', { charging_profile: PROFILE, response_url: responseUrl });
    expect(unknown.status).toBe(404);
    expect(unknown.data.status_message).toMatch(/S404/);
    const noAgreement = await parties.EM2.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 60, response_url: responseUrl } });
    expect(noAgreement.status).toBe(404);
    const noAgreementDirect = await parties.EM2.ocpi.get('/receiver/chargingprofiles/S1', {
      params: { duration: 60, response_url: responseUrl },
      headers: { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' },
    });
    expect(noAgreementDirect.data.status_code).toBe(4001);
    // EM9 reaches CP1, but S1 is EM1's driver's session: unknown to EM9 on every receiver route, OCPI-to-* or not.
    for (const headers of [{}, { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' }]) {
      const emsp9 = [
        await em9.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: PROFILE, response_url: responseUrl }, { headers }),
        await em9.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 60, response_url: responseUrl }, headers }),
        await em9.ocpi.delete('/receiver/chargingprofiles/S1', { params: { response_url: responseUrl }, headers }),
      ];
      expect(emsp9.map((r) => `${r.status}/${r.data.status_code}`)).toEqual(['404/2000', '404/2000', '404/2000']);
    }
    expect(forwardedCount()).toBe(before);

    cpoAnswer = () => ocpiOk({ result: 'UNKNOWN_SESSION', timeout: 0 });
    const direct = await parties.EM1.ocpi.delete('/receiver/chargingprofiles/S404', {
      params: { response_url: responseUrl },
      headers: { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'CP1' },
    });
    expect(direct.data.data).toEqual({ result: 'UNKNOWN_SESSION', timeout: 0 });
    expect(atCpo('DELETE', 'S404')).toHaveLength(1);
  });

  it("passes the CPO's refusal back and awaits no result for it", async () => {
    cpoAnswer = () => ocpiOk({ result: 'TOO_OFTEN', timeout: 0 });
    const responseUrl = `${parties.EM1.partner.url}/ocpi/2.2.1/cp/too-often`;
    const sent = await parties.EM1.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 60, response_url: responseUrl } });
    expect(sent.data.data).toEqual({ result: 'TOO_OFTEN', timeout: 0 });
    const hubUrl = queryOf(atCpo('GET', 'S1').at(-1)!).get('response_url')!;
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'ACCEPTED' })).status).toBe(404);
  });

  it('takes a result only from the CPO the request went to', async () => {
    const responseUrl = `${scsp.partner.url}/ocpi/2.2.1/cp/own`;
    await scsp.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: PROFILE, response_url: responseUrl });
    const hubUrl = (atCpo('PUT', 'S1').at(-1)!.body as { response_url: string }).response_url;
    expect((await parties.EM1.ocpi.post(hubUrl, { result: 'ACCEPTED' })).status).toBe(404);
    expect((await scsp.ocpi.post(hubUrl, { result: 'ACCEPTED' })).status).toBe(404);
    expect((await parties.CP1.ocpi.post(hubUrl.replace(/[0-9a-f-]{36}$/, 'nope'), { result: 'ACCEPTED' })).status).toBe(404);
    expect((await parties.CP1.ocpi.post(hubUrl, { result: 'REJECTED' })).data.status_code).toBe(1000);
    await waitFor(() => scsp.partner.received('POST', '/ocpi/2.2.1/cp/own')[0], 'the result at SC1');
  });

  it('refuses invalid requests naming the problem, and forwards nothing', async () => {
    const before = forwardedCount();
    const responseUrl = `${parties.EM1.partner.url}/ocpi/2.2.1/cp/invalid`;
    const cases: [Promise<{ data: { status_code: number; status_message: string } }>, RegExp][] = [
      [parties.EM1.ocpi.put('/receiver/chargingprofiles/S1', { response_url: responseUrl }), /charging_profile/],
      [parties.EM1.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: { ...PROFILE, charging_rate_unit: 'kW' }, response_url: responseUrl }), /charging_rate_unit/],
      [parties.EM1.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: { ...PROFILE, charging_profile_period: [{ start_period: 0, limit: 8.15 }] }, response_url: responseUrl }), /limit/],
      [parties.EM1.ocpi.put('/receiver/chargingprofiles/S1', { charging_profile: PROFILE }), /response_url/],
      [parties.EM1.ocpi.get('/receiver/chargingprofiles/S1', { params: { response_url: responseUrl } }), /duration/],
      [parties.EM1.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 'soon', response_url: responseUrl } }), /duration/],
      [parties.EM1.ocpi.delete('/receiver/chargingprofiles/S1'), /response_url/],
    ];
    for (const [request, problem] of cases) {
      const refused = await request;
      expect(refused.data.status_code).toBe(2001);
      expect(refused.data.status_message).toMatch(problem);
    }
    expect((await parties.CP1.ocpi.get('/receiver/chargingprofiles/S1', { params: { duration: 60, response_url: responseUrl } })).status).toBe(404);
    expect(forwardedCount()).toBe(before);
  });
});
