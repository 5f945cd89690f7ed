/**
 * Every tariff JSON in the spec's examples folder, listed. A fixture this table does not list fails the suite, so a
 * new example is looked at rather than skipped.
 */
import { readdirSync } from 'node:fs';
import { priceSession, toPricingInput, validateTariff } from '../../../src/core/pricing/pricing-core';
import { cdrOf, EXAMPLES_DIR, readExample } from './support';

interface FixtureExpectation {
  /** Where its worked example is tested, or why it has none. */
  workedExample: string;
  /** Expected validation errors, for the spec's own errata. */
  errors?: { path: string; message: string }[];
}

const FIXTURES: Record<string, FixtureExpectation> = {
  'tariff_1_simple_2hour.json': { workedExample: 'spec-examples: tariff_1 (2.5 h → 5.00 / 5.50)' },
  'tariff_2_alt_text.json': { workedExample: 'spec-examples: tariff_2 (2.5 h → 4.75 / 5.00)' },
  'tariff_3_alt_url.json': { workedExample: 'spec-examples: tariff_3 (20.45 kWh → 5.63 / 6.24)' },
  'tariff_4_complex.json': { workedExample: 'spec-examples: tariff_4 Monday (9.00 / 10.30) and Saturday (#579)' },
  'tariff_5_free_of_charge.json': { workedExample: 'spec-examples: tariff_5 (free of charge)' },
  'tariff_6_025kwh_start_max_price.json': { workedExample: 'spec-examples: tariff_6 (50 kWh → 10.00 / 11.00, 30 kWh → 8.00 / 8.85)' },
  'tariff_8_simple_025kwh.json': { workedExample: 'spec-examples: tariff_8 (20 kWh → 5.00 / 5.50)' },
  'tariff_9_025kwh_start.json': { workedExample: 'spec-examples: tariff_9 (20 kWh → 5.50 / 6.10)' },
  'tariff_10_025kwh_parking_start.json': { workedExample: 'spec-examples: tariff_10 (20 kWh + 40 min parking → 7.00 / 7.90)' },
  'tariff_11_not_possible_alt_text.json': {
    workedExample: 'none: "Such a tariff cannot be modeled with OCPI"; checked below against its tariff_alt_text',
  },
  'tariff_12_025kwh_min_price.json': { workedExample: 'spec-examples: tariff_12 (20 kWh, and under 2 kWh → 0.50 / 0.55)' },
  'tariff_13_simple_3hour_5parking.json': { workedExample: 'spec-examples: tariff_13 (→ 11.25 / 12.75)' },
  'tariff_14_step_size.json': { workedExample: 'spec-examples: tariff_14 switching examples #1, #2 and free of charge (#546)' },
  'tariff_15_reservation_5_euro_per_hour.json': { workedExample: 'spec-examples: tariff_15 (→ 6.75 / 7.60)' },
  'tariff_16_reservation_2_euro_fee_5_euro_per_hour.json': { workedExample: 'spec-examples: tariff_16 (→ 8.75 / 10.00)' },
  'tariff_17_reservation_with_expire_fee.json': { workedExample: 'spec-examples: tariff_17 (6.50 / 7.30; expired 6.00 / 7.20)' },
  'tariff_18_reservation_with_expire_time.json': { workedExample: 'spec-examples: tariff_18 (7.00 / 7.90; expired 9.00 / 10.80)' },
  'tariffrestriction_example_max_duration.json': { workedExample: 'spec-examples: max_duration restriction (→ 0.30)' },
  'tariffrestriction_example_max_power.json': { workedExample: 'spec-examples: max_power restriction (→ 20.30)' },
  'tariff_put_example.json': {
    workedExample: 'none: it is the body of a PUT request example',
    // Spec erratum: the example omits last_updated, which the Tariff object requires (cardinality 1), and "A PUT
    // request must specify all required fields of an object" (transport_and_format). Strict validation says so.
    errors: [{ path: 'last_updated', message: 'is required (string)' }],
  },
};

describe('spec tariff fixtures', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((file) => /^tariff.*\.json$/.test(file));

  it('are all listed here', () => {
    expect(files.length).toBeGreaterThan(0);
    expect([...files].sort()).toEqual(Object.keys(FIXTURES).sort());
  });

  describe.each(Object.entries(FIXTURES))('%s', (file, expectation) => {
    const result = validateTariff(readExample(file));

    if (expectation.errors) {
      it('fails validation exactly where the spec example is wrong', () => {
        expect(result).toEqual({ ok: false, errors: expectation.errors });
      });
      it('validates once the missing field is supplied', () => {
        const fixed = { ...(readExample(file) as object), last_updated: '2015-06-29T20:39:09Z' };
        expect(validateTariff(fixed).ok).toBe(true);
      });
      return;
    }

    it('validates', () => {
      expect(result.ok ? [] : result.errors).toEqual([]);
    });

    it('prices a session with every dimension without throwing, and never below zero', () => {
      if (!result.ok) throw new Error('invalid');
      const cdr = cdrOf('2019-03-04T09:00:00Z', [
        { kind: 'reservation', minutes: 10 },
        { kind: 'charging', minutes: 60, kwh: 11, dimensions: [{ type: 'MAX_CURRENT', volume: 16 }] },
        { kind: 'parking', minutes: 20 },
      ]);
      const b = priceSession(toPricingInput(result.tariff, cdr, 'Europe/Berlin'));
      for (const total of [b.total_cost, b.total_energy_cost, b.total_time_cost, b.total_parking_cost]) {
        expect(total.excl_vat).toBeGreaterThanOrEqual(0);
      }
      expect(b.total_energy).toBe(11);
    });
  });

  it('tariff_11 prices what its tariff_alt_text says, to the cent', () => {
    // "2.00 euro p/hour, start tariff debit card: 0.25 euro, credit card: 0.50 euro including VAT." The elements
    // model the credit-card case: 0.40 + 25% = 0.50 and 1.90 + 5.2% = 1.9988 per hour, incl. VAT.
    const result = validateTariff(readExample('tariff_11_not_possible_alt_text.json'));
    if (!result.ok) throw new Error('invalid');
    const cdr = cdrOf('2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60 }]);
    const b = priceSession(toPricingInput(result.tariff, cdr, 'UTC'));
    expect(b.total_cost).toEqual({ excl_vat: 2.3, incl_vat: 2.5 });
  });
});
