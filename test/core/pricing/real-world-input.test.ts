import { DEFAULT_PRICING_POLICY, priceSession, ratingTimeZone, toPricingInput, utcDateTimes, validateTariff, type InputNote } from '../../../src/core/pricing/pricing-core';

describe('reading real-world input', () => {
  it('turns date-times with UTC offsets (with or without a colon, with fractions) into the UTC instants they denote', () => {
    const notes: InputNote[] = [];
    const out = utcDateTimes(
      { a: '2022-01-13T16:55:00+01:00', b: ['2022-01-13T10:55:00.250-0500'], c: { d: '2022-01-13T15:55:00Z' }, n: 5 },
      'CDR',
      notes,
    );
    expect(out).toEqual({ a: '2022-01-13T15:55:00Z', b: ['2022-01-13T15:55:00.250Z'], c: { d: '2022-01-13T15:55:00Z' }, n: 5 });
    expect(notes).toEqual([{ code: 'DATETIME_WITH_OFFSET', message: expect.stringMatching(/The CDR writes 2 date-time\(s\) with a UTC offset \(a 2022-01-13T16:55:00\+01:00, b\[0\] 2022-01-13T10:55:00.250-0500\)/) }]);
  });

  it('returns a conforming object itself, with no note', () => {
    const notes: InputNote[] = [];
    const cdr = { start_date_time: '2022-01-13T15:55:00Z', charging_periods: [{ start_date_time: '2022-01-13T15:55:00Z' }] };
    expect(utcDateTimes(cdr, 'CDR', notes)).toBe(cdr);
    expect(notes).toEqual([]);
  });

  it('chooses the time zone: known, else a single-zone country, else UTC, and says which', () => {
    const notes: InputNote[] = [];
    expect(ratingTimeZone({ zone: 'Europe/Brussels', source: 'location' }, 'NLD', notes)).toEqual({ timeZone: 'Europe/Brussels', source: 'location' });
    expect(notes).toEqual([]);
    expect(ratingTimeZone({}, 'NLD', notes)).toEqual({ timeZone: 'Europe/Amsterdam', source: 'country' });
    expect(ratingTimeZone({}, 'jpn', notes)).toEqual({ timeZone: 'Asia/Tokyo', source: 'country' });
    for (const multiZone of ['USA', 'ESP', 'AUS', undefined]) expect(ratingTimeZone({}, multiZone, notes)).toEqual({ timeZone: 'UTC', source: 'default' });
    expect(notes.map((n) => n.code)).toEqual(['TIME_ZONE_FROM_COUNTRY', 'TIME_ZONE_FROM_COUNTRY', 'TIME_ZONE_UNKNOWN', 'TIME_ZONE_UNKNOWN', 'TIME_ZONE_UNKNOWN', 'TIME_ZONE_UNKNOWN']);
  });

  it('prices a component without vat by the missingVat policy: no incl_vat (UNKNOWN) or incl_vat = excl_vat (NONE_APPLIES)', () => {
    const checked = validateTariff({
      country_code: 'NL', party_id: 'CPO', id: 'T', currency: 'EUR', last_updated: '2024-01-01T00:00:00Z',
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }],
    });
    if (!checked.ok) throw new Error('valid');
    const input = toPricingInput(checked.tariff, {
      start_date_time: '2024-01-01T10:00:00Z', end_date_time: '2024-01-01T11:00:00Z',
      charging_periods: [{ start_date_time: '2024-01-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }] }],
    }, 'UTC');
    const unknown = priceSession(input);
    expect(unknown.total_cost).toEqual({ excl_vat: 3 });
    const none = priceSession(input, { ...DEFAULT_PRICING_POLICY, missingVat: 'NONE_APPLIES' });
    expect(none.total_cost).toEqual({ excl_vat: 3, incl_vat: 3 });
    expect(none.total_energy_cost).toEqual({ excl_vat: 3, incl_vat: 3 });
    expect([unknown, none].map((b) => b.notes.map((n) => n.code))).toEqual([['VAT_UNKNOWN'], ['VAT_UNKNOWN']]);
  });
});
