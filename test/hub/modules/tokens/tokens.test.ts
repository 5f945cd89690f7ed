import { example, startNetwork, type TestNetwork, waitFor } from '../../../support/network';

type Token = Record<string, unknown> & { country_code: string; party_id: string; uid: string; type: string; last_updated: string };

/**
 * Every full Token of the spec's examples. token_put_example.json is a full, valid Token (every field
 * of cardinality 1 is there, each of the right type), so it is accepted like the others. The two
 * transport_and_format examples are GET responses: their data are full Tokens too.
 */
function fullTokens(): Token[] {
  return [
    example<Token>('token_example_1_app_user.json'),
    example<Token>('token_example_2_full_rfid.json'),
    example<Token>('token_put_example.json'),
    example<{ data: Token }>('transport_and_format_get_token_example.json').data,
    ...example<{ data: Token[] }>('transport_and_format_get_token_list_example.json').data,
  ];
}

const receiverUrl = (t: Pick<Token, 'country_code' | 'party_id' | 'uid' | 'type'>) => `/receiver/tokens/${t.country_code}/${t.party_id}/${t.uid}?type=${t.type}`;
const atCpo = (t: Pick<Token, 'country_code' | 'party_id' | 'uid' | 'type'>) => `/ocpi/2.2.1/tokens/${t.country_code}/${t.party_id}/${t.uid}?type=${t.type}`;
const sameToken = (a: Token) => (b: Token) => a.country_code === b.country_code && a.party_id === b.party_id && a.uid === b.uid && a.type === b.type;

describe('tokens through the hub', () => {
  let net: TestNetwork;
  let parties: TestNetwork['parties'];

  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/CP1', 'DE/CP2', 'FR/BLK'],
      emsps: ['DE/TNM', 'NL/TNM'],
      // CP2 has an agreement with DE/TNM only; FR/BLK with nobody: it must see and receive nothing.
      agreements: [['CP1', 'DE/TNM'], ['CP1', 'NL/TNM'], ['CP2', 'DE/TNM']],
    });
    parties = net.parties;
  });
  afterAll(() => net.close());

  const emsp = (t: Pick<Token, 'country_code' | 'party_id'>) => parties[`${t.country_code}/${t.party_id}`];
  const tokenRequestsAt = (key: string) => parties[key].partner.requests.filter((r) => r.path.startsWith('/ocpi/2.2.1/tokens')).length;

  it('accepts every full Token example from its eMSP and returns it JSON-equal: to the owner, to CPOs, and at their servers', async () => {
    for (const token of fullTokens()) {
      const put = await emsp(token).ocpi.put(receiverUrl(token), token);
      expect({ status: put.status, code: put.data.status_code }).toEqual({ status: 201, code: 1000 });
      expect((await emsp(token).ocpi.get(receiverUrl(token))).data.data).toEqual(token);

      const list = await parties.CP1.ocpi.get('/sender/tokens');
      expect(list.data.data.find(sameToken(token))).toEqual(token);

      const delivered = await waitFor(() => parties.CP1.partner.received('PUT', atCpo(token))[0], `${token.uid} at CP1`);
      expect(delivered.body).toEqual(token);
      expect(delivered.headers['ocpi-from-party-id']).toBe('HUB'); // broadcast: from the hub
      expect(delivered.headers['ocpi-to-country-code']).toBe('NL');
      expect(delivered.headers['ocpi-to-party-id']).toBe('CP1');
    }
  });

  it('passes tokens only to the CPOs the eMSP has agreements with, and lists to each CPO only its eMSPs’ tokens', async () => {
    const tokens = fullTokens();
    const ofDeTnm = tokens.filter((t) => t.country_code === 'DE');
    for (const token of ofDeTnm) await waitFor(() => parties.CP2.partner.received('PUT', atCpo(token))[0], `${token.uid} at CP2`);
    await net.hub.services.outbox.whenIdle();
    expect(parties.CP2.partner.received('PUT', '/ocpi/2.2.1/tokens/NL/TNM')).toEqual([]);
    expect(tokenRequestsAt('BLK')).toBe(0);

    const atCp1 = await parties.CP1.ocpi.get('/sender/tokens');
    expect(atCp1.headers['x-total-count']).toBe(String(tokens.length));
    expect(atCp1.data.data).toHaveLength(tokens.length);
    // Oldest last_updated first.
    const times = atCp1.data.data.map((t: Token) => Date.parse(t.last_updated));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const atCp2 = await parties.CP2.ocpi.get('/sender/tokens');
    expect(atCp2.data.data).toHaveLength(ofDeTnm.length);
    expect(atCp2.data.data.every((t: Token) => t.country_code === 'DE' && t.party_id === 'TNM')).toBe(true);

    const blocked = await parties.BLK.ocpi.get('/sender/tokens');
    expect(blocked.data).toMatchObject({ status_code: 1000, data: [] });
    expect(blocked.headers['x-total-count']).toBe('0');
  });

  it('pages the Sender list and filters it by last_updated', async () => {
    const page = await parties.CP1.ocpi.get('/sender/tokens?limit=2');
    expect(page.data.data).toHaveLength(2);
    expect(page.headers['x-limit']).toBe('1000');
    expect(page.headers.link).toMatch(/offset=2/);
    const since2018 = await parties.CP1.ocpi.get('/sender/tokens?date_from=2018-01-01T00:00:00Z');
    expect(since2018.data.data.map((t: Token) => t.uid).sort()).toEqual(['12345678905880', 'bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1']);
    const bad = await parties.CP1.ocpi.get('/sender/tokens?date_from=yesterday');
    expect(bad.data.status_code).toBe(2001);
  });

  it('answers 200 for a replaced token; takes token_put_example at the spec’s own URL (no ?type=, so RFID), delivering one version once', async () => {
    const token = example<Token>('token_put_example.json');
    const again = await parties['NL/TNM'].ocpi.put(`/receiver/tokens/NL/TNM/${token.uid}`, token);
    expect({ status: again.status, code: again.data.status_code }).toEqual({ status: 200, code: 1000 });
    // The same content with the same last_updated is the same version: CPOs get it once.
    await net.hub.services.outbox.whenIdle();
    expect(parties.CP1.partner.received('PUT', atCpo(token))).toHaveLength(1);
  });

  it('applies token_patch_example: fields merged, last_updated the eMSP’s, the PATCH passed on as sent', async () => {
    const token = example<Token>('token_put_example.json');
    const patch = example('token_patch_example.json');
    const patched = await parties['NL/TNM'].ocpi.patch(`/receiver/tokens/NL/TNM/${token.uid}`, patch);
    expect({ status: patched.status, code: patched.data.status_code }).toEqual({ status: 200, code: 1000 });
    const stored = (await parties['NL/TNM'].ocpi.get(receiverUrl(token))).data.data;
    expect(stored).toEqual({ ...token, ...patch });
    expect(stored.valid).toBe(false);
    const delivered = await waitFor(() => parties.CP1.partner.received('PATCH', atCpo(token))[0], 'the PATCH at CP1');
    expect(delivered.body).toEqual(patch);
    const listed = (await parties.CP1.ocpi.get('/sender/tokens')).data.data.find(sameToken(token));
    expect(listed).toEqual({ ...token, ...patch });
  });

  it('routes a push addressed to one CPO to that CPO only, from the eMSP', async () => {
    const token = { ...example<Token>('token_example_2_full_rfid.json'), uid: 'DIRECT-1', last_updated: '2021-01-01T00:00:00Z' };
    const put = await parties['DE/TNM'].ocpi.put(receiverUrl(token), token, { headers: { 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'CP2' } });
    expect(put.data.status_code).toBe(1000);
    const delivered = await waitFor(() => parties.CP2.partner.received('PUT', atCpo(token))[0], 'the direct push at CP2');
    expect(delivered.headers['ocpi-from-country-code']).toBe('DE');
    expect(delivered.headers['ocpi-from-party-id']).toBe('TNM');
    expect(delivered.headers['ocpi-to-party-id']).toBe('CP2');
    await net.hub.services.outbox.whenIdle();
    expect(parties.CP1.partner.received('PUT', atCpo(token))).toEqual([]);
  });

  it('tells tokens apart by uid and type', async () => {
    const app = example<Token>('token_example_1_app_user.json');
    const asRfid = await parties['DE/TNM'].ocpi.get(`/receiver/tokens/DE/TNM/${app.uid}`);
    expect({ status: asRfid.status, code: asRfid.data.status_code }).toEqual({ status: 404, code: 2004 });
    // An APP_USER token pushed without ?type= names an RFID token in the URL: refused, not guessed.
    const untyped = await parties['DE/TNM'].ocpi.put(`/receiver/tokens/DE/TNM/${app.uid}`, app);
    expect(untyped.data.status_code).toBe(2001);
    expect(untyped.data.status_message).toMatch(/type "APP_USER" in the body differs from RFID/);
  });

  it('lets only the owning eMSP write, refuses bad Tokens naming the field, and changes nothing', async () => {
    const token = example<Token>('token_example_2_full_rfid.json');
    const url = receiverUrl(token);
    const owner = parties['DE/TNM'];
    await net.hub.services.outbox.whenIdle();
    const before = { CP1: tokenRequestsAt('CP1'), CP2: tokenRequestsAt('CP2') };

    // A CPO cannot push tokens; an eMSP cannot write under another party.
    const asCpo = await parties.CP1.ocpi.put('/receiver/tokens/NL/CP1/X1', { ...token, country_code: 'NL', party_id: 'CP1', uid: 'X1' });
    expect(asCpo.status).toBe(404);
    const foreign = await parties['NL/TNM'].ocpi.put(url, { ...token, issuer: 'hijacked' });
    expect(foreign.status).toBe(404);
    expect((await parties['NL/TNM'].ocpi.patch(url, { valid: false, last_updated: '2030-01-01T00:00:00Z' })).status).toBe(404);
    expect((await parties['NL/TNM'].ocpi.get(url)).status).toBe(404);

    const refusals: [string, Promise<{ data: { status_code: number; status_message: string } }>, RegExp][] = [
      ['uid mismatch', owner.ocpi.put(`/receiver/tokens/DE/TNM/OTHER?type=RFID`, token), /uid "12345678905880" in the body differs from "OTHER"/],
      ['owner mismatch', owner.ocpi.put(url, { ...token, party_id: 'XXX' }), /party_id "XXX" in the body differs/],
      ['bad whitelist', owner.ocpi.put(url, { ...token, whitelist: 'SOMETIMES' }), /whitelist/],
      ['bad valid', owner.ocpi.put(url, { ...token, valid: 'yes' }), /valid/],
      ['bad type', owner.ocpi.put(url, { ...token, type: 'CARD' }), /type/],
      ['bad profile', owner.ocpi.put(url, { ...token, default_profile_type: 'TURBO' }), /default_profile_type/],
      ['no issuer', owner.ocpi.put(url, { ...token, issuer: undefined }), /issuer/],
      ['energy contract', owner.ocpi.put(url, { ...token, energy_contract: { contract_id: '1' } }), /energy_contract\.supplier_name/],
      ['long uid', owner.ocpi.put(`/receiver/tokens/DE/TNM/${'U'.repeat(37)}`, { ...token, uid: 'U'.repeat(37) }), /token_uid/],
      ['bad ?type=', owner.ocpi.put(`/receiver/tokens/DE/TNM/${token.uid}?type=CARD`, token), /type must be one of AD_HOC_USER, APP_USER, OTHER, RFID/],
      ['no body', owner.ocpi.put(url), /Token object/],
      ['PATCH without last_updated', owner.ocpi.patch(url, { valid: false }), /last_updated/],
      ['PATCH with a bad enum', owner.ocpi.patch(url, { whitelist: 'x', last_updated: '2030-01-01T00:00:00Z' }), /whitelist/],
      ['PATCH with a bad date', owner.ocpi.patch(url, { valid: false, last_updated: 'tomorrow' }), /last_updated/],
    ];
    for (const [what, request, message] of refusals) {
      const answer = await request;
      expect({ what, code: answer.data.status_code }).toEqual({ what, code: 2001 });
      expect(answer.data.status_message).toMatch(message);
    }

    const unknownPatch = await owner.ocpi.patch(`/receiver/tokens/DE/TNM/NOPE`, { valid: false, last_updated: '2030-01-01T00:00:00Z' });
    expect({ status: unknownPatch.status, code: unknownPatch.data.status_code }).toEqual({ status: 404, code: 2004 });
    const toBlocked = await owner.ocpi.put(url, { ...token, issuer: 'to BLK' }, { headers: { 'OCPI-to-country-code': 'FR', 'OCPI-to-party-id': 'BLK' } });
    expect(toBlocked.data.status_code).toBe(4001);
    const deleted = await owner.ocpi.delete(url);
    expect(deleted.status).toBe(405); // tokens are invalidated with valid=false, never deleted

    expect((await owner.ocpi.get(url)).data.data).toEqual(token);
    expect((await owner.ocpi.get('/receiver/tokens/DE/TNM/OTHER')).status).toBe(404);
    await net.hub.services.outbox.whenIdle();
    expect({ CP1: tokenRequestsAt('CP1'), CP2: tokenRequestsAt('CP2') }).toEqual(before);
    expect(tokenRequestsAt('BLK')).toBe(0);
  });

  it('serves the Sender list to CPOs only', async () => {
    const asEmsp = await parties['DE/TNM'].ocpi.get('/sender/tokens');
    expect(asEmsp.status).toBe(404);
  });
});
