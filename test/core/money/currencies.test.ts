import { currencyOf, findCurrency, formatMoney, roundMoney } from '../../../src/core/money/currencies';
import { formatMinorUnits, toMinorUnits } from '../../../src/core/payments/stripe-amounts';
import { rateCdr } from '../../../src/core/pricing/pricing-core';
import { lineOf, statementTotals } from '../../../src/core/settlement/settlement-core';

/** A tariff of one ENERGY price with 10 % VAT, and a CDR of `kwh` at it, in `currency`. */
function tariffIn(currency: string, pricePerKwh: number) {
  return {
    country_code: 'NL', party_id: 'CPO', id: `T-${currency}`, currency, last_updated: '2024-01-01T00:00:00Z',
    elements: [{ price_components: [{ type: 'ENERGY', price: pricePerKwh, vat: 10, step_size: 1 }] }],
  };
}
const cdrOf = (id: string, kwh: number) => ({
  id, start_date_time: '2024-03-05T10:00:00Z', end_date_time: '2024-03-05T11:00:00Z',
  charging_periods: [{ start_date_time: '2024-03-05T10:00:00Z', tariff_id: 'T', dimensions: [{ type: 'ENERGY' as const, volume: kwh }] }],
  cdr_location: { id: 'LOC', evse_uid: 'E1', evse_id: 'NL*CPO*E1' }, total_energy: kwh, total_time: 1,
});

describe('one currency table, one rounding policy: pricing, settlement totals and the payout agree', () => {
  it.each([
    // 15 kWh × price: excl. VAT and incl. 10 % VAT as exact values, rounded half up at the currency's minor unit.
    ['JPY', 33.3, 499.5, 549.45, 500, 549, 549], // whole yen
    ['EUR', 0.333, 4.995, 5.4945, 5, 5.49, 549], // cents
    ['KWD', 0.12345, 1.85175, 2.036925, 1.852, 2.037, 2037], // fils: three decimals
  ])('%s: 15 kWh at %p is priced %p → %p, settled and paid in its minor unit', (currency, price, _exact, _exactIncl, excl, incl, stripeAmount) => {
    const rating = rateCdr(tariffIn(currency, price), cdrOf('A', 15), 'UTC', 0);
    if (!rating.ok) throw new Error('rated');
    expect(rating.computed.total_cost).toEqual({ excl_vat: excl, incl_vat: incl });

    // The statement sums the CDRs' totals exactly: two CDRs as priced, in the currency.
    const priced = (id: string) => lineOf({ ...cdrOf(id, 15), currency, cdr_token: { country_code: 'DE', party_id: 'MSP' }, total_cost: rating.computed.total_cost });
    const totals = statementTotals([priced('A'), priced('B')]);
    expect(totals.gross).toBe(roundMoney(incl * 2, currency).toString());

    // The payout is the gross in Stripe's integer units of the same currency, by the same rule.
    expect(toMinorUnits(totals.gross, currency)).toBe(stripeAmount * 2);
    expect(formatMinorUnits(stripeAmount, currency)).toBe(formatMoney(incl, currency));
  });

  it('rounds half up everywhere: a half yen, a half cent and a half fils go away from zero', () => {
    expect([toMinorUnits('1234.5', 'JPY'), toMinorUnits('10.005', 'EUR'), toMinorUnits('1.2345', 'KWD')]).toEqual([1235, 1001, 1235]);
    expect(toMinorUnits('-4.445', 'EUR')).toBe(-445);
    expect(formatMoney('1.2345', 'KWD')).toBe('1.235');
    expect(formatMoney(1500, 'jpy')).toBe('1500');
  });

  it('knows 0-, 2-, 3- and 4-decimal currencies of ISO 4217, and refuses codes that are not money', () => {
    for (const code of ['JPY', 'KRW', 'ISK', 'CLP', 'VND', 'XAF', 'XOF', 'UGX']) expect([code, currencyOf(code).decimals]).toEqual([code, 0]);
    for (const code of ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']) expect([code, currencyOf(code).decimals]).toEqual([code, 3]);
    for (const code of ['EUR', 'USD', 'GBP', 'CHF', 'HUF', 'TWD', 'MGA']) expect([code, currencyOf(code).decimals]).toEqual([code, 2]);
    expect(currencyOf('CLF').decimals).toBe(4);
    expect([findCurrency('XXX'), findCurrency('XAU'), findCurrency('EURO')]).toEqual([undefined, undefined, undefined]);
    expect(() => toMinorUnits('1', 'ABC')).toThrow(/ABC is not an ISO 4217 currency code/);
  });

  it("follows Stripe's exceptions: ISK and UGX as two decimals that are 00, MGA as zero-decimal", () => {
    expect(toMinorUnits('500', 'ISK')).toBe(50000);
    expect(toMinorUnits('499.5', 'ISK')).toBe(50000); // whole krónur first, half up
    expect(formatMinorUnits(50000, 'ISK')).toBe('500');
    expect(toMinorUnits('3700', 'UGX')).toBe(370000);
    expect(toMinorUnits('1000.50', 'MGA')).toBe(1001);
    expect(formatMinorUnits(1001, 'MGA')).toBe('1001.00');
    expect(toMinorUnits('12.34', 'HUF')).toBe(1234);
  });
});
