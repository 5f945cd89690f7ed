import type { RoutedRole } from '../../../../src/hub/routing/agreements';
import { OcpiError } from '../../../../src/hub/ocpi/ocpi-errors';
import {
  type AuthorizationRoute,
  looksLikeAuthorizationInfo,
  receiverPath,
  routeToNamedEmsp,
  routeToOwner,
  tokenTypeParam,
} from '../../../../src/hub/modules/tokens/tokens.routing';
import type { RoleAddress } from '../../../../src/hub/ocpi/party-address';

const cpo: RoleAddress = { role: 'CPO', countryCode: 'NL', partyId: 'CP1' };
const emsp = (countryCode: string, partyId: string): RoutedRole => ({ role: 'EMSP', countryCode, partyId, roleId: `${countryCode}${partyId}`, partyUuid: `uuid-${countryCode}-${partyId}`, name: partyId });
const routes: AuthorizationRoute[] = [{ from: cpo, to: emsp('DE', 'TNM') }, { from: cpo, to: emsp('NL', 'TNM') }];
const ref = { uid: '012345678', type: 'RFID' as const };

function failure(run: () => unknown): { code: number; http: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof OcpiError) return { code: error.statusCode, http: error.httpStatus, message: error.message };
    throw error;
  }
  throw new Error('expected an OcpiError');
}

describe('tokens routing helpers', () => {
  it('reads ?type=: RFID when absent or empty, one TokenType otherwise', () => {
    expect(tokenTypeParam(undefined)).toBe('RFID');
    expect(tokenTypeParam('')).toBe('RFID');
    expect(tokenTypeParam('APP_USER')).toBe('APP_USER');
    expect(failure(() => tokenTypeParam('rfid'))).toMatchObject({ code: 2001, message: expect.stringMatching(/AD_HOC_USER, APP_USER, OTHER, RFID/) });
    expect(failure(() => tokenTypeParam(['RFID', 'OTHER']))).toMatchObject({ code: 2001, message: 'type may be given only once' });
  });

  it('always names the type in the path a CPO receives, with the uid escaped', () => {
    expect(receiverPath({ countryCode: 'DE', partyId: 'TNM' }, { uid: 'A B/1', type: 'RFID' })).toBe('/DE/TNM/A%20B%2F1?type=RFID');
  });

  it('picks the one owner, refuses none as 2004/404 and several as 2001', () => {
    expect(routeToOwner(routes, [{ countryCode: 'NL', partyId: 'TNM' }], ref)).toEqual(routes[1]);
    expect(failure(() => routeToOwner(routes, [], ref))).toMatchObject({ code: 2004, http: 404 });
    const several = failure(() => routeToOwner(routes, routes.map((r) => r.to), ref));
    expect(several).toMatchObject({ code: 2001, http: 200, message: expect.stringMatching(/DE\/TNM, NL\/TNM/) });
  });

  it('accepts a named eMSP only among the counterparts (4001 otherwise)', () => {
    expect(routeToNamedEmsp(routes, { countryCode: 'DE', partyId: 'TNM' })).toEqual(routes[0]);
    expect(failure(() => routeToNamedEmsp(routes, { countryCode: 'FR', partyId: 'TNM' }))).toMatchObject({ code: 4001 });
  });

  it('takes any object with an `allowed` string as an AuthorizationInfo to pass on', () => {
    expect(looksLikeAuthorizationInfo({ allowed: 'BLOCKED', token: {} })).toBe(true);
    expect(looksLikeAuthorizationInfo({ allowed: 'SOMETHING_NEW' })).toBe(true);
    for (const data of [undefined, null, [], 'ALLOWED', { token: {} }, { allowed: true }]) expect(looksLikeAuthorizationInfo(data)).toBe(false);
  });
});
