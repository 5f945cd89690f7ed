import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { AuthorizationInfoV211, TokenV211 } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211.schema';
import {
  fromV211AuthorizationInfo,
  fromV211LocationReferences,
  fromV211Token,
  fromV211TokenPatch,
  toV211AuthorizationInfo,
  toV211LocationReferences,
  toV211Token,
} from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211-translation';
import { LocationReferences, Token, TokenPatch } from '../../../src/hub/modules/tokens/tokens.schema';
import { example, requestExample, SENDER } from './v211-support';

const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);

describe('tokens between OCPI 2.1.1 and the hub form', () => {
  const tokenExamples = [
    TokenV211.parse(example('mod_tokens-3.json')),
    TokenV211.parse(requestExample('mod_tokens-1.json').body),
    TokenV211.parse(example<{ data: unknown }>('transport_and_format-3.json').data),
    ...example<{ data: unknown[] }>('transport_and_format-4.json').data.map((t) => TokenV211.parse(t)),
  ];

  it.each(tokenExamples.map((t) => [t.uid, t]))('token %s becomes a valid hub-form Token (auth_id as contract_id) and comes back unchanged', (_uid, original) => {
    const hub = fromV211Token(original, { owner: SENDER });
    expect(hub.losses).toEqual([]);
    expect(Token.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value).toMatchObject({ country_code: 'NL', party_id: 'TNM', uid: original.uid, type: original.type, contract_id: original.auth_id });
    expect(hub.value).not.toHaveProperty('auth_id');
    const back = toV211Token(hub.value);
    expect(back.losses).toEqual([]);
    expect(back.value).toEqual(original);
  });

  const hubToken = Token.parse(fromV211Token(tokenExamples[0], { owner: SENDER }).value);

  it('names what 2.2.1 tokens carry and 2.1.1 cannot, and narrows the token types 2.1.1 lacks to OTHER', () => {
    const v211 = toV211Token({ ...hubToken, type: 'APP_USER', group_id: 'G1', default_profile_type: 'GREEN', energy_contract: { supplier_name: 'Greenpeace Energy eG' } });
    expect(kinds(v211.losses)).toEqual([
      ['type', 'value_narrowed'],
      ['group_id', 'field_dropped'],
      ['default_profile_type', 'field_dropped'],
      ['energy_contract', 'field_dropped'],
    ]);
    expect(v211.value.type).toBe('OTHER');
    expect(TokenV211.safeParse(v211.value).success).toBe(true);
  });

  it('translates the text\'s PATCH example (invalidate a token)', () => {
    const hub = fromV211TokenPatch(requestExample('mod_tokens-2.json').body, { receivedAt: '2015-06-30T10:00:00Z' });
    expect(hub.value).toEqual({ valid: false, last_updated: '2015-06-30T10:00:00Z' });
    expect(TokenPatch.safeParse(hub.value).success).toBe(true);
  });

  describe('real-time authorization', () => {
    it('turns a 2.1.1 AuthorizationInfo into the 2.2.1 one with the token the hub asked about; without it, refuses', () => {
      const info = AuthorizationInfoV211.parse({ allowed: 'ALLOWED', location: { location_id: 'LOC1', evse_uids: ['3256'], connector_ids: ['1'] } });
      const hub = fromV211AuthorizationInfo(info, { token: hubToken });
      expect(hub.value).toEqual({ allowed: 'ALLOWED', token: hubToken, location: { location_id: 'LOC1', evse_uids: ['3256'] } });
      expect(kinds(hub.losses)).toEqual([['location.connector_ids', 'field_dropped']]);
      expect(() => fromV211AuthorizationInfo(info, {})).toThrow(TranslationRefused);
    });

    it('turns a 2.2.1 AuthorizationInfo into the 2.1.1 one, naming the token and authorization_reference it cannot return', () => {
      const v211 = toV211AuthorizationInfo({ allowed: 'NO_CREDIT', token: hubToken, authorization_reference: 'REF1', info: { language: 'en', text: 'top up' } });
      expect(v211.value).toEqual({ allowed: 'NO_CREDIT', info: { language: 'en', text: 'top up' } });
      expect(kinds(v211.losses)).toEqual([
        ['token', 'field_dropped'],
        ['authorization_reference', 'field_dropped'],
      ]);
      expect(AuthorizationInfoV211.safeParse(v211.value).success).toBe(true);
    });

    it('translates the LocationReferences of the request both ways', () => {
      const hub = fromV211LocationReferences({ location_id: 'LOC1', connector_ids: ['1'] });
      expect(LocationReferences.safeParse(hub.value).success).toBe(true);
      expect(kinds(hub.losses)).toEqual([['connector_ids', 'field_dropped']]);
      expect(toV211LocationReferences({ location_id: 'LOC1', evse_uids: ['3256'] })).toEqual({ value: { location_id: 'LOC1', evse_uids: ['3256'] }, losses: [] });
    });
  });
});
