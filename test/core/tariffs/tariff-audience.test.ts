/**
 * Who sees which own tariff (core/tariffs/audience.ts): public ones for everyone, scoped ones for their
 * eMSPs, a scoped tariff replacing the public ones of its type at a connector ("only one of each
 * Tariff.type can be active at the same time", mod_locations Connector.tariff_ids), and the tariff a
 * session of an eMSP's driver is priced with.
 */
import { audienceOf, sessionTariffId, type TariffAudiences, tariffIdsFor, visibleTo, withTariffIdsFor } from '../../../src/core/tariffs/tariffs-core';

const AUDIENCES: TariffAudiences = new Map([
  ['PUBLIC', { emsps: null }],
  ['ADHOC', { emsps: null, type: 'AD_HOC_PAYMENT' }],
  ['ABC-ONLY', { emsps: ['NL/ABC'] }],
  ['ABC-DEF', { emsps: ['NL/ABC', 'DE/DEF'], type: 'REGULAR' }],
]);

describe('tariff audiences', () => {
  it('reads the audience from a description: public without emsps', () => {
    expect(audienceOf({ emsps: ['NL/ABC'], type: 'REGULAR' })).toEqual({ emsps: ['NL/ABC'], type: 'REGULAR' });
    expect(audienceOf(null)).toEqual({ emsps: null });
    expect(visibleTo(AUDIENCES.get('ABC-ONLY'), 'nl/abc')).toBe(true);
    expect(visibleTo(AUDIENCES.get('ABC-ONLY'), 'DE/DEF')).toBe(false);
    expect(visibleTo(AUDIENCES.get('ABC-ONLY'), null)).toBe(false);
    expect(visibleTo(undefined, null)).toBe(true);
  });

  it("gives each eMSP a connector's tariffs it may see, its own replacing the public one of that type", () => {
    const ids = ['PUBLIC', 'ADHOC', 'ABC-ONLY', 'unknown-id'];
    // A tariff the map does not know is public without a type: ABC-ONLY (no type) replaces it too.
    expect(tariffIdsFor(ids, AUDIENCES, 'NL/ABC')).toEqual(['ADHOC', 'ABC-ONLY']);
    expect(tariffIdsFor(ids, AUDIENCES, 'DE/DEF')).toEqual(['PUBLIC', 'ADHOC', 'unknown-id']);
    expect(tariffIdsFor(ids, AUDIENCES, null)).toEqual(['PUBLIC', 'ADHOC', 'unknown-id']);
    // A REGULAR scoped tariff does not replace a public one without a type.
    expect(tariffIdsFor(['PUBLIC', 'ABC-DEF'], AUDIENCES, 'DE/DEF')).toEqual(['PUBLIC', 'ABC-DEF']);
  });

  it("prices an eMSP's session with its own tariff, an ad hoc one with the first public", () => {
    expect(sessionTariffId(['ADHOC', 'PUBLIC', 'ABC-ONLY'], AUDIENCES, 'NL/ABC')).toBe('ABC-ONLY');
    expect(sessionTariffId(['ADHOC', 'PUBLIC', 'ABC-ONLY'], AUDIENCES, 'DE/DEF')).toBe('ADHOC');
    expect(sessionTariffId(['ABC-ONLY', 'PUBLIC'], AUDIENCES, null)).toBe('PUBLIC');
    expect(sessionTariffId(['ABC-ONLY'], AUDIENCES, 'DE/DEF')).toBeUndefined();
    expect(sessionTariffId(undefined, AUDIENCES, 'NL/ABC')).toBeUndefined();
  });

  it('filters every tariff_ids of a Location, EVSE or connector PATCH, leaving the rest and the input alone', () => {
    const location = { id: 'L1', evses: [{ uid: 'E1', connectors: [{ id: '1', tariff_ids: ['PUBLIC', 'ABC-ONLY'] }, { id: '2' }] }] };
    const copy = JSON.parse(JSON.stringify(location));
    expect(withTariffIdsFor(location, AUDIENCES, 'DE/DEF')).toEqual({ id: 'L1', evses: [{ uid: 'E1', connectors: [{ id: '1', tariff_ids: ['PUBLIC'] }, { id: '2' }] }] });
    expect(location).toEqual(copy);
    expect(withTariffIdsFor({ tariff_ids: ['PUBLIC', 'ABC-ONLY'], last_updated: 'x' }, AUDIENCES, 'NL/ABC')).toEqual({ tariff_ids: ['ABC-ONLY'], last_updated: 'x' });
  });
});
