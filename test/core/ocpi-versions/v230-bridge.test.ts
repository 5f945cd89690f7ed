// The 2.2.1 ⇄ 2.3.0 bridge through translateObject: which object of a module a step was given is read from its
// fields; payments are refused outside 2.3.0; a 2.3.0 object to a 2.3.0 receiver is the original, unchanged.
import { translateObject } from '../../../src/core/ocpi-versions/translate';
import { BRIDGE_V221_V230 } from '../../../src/core/ocpi-versions/v2.3.0/bridge-v221-v230.v230';
import { example230, pathsAndKinds, type Json } from './v230-support';

const BRIDGES = [BRIDGE_V221_V230];

describe('BRIDGE_V221_V230', () => {
  it('passes a 2.3.0 object to a 2.3.0 receiver unchanged, undocumented fields included', () => {
    const location = { ...example230<Json>('location_example.json'), afir_station_id: 'X' };
    expect(translateObject(BRIDGES, 'locations', location, '2.3.0', '2.3.0')).toEqual({ value: location, losses: [] });
  });

  it('translates a Location, an EVSE PATCH and a Connector PATCH down by their fields', () => {
    const whole = translateObject(BRIDGES, 'locations', example230('location_example.json'), '2.3.0', '2.2.1');
    expect(pathsAndKinds(whole.losses)).toContainEqual(['parking_places', 'field_dropped']);
    const evsePatch = translateObject(BRIDGES, 'locations', { status: 'CHARGING', parking: ['P1'], last_updated: '2019-06-24T12:39:09Z' }, '2.3.0', '2.2.1', { partial: true });
    expect(pathsAndKinds(evsePatch.losses)).toEqual([['parking', 'field_dropped']]);
    expect(() => translateObject(BRIDGES, 'locations', { standard: 'MCS', last_updated: '2019-06-24T12:39:09Z' }, '2.3.0', '2.2.1', { partial: true })).toThrow(/MCS/);
  });

  it('reads a command body, response and result apart', () => {
    const token = { ...example230<Json>('token_example_2_full_rfid.json'), type: 'EMAID' };
    const start = translateObject(BRIDGES, 'commands', { response_url: 'https://e.example.com/r', token, location_id: 'L1' }, '2.3.0', '2.2.1');
    expect(pathsAndKinds(start.losses)).toEqual([['token.type', 'value_narrowed']]);
    const response = translateObject(BRIDGES, 'commands', { result: 'ACCEPTED', timeout: 30, vendor: 'x' }, '2.3.0', '2.2.1');
    expect(pathsAndKinds(response.losses)).toEqual([['vendor', 'field_dropped']]);
  });

  it('reads a real-time authorization request apart from a Token: LocationReferences keeps its location_id', () => {
    const references = translateObject(BRIDGES, 'tokens', { location_id: 'LOC1', evse_uids: ['3256'], vendor: 'x' }, '2.3.0', '2.2.1');
    expect(references.value).toEqual({ location_id: 'LOC1', evse_uids: ['3256'] });
    expect(pathsAndKinds(references.losses)).toEqual([['vendor', 'field_dropped']]);
  });

  it('translates up with the hub form valid 2.3.0 (tax_included added to tariffs) and refuses payments', () => {
    const tariff = translateObject(BRIDGES, 'tariffs', { country_code: 'DE', party_id: 'ALL', id: '1', currency: 'EUR', elements: [{ price_components: [{ type: 'FLAT', price: 1, step_size: 1 }] }], last_updated: '2024-01-01T00:00:00Z' }, '2.2.1', '2.3.0');
    expect(tariff.value).toMatchObject({ tax_included: 'NO' });
    expect(() => translateObject(BRIDGES, 'payments', example230('payment_terminal_create.json'), '2.3.0', '2.2.1')).toThrow(/no payments module/);
  });
});
