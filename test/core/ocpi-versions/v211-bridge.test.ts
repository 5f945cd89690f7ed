// The 2.1.1 ⇄ 2.2.1 bridge through translateObject: each step is one of the v2.1.1 translations, given
// what the hub knows in the context; which object of a module it was given is read from its fields; a
// body that is not valid 2.1.1, or a step without the context it needs, is refused.
import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { translateObject } from '../../../src/core/ocpi-versions/translate';
import { BRIDGE_V211_V221 } from '../../../src/core/ocpi-versions/v2.1.1/bridge-v211-v221.v211';
import { VERSION_BRIDGES } from '../../../src/core/ocpi-versions/version-bridges';
import { Location } from '../../../src/hub/modules/locations/locations.schema';
import { Session } from '../../../src/hub/modules/sessions/sessions.schema';
import { Token } from '../../../src/hub/modules/tokens/tokens.schema';
import { example, requestExample, SENDER } from './v211-support';

const BRIDGES = [BRIDGE_V211_V221];
const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);
const EMSP = { country_code: 'DE', party_id: 'EMS' };
const TIME_ZONE = 'Europe/Amsterdam';

describe('BRIDGE_V211_V221', () => {
  const location211 = example('mod_locations-6.json');
  const location = Location.parse(translateObject(BRIDGES, 'locations', location211, '2.1.1', '2.2.1', { sender: SENDER, timeZone: TIME_ZONE }).value);
  const token = Token.parse(translateObject(BRIDGES, 'tokens', example('mod_tokens-3.json'), '2.1.1', '2.2.1', { sender: EMSP }).value);

  it('is in VERSION_BRIDGES, so 2.1.1 reaches 2.3.0 through the hub form', () => {
    const toV230 = translateObject(VERSION_BRIDGES, 'tokens', example('mod_tokens-3.json'), '2.1.1', '2.3.0', { sender: EMSP });
    expect(toV230.value).toMatchObject({ country_code: 'DE', party_id: 'EMS', contract_id: 'DE8ACC12E46L89' });
  });

  it('reads a whole Location with the sender and its configured time zone, and refuses without them', () => {
    expect(location).toMatchObject({ country_code: 'NL', party_id: 'TNM', time_zone: TIME_ZONE, publish: true });
    expect(() => translateObject(BRIDGES, 'locations', location211, '2.1.1', '2.2.1', { timeZone: TIME_ZONE })).toThrow(/carry no owner/);
    expect(() => translateObject(BRIDGES, 'locations', location211, '2.1.1', '2.2.1', { sender: SENDER })).toThrow(/time_zone/);
  });

  it('reads an EVSE PATCH and a Connector PATCH apart, dated by the receipt time when they carry no last_updated', () => {
    const evse = requestExample('mod_locations-1.json').body;
    const patched = translateObject(BRIDGES, 'locations', evse, '2.1.1', '2.2.1', { partial: true, receivedAt: '2024-01-01T00:00:00Z' });
    expect(patched.value).toMatchObject({ status: evse.status });
    const connector = translateObject(BRIDGES, 'locations', { tariff_id: '12' }, '2.1.1', '2.2.1', { partial: true, receivedAt: '2024-01-01T00:00:00Z' });
    expect(connector.value).toEqual({ tariff_ids: ['12'], last_updated: '2024-01-01T00:00:00Z' });
  });

  it('reads a whole 2.1.1 EVSE (which has coordinates, like a Location) as an EVSE', () => {
    const evse: Record<string, unknown> = { ...(location211.evses as Record<string, unknown>[])[0], coordinates: { latitude: '51.047599', longitude: '3.729944' } };
    const hub = translateObject(BRIDGES, 'locations', evse, '2.1.1', '2.2.1', { sender: SENDER });
    expect(hub.value).toMatchObject({ uid: evse.uid, coordinates: evse.coordinates });
    expect(hub.value).not.toHaveProperty('country_code');
  });

  it('refuses a body that is not valid 2.1.1 with the reason, not a half-read object', () => {
    expect(() => translateObject(BRIDGES, 'tokens', { uid: 'X', type: 'RFID' }, '2.1.1', '2.2.1', { sender: EMSP })).toThrow(/not a valid OCPI 2.1.1 Token: auth_id/);
    expect(() => translateObject(BRIDGES, 'locations', [1], '2.1.1', '2.2.1', { sender: SENDER })).toThrow(TranslationRefused);
  });

  it('takes the token behind auth_id for a session and the Location back to 2.1.1', () => {
    const session211 = example('mod_sessions-3.json');
    const sender = { country_code: 'NL', party_id: 'TNM' };
    // The examples' session is at LOC1, the hub's Location the one the CPO published (same id).
    const hub = Session.parse(translateObject(BRIDGES, 'sessions', session211, '2.1.1', '2.2.1', { sender, knownToken: token }).value);
    expect(hub.cdr_token).toMatchObject({ country_code: 'DE', party_id: 'EMS', contract_id: 'DE8ACC12E46L89' });
    expect(() => translateObject(BRIDGES, 'sessions', session211, '2.1.1', '2.2.1', { sender })).toThrow(/token/);
    const knownLocation = { ...location, id: hub.location_id, evses: [{ ...location.evses![0], uid: hub.evse_uid, connectors: [{ ...location.evses![0].connectors[0], id: hub.connector_id }] }] };
    const back = translateObject(BRIDGES, 'sessions', hub, '2.2.1', '2.1.1', { location: knownLocation });
    expect(back.value).toMatchObject({ id: session211.id, auth_id: 'DE8ACC12E46L89', location: { id: hub.location_id, evses: [{ uid: hub.evse_uid }] } });
    expect(() => translateObject(BRIDGES, 'sessions', hub, '2.2.1', '2.1.1')).toThrow(/whole location/);
  });

  it('refuses a credit CDR towards 2.1.1 and names tariff min_price as a loss', () => {
    const tariff = translateObject(BRIDGES, 'tariffs', example('mod_tariffs-3.json'), '2.1.1', '2.2.1', { sender: SENDER }).value as Record<string, unknown>;
    const lossy = translateObject(BRIDGES, 'tariffs', { ...tariff, min_price: { excl_vat: 1 } }, '2.2.1', '2.1.1');
    expect(kinds(lossy.losses)).toEqual([['min_price', 'field_dropped']]);
    expect(() => translateObject(BRIDGES, 'cdrs', { id: 'C1', credit: true }, '2.2.1', '2.1.1')).toThrow(/credit CDR/);
  });

  it('reads AuthorizationInfo, LocationReferences and tokens apart', () => {
    const info = translateObject(BRIDGES, 'tokens', { allowed: 'ALLOWED', location: { location_id: 'L1', connector_ids: ['1'] } }, '2.1.1', '2.2.1', { knownToken: token });
    expect(info.value).toMatchObject({ allowed: 'ALLOWED', token: { uid: token.uid }, location: { location_id: 'L1' } });
    expect(kinds(info.losses)).toEqual([['location.connector_ids', 'field_dropped']]);
    expect(() => translateObject(BRIDGES, 'tokens', { allowed: 'ALLOWED' }, '2.1.1', '2.2.1')).toThrow(/Token/);
    const down = translateObject(BRIDGES, 'tokens', { allowed: 'ALLOWED', token, authorization_reference: 'R1' }, '2.2.1', '2.1.1');
    expect(down.value).toEqual({ allowed: 'ALLOWED' });
    const refs = translateObject(BRIDGES, 'tokens', { location_id: 'L1', evse_uids: ['E1'] }, '2.2.1', '2.1.1');
    expect(refs).toEqual({ value: { location_id: 'L1', evse_uids: ['E1'] }, losses: [] });
  });

  it('reads commands, the synchronous answer (with the hub wait) and the result apart', () => {
    const start = translateObject(BRIDGES, 'commands', { response_url: 'https://e.example.com/r', token: example('mod_tokens-3.json'), location_id: 'L1' }, '2.1.1', '2.2.1', { sender: EMSP });
    expect(start.value).toMatchObject({ token: { country_code: 'DE', party_id: 'EMS', contract_id: 'DE8ACC12E46L89' }, location_id: 'L1' });
    expect(translateObject(BRIDGES, 'commands', { result: 'TIMEOUT' }, '2.1.1', '2.2.1', { timeoutSeconds: 30 }).value).toEqual({ result: 'REJECTED', timeout: 30 });
    expect(translateObject(BRIDGES, 'commands', { result: 'UNKNOWN_SESSION' }, '2.1.1', '2.2.1').value).toEqual({ result: 'FAILED' });
    expect(translateObject(BRIDGES, 'commands', { result: 'ACCEPTED', timeout: 30 }, '2.2.1', '2.1.1').value).toEqual({ result: 'ACCEPTED' });
    expect(translateObject(BRIDGES, 'commands', { result: 'EVSE_OCCUPIED' }, '2.2.1', '2.1.1').value).toEqual({ result: 'REJECTED' });
    expect(() => translateObject(BRIDGES, 'commands', { response_url: 'https://e.example.com/r', reservation_id: 'R1' }, '2.2.1', '2.1.1')).toThrow(/CANCEL_RESERVATION/);
    const stop = translateObject(BRIDGES, 'commands', { response_url: 'https://e.example.com/r', session_id: 'S1' }, '2.2.1', '2.1.1');
    expect(stop.value).toEqual({ response_url: 'https://e.example.com/r', session_id: 'S1' });
  });

  it('reads credentials and version details with the role the hub registered the party in', () => {
    const credentials = example('credentials-1.json');
    const hub = translateObject(BRIDGES, 'credentials', credentials, '2.1.1', '2.2.1', { role: 'CPO' });
    expect(hub.value).toMatchObject({ roles: [{ role: 'CPO', party_id: credentials.party_id, country_code: credentials.country_code }] });
    expect(() => translateObject(BRIDGES, 'credentials', credentials, '2.1.1', '2.2.1')).toThrow(/no role/);
    const details = translateObject(BRIDGES, 'credentials', example('version_information_endpoint-2.json'), '2.1.1', '2.2.1', { role: 'EMSP' });
    expect(details.value).toMatchObject({ endpoints: expect.arrayContaining([{ identifier: 'locations', role: 'RECEIVER', url: expect.any(String) }]) });
    const hubCredentials = { token: 'T', url: 'https://hub.example.com/ocpi/versions', roles: [{ role: 'HUB', party_id: 'HUB', country_code: 'NL', business_details: { name: 'Hub' } }] };
    expect(translateObject(BRIDGES, 'credentials', hubCredentials, '2.2.1', '2.1.1').value).toEqual({ token: 'T', url: hubCredentials.url, party_id: 'HUB', country_code: 'NL', business_details: { name: 'Hub' } });
  });
});
