/**
 * Money as Stripe counts it: integers of the currency's smallest unit (cents for EUR). Amounts enter as
 * decimals (OCPI prices, configuration, settlement totals) and are converted once, here, with decimal.js,
 * so no amount ever passes through a binary float. The currency table, Stripe's exceptions to it and the
 * rounding are src/core/money/currencies.ts.
 */
import type Decimal from 'decimal.js';
import { currencyOf, decimalAmount, roundMoney } from '../money/currencies';

/** Stripe accepts at most eight digits in an amount. */
export const MAX_STRIPE_AMOUNT = 99_999_999;

/** How many decimals an amount may carry to Stripe: 2 for EUR, 0 for JPY and ISK, 3 for KWD. */
export function currencyExponent(currency: string): number {
  return currencyOf(currency).stripe.decimals;
}

/**
 * A decimal amount in major units (12.34 EUR) as Stripe's integer (1234; 500 ISK → 50000). It is rounded
 * first by the currency's one rounding policy (half up) to what Stripe accepts, the rule a driver's receipt
 * follows; OCPI totals are normally already at the currency's precision, so this rarely applies. Negative
 * amounts keep their sign (credit CDRs carry negative totals).
 */
export function toMinorUnits(amount: Decimal.Value, currency: string): number {
  const value = decimalAmount(amount);
  const { stripe } = currencyOf(currency);
  const minor = roundMoney(value, currency, stripe.decimals).times(10 ** stripe.exponent);
  if (minor.abs().greaterThan(MAX_STRIPE_AMOUNT)) throw new RangeError(`${value.toString()} ${currency} is more than Stripe accepts in one amount`);
  return minor.toNumber();
}

/** Stripe's integer as a decimal string in major units, with the currency's decimals: 5000 EUR → "50.00". */
export function formatMinorUnits(minor: number, currency: string): string {
  const { decimals, stripe } = currencyOf(currency);
  return decimalAmount(minor).dividedBy(10 ** stripe.exponent).toFixed(decimals);
}
