/**
 * Amounts in a currency's minor units, for payouts (Stripe transfers take integers). Statements keep
 * exact sums; rounding happens once, here, when money moves: half to even (banker's rounding), so
 * rounding many statements has no upward drift.
 */
import Decimal from 'decimal.js';

/** ISO 4217 currencies whose minor unit is not 1/100; every other code has two decimals. */
const DECIMALS: Record<string, number> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, IQD: 3, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3, LYD: 3, OMR: 3,
  PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export const minorUnitDecimals = (currency: string): number => DECIMALS[currency.toUpperCase()] ?? 2;

/** An exact decimal amount as an integer count of the currency's minor units (HALF_EVEN). */
export function toMinorUnits(amount: string, currency: string): bigint {
  const scaled = new Decimal(amount).times(new Decimal(10).pow(minorUnitDecimals(currency)));
  return BigInt(scaled.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}
