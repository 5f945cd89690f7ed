/**
 * Money, once: the one table of currencies (ISO 4217 minor units) and the one rounding policy per currency
 * that pricing, settlement and payouts all use. Pure, no I/O.
 *
 * The table is ISO 4217 list one (active codes, 2025), plus withdrawn codes that CDRs of past years may still
 * carry (ANG, CUC, HRK, SLL, ZWL). Codes without a minor unit in ISO 4217 (gold, SDR, test codes XAU, XDR,
 * XTS, XXX, …) are not money a CDR can be paid in and are not listed. A hand-kept table rather than an npm
 * package: it is 170 short entries that change a few times a decade, and the Stripe exceptions below must sit
 * beside it anyway.
 */
import Decimal from 'decimal.js';

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'HALF_DOWN' | 'UP' | 'DOWN';

/** Currencies whose minor unit is not 1/100 (ISO 4217 "minor unit" column). */
const NOT_TWO_DECIMALS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

const TWO_DECIMALS = (
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE ' +
  'CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL ' +
  'HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR ' +
  'MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD ' +
  'SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG ' +
  'YER ZAR ZMW ZWG ZWL'
).split(' ');

const ISO_4217_DECIMALS: ReadonlyMap<string, number> = new Map([
  ...TWO_DECIMALS.map((code): [string, number] => [code, 2]),
  ...Object.entries(NOT_TWO_DECIMALS),
]);

/**
 * How Stripe counts an amount where it differs from ISO 4217 (docs.stripe.com/currencies, "Zero-decimal" and
 * "Special cases"): ISK and UGX are whole units but sent with two decimals that must be 00 (500 ISK is 50000);
 * MGA is two-decimal in ISO but zero-decimal at Stripe. `exponent` scales the amount sent; `decimals` is what it
 * may carry. HUF and TWD bank payouts must be whole units, but a Connect transfer (what a statement payout is)
 * takes two decimals, so they follow ISO.
 */
const STRIPE_EXCEPTIONS: Record<string, { exponent: number; decimals: number }> = {
  ISK: { exponent: 2, decimals: 0 },
  UGX: { exponent: 2, decimals: 0 },
  MGA: { exponent: 0, decimals: 0 },
};

/**
 * The one rounding policy: half away from zero (commercial rounding) at the currency's minor unit, for every
 * currency. It is what a driver's receipt follows and the only mode that reproduces the OCPI spec's tariff
 * examples (5.125 → 5.13). A currency needing another rule gets an entry here, and every user follows.
 */
const ROUNDING_EXCEPTIONS: Record<string, RoundingMode> = {};
const DEFAULT_ROUNDING: RoundingMode = 'HALF_UP';

export interface Currency {
  code: string;
  /** ISO 4217 minor unit: 2 for EUR, 0 for JPY, 3 for KWD. */
  decimals: number;
  rounding: RoundingMode;
  /** Stripe's integer amounts: amount × 10^exponent, with at most `decimals` decimals before scaling. */
  stripe: { exponent: number; decimals: number };
}

/** The currency with this code (any letter case), or undefined when ISO 4217 has no such money. */
export function findCurrency(code: string): Currency | undefined {
  const upper = code.toUpperCase();
  const decimals = ISO_4217_DECIMALS.get(upper);
  if (decimals === undefined) return undefined;
  const stripe = STRIPE_EXCEPTIONS[upper] ?? { exponent: decimals, decimals };
  return { code: upper, decimals, rounding: ROUNDING_EXCEPTIONS[upper] ?? DEFAULT_ROUNDING, stripe };
}

/** The currency with this code; a code that is not ISO 4217 money is a RangeError naming it. */
export function currencyOf(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) throw new RangeError(`${code} is not an ISO 4217 currency code`);
  return currency;
}

const DECIMAL_ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  HALF_UP: Decimal.ROUND_HALF_UP,
  HALF_EVEN: Decimal.ROUND_HALF_EVEN,
  HALF_DOWN: Decimal.ROUND_HALF_DOWN,
  UP: Decimal.ROUND_UP,
  DOWN: Decimal.ROUND_DOWN,
};

/** An exact decimal amount, or a RangeError for anything that is not one. */
export function decimalAmount(amount: Decimal.Value): Decimal {
  let value: Decimal;
  try {
    value = new Decimal(amount);
  } catch {
    throw new RangeError(`${String(amount)} is not an amount of money`);
  }
  if (!value.isFinite()) throw new RangeError(`${String(amount)} is not an amount of money`);
  return value;
}

/** An amount rounded to `decimals` places (default: the currency's minor unit) by the currency's rounding. */
export function roundMoney(amount: Decimal.Value, code: string, decimals = currencyOf(code).decimals): Decimal {
  return decimalAmount(amount).toDecimalPlaces(decimals, DECIMAL_ROUNDING[currencyOf(code).rounding]);
}

/** A rounded amount as text with exactly the currency's decimals: 1500 JPY → "1500", 1.2345 KWD → "1.235". */
export function formatMoney(amount: Decimal.Value, code: string): string {
  return roundMoney(amount, code).toFixed(currencyOf(code).decimals);
}
