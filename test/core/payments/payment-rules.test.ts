import { currencyExponent, formatMinorUnits, toMinorUnits } from '../../../src/core/payments/stripe-amounts';
import { decideOnCost, refundFor, settlementFor } from '../../../src/core/payments/payment-rules';

describe('minor units', () => {
  it('converts decimals exactly, whatever a binary float would make of them', () => {
    expect(toMinorUnits(0.1 + 0.2, 'EUR')).toBe(30); // 0.30000000000000004 → 30, not 30.000000000000004
    expect(toMinorUnits(1.005, 'EUR')).toBe(101); // the double 1.005 reads 1.005 in decimal.js: half up → 101
    expect(toMinorUnits('19.99', 'EUR')).toBe(1999);
    expect(toMinorUnits(4.35, 'EUR')).toBe(435); // 4.35 * 100 = 434.99999999999994 in floats
    expect(toMinorUnits('12.345', 'EUR')).toBe(1235);
    expect(toMinorUnits('12.344', 'EUR')).toBe(1234);
    expect(toMinorUnits(-7.5, 'EUR')).toBe(-750);
    expect(toMinorUnits('1500', 'JPY')).toBe(1500);
    expect(toMinorUnits('1.2345', 'KWD')).toBe(1235);
  });

  it('refuses what is not money or too much for Stripe', () => {
    expect(() => toMinorUnits('abc', 'EUR')).toThrow(/not an amount/);
    expect(() => toMinorUnits(Number.NaN, 'EUR')).toThrow(/not an amount/);
    expect(() => toMinorUnits(Infinity, 'EUR')).toThrow(/not an amount/);
    expect(() => toMinorUnits('1000000.00', 'EUR')).toThrow(/more than Stripe accepts/);
    expect(toMinorUnits('999999.99', 'EUR')).toBe(99_999_999);
  });

  it('formats with the currency\'s decimals', () => {
    expect(formatMinorUnits(5000, 'EUR')).toBe('50.00');
    expect(formatMinorUnits(7, 'eur')).toBe('0.07');
    expect(formatMinorUnits(1500, 'JPY')).toBe('1500');
    expect(formatMinorUnits(1235, 'KWD')).toBe('1.235');
    expect([currencyExponent('eur'), currencyExponent('JPY'), currencyExponent('BHD')]).toEqual([2, 0, 3]);
  });
});

describe('payment rules', () => {
  it('stops the session when the cost reaches the hold', () => {
    expect(decideOnCost(0, 5000)).toBe('continue');
    expect(decideOnCost(4999, 5000)).toBe('continue');
    expect(decideOnCost(5000, 5000)).toBe('stop');
    expect(decideOnCost(5012, 5000)).toBe('stop');
  });

  it('cancels at zero, captures the cost, and never more than was held', () => {
    expect(settlementFor(0, 5000)).toEqual({ action: 'cancel' });
    expect(settlementFor(1234, 5000)).toEqual({ action: 'capture', amount: 1234, uncollected: 0 });
    expect(settlementFor(5000, 5000)).toEqual({ action: 'capture', amount: 5000, uncollected: 0 });
    expect(settlementFor(5080, 5000)).toEqual({ action: 'capture', amount: 5000, uncollected: 80 });
    expect(() => settlementFor(-1, 5000)).toThrow(RangeError);
    expect(() => settlementFor(1.5, 5000)).toThrow(RangeError);
  });

  it('refunds a credit up to what is captured and not yet refunded', () => {
    expect(refundFor(-1234, 1234, 0)).toEqual({ amount: 1234, notRefunded: 0 });
    expect(refundFor(300, 1234, 0)).toEqual({ amount: 300, notRefunded: 0 });
    expect(refundFor(-1000, 1234, 300)).toEqual({ amount: 934, notRefunded: 66 });
    expect(refundFor(-5, 1234, 1234)).toEqual({ amount: 0, notRefunded: 5 });
  });
});
