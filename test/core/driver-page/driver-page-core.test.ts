import fc from 'fast-check';
import { adHocPriceDisplay } from '../../../src/core/driver-page/ad-hoc-price-display';
import { driverReceipt } from '../../../src/core/driver-page/driver-receipt';
import { acceptedLanguages, driverLanguage, fill, localMoney, offeredLanguages } from '../../../src/core/driver-page/driver-messages';
import { groupedShortCode, newShortCode, readShortCode, SHORT_CODE, SHORT_CODE_ALPHABET } from '../../../src/core/driver-page/evse-short-codes';
import { seededRandom } from '../../../src/core/seeded-random';
import type { Tariff } from '../../../src/core/pricing/tariff.schema';

const base = { country_code: 'DE', party_id: 'HUB', currency: 'EUR', last_updated: '2026-01-01T00:00:00Z' };

describe('the ad hoc price as the driver sees it (AFIR order, incl. VAT, from the pricing core)', () => {
  it('shows per kWh, per minute, per session and parking in that order, incl. VAT, and a typical session priced by the engine', () => {
    const tariff: Tariff = {
      ...base,
      id: 'ADHOC',
      elements: [
        {
          price_components: [
            // Listed out of AFIR's order on purpose: the display orders them.
            { type: 'PARKING_TIME', price: 6, vat: 19, step_size: 300 },
            { type: 'FLAT', price: 1, vat: 19, step_size: 1 },
            { type: 'TIME', price: 2, vat: 19, step_size: 60 },
            { type: 'ENERGY', price: 0.25, vat: 19, step_size: 1 },
          ],
        },
      ],
    };
    const shown = adHocPriceDisplay(tariff, new Date('2026-12-02T10:00:00Z'), 'Europe/Berlin');
    expect(shown.lines).toEqual([
      { dimension: 'ENERGY', unit: 'kWh', priceInclVat: '0.2975', priceExclVat: '0.25', vat: 19, step: null },
      // 2.00/h = 0.0333…/min excl., 0.03966…/min incl.
      { dimension: 'TIME', unit: 'minute', priceInclVat: '0.0397', priceExclVat: '0.0333', vat: 19, step: null },
      { dimension: 'FLAT', unit: 'session', priceInclVat: '1.19', priceExclVat: '1.00', vat: 19, step: null },
      { dimension: 'PARKING_TIME', unit: 'parking_minute', priceInclVat: '0.119', priceExclVat: '0.10', vat: 19, step: '5' },
    ]);
    // 20 kWh × 0.25 + 1 h × 2 + 1 flat = 8.00 excl., 9.52 incl. (no parking in the typical session).
    expect(shown.typical).toEqual({ kwh: 20, minutes: 60, totalExclVat: '8.00', totalInclVat: '9.52' });
    expect(shown.varies).toBe(false);
  });

  it('takes the element in force at the location\'s local time (time of use), and says the price varies', () => {
    const tariff: Tariff = {
      ...base,
      id: 'TOU',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.4, vat: 10, step_size: 1 }], restrictions: { start_time: '18:00', end_time: '22:00' } },
        { price_components: [{ type: 'ENERGY', price: 0.3, vat: 10, step_size: 1 }] },
      ],
      max_price: { excl_vat: 20, incl_vat: 22 },
    };
    // 18:30 UTC is 19:30 in Berlin: the evening element.
    const evening = adHocPriceDisplay(tariff, new Date('2026-12-02T18:30:00Z'), 'Europe/Berlin');
    expect(evening.lines.map((l) => l.priceInclVat)).toEqual(['0.44']);
    // 21:30 UTC is 22:30 in Berlin: past the window, the fallback.
    const night = adHocPriceDisplay(tariff, new Date('2026-12-02T21:30:00Z'), 'Europe/Berlin');
    expect(night.lines.map((l) => l.priceInclVat)).toEqual(['0.33']);
    expect(night.typical).toMatchObject({ totalExclVat: '6.00', totalInclVat: '6.60' });
    expect(evening).toMatchObject({ varies: true, maxPrice: '22.00', minPrice: null });
  });

  it('shows the excl. VAT price with vat null when the tariff states no VAT, and leaves out free components', () => {
    const tariff: Tariff = { ...base, id: 'NOVAT', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 100 }, { type: 'TIME', price: 0, step_size: 60 }] }] };
    const shown = adHocPriceDisplay(tariff, new Date('2026-12-02T10:00:00Z'), 'Europe/Amsterdam', { kwh: 10, minutes: 30 });
    expect(shown.lines).toEqual([{ dimension: 'ENERGY', unit: 'kWh', priceInclVat: '0.30', priceExclVat: '0.30', vat: null, step: '0.1' }]);
    expect(shown.typical).toEqual({ kwh: 10, minutes: 30, totalExclVat: '3.00', totalInclVat: '3.00' });
  });
});

describe('the driver\'s receipt from the CDR', () => {
  const period = (kwh: number, hours: number) => ({
    start_date_time: '2026-12-02T10:00:00Z',
    end_date_time: new Date(Date.parse('2026-12-02T10:00:00Z') + hours * 3_600_000).toISOString().replace('.000', ''),
    charging_periods: [{ start_date_time: '2026-12-02T10:00:00Z', dimensions: [{ type: 'ENERGY' as const, volume: kwh }, { type: 'TIME' as const, volume: hours }] }],
  });
  const own: Tariff = { ...base, id: 'OWN', elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, vat: 10, step_size: 1 }, { type: 'TIME', price: 2, vat: 10, step_size: 60 }] }] };

  it('rounds each line to the currency and gives the cents rounding leaves to the largest line, so it adds up to the CDR', () => {
    // 12.5 kWh and one minute: 3.125 + 0.0333 = 3.158 excl. (3.16 on the CDR), 3.474 incl. (3.47).
    const receipt = driverReceipt({ ...period(12.5, 1 / 60), currency: 'EUR', total_cost: { excl_vat: 3.16, incl_vat: 3.47 } }, own, 'Europe/Amsterdam');
    expect(receipt).toEqual({
      currency: 'EUR',
      lines: [
        { dimension: 'ENERGY', quantity: '12.500', netAmount: '3.13', vat: 10 },
        { dimension: 'TIME', quantity: '1', netAmount: '0.03', vat: 10 },
      ],
      vat: [{ rate: 10, net: '3.16', vat: '0.31' }],
      totalExclVat: '3.16',
      totalInclVat: '3.47',
    });
  });

  it('groups VAT per rate', () => {
    const mixed: Tariff = { ...base, id: 'MIX', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 19, step_size: 1 }, { type: 'FLAT', price: 1, vat: 0, step_size: 1 }] }] };
    const receipt = driverReceipt({ ...period(10, 1), currency: 'EUR', total_cost: { excl_vat: 4, incl_vat: 4.57 } }, mixed, 'Europe/Berlin');
    expect(receipt.lines.map((l) => [l.dimension, l.netAmount, l.vat])).toEqual([
      ['ENERGY', '3.00', 19],
      ['FLAT', '1.00', 0],
    ]);
    expect(receipt.vat).toEqual([
      { rate: 0, net: '1.00', vat: '0.00' },
      { rate: 19, net: '3.00', vat: '0.57' },
    ]);
  });

  it('shows a price limit that moved the total as its own line', () => {
    const capped: Tariff = { ...own, id: 'CAP', max_price: { excl_vat: 2, incl_vat: 2.2 } };
    const receipt = driverReceipt({ ...period(20, 0), currency: 'EUR', total_cost: { excl_vat: 2, incl_vat: 2.2 } }, capped, 'Europe/Amsterdam');
    expect(receipt.lines).toEqual([
      { dimension: 'ENERGY', quantity: '20.000', netAmount: '5.00', vat: 10 },
      { dimension: 'PRICE_LIMIT', quantity: '1', netAmount: '-3.00', vat: 10 },
    ]);
    expect(receipt.vat).toEqual([{ rate: 10, net: '2.00', vat: '0.20' }]);
    // No tariff on the CDR: one line of its total.
    expect(driverReceipt({ ...period(20, 1), currency: 'EUR', total_cost: { excl_vat: 6, incl_vat: 6.6 } }, undefined, 'UTC').lines).toEqual([
      { dimension: 'PRICE_LIMIT', quantity: '1', netAmount: '6.00', vat: 10 },
    ]);
  });
});

describe('EVSE short codes', () => {
  it('are 10 Crockford base32 characters, read back from what drivers type', () => {
    const random = seededRandom(7);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
    const code = newShortCode(bytes);
    expect(code).toMatch(SHORT_CODE);
    expect(readShortCode(code.toLowerCase())).toBe(code);
    expect(readShortCode(groupedShortCode(code))).toBe(code);
    expect(groupedShortCode('ABCDE12345')).toBe('ABCDE-12345');
    expect(readShortCode('0o1il-ABCDE')).toBe('00111ABCDE');
    expect(readShortCode('ABCDE1234U')).toBeUndefined(); // U is not in the alphabet
    expect(readShortCode('ABCDE1234')).toBeUndefined();
    expect(readShortCode('../../etc')).toBeUndefined();
  });

  it('use every character of the alphabet evenly (every byte maps to one of 32, none favoured)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (raw) => {
        const code = newShortCode(() => raw);
        expect(code).toMatch(SHORT_CODE);
        expect([...code].map((c) => SHORT_CODE_ALPHABET.indexOf(c))).toEqual([...raw].map((b) => b % 32));
      }),
      { seed: 16, numRuns: 200 },
    );
  });
});

describe('the driver page\'s language', () => {
  it('follows the browser when the page has its language, else the country, else English', () => {
    expect(driverLanguage({ acceptLanguage: 'fr-BE,fr;q=0.9,en;q=0.5', countryCode: 'DE' })).toBe('fr');
    expect(driverLanguage({ acceptLanguage: 'pl-PL,pl;q=0.9', countryCode: 'DE' })).toBe('de');
    expect(driverLanguage({ acceptLanguage: 'pl-PL,en;q=0.3', countryCode: 'DE' })).toBe('en');
    expect(driverLanguage({ acceptLanguage: 'de;q=0.2,nl;q=0.8', countryCode: 'FR' })).toBe('nl');
    expect(driverLanguage({ countryCode: 'IT' })).toBe('en');
    expect(driverLanguage({ chosen: 'en', acceptLanguage: 'de', countryCode: 'DE' })).toBe('en');
    expect(driverLanguage({ chosen: 'xx', acceptLanguage: 'nl', countryCode: 'DE' })).toBe('nl');
    expect(acceptedLanguages('en;q=0, de , *')).toEqual(['de']);
    expect(offeredLanguages('NL')).toEqual(['nl', 'en']);
    expect(offeredLanguages('GB')).toEqual(['en']);
  });

  it('fills placeholders and writes numbers the language\'s way', () => {
    expect(fill('{kwh} kWh in {minutes} min, {unknown}', { kwh: 20, minutes: 60 })).toBe('20 kWh in 60 min, {unknown}');
    expect(localMoney('12.34', 'EUR', 'de')).toBe('12,34 EUR');
    expect(localMoney('12.34', 'EUR', 'en')).toBe('12.34 EUR');
  });
});
