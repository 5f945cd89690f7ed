/**
 * The decisions OCPI leaves to the parties, as a value passed to the engine rather than constants inside it.
 *
 * > "NOTE: There are no parameters related to price rounding in the Tariff object or any of it constituent objects.
 * > Nor does the specification text of this module give any requirements about how to do price rounding. The reason
 * > for this that price rounding has to be done according to rules and restrictions set by applicable laws,
 * > contracts between the parties using OCPI and the currency used." (mod_tariffs, Tariff object)
 */

import { findCurrency, type RoundingMode } from '../money/currencies';

export type { RoundingMode };

export interface PricingPolicy {
  /**
   * Decimal places of every money value reported (0–8). Default 2, the minor unit of the euro used by every example
   * in mod_tariffs ("For simplicity, we will use the euro as the currency in all of the examples"). Use 0 for JPY,
   * 3 for KWD.
   */
  readonly currencyDecimals: number;
  /**
   * How a value exactly between two representable amounts is resolved; HALF_UP rounds halves away from zero.
   * Default HALF_UP, the only mode that reproduces the spec's tariff_3 example: 20.5 kWh × € 0.25 = 5.125 is shown
   * as "Energy costs: € 5.13 (excl. VAT)" and the total 5.625 as "Total: € 5.63" (HALF_EVEN gives 5.12 and 5.62).
   */
  readonly rounding: RoundingMode;
  /**
   * Whether each reported part (fixed, energy, time, parking, reservation) is rounded before the parts are summed
   * into total_cost. Default false: every value is computed exactly and rounded once, when reported. The spec's
   * complex tariff example (tariff_4) needs this: its lines incl. VAT are 2.875 + 3.30 + 4.125 and its total is
   * "€ 10.30 (incl. VAT)"; rounding the lines first gives 2.88 + 3.30 + 4.13 = 10.31. The price of the default is
   * that total_cost can differ from the sum of the reported parts by a cent.
   */
  readonly roundPartsBeforeTotal: boolean;
  /**
   * Whether `step_size` block billing is applied. Default true, as OCPI 2.2.1 requires: "`step_size` SHALL only be
   * taken into account once per session" (mod_cdrs, step_size). False prices the metered quantities exactly, as
   * OCPI 3.0 does after dropping step_size.
   */
  readonly applyStepSize: boolean;
  /**
   * Decimal places of the reported quantities (total_energy in kWh, total_time and total_parking_time in hours, and
   * the quantities of each line). Default 4: "Unless mentioned otherwise, numbers use 4 decimals" (types, number).
   * Money is always computed from the unrounded quantities.
   */
  readonly quantityDecimals: number;
  /**
   * What incl_vat is for a Price Component without `vat`. 'UNKNOWN' (the engine's default when absent): incl_vat is
   * not reported, as the spec reads: "Not providing a VAT is different from 0% VAT, which would be a value of 0.0
   * here" (mod_tariffs, PriceComponent). 'NONE_APPLIES': no VAT applies, so incl_vat equals excl_vat, as other
   * engines report it; the rating (rateCdr: `ocpi-hub price`, the hub's re-rating) uses this unless strict. Either
   * way the breakdown keeps a VAT_UNKNOWN note naming the component.
   */
  readonly missingVat?: MissingVatPolicy;
}

export type MissingVatPolicy = 'UNKNOWN' | 'NONE_APPLIES';

export const DEFAULT_PRICING_POLICY: PricingPolicy = Object.freeze({
  currencyDecimals: 2,
  rounding: 'HALF_UP',
  roundPartsBeforeTotal: false,
  applyStepSize: true,
  quantityDecimals: 4,
});

/**
 * The policy for a tariff's currency: its ISO 4217 minor unit and its one rounding rule (src/core/money), so a JPY
 * tariff is priced in whole yen and a KWD one in fils. A code the table does not know keeps `base`'s decimals.
 */
export function pricingPolicyFor(currency: string, base: PricingPolicy = DEFAULT_PRICING_POLICY): PricingPolicy {
  const known = findCurrency(currency);
  return known ? { ...base, currencyDecimals: known.decimals, rounding: known.rounding } : base;
}

/** The largest currencyDecimals every tariff's exact denominator is divisible by (see compiled-tariff.ts). */
export const MAX_CURRENCY_DECIMALS = 8;

/** A policy is code, not data: a bad one is a programming error, so it throws instead of becoming a note. */
export function assertValidPolicy(policy: PricingPolicy): void {
  const { currencyDecimals, quantityDecimals } = policy;
  if (!Number.isInteger(currencyDecimals) || currencyDecimals < 0 || currencyDecimals > MAX_CURRENCY_DECIMALS) {
    throw new RangeError(`currencyDecimals must be a whole number from 0 to ${MAX_CURRENCY_DECIMALS}`);
  }
  if (!Number.isInteger(quantityDecimals) || quantityDecimals < 0 || quantityDecimals > 12) {
    throw new RangeError('quantityDecimals must be a whole number from 0 to 12');
  }
}

/** Rounds a reported quantity (not money; nothing is charged from it), half away from zero. */
export function roundQuantity(value: number, policy: PricingPolicy): number {
  const scale = QUANTITY_SCALES[policy.quantityDecimals];
  return Math.round(value * scale) / scale;
}

/** 10 ** decimals for every allowed quantityDecimals (see assertValidPolicy), computed once rather than per value. */
const QUANTITY_SCALES: readonly number[] = Array.from({ length: 13 }, (_, decimals) => 10 ** decimals);
