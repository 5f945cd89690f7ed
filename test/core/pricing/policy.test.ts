/**
 * The rounding policy: each default and why, each option and what it changes.
 * "The OCPI specification stays out of these matters." (mod_tariffs, NOTE on price rounding), so these are choices.
 */
import { DEFAULT_PRICING_POLICY, priceSession, toPricingInput } from '../../../src/core/pricing/pricing-core';
import { exactOf, exactProduct, exactSum, roundedNumber, roundRatio } from '../../../src/core/pricing/money';
import { seededRandom } from '../../../src/core/seeded-random';
import { cdrOf, exampleTariff, policyWith, price, tariffWith } from './support';

// tariff_3: "For a charging session where 20.45 kWh are charged … Energy costs: € 5.13 (excl. VAT) … Total: € 5.63"
const tariff3With = (overrides: Parameters<typeof policyWith>[0]) =>
  price(exampleTariff('tariff_3_alt_url.json'), cdrOf('2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 20.45 }]), {
    policy: policyWith(overrides),
  });
// tariff_4, Monday: "| Total | | | 9.00 | | 10.30" from lines 2.875 + 3.30 + 4.125 incl. VAT.
const tariff4Monday = (overrides: Parameters<typeof policyWith>[0]) =>
  price(
    exampleTariff('tariff_4_complex.json'),
    cdrOf('2019-06-03T07:30:00Z', [
      { kind: 'charging', minutes: 165, dimensions: [{ type: 'MAX_CURRENT', volume: 16 }] },
      { kind: 'parking', minutes: 42 },
    ]),
    { policy: policyWith(overrides) },
  );

describe('the default policy', () => {
  it('is two decimals, half up, rounded once at the end, with step_size, quantities to four decimals', () => {
    expect(DEFAULT_PRICING_POLICY).toEqual({
      currencyDecimals: 2,
      rounding: 'HALF_UP',
      roundPartsBeforeTotal: false,
      applyStepSize: true,
      quantityDecimals: 4,
    });
    expect(Object.isFrozen(DEFAULT_PRICING_POLICY)).toBe(true);
  });

  it('rounds halves up, as the spec does in tariff_3 (5.125 → 5.13, 5.625 → 5.63)', () => {
    const b = tariff3With({});
    expect(b.total_energy_cost.excl_vat).toBe(5.13);
    expect(b.total_cost.excl_vat).toBe(5.63);
  });

  it('rounds the total from exact parts, as the spec does in tariff_4 (2.875 + 3.30 + 4.125 = 10.30)', () => {
    const b = tariff4Monday({});
    expect(b.total_cost.incl_vat).toBe(10.3);
    // Each part is rounded for reporting on its own, so the parts add up to a cent more than the total.
    const parts = [b.total_fixed_cost, b.total_time_cost, b.total_parking_cost].map((p) => p.incl_vat ?? 0);
    expect(parts).toEqual([2.88, 3.3, 4.13]);
  });
});

describe('policy options', () => {
  it('HALF_EVEN rounds 5.125 to 5.12 and 5.625 to 5.62', () => {
    const b = tariff3With({ rounding: 'HALF_EVEN' });
    expect(b.total_energy_cost.excl_vat).toBe(5.12);
    expect(b.total_cost.excl_vat).toBe(5.62);
  });

  it.each([
    ['UP', 5.63, 6.24],
    ['DOWN', 5.62, 6.23],
    ['HALF_DOWN', 5.62, 6.24], // 6.2375 is not a half
  ] as const)('%s gives %s / %s for tariff_3', (rounding, excl, incl) => {
    expect(tariff3With({ rounding }).total_cost).toEqual({ excl_vat: excl, incl_vat: incl });
  });

  it('roundPartsBeforeTotal makes total_cost the sum of the reported parts (tariff_4 then totals 10.31)', () => {
    const b = tariff4Monday({ roundPartsBeforeTotal: true });
    expect(b.total_cost).toEqual({ excl_vat: 9, incl_vat: 10.31 });
  });

  it('currencyDecimals 0 rounds to whole currency units', () => {
    expect(tariff3With({ currencyDecimals: 0 }).total_cost).toEqual({ excl_vat: 6, incl_vat: 6 });
  });

  it('currencyDecimals 3 reports tenths of a cent', () => {
    expect(tariff3With({ currencyDecimals: 3 }).total_cost).toEqual({ excl_vat: 5.625, incl_vat: 6.238 });
  });

  it('applyStepSize false bills the metered quantity (tariff_3: 20.45 kWh, not 20.5)', () => {
    const b = tariff3With({ applyStepSize: false });
    expect(b.total_energy_cost.excl_vat).toBe(5.11); // 5.1125
    expect(b.lines.find((l) => l.dimension === 'ENERGY')?.billed).toBe(20.45);
  });

  it('quantityDecimals sets how quantities are reported, never what is charged', () => {
    const tariff = tariffWith([{ price_components: [{ type: 'TIME', price: 60, vat: 0, step_size: 0 }] }]);
    const cdr = cdrOf('2024-01-08T09:00:00Z', [{ kind: 'charging', minutes: 7 }]);
    const b = priceSession(toPricingInput(tariff, cdr, 'UTC'), policyWith({ quantityDecimals: 2 }));
    expect(b.total_time).toBe(0.12);
    expect(b.total_cost.excl_vat).toBe(7); // 7/60 h × 60, not 0.12 h × 60
  });

  it('rejects a policy that cannot be applied', () => {
    const tariff = tariffWith([{ price_components: [{ type: 'FLAT', price: 1, step_size: 0 }] }]);
    const input = toPricingInput(tariff, cdrOf('2024-01-08T09:00:00Z', []), 'UTC');
    expect(() => priceSession(input, policyWith({ currencyDecimals: 9 }))).toThrow(RangeError);
    expect(() => priceSession(input, policyWith({ currencyDecimals: 1.5 }))).toThrow(RangeError);
    expect(() => priceSession(input, policyWith({ quantityDecimals: -1 }))).toThrow(RangeError);
  });
});

describe('exact rounding of a ratio', () => {
  // 1/8 = 0.125, 3/8 = 0.375, -1/8, 1/3: to two decimals.
  it.each([
    ['HALF_UP', [13n, 38n, -13n, 33n]],
    ['HALF_EVEN', [12n, 38n, -12n, 33n]],
    ['HALF_DOWN', [12n, 37n, -12n, 33n]],
    ['UP', [13n, 38n, -13n, 34n]],
    ['DOWN', [12n, 37n, -12n, 33n]],
  ] as const)('%s', (mode, expected) => {
    const cases: [bigint, bigint][] = [
      [1n, 8n],
      [3n, 8n],
      [-1n, 8n],
      [1n, 3n],
    ];
    expect(cases.map(([n, d]) => roundRatio(n, d, 2, mode))).toEqual(expected);
  });

  it('reports the nearest number to the rounded decimal', () => {
    expect(roundedNumber(1n, 10n, 2, 'HALF_UP')).toBe(0.1);
    expect(roundedNumber(123456789n, 1000n, 2, 'HALF_UP')).toBe(123456.79);
    expect(roundedNumber(0n, 7n, 2, 'HALF_UP')).toBe(0);
  });

  it('gives the same number from doubles (amounts below 2^51) as from BigInt, halves and -0 included', () => {
    const random = seededRandom(51);
    const modes = ['HALF_UP', 'HALF_EVEN', 'HALF_DOWN', 'UP', 'DOWN'] as const;
    const big = (digits: number) => BigInt(Math.floor(random() * 10 ** digits));
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const decimals = i % 9;
      const denominator = [8n, 3n, 18_000_000n * 10n ** BigInt(i % 7), big(12) + 1n, 2n ** 50n + 1n][i % 5];
      // Exact halves and near-integers, where a double division is a unit off, beside ordinary amounts.
      const kind = i % 4;
      let numerator = kind === 0 ? big(15) : kind === 1 ? big(5) * denominator + denominator / 2n : kind === 2 ? big(4) * denominator - 1n : big(2);
      if (random() < 0.5) numerator = -numerator;
      for (const mode of modes) {
        const exact = roundRatio(numerator, denominator, decimals, mode);
        const expected = exact === 0n ? 0 : Number(exact) / Number(10n ** BigInt(decimals));
        expect(Object.is(roundedNumber(numerator, denominator, decimals, mode), numerator === 0n ? 0 : expected)).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(100_000);
  });
});

describe('exact amounts in doubles and BigInts', () => {
  const SAFE = 2n ** 51n;
  /** The one form of a value: a double below 2^51 in magnitude, a BigInt from there on. */
  const inItsForm = (value: number | bigint, exact: bigint) =>
    (exact < SAFE && exact > -SAFE ? typeof value === 'number' : typeof value === 'bigint') && BigInt(value) === exact;

  it('sums and multiplies as BigInt does, on both sides of 2^51, each result in its one form', () => {
    const random = seededRandom(52);
    // Values near the bound (where a double sum or product would first lose a unit), small ones and large ones.
    const value = (kind: number) =>
      kind === 0 ? SAFE - BigInt(Math.floor(random() * 1000)) : kind === 1 ? BigInt(Math.floor(random() * 2 ** 30)) : BigInt(Math.floor(random() * 2 ** 40)) * BigInt(Math.floor(random() * 2 ** 20));
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = value(i % 3);
      const b = value(Math.floor(i / 3) % 3);
      expect(inItsForm(exactSum(exactOf(a), exactOf(b)), a + b)).toBe(true);
      const quantity = Number(value(1 + (i % 2)) % 2n ** 53n);
      const rate = i % 5 === 0 ? SAFE / BigInt(Math.max(1, quantity)) + BigInt(i % 3) - 1n : value(i % 3);
      expect(inItsForm(exactProduct(quantity, exactOf(rate)), BigInt(quantity) * rate)).toBe(true);
      compared += 2;
    }
    expect(compared).toBe(40_000);
  });

  it('keeps zero the number 0 and never -0', () => {
    expect(Object.is(exactOf(0n), 0)).toBe(true);
    expect(Object.is(exactSum(exactOf(-5n), 5), 0)).toBe(true);
    expect(Object.is(exactProduct(0, exactOf(-7n)), 0)).toBe(true);
    expect(Object.is(exactSum(exactOf(SAFE), exactOf(-SAFE)), 0)).toBe(true);
  });

  it('throws for a quantity that is no integer, as BigInt does', () => {
    expect(() => exactProduct(0.5, 4)).toThrow(RangeError);
    expect(() => exactProduct(Number.POSITIVE_INFINITY, 0)).toThrow(RangeError);
  });
});
