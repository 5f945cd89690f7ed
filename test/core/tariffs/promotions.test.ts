/**
 * Targeted promotions in own tariffs (description `promotions`), built into OCPI elements and priced
 * by the pricing engine. The promotion is a night window 23:00–07:00 local for the nights starting
 * Friday 26 March 2027 to Sunday 28 March 2027 (end_date 29 exclusive) in Europe/Amsterdam, where
 * clocks go forward at 02:00 on Sunday 28 March (UTC+1 before, UTC+2 after). Base energy 0.40/kWh,
 * promotion 0.20/kWh, VAT 21 %.
 */
import { validateTariff, type Tariff } from '../../../src/core/pricing/pricing-core';
import { buildOwnTariff, parseTariffDescription } from '../../../src/core/tariffs/tariffs-core';
import { cdrOf, price } from '../pricing/support';

const ZONE = 'Europe/Amsterdam';
const IDENTITY = { countryCode: 'NL', partyId: 'HUB', id: 'PROMO-1', lastUpdated: '2027-03-20T08:00:00Z' };
const NIGHT = { id: 'NIGHT', start_date: '2027-03-26', end_date: '2027-03-29', start_time: '23:00', end_time: '07:00', prices: { energy: 0.2 } };
const BASE = { kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.4 } };

function build(json: unknown): Tariff {
  const parsed = parseTariffDescription(json);
  if (!parsed.ok) throw new Error(`invalid description: ${JSON.stringify(parsed.errors)}`);
  const tariff = buildOwnTariff(parsed.value, IDENTITY);
  expect(validateTariff(JSON.parse(JSON.stringify(tariff)))).toEqual({ ok: true, tariff });
  return tariff;
}

const energyCost = (tariff: Tariff, startUtc: string, minutes: number, kwh: number) =>
  price(tariff, cdrOf(startUtc, [{ kind: 'charging', minutes, kwh }]), { timeZone: ZONE }).total_energy_cost.excl_vat;

describe('promotions', () => {
  const tariff = build({ ...BASE, promotions: [NIGHT] });

  it('become restricted elements before every other one: the night until midnight, and after midnight one date later', () => {
    const component = (p: number) => [{ type: 'ENERGY', price: p, vat: 21, step_size: 1 }];
    expect(tariff.elements).toEqual([
      { price_components: component(0.2), restrictions: { start_time: '23:00', end_time: '00:00', start_date: '2027-03-26', end_date: '2027-03-29' } },
      { price_components: component(0.2), restrictions: { start_time: '00:00', end_time: '07:00', start_date: '2027-03-27', end_date: '2027-03-30' } },
      { price_components: component(0.4) },
    ]);
    // Over a time-of-use window too: the promotion is listed first, so it is the first element that matches.
    const tou = build({ ...BASE, kind: 'time_of_use', windows: [{ start_time: '22:00', end_time: '06:00', prices: { energy: 0.3 } }], promotions: [NIGHT] });
    expect(tou.elements.map((e) => e.price_components[0].price)).toEqual([0.2, 0.2, 0.3, 0.4]);
  });

  it('starts exactly at 23:00 local on its first date and not the morning before', () => {
    // Friday 22:00–23:00 local (UTC+1): all base, 10 × 0.40.
    expect(energyCost(tariff, '2027-03-26T21:00:00Z', 60, 10)).toBe(4);
    // Friday 22:30–23:30: 5 × 0.40 + 5 × 0.20.
    expect(energyCost(tariff, '2027-03-26T21:30:00Z', 60, 10)).toBe(3);
    // Friday 06:00–07:00, before the first night: base.
    expect(energyCost(tariff, '2027-03-26T05:00:00Z', 60, 10)).toBe(4);
  });

  it('runs across midnight within one night', () => {
    // Friday 23:30 – Saturday 00:30 local: all promoted, 10 × 0.20.
    expect(energyCost(tariff, '2027-03-26T22:30:00Z', 60, 10)).toBe(2);
  });

  it('holds through the night the clocks go forward, in the location\'s zone', () => {
    // Saturday 23:00 (UTC+1, 22:00Z) to Sunday 07:00 (UTC+2, 05:00Z): 7 real hours, 14 kWh, all at 0.20.
    expect(energyCost(tariff, '2027-03-27T22:00:00Z', 7 * 60, 14)).toBe(2.8);
    // Sunday 06:30–07:30 local (UTC+2): 5 × 0.20 + 5 × 0.40.
    expect(energyCost(tariff, '2027-03-28T04:30:00Z', 60, 10)).toBe(3);
  });

  it('ends with its last night\'s morning and expires by its dates', () => {
    // Monday 29 06:30–07:30 local: the last night (started Sunday 28) ends at 07:00.
    expect(energyCost(tariff, '2027-03-29T04:30:00Z', 60, 10)).toBe(3);
    // Monday 29 23:30 – Tuesday 00:30: end_date 29 is exclusive, no promotion that night.
    expect(energyCost(tariff, '2027-03-29T21:30:00Z', 60, 10)).toBe(4);
  });

  it('with days, holds only on the nights starting on those days', () => {
    const friday = build({ ...BASE, promotions: [{ ...NIGHT, days: ['FRIDAY'] }] });
    expect(friday.elements[0].restrictions).toMatchObject({ day_of_week: ['FRIDAY'], start_date: '2027-03-26' });
    expect(friday.elements[1].restrictions).toMatchObject({ day_of_week: ['SATURDAY'], start_date: '2027-03-27' });
    expect(energyCost(friday, '2027-03-26T22:30:00Z', 60, 10)).toBe(2); // Friday night
    expect(energyCost(friday, '2027-03-27T22:30:00Z', 60, 10)).toBe(4); // Saturday night: not promoted
  });

  it('refuses a promotion that would end before it starts, price what the base does not, or repeat an id', () => {
    const errors = (json: unknown) => {
      const parsed = parseTariffDescription(json);
      return parsed.ok ? [] : parsed.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(errors({ ...BASE, promotions: [{ ...NIGHT, end_date: '2027-03-26' }] })).toEqual(['promotions[0].end_date: must be after start_date (it is exclusive)']);
    expect(errors({ ...BASE, promotions: [{ ...NIGHT, prices: { time: 1 } }] })[0]).toMatch(/^promotions\[0\]\.prices\.time: needs a base prices\.time too/);
    expect(errors({ ...BASE, promotions: [NIGHT, NIGHT] })).toEqual(['promotions[1].id: repeats promotion NIGHT']);
    expect(errors({ ...BASE, promotions: [{ ...NIGHT, start_time: undefined }] })).toEqual(['promotions[0]: needs both start_time and end_time, or neither (the whole day)']);
  });
});
