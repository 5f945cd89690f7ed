/**
 * The CDR of an unused booking (core/charging/reservation-cdr.ts), priced by the engine under the
 * reservation elements an own tariff description builds: OCPI 2.2.1 tariff example 17 ("Tariff example
 * with reservation price and expire fee": "If the driver did not start a charging session and the
 * reservation expired after the reserved time of 1 hour, the tariff would have resulted in costs of
 * € 6.00 (excl. VAT) or € 7.20 (incl. VAT)").
 */
import { unusedBookingCdr, unusedBookingCost } from '../../../src/core/charging/reservation-cdr';
import { buildOwnTariff, parseTariffDescription } from '../../../src/core/tariffs/tariffs-core';

const identity = { countryCode: 'NL', partyId: 'HUB', id: 'RES-1', lastUpdated: '2030-01-01T00:00:00Z' };
const tariffOf = (json: unknown) => {
  const parsed = parseTariffDescription(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return buildOwnTariff(parsed.value, identity);
};
const BASE = { kind: 'simple', currency: 'EUR', vat: 20, prices: { energy: 0.25 } };
const booking = (tariff: ReturnType<typeof tariffOf>, minutes = 60) => ({
  owner: { countryCode: 'NL', partyId: 'HUB' },
  cdrId: 'booking-B1',
  cdrToken: { country_code: 'NL', party_id: 'EM1', uid: 'TOK', type: 'RFID', contract_id: 'NL-EM1-C1' },
  reservedFrom: new Date('2030-06-05T08:00:00Z'),
  reservedUntil: new Date(Date.parse('2030-06-05T08:00:00Z') + minutes * 60_000),
  tariff,
  timeZone: 'Europe/Amsterdam',
  location: { id: 'SITE1' },
  lastUpdated: new Date('2030-06-05T09:00:00Z'),
});

describe('the CDR of an unused booking', () => {
  const example17 = tariffOf({ ...BASE, reservation: { time: 3, expired: { flat: 4, time: 2 } } });

  it('builds reservation elements before the base one', () => {
    expect(example17.elements.map((e) => [e.restrictions?.reservation, e.price_components.map((c) => `${c.type} ${c.price}`)])).toEqual([
      ['RESERVATION_EXPIRES', ['FLAT 4', 'TIME 2']],
      ['RESERVATION', ['TIME 3']],
      [undefined, ['ENERGY 0.25']],
    ]);
  });

  it("prices an expired hour as the spec's example 17: 6.00 excl., 7.20 incl.", () => {
    const cdr = unusedBookingCdr(booking(example17))!;
    expect(cdr).toMatchObject({
      id: 'booking-B1',
      start_date_time: '2030-06-05T08:00:00Z',
      end_date_time: '2030-06-05T09:00:00Z',
      charging_periods: [{ start_date_time: '2030-06-05T08:00:00Z', dimensions: [{ type: 'RESERVATION_TIME', volume: 1 }] }],
      total_cost: { excl_vat: 6, incl_vat: 7.2 },
      total_reservation_cost: { excl_vat: 6, incl_vat: 7.2 },
      auth_method: 'COMMAND',
    });
    expect(cdr.session_id).toBeUndefined();
    // RESERVATION's time price applies where RESERVATION_EXPIRES prices none: a flat-only expiry fee.
    const flatOnly = tariffOf({ ...BASE, reservation: { time: 3, expired: { flat: 4 } } });
    expect(unusedBookingCost(booking(flatOnly, 30)).total_cost.excl_vat).toBe(5.5);
  });

  it('makes no CDR for a tariff without reservation prices', () => {
    expect(unusedBookingCdr(booking(tariffOf(BASE)))).toBeUndefined();
  });

  it('refuses reservation prices that price nothing', () => {
    const parsed = parseTariffDescription({ ...BASE, reservation: {} });
    expect(parsed.ok ? [] : parsed.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['reservation: must price flat or time (or expired.flat/time)']);
  });
});
