// Pricing OCPI 2.3.0 tariffs (priceTariffV230) with the hub's engine: the worked examples of the 2.3.0 text
// (mod_tariffs.asciidoc, tag v2.3.0) that give totals, as 2.3.0 Prices with tax lines per tax_included.
import { TariffV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariffs.v230.schema';
import { priceTariffV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariff-pricing.v230';
import { cdrOf, type Stretch } from '../pricing/support';
import { example230, type Json } from './v230-support';

const START = '2019-03-04T09:00:00Z';
const priced = (file: string, stretches: Stretch[], timeZone = 'Europe/Berlin', patch: Json = {}) =>
  priceTariffV230(TariffV230.parse({ ...example230<Json>(file), ...patch }), cdrOf(START, stretches), timeZone);

describe('2.3.0 tariffs priced with tax lines', () => {
  it('tariff_8: "costs of € 5.00 (excl. VAT) or € 5.50 (incl. VAT) when 20 kWh are charged"', () => {
    const p = priced('tariff_8_simple_025kwh.json', [{ kind: 'charging', minutes: 60, kwh: 20 }]);
    expect(p.taxIncluded).toBe('NO');
    expect(p.prices.total_cost).toEqual({ before_taxes: 5, taxes: [{ name: 'VAT', percentage: 10, amount: 0.5 }] });
    expect(p.prices.total_energy_cost).toEqual({ before_taxes: 5, taxes: [{ name: 'VAT', percentage: 10, amount: 0.5 }] });
    expect(p.losses).toEqual([]);
  });

  it('tariff_9: "€ 5.50 (excl. VAT) or € 6.10 (incl. VAT)": two rates, so total_cost has no single percentage', () => {
    const p = priced('tariff_9_025kwh_start.json', [{ kind: 'charging', minutes: 60, kwh: 20 }]);
    expect(p.prices.total_cost).toEqual({ before_taxes: 5.5, taxes: [{ name: 'VAT', amount: 0.6 }] });
    expect(p.prices.total_fixed_cost).toEqual({ before_taxes: 0.5, taxes: [{ name: 'VAT', percentage: 20, amount: 0.1 }] });
  });

  it('tariff_12: "if less than 2 kWh is charged, € 0.50 (excl. VAT) or € 0.55 (incl. VAT) will be billed" (PriceLimit)', () => {
    const p = priced('tariff_12_025kwh_min_price.json', [{ kind: 'charging', minutes: 20, kwh: 1.5 }]);
    expect(p.prices.total_cost).toEqual({ before_taxes: 0.5, taxes: [{ name: 'VAT', percentage: 10, amount: 0.05 }] });
    expect(p.breakdown.limitApplied).toBe('MIN_PRICE');
  });

  it('tariff_6: "costs of € 10.00 (excl. VAT) or € 11.00 (incl. VAT) due to the price limit" for 50 kWh', () => {
    const p = priced('tariff_6_025kwh_start_max_price.json', [{ kind: 'charging', minutes: 120, kwh: 50 }]);
    expect(p.prices.total_cost).toMatchObject({ before_taxes: 10, taxes: [{ name: 'VAT', amount: 1 }] });
    expect(p.breakdown.limitApplied).toBe('MAX_PRICE');
  });

  it('tariff_1: "For a charging session of 2.5 hours … € 5.00 (excl. VAT) or € 5.50 (incl. VAT)"', () => {
    const p = priced('tariff_1_simple_2hour.json', [{ kind: 'charging', minutes: 150 }]);
    expect(p.prices.total_cost).toEqual({ before_taxes: 5, taxes: [{ name: 'VAT', percentage: 10, amount: 0.5 }] });
  });

  it('tariff_13: "total cost of € 11.25 (excl. VAT) or € 12.75 (incl. VAT)"', () => {
    const p = priced('tariff_13_simple_3hour_5parking.json', [
      { kind: 'charging', minutes: 150 },
      { kind: 'parking', minutes: 42 },
    ]);
    expect(p.prices.total_cost).toMatchObject({ before_taxes: 11.25, taxes: [{ name: 'VAT', amount: 1.5 }] });
    expect(p.prices.total_parking_cost).toEqual({ before_taxes: 3.75, taxes: [{ name: 'VAT', percentage: 20, amount: 0.75 }] });
  });

  it('tariff_19 (NO, no vat): "costs of C$ 5.00, plus taxes according to locally applicable legislation": no tax line is made up', () => {
    const p = priced('tariff_19_simple_north_american_exclusive.json', [{ kind: 'charging', minutes: 150 }], 'America/Toronto');
    expect(p.prices.total_cost).toEqual({ before_taxes: 5 });
    expect(p.breakdown.notes.map((n) => n.code)).toContain('VAT_UNKNOWN');
  });

  it('tariff_20 (YES, no vat): "costs of C$ 5.25. All taxes that are due are included": after taxes only', () => {
    const p = priced('tariff_20_simple_north_american_inclusive.json', [{ kind: 'charging', minutes: 150 }], 'America/Toronto');
    expect(p.afterTaxes?.total_cost).toBe(5.25);
    expect(p.prices).toEqual({});
  });

  it('YES with vat: prices taken out of VAT, then taxed again: tariff_1 written tax-inclusive (€ 2.20/h at 10%) gives € 5.00 + € 0.50', () => {
    const inclusive = {
      tax_included: 'YES',
      elements: [{ price_components: [{ type: 'TIME', price: 2.2, vat: 10, step_size: 300 }] }],
    };
    const p = priced('tariff_1_simple_2hour.json', [{ kind: 'charging', minutes: 150 }], 'Europe/Berlin', inclusive);
    expect(p.prices.total_cost).toEqual({ before_taxes: 5, taxes: [{ name: 'VAT', percentage: 10, amount: 0.5 }] });
    expect(p.losses.map((l) => [l.path, l.kind])).toEqual([
      ['tax_included', 'field_dropped'],
      ['elements[0].price_components[0].price', 'value_narrowed'],
    ]);
  });

  it('N/A: no taxes apply, so each Price lists none', () => {
    const p = priced('tariff_19_simple_north_american_exclusive.json', [{ kind: 'charging', minutes: 150 }], 'America/Toronto', { tax_included: 'N/A' });
    expect(p.prices.total_cost).toEqual({ before_taxes: 5, taxes: [] });
  });
});
