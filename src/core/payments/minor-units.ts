/**
 * Money as Stripe counts it: integers of the currency's smallest unit (cents for EUR). Amounts enter as
 * decimals (OCPI prices, configuration, settlement totals) and are converted once, here, with decimal.js,
 * so no amount ever passes through a binary float.
 */
import Decimal from 'decimal.js';

/** Currencies without minor units and with three decimals, as Stripe lists them (docs.stripe.com/currencies). */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Stripe accepts at most eight digits in an amount. */
export const MAX_STRIPE_AMOUNT = 99_999_999;

/** How many decimals the currency's minor unit has: 2 for EUR, 0 for JPY, 3 for KWD. */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * A decimal amount in major units (12.34 EUR) as an integer of minor units (1234). More decimals than
 * the currency has are rounded half up (commercial rounding), the rule a driver's receipt follows; OCPI
 * totals are normally already at the currency's precision, so this rarely applies. Negative amounts
 * keep their sign (credit CDRs carry negative totals).
 */
export function toMinorUnits(amount: Decimal.Value, currency: string): number {
  let value: Decimal;
  try {
    value = new Decimal(amount);
  } catch {
    throw new RangeError(`${String(amount)} is not an amount of money`);
  }
  if (!value.isFinite()) throw new RangeError(`${String(amount)} is not an amount of money`);
  const minor = value.times(new Decimal(10).pow(currencyExponent(currency))).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (minor.abs().greaterThan(MAX_STRIPE_AMOUNT)) throw new RangeError(`${value.toString()} ${currency} is more than Stripe accepts in one amount`);
  return minor.toNumber();
}

/** Minor units as a decimal string in major units, with the currency's decimals: 5000 EUR → "50.00". */
export function formatMinorUnits(minor: number, currency: string): string {
  return new Decimal(minor).dividedBy(new Decimal(10).pow(currencyExponent(currency))).toFixed(currencyExponent(currency));
}
