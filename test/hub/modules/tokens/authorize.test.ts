import type { ServerResponse } from 'node:http';
import { example, type NetworkParty, startNetwork, type TestNetwork } from '../../../support/network';
import type { RecordedRequest } from '../../../support/partner';

type Token = Record<string, unknown> & { country_code: string; party_id: string; uid: string; type: string };
type Answer = { status: number; body: Record<string, unknown> } | 'hang';

const rfid = example<Token>('token_example_2_full_rfid.json'); // DE/TNM 12345678905880
const appUser = example<Token>('token_example_1_app_user.json'); // DE/TNM, APP_USER
// The same uid and type at two eMSPs: DE/TNM (transport_and_format example) and NL/TNM (PUT example).
const sharedAtDe = example<{ data: Token }>('transport_and_format_get_token_example.json').data;
const sharedAtNl = example<Token>('token_put_example.json');

const ok = (data?: unknown) => ({ ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() });
const failure = (status_code: number, status_message: string) => ({ status_code, status_message, timestamp: new Date().toISOString() });

/** What an eMSP answers to an authorize request: by default ALLOWED, echoing the location asked for. */
function allowed(req: RecordedRequest): Answer {
  return { status: 200, body: ok({ allowed: 'ALLOWED', token: { uid: req.path.split('/')[4] }, location: req.body, authorization_reference: 'AUTH-REF-1' }) };
}

function scriptAuthorize(emsp: NetworkParty, answer: (req: RecordedRequest) => Answer): void {
  emsp.partner.intercept = (req: RecordedRequest, res: ServerResponse) => {
    if (req.method !== 'POST' || !/^\/ocpi\/2\.2\.1\/tokens\/[^/]+\/authorize/.test(req.path)) return false;
    const reply = answer(req);
    if (reply === 'hang') return true; // never answers
    res.writeHead(reply.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply.body));
    return true;
  };
}

const SHORT_TIMEOUT_MS = 300;

describe('real-time authorization through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];
  let deTnm: NetworkParty;
  let nlTnm: NetworkParty;
  const toHeaders = (p: NetworkParty) => ({ 'OCPI-to-country-code': p.countryCode, 'OCPI-to-party-id': p.partyId });
  const authorizeRequests = (p: NetworkParty) => p.partner.received('POST', '/ocpi/2.2.1/tokens/');

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/CP1', 'DE/CP2', 'FR/BLK'],
      emsps: ['DE/TNM', 'NL/TNM'],
      // FR/BLK has no agreement with anyone.
      agreements: [['CP1', 'DE/TNM'], ['CP1', 'NL/TNM'], ['CP2', 'DE/TNM']],
      hub: { env: { OCPI_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) } },
    });
    parties = net.parties;
    deTnm = parties['DE/TNM'];
    nlTnm = parties['NL/TNM'];
    for (const token of [rfid, appUser, sharedAtDe, sharedAtNl]) {
      const owner = parties[`${token.country_code}/${token.party_id}`];
      const put = await owner.ocpi.put(`/receiver/tokens/${token.country_code}/${token.party_id}/${token.uid}?type=${token.type}`, token);
      if (put.data.status_code !== 1000) throw new Error(`could not push ${token.uid}: ${JSON.stringify(put.data)}`);
    }
  });
  beforeEach(() => {
    for (const p of [deTnm, nlTnm]) {
      p.partner.requests.length = 0;
      scriptAuthorize(p, allowed);
    }
  });
  afterAll(() => net.close());

  it('routes by the hub’s token store when no OCPI-to-* is given, passing the AuthorizationInfo back unchanged', async () => {
    const location = { location_id: 'LOC1', evse_uids: ['3256', 'BE-BEC-E041503003'] };
    const info = { allowed: 'ALLOWED', token: rfid, location, authorization_reference: 'REF-42', info: { language: 'en', text: 'Welcome' } };
    scriptAuthorize(deTnm, () => ({ status: 200, body: ok(info) }));
    const answer = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, location, {
      headers: { 'X-Request-ID': 'cpo-request-1', 'X-Correlation-ID': 'cpo-correlation-1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ status_code: 1000, data: info });
    expect(answer.data.data).toEqual(info);
    expect(answer.headers['x-correlation-id']).toBe('cpo-correlation-1');

    const [atEmsp] = authorizeRequests(deTnm);
    expect(atEmsp.path).toBe(`/ocpi/2.2.1/tokens/${rfid.uid}/authorize?type=RFID`);
    expect(atEmsp.body).toEqual(location);
    // The hub forwards for the CPO: OCPI-from-* is the CPO, the correlation id is kept, the request id new.
    expect(atEmsp.headers['ocpi-from-country-code']).toBe('DE');
    expect(atEmsp.headers['ocpi-from-party-id']).toBe('CP2');
    expect(atEmsp.headers['ocpi-to-country-code']).toBe('DE');
    expect(atEmsp.headers['ocpi-to-party-id']).toBe('TNM');
    expect(atEmsp.headers['x-correlation-id']).toBe('cpo-correlation-1');
    expect(atEmsp.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(atEmsp.headers['x-request-id']).not.toBe('cpo-request-1');
    expect(authorizeRequests(nlTnm)).toEqual([]);
  });

  it('routes by uid and type: ?type= is kept, a body-less request goes on body-less, and the wrong type is unknown', async () => {
    const app = await parties.CP1.ocpi.post(`/sender/tokens/${appUser.uid}/authorize?type=APP_USER`);
    expect(app.data).toMatchObject({ status_code: 1000, data: { allowed: 'ALLOWED' } });
    const [atEmsp] = authorizeRequests(deTnm);
    expect(atEmsp.path).toBe(`/ocpi/2.2.1/tokens/${appUser.uid}/authorize?type=APP_USER`);
    expect(atEmsp.body).toBeUndefined();

    // Without ?type= the request is for an RFID token with that uid, which nobody has.
    const asRfid = await parties.CP1.ocpi.post(`/sender/tokens/${appUser.uid}/authorize`);
    expect({ status: asRfid.status, code: asRfid.data.status_code }).toEqual({ status: 404, code: 2004 });
    expect(authorizeRequests(deTnm)).toHaveLength(1);
  });

  it('routes by OCPI-to-*: needed when two eMSPs hold the uid, and reaching an eMSP that did not push the token', async () => {
    const ambiguous = await parties.CP1.ocpi.post(`/sender/tokens/${sharedAtNl.uid}/authorize`, { location_id: 'LOC1' });
    expect(ambiguous.data.status_code).toBe(2001);
    expect(ambiguous.data.status_message).toMatch(/several eMSPs \(DE\/TNM, NL\/TNM\).*OCPI-to/);
    expect([...authorizeRequests(deTnm), ...authorizeRequests(nlTnm)]).toEqual([]);

    const named = await parties.CP1.ocpi.post(`/sender/tokens/${sharedAtNl.uid}/authorize`, { location_id: 'LOC1' }, { headers: toHeaders(nlTnm) });
    expect(named.data).toMatchObject({ status_code: 1000, data: { allowed: 'ALLOWED', location: { location_id: 'LOC1' } } });
    expect(authorizeRequests(nlTnm)).toHaveLength(1);
    expect(authorizeRequests(nlTnm)[0].headers['ocpi-from-party-id']).toBe('CP1');
    expect(authorizeRequests(deTnm)).toEqual([]);

    // The eMSP need not push its tokens (mod_tokens.asciidoc, real-time authorization): with OCPI-to-*
    // the hub forwards without looking the token up.
    const unpushed = await parties.CP1.ocpi.post('/sender/tokens/NEVER-PUSHED/authorize', undefined, { headers: toHeaders(deTnm) });
    expect(unpushed.data.status_code).toBe(1000);
    expect(authorizeRequests(deTnm)[0].path).toBe('/ocpi/2.2.1/tokens/NEVER-PUSHED/authorize?type=RFID');

    // Addressed to the hub itself is open routing: the store decides.
    const hub = net.hub.services.router.hub;
    const viaHub = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, undefined, {
      headers: { 'OCPI-to-country-code': hub.countryCode, 'OCPI-to-party-id': hub.partyId },
    });
    expect(viaHub.data.status_code).toBe(1000);
    expect(authorizeRequests(deTnm)).toHaveLength(2);
  });

  it('passes BLOCKED, EXPIRED and NO_CREDIT back as they are, with HTTP 200', async () => {
    for (const verdict of ['BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']) {
      const info = { allowed: verdict, token: { ...rfid, valid: verdict !== 'BLOCKED' } };
      scriptAuthorize(deTnm, () => ({ status: 200, body: ok(info) }));
      const answer = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
      expect({ status: answer.status, code: answer.data.status_code, data: answer.data.data }).toEqual({ status: 200, code: 1000, data: info });
    }
  });

  it('answers 2004 with HTTP 404 for a token the hub does not hold, forwarding nothing', async () => {
    const answer = await parties.CP1.ocpi.post('/sender/tokens/UNKNOWN-UID/authorize', { location_id: 'LOC1' });
    expect({ status: answer.status, code: answer.data.status_code }).toEqual({ status: 404, code: 2004 });
    expect(answer.data.data).toBeUndefined();
    expect([...authorizeRequests(deTnm), ...authorizeRequests(nlTnm)]).toEqual([]);
  });

  it('keeps tokens of eMSPs without an agreement hidden: 2004 by store, 4001 when named', async () => {
    // Decision: without OCPI-to-* the CPO only "sees" the tokens of its agreement partners, so a
    // token held by another eMSP is answered exactly like an unknown one (2004/404) and its existence
    // is not revealed. Naming an eMSP without an agreement is an unknown receiver (4001), as for pushes.
    const byStore = await parties.BLK.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
    expect({ status: byStore.status, code: byStore.data.status_code }).toEqual({ status: 404, code: 2004 });
    const named = await parties.BLK.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' }, { headers: toHeaders(deTnm) });
    expect({ status: named.status, code: named.data.status_code }).toEqual({ status: 200, code: 4001 });
    // CP2 has an agreement with DE/TNM only.
    const otherEmsp = await parties.CP2.ocpi.post(`/sender/tokens/${sharedAtNl.uid}/authorize`, undefined, { headers: toHeaders(nlTnm) });
    expect(otherEmsp.data.status_code).toBe(4001);
    expect([...authorizeRequests(deTnm), ...authorizeRequests(nlTnm)]).toEqual([]);
  });

  it('passes the eMSP’s own errors back: 2002, and 2004 with its HTTP 404', async () => {
    scriptAuthorize(deTnm, () => ({ status: 200, body: failure(2002, 'a location is needed for this token') }));
    const tooLittle = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`);
    expect({ status: tooLittle.status, code: tooLittle.data.status_code }).toEqual({ status: 200, code: 2002 });
    expect(tooLittle.data.status_message).toMatch(/a location is needed/);

    scriptAuthorize(deTnm, () => ({ status: 404, body: failure(2004, 'unknown token') }));
    const unknown = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
    expect({ status: unknown.status, code: unknown.data.status_code }).toEqual({ status: 404, code: 2004 });

    // A success without an AuthorizationInfo gives the CPO nothing to act on: a hub error.
    scriptAuthorize(deTnm, () => ({ status: 200, body: ok() }));
    const empty = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
    expect(empty.data.status_code).toBe(4000);
  });

  it('refuses invalid LocationReferences and token types with 2001, forwarding nothing', async () => {
    const refusals: [unknown, string, RegExp][] = [
      [{ evse_uids: ['3256'] }, '', /location_id/],
      [{ location_id: 'LOC1', evse_uids: '3256' }, '', /evse_uids/],
      [{ location_id: 'L'.repeat(37) }, '', /location_id/],
      [{ location_id: 'LOC1', evse_uids: [42] }, '', /evse_uids\.0/],
      [['LOC1'], '', /LocationReferences/],
      [{ location_id: 'LOC1' }, '?type=CARD', /type must be one of/],
    ];
    for (const [body, query, message] of refusals) {
      const answer = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize${query}`, body);
      expect({ body, code: answer.data.status_code }).toEqual({ body, code: 2001 });
      expect(answer.data.status_message).toMatch(message);
    }
    expect(authorizeRequests(deTnm)).toEqual([]);
  });

  it('answers only CPOs', async () => {
    const asEmsp = await nlTnm.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
    expect(asEmsp.status).toBe(404);
    expect(authorizeRequests(deTnm)).toEqual([]);
  });

  it('answers 4002 when the eMSP does not answer in time', async () => {
    scriptAuthorize(deTnm, () => 'hang');
    const started = Date.now();
    const answer = await parties.CP2.ocpi.post(`/sender/tokens/${rfid.uid}/authorize`, { location_id: 'LOC1' });
    expect({ status: answer.status, code: answer.data.status_code }).toEqual({ status: 200, code: 4002 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 1500);
  });

  it('answers 4003 when the eMSP cannot be reached', async () => {
    await nlTnm.partner.stop();
    try {
      const answer = await parties.CP1.ocpi.post(`/sender/tokens/${sharedAtNl.uid}/authorize`, { location_id: 'LOC1' }, { headers: toHeaders(nlTnm) });
      expect({ status: answer.status, code: answer.data.status_code }).toEqual({ status: 200, code: 4003 });
    } finally {
      await nlTnm.partner.start();
    }
    const back = await parties.CP1.ocpi.post(`/sender/tokens/${sharedAtNl.uid}/authorize`, { location_id: 'LOC1' }, { headers: toHeaders(nlTnm) });
    expect(back.data.status_code).toBe(1000);
  });

  it('looks up the owner of a token once for authorizations that arrive together, and routes each to it', async () => {
    const fresh = { ...rfid, uid: 'CONCURRENT01', contract_id: 'DE-TNM-C00000001-X' };
    const put = await deTnm.ocpi.put(`/receiver/tokens/DE/TNM/${fresh.uid}?type=RFID`, fresh);
    expect(put.data.status_code).toBe(1000);
    const findById = jest.spyOn(net.hub.services.store, 'findById');
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => parties.CP1.ocpi.post(`/sender/tokens/${fresh.uid}/authorize`, { location_id: 'LOC1' })));
      expect(answers.map((a) => `${a.data.status_code} ${a.data.data?.allowed}`)).toEqual(Array(6).fill('1000 ALLOWED'));
      expect(findById.mock.calls.filter(([module, uid]) => module === 'tokens' && uid === fresh.uid)).toHaveLength(1);
      expect(authorizeRequests(deTnm).filter((r) => r.path.includes(fresh.uid))).toHaveLength(6);
      expect(authorizeRequests(nlTnm).filter((r) => r.path.includes(fresh.uid))).toHaveLength(0);
    } finally {
      findById.mockRestore();
    }
  });
});
