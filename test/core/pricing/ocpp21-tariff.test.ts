import { chargerCostCheck, ocpp21Tariff } from '../../../src/core/pricing/pricing-core';
import type { Tariff } from '../../../src/core/pricing/tariff.schema';

/** OCPI tariffs as OCPP 2.1 default tariffs, and a station's own cost against the CDR (pure). */
describe('ocpp21Tariff', () => {
  const base = { country_code: 'NL', party_id: 'HUB', currency: 'EUR', last_updated: '2026-01-01T00:00:00Z' };

  it('maps each dimension with its restrictions as conditions, in element order, units converted', () => {
    const tariff: Tariff = {
      ...base,
      id: 'DAYNIGHT',
      min_price: { excl_vat: 1, incl_vat: 1.21 },
      tariff_alt_text: [{ language: 'en', text: '0.30/kWh by day' }],
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00', day_of_week: ['MONDAY', 'FRIDAY'], min_kwh: 1.5, max_power: 11 } },
        { price_components: [{ type: 'ENERGY', price: 0.2, vat: 21, step_size: 1 }] },
        { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }], restrictions: { start_date: '2026-01-01', min_kwh: 2 } },
        { price_components: [{ type: 'PARKING_TIME', price: 6, vat: 21, step_size: 300 }] },
        { price_components: [{ type: 'TIME', price: 1.2, step_size: 60 }], restrictions: { reservation: 'RESERVATION' } },
      ],
    };
    const { tariff: out, notes } = ocpp21Tariff(tariff);
    expect(out).toEqual({
      tariffId: 'DAYNIGHT',
      currency: 'EUR',
      description: [{ format: 'UTF8', language: 'en', content: '0.30/kWh by day' }],
      energy: {
        prices: [
          { priceKwh: 0.3, conditions: { startTimeOfDay: '07:00', endTimeOfDay: '23:00', dayOfWeek: ['Monday', 'Friday'], minEnergy: 1500, maxPower: 11000 } },
          { priceKwh: 0.2 },
        ],
        taxRates: [{ type: 'VAT', tax: 21 }],
      },
      // a fixed price takes only the time and date conditions (TariffConditionsFixedType)
      fixedFee: { prices: [{ priceFixed: 0.5, conditions: { validFromDate: '2026-01-01' } }], taxRates: [{ type: 'VAT', tax: 21 }] },
      idleTime: { prices: [{ priceMinute: 0.1 }], taxRates: [{ type: 'VAT', tax: 21 }] },
      reservationTime: { prices: [{ priceMinute: 0.02 }] },
      minCost: { exclTax: 1, inclTax: 1.21 },
    });
    expect(notes.map((n) => n.code)).toEqual(['STEP_SIZE', 'STEP_SIZE']);
  });

  it('names what OCPP 2.1 cannot carry: an expired reservation\'s price, several VAT rates in one dimension', () => {
    const { tariff, notes } = ocpp21Tariff({
      ...base,
      id: 'ODD',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }], restrictions: { max_kwh: 10 } },
        { price_components: [{ type: 'ENERGY', price: 0.2, vat: 9, step_size: 1 }] },
        { price_components: [{ type: 'FLAT', price: 5, step_size: 1 }], restrictions: { reservation: 'RESERVATION_EXPIRES' } },
      ],
    });
    expect(notes.map((n) => n.code).sort()).toEqual(['RESERVATION_EXPIRES', 'SEVERAL_VAT_RATES']);
    expect(tariff).not.toHaveProperty('reservationFixed');
    expect((tariff.energy as { taxRates: unknown }).taxRates).toEqual([{ type: 'VAT', tax: 21 }]);
  });
});

describe('chargerCostCheck', () => {
  const cdr = { currency: 'EUR', total_cost: { excl_vat: 3.5, incl_vat: 3.85 } };
  const reported = (exclTax: number, inclTax?: number, currency = 'EUR') => ({ totalCost: { currency, total: { exclTax, ...(inclTax !== undefined && { inclTax }) } } });

  it('matches within the tolerance and names each total beyond it', () => {
    expect(chargerCostCheck(reported(3.505, 3.85), cdr, 0.01)).toEqual({ differences: [], notes: [expect.objectContaining({ code: 'CHARGER_COST_MATCH' })] });
    expect(chargerCostCheck(reported(3.2), cdr, 0.01).differences).toEqual([{ field: 'charger_cost.excl_vat', computed: 3.5, reported: 3.2, difference: -0.3 }]);
  });

  it('compares the energy the station measured with the CDR\'s, to the watt-hour', () => {
    const withUsage = (wh: number) => ({ ...reported(3.5, 3.85), totalUsage: { energy: wh, chargingTime: 1800, idleTime: 0 } });
    expect(chargerCostCheck(withUsage(10_000.4), { ...cdr, total_energy: 10 }, 0.01).differences).toEqual([]);
    expect(chargerCostCheck(withUsage(9_500), { ...cdr, total_energy: 10 }, 0.01).differences).toEqual([{ field: 'charger_usage.energy', computed: 10, reported: 9.5, difference: -0.5 }]);
  });

  it('a different currency is a difference; no figure or a failed calculation is a note only', () => {
    expect(chargerCostCheck(reported(3.5, 3.85, 'USD'), cdr, 0.01).differences.map((d) => d.field)).toEqual(['charger_cost.currency']);
    expect(chargerCostCheck({ failureToCalculate: true, failureReason: 'no tariff' }, cdr, 0.01)).toEqual({
      differences: [],
      notes: [{ code: 'CHARGER_COST_NOT_CALCULATED', message: 'The charger could not calculate its cost: no tariff' }],
    });
    expect(chargerCostCheck({}, cdr, 0.01).notes[0].code).toBe('CHARGER_COST_MISSING');
  });
});
