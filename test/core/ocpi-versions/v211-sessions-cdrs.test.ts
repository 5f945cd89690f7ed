import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { CdrV211 } from '../../../src/core/ocpi-versions/v2.1.1/cdrs.v211.schema';
import { fromV211Cdr, toV211Cdr } from '../../../src/core/ocpi-versions/v2.1.1/cdrs.v211-translation';
import { fromV211Location } from '../../../src/core/ocpi-versions/v2.1.1/locations.v211-translation';
import { SessionV211 } from '../../../src/core/ocpi-versions/v2.1.1/sessions.v211.schema';
import { fromV211Session, fromV211SessionPatch, toV211Session, toV211SessionPatch } from '../../../src/core/ocpi-versions/v2.1.1/sessions.v211-translation';
import { fromV211Token } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211-translation';
import { TokenV211 } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211.schema';
import { Cdr } from '../../../src/hub/modules/cdrs/cdrs.schema';
import { Session, SessionPatch } from '../../../src/hub/modules/sessions/sessions.schema';
import { Token } from '../../../src/hub/modules/tokens/tokens.schema';
import { example, exampleText, requestExample, SENDER } from './v211-support';

const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);
/** The eMSP owning the token of the examples (auth_id DE8ACC12E46L89): another party than the CPO sending them. */
const EMSP = { country_code: 'DE', party_id: 'EMS' };
const TIME_ZONE = 'Europe/Brussels';

// The token the hub knows for auth_id DE8ACC12E46L89 (the text's token example, owned by the eMSP).
const knownToken = Token.parse(fromV211Token(TokenV211.parse(example('mod_tokens-3.json')), { owner: EMSP }).value);

/** The location the hub knows, as the sender published it (through the 2.1.1 → hub translation). */
function knownLocation(location: unknown): Record<string, unknown> {
  return fromV211Location(location as never, { owner: SENDER, timeZone: TIME_ZONE }).value;
}

describe('sessions between OCPI 2.1.1 and the hub form', () => {
  it.each(['mod_sessions-2.json', 'mod_sessions-3.json'])('%s becomes a valid hub-form Session and comes back with its location whole', (file) => {
    const original = SessionV211.parse(example(file));
    const hub = fromV211Session(original, { owner: SENDER, token: knownToken });
    expect(hub.losses).toEqual([]);
    expect(Session.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value).toMatchObject({
      country_code: 'NL',
      party_id: 'TNM',
      start_date_time: original.start_datetime,
      cdr_token: { country_code: 'DE', party_id: 'EMS', uid: '012345678', type: 'RFID', contract_id: 'DE8ACC12E46L89' },
      location_id: 'LOC1',
      evse_uid: '3256',
      connector_id: '1',
    });
    if (original.total_cost !== undefined) expect(hub.value.total_cost).toEqual({ excl_vat: original.total_cost });

    const back = toV211Session(hub.value, { location: knownLocation(original.location) });
    expect(back.losses).toEqual([]);
    // The hub form knows the location with the sender's configured time zone (2.2.1 requires one): that comes along.
    expect(back.value).toEqual({ ...original, location: { ...original.location, time_zone: TIME_ZONE } });
    expect(SessionV211.safeParse(back.value).success).toBe(true);
  });

  const original = SessionV211.parse(example('mod_sessions-3.json'));
  const hub = Session.parse(fromV211Session(original, { owner: SENDER, token: knownToken }).value);

  it('refuses a 2.1.1 session when the hub does not know the token auth_id names, or passes another one', () => {
    expect(() => fromV211Session(original, { owner: SENDER })).toThrow(TranslationRefused);
    expect(() => fromV211Session(original, { owner: SENDER, token: { ...knownToken, contract_id: 'OTHER' } })).toThrow(/not the one auth_id/);
  });

  it('refuses a 2.1.1 session whose location does not carry exactly one EVSE and connector', () => {
    const evse = original.location.evses![0];
    const twoEvses = { ...original, location: { ...original.location, evses: [evse, { ...evse, uid: '3257' }] } };
    expect(() => fromV211Session(twoEvses, { owner: SENDER, token: knownToken })).toThrow(/exactly the one EVSE/);
  });

  it('refuses a hub-form session to 2.1.1 without the location the hub knows, or when it lacks the session\'s EVSE', () => {
    expect(() => toV211Session(hub, {})).toThrow(TranslationRefused);
    expect(() => toV211Session({ ...hub, evse_uid: 'NOPE' }, { location: knownLocation(original.location) })).toThrow(/no EVSE NOPE/);
  });

  it('names what 2.2.1 sessions carry and 2.1.1 cannot: VAT-inclusive cost, authorization_reference, COMMAND, RESERVATION, new dimensions', () => {
    const richer = Session.parse({
      ...hub,
      auth_method: 'COMMAND',
      authorization_reference: 'REF1',
      status: 'RESERVATION',
      total_cost: { excl_vat: 8.5, incl_vat: 10.29 },
      charging_periods: [
        { start_date_time: '2015-06-29T22:39:09Z', dimensions: [{ type: 'ENERGY', volume: 120 }, { type: 'STATE_OF_CHARGE', volume: 80 }], tariff_id: '11' },
        { start_date_time: '2015-06-29T23:00:00Z', dimensions: [{ type: 'RESERVATION_TIME', volume: 0.1 }] },
      ],
    });
    const v211 = toV211Session(richer, { location: knownLocation(original.location) });
    expect(kinds(v211.losses)).toEqual([
      ['auth_method', 'value_narrowed'],
      ['authorization_reference', 'field_dropped'],
      ['charging_periods[0].dimensions[1]', 'value_dropped'],
      ['charging_periods[0].tariff_id', 'field_dropped'],
      ['charging_periods[1].dimensions[0]', 'value_dropped'],
      ['charging_periods[1]', 'value_dropped'],
      ['total_cost', 'value_narrowed'],
      ['status', 'value_narrowed'],
    ]);
    expect(v211.value).toMatchObject({ auth_method: 'AUTH_REQUEST', status: 'PENDING', total_cost: 8.5 });
    expect(v211.value.charging_periods).toEqual([{ start_date_time: '2015-06-29T22:39:09Z', dimensions: [{ type: 'ENERGY', volume: 120 }] }]);
    expect(SessionV211.safeParse(v211.value).success).toBe(true);
  });

  it('translates PATCH fragments both ways (the text\'s cost update; a location change needs all three ids)', () => {
    const patch = fromV211SessionPatch(requestExample('mod_sessions-1.json').body, { receivedAt: '2015-06-30T10:00:00Z' });
    expect(patch.value).toEqual({ total_cost: { excl_vat: 0.6 }, last_updated: '2015-06-30T10:00:00Z' });
    expect(SessionPatch.safeParse(patch.value).success).toBe(true);
    expect(toV211SessionPatch({ kwh: 12, last_updated: '2015-06-30T10:00:00Z' })).toEqual({ value: { kwh: 12, last_updated: '2015-06-30T10:00:00Z' }, losses: [] });
    expect(() => toV211SessionPatch({ connector_id: '2', last_updated: '2015-06-30T10:00:00Z' })).toThrow(/together/);
    expect(() => fromV211SessionPatch({ auth_id: 'DE8ACC12E46L89' })).toThrow(TranslationRefused);
  });
});

describe('CDRs between OCPI 2.1.1 and the hub form', () => {
  // The text's CDR example, with its three errors repaired in code (the fixture stays verbatim): a
  // trailing comma, a string price, and a 2-letter country where 2.1.1 asks ISO 3166-1 alpha-3.
  const repairs: [string, string][] = [
    ['}],\n\t\t}],', '}]\n\t\t}],'],
    ['"price": "2.00"', '"price": 2.00'],
    ['"country": "BE"', '"country": "BEL"'],
  ];
  let text = exampleText('mod_cdrs-1.json');
  for (const [from, to] of repairs) {
    expect(text.includes(from)).toBe(true);
    text = text.replace(from, to);
  }
  const original = CdrV211.parse(JSON.parse(text));

  it('the repaired example becomes a valid hub-form CDR (cdr_token from the token the hub knows) and comes back whole', () => {
    const hub = fromV211Cdr(original, { owner: SENDER, token: knownToken });
    expect(hub.losses).toEqual([]);
    expect(Cdr.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value).toMatchObject({
      end_date_time: original.stop_date_time,
      cdr_token: { country_code: 'DE', party_id: 'EMS', uid: '012345678', contract_id: 'DE8ACC12E46L89' },
      cdr_location: { id: 'LOC1', evse_uid: '3256', evse_id: 'BE-BEC-E041503003', connector_id: '1', connector_standard: 'IEC_62196_T2', country: 'BEL' },
      total_cost: { excl_vat: 4 },
      tariffs: [{ country_code: 'NL', party_id: 'TNM', id: '12' }],
    });
    const back = toV211Cdr(hub.value, { location: knownLocation(original.location) });
    expect(back.losses).toEqual([]);
    expect(back.value).toEqual({ ...original, location: { ...original.location, time_zone: TIME_ZONE } });
    expect(CdrV211.safeParse(back.value).success).toBe(true);
  });

  const hub = Cdr.parse(fromV211Cdr(original, { owner: SENDER, token: knownToken }).value);

  it('refuses a 2.1.1 CDR without the token the hub knows (it has no cdr_token: the eMSP could not be found)', () => {
    expect(() => fromV211Cdr(original, { owner: SENDER })).toThrow(TranslationRefused);
    expect(() => fromV211Cdr(original, { owner: SENDER })).toThrow(/auth_id DE8ACC12E46L89/);
  });

  it('refuses a hub-form CDR to 2.1.1 without the location the hub knows, and a credit CDR', () => {
    expect(() => toV211Cdr(hub, {})).toThrow(TranslationRefused);
    expect(() => toV211Cdr({ ...hub, credit: true, credit_reference_id: '12344' }, { location: knownLocation(original.location) })).toThrow(/credit/);
  });

  it('narrows 2.2.1 prices to numbers excluding VAT and names every cost and field 2.1.1 cannot carry', () => {
    const richer = Cdr.parse({
      ...hub,
      session_id: '101',
      authorization_reference: 'REF1',
      cdr_location: { ...hub.cdr_location, state: 'Oost-Vlaanderen' },
      total_cost: { excl_vat: 4, incl_vat: 4.84 },
      total_time_cost: { excl_vat: 4 },
      total_reservation_cost: { excl_vat: 0 },
      signed_data: { encoding_method: 'OCMF', signed_values: [{ nature: 'Start', plain_data: 'x', signed_data: 'y' }] },
      invoice_reference_id: 'INV1',
      credit: false,
      home_charging_compensation: false,
    });
    const v211 = toV211Cdr(richer, { location: knownLocation(original.location) });
    expect(kinds(v211.losses)).toEqual([
      ['session_id', 'field_dropped'],
      ['authorization_reference', 'field_dropped'],
      ['cdr_location.state', 'field_dropped'],
      ['signed_data', 'field_dropped'],
      ['total_cost', 'value_narrowed'],
      ['total_time_cost', 'field_dropped'],
      ['total_reservation_cost', 'field_dropped'],
      ['invoice_reference_id', 'field_dropped'],
      ['home_charging_compensation', 'field_dropped'],
    ]);
    expect(v211.value.total_cost).toBe(4);
    expect(v211.losses.find((l) => l.path === 'total_cost')!.detail).toMatch(/incl_vat 4.84/);
    expect(CdrV211.safeParse(v211.value).success).toBe(true);
  });

  it('takes the place from the CDR itself (its snapshot) over the location as the hub knows it today', () => {
    const moved = { ...knownLocation(original.location), address: 'Elsewhere 1' };
    expect(toV211Cdr(hub, { location: moved }).value.location).toMatchObject({ address: 'F.Rooseveltlaan 3A' });
  });

  it('drops a 2.1.1 FLAT CDR dimension, which 2.2.1 has not', () => {
    const flat = { ...original, charging_periods: [{ start_date_time: '2015-06-29T21:39:09Z', dimensions: [{ type: 'FLAT' as const, volume: 1 }, { type: 'TIME' as const, volume: 1.973 }] }] };
    const translated = fromV211Cdr(flat, { owner: SENDER, token: knownToken });
    expect(kinds(translated.losses)).toEqual([['charging_periods[0].dimensions[0]', 'value_dropped']]);
    expect(Cdr.safeParse(translated.value).success).toBe(true);
  });
});
