/**
 * Exact money without binary floats.
 *
 * Every amount in one tariff is an integer numerator over one tariff-wide denominator (see compiled-tariff.ts), so
 * costs, VAT, sums and price limits are exact integer arithmetic, and rounding happens once, by policy, when a value
 * is reported. decimal.js turns the tariff's JSON numbers into exact decimals when the tariff is compiled; per CDR
 * the numerators are ExactAmounts: integer-valued doubles while they are below 2^51, where a double holds every
 * integer and the sums and products below stay exact, and BigInts beyond. Doubles cost no allocation per operation,
 * which BigInts do; BigInt arithmetic showed as a fifth of the pricing profile (issue 19).
 */
import Decimal from 'decimal.js';
import type { RoundingMode } from './policy';

/** The number of decimal places a JSON number was written with (0.25 → 2, 5.2 → 1, 12 → 0). */
export function decimalPlacesOf(value: number): number {
  return new Decimal(value).decimalPlaces();
}

/** value × 10^decimals as an exact integer; `decimals` must be at least decimalPlacesOf(value). */
export function scaledInteger(value: number, decimals: number): bigint {
  return BigInt(new Decimal(value).times(new Decimal(10).pow(decimals)).toFixed(0));
}

const POWERS_OF_TEN: bigint[] = Array.from({ length: 40 }, (_, exponent) => 10n ** BigInt(exponent));

export function powerOfTen(exponent: number): bigint {
  return POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent);
}

/** numerator / denominator rounded to `decimals` places, as an integer count of 10^-decimals. */
export function roundRatio(numerator: bigint, denominator: bigint, decimals: number, mode: RoundingMode): bigint {
  const scaled = numerator * powerOfTen(decimals);
  const quotient = scaled / denominator; // truncates toward zero
  const remainder = scaled - quotient * denominator;
  if (remainder === 0n) return quotient;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  const half = twiceRemainder > denominator ? 1 : twiceRemainder === denominator ? 0 : -1;
  return roundsAway(mode, half, quotient % 2n !== 0n) ? quotient + (scaled < 0n ? -1n : 1n) : quotient;
}

/**
 * The rounding rule, once for both number types: whether a quotient with a non-zero remainder moves one
 * unit away from zero. `half` compares twice the remainder with the divisor (-1 below half, 0 half, 1 above).
 */
function roundsAway(mode: RoundingMode, half: number, quotientOdd: boolean): boolean {
  switch (mode) {
    case 'UP':
      return true;
    case 'DOWN':
      return false;
    case 'HALF_UP':
      return half >= 0;
    case 'HALF_DOWN':
      return half > 0;
    case 'HALF_EVEN':
      return half > 0 || (half === 0 && quotientOdd);
  }
}

/**
 * An exact integer in the cheaper of two forms: a double when its magnitude is below SAFE, else a BigInt. Each value
 * has one form (exactOf decides), so `===` compares two of them and zero is always the number 0.
 */
export type ExactAmount = number | bigint;

/** A BigInt in its ExactAmount form. */
export function exactOf(value: bigint): ExactAmount {
  const n = Number(value); // rounds to the nearest double, so it is below SAFE exactly when the BigInt is
  return n < SAFE && n > -SAFE ? n : value;
}

/** a + b, exactly: two doubles below SAFE sum to below 2^52, where every integer is a double. */
export function exactSum(a: ExactAmount, b: ExactAmount): ExactAmount {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (sum < SAFE && sum > -SAFE) return sum;
  }
  return exactOf(BigInt(a) + BigInt(b));
}

/**
 * An integer quantity (mWh, ms, 1 for FLAT) times a rate, exactly. The double product is the exact one rounded to
 * the nearest double, and that rounding keeps order: it is below SAFE only when the exact product is, and then it is
 * the exact product. A quantity that is no integer throws as BigInt() does.
 */
export function exactProduct(quantity: number, rate: ExactAmount): ExactAmount {
  if (typeof rate === 'number') {
    const product = quantity * rate;
    if (product < SAFE && product > -SAFE && Number.isInteger(quantity)) return product + 0; // + 0: never -0
  }
  return exactOf(BigInt(quantity) * BigInt(rate));
}

/** The rounded value as a JS number, for the OCPI wire format (the nearest double to the rounded decimal). */
export function roundedNumber(numerator: ExactAmount, denominator: bigint, decimals: number, mode: RoundingMode): number {
  if (numerator === 0 || numerator === 0n) return 0;
  // Most amounts fit a double exactly: the same rounding in integer-valued doubles, without a BigInt per step.
  // Number() of a BigInt rounds to the nearest double, so it is below SAFE exactly when the BigInt is.
  const n = Number(numerator);
  const d = Number(denominator);
  if (n < SAFE && n > -SAFE && d < SAFE && decimals < SAFE_POWERS.length) {
    const scaled = n * SAFE_POWERS[decimals];
    if (scaled < SAFE && scaled > -SAFE) return roundSafeRatio(scaled, d, mode) / SAFE_POWERS[decimals];
  }
  return Number(roundRatio(BigInt(numerator), denominator, decimals, mode)) / Number(powerOfTen(decimals));
}

/**
 * Below 2^51 every integer, and every product and sum of two of them that the rounding forms, is exact in a double;
 * a product of two integers computed in doubles is below 2^51 only if the exact one is.
 */
const SAFE = 2 ** 51;
/** Number(powerOfTen(e)), exact doubles, as the BigInt path divides by. */
const SAFE_POWERS: readonly number[] = POWERS_OF_TEN.slice(0, 16).map(Number);

/** roundRatio for integer-valued doubles below SAFE (the numerator already scaled): the same result, as a double. */
function roundSafeRatio(scaled: number, denominator: number, mode: RoundingMode): number {
  let quotient = Math.trunc(scaled / denominator) + 0; // + 0: never -0, which Number(0n) is not either
  // The double division may be a unit off next to an integer; the exact remainder says which way.
  let remainder = scaled - quotient * denominator;
  if (scaled >= 0) {
    if (remainder < 0) { quotient -= 1; remainder += denominator; } else if (remainder >= denominator) { quotient += 1; remainder -= denominator; }
  } else if (remainder > 0) { quotient += 1; remainder -= denominator; } else if (remainder <= -denominator) { quotient -= 1; remainder += denominator; }
  if (remainder === 0) return quotient;
  const twiceRemainder = 2 * Math.abs(remainder);
  const half = twiceRemainder > denominator ? 1 : twiceRemainder === denominator ? 0 : -1;
  return roundsAway(mode, half, quotient % 2 !== 0) ? quotient + (scaled < 0 ? -1 : 1) : quotient;
}

/** An exact amount as a decimal string, for notes a person reads. */
export function exactDecimal(numerator: ExactAmount, denominator: bigint): string {
  return new Decimal(numerator.toString()).div(denominator.toString()).toString();
}
