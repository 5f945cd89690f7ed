import type { Context } from 'koa';
import { readRoutingHeaders, routingHeaderValues } from '../../../src/hub/ocpi/routing-headers';
import { OcpiError } from '../../../src/hub/ocpi/ocpi-errors';

const ctxWith = (headers: Record<string, string>) =>
  ({ get: (name: string) => headers[name.toLowerCase()] ?? '' }) as unknown as Context;

describe('routing headers', () => {
  it('reads to and from, upper-casing CiStrings', () => {
    const headers = readRoutingHeaders(
      ctxWith({ 'ocpi-to-country-code': 'nl', 'ocpi-to-party-id': 'abc', 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'XY1' }),
    );
    expect(headers).toEqual({ to: { countryCode: 'NL', partyId: 'ABC' }, from: { countryCode: 'DE', partyId: 'XY1' } });
    expect(routingHeaderValues(headers)).toEqual({
      'OCPI-to-country-code': 'NL',
      'OCPI-to-party-id': 'ABC',
      'OCPI-from-country-code': 'DE',
      'OCPI-from-party-id': 'XY1',
    });
  });

  it('allows open routing (no to-headers)', () => {
    expect(readRoutingHeaders(ctxWith({ 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'XY1' })).to).toBeUndefined();
  });

  it.each([
    [{ 'ocpi-to-country-code': 'NL' }, /sent together/],
    [{ 'ocpi-to-country-code': 'NLD', 'ocpi-to-party-id': 'ABC' }, /2-letter/],
    [{ 'ocpi-from-country-code': 'NL', 'ocpi-from-party-id': 'AB' }, /3 letters/],
    [{ 'ocpi-from-country-code': 'N1', 'ocpi-from-party-id': 'ABC' }, /2-letter/],
  ])('rejects %j with 2001', (headers, message) => {
    let error: unknown;
    try {
      readRoutingHeaders(ctxWith(headers as Record<string, string>));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OcpiError);
    expect(error).toMatchObject({ statusCode: 2001 });
    expect((error as Error).message).toMatch(message);
  });
});
