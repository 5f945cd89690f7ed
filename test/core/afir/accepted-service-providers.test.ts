import { acceptedServiceProviders } from '../../../src/core/afir/afir-core';
import { locationToV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230-translation';

describe('accepted_service_providers (OCPI 2.3.0 EVSE) from the agreements', () => {
  it('names each eMSP once, trimmed to String(50), sorted', () => {
    expect(acceptedServiceProviders([' Zeta Mobility ', 'Alpha', 'Alpha', '', 'x'.repeat(60)])).toEqual(['Alpha', 'Zeta Mobility', 'x'.repeat(50)]);
    expect(acceptedServiceProviders([])).toEqual([]);
  });

  it('goes on every whole EVSE of a Location or on an EVSE pushed alone, never on a status PATCH or a connector', () => {
    const evse = { uid: 'E1', status: 'AVAILABLE', connectors: [{ id: '1' }], last_updated: '2026-11-20T08:00:00Z' };
    const location = { id: 'L', evses: [evse, { ...evse, uid: 'E2' }] };
    expect(locationToV230(location, ['A', 'B']).value.evses!.map((e) => e.accepted_service_providers)).toEqual([['A', 'B'], ['A', 'B']]);
    expect(locationToV230(evse, ['A']).value).toMatchObject({ accepted_service_providers: ['A'] });
    expect(locationToV230({ status: 'CHARGING', last_updated: 'x' }, ['A']).value).toEqual({ status: 'CHARGING', last_updated: 'x' });
    expect(locationToV230({ id: '1', standard: 'IEC_62196_T2' }, ['A']).value).toEqual({ id: '1', standard: 'IEC_62196_T2' });
    // Without a context (any CPO but the own one): the copy it always was, and the source untouched.
    expect(locationToV230(location).value).toEqual(location);
    expect('accepted_service_providers' in evse).toBe(false);
  });
});
