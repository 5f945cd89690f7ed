/**
 * From tallied quantities to money: cost per component, VAT, the CDR totals, min_price/max_price, and rounding.
 * Amounts are exact numerators over the tariff's denominator (ExactAmounts, see money.ts) until the policy rounds a
 * reported value.
 */
import type { PriceAmount, PriceBreakdown, PricedLine } from './breakdown';
import type { CompiledComponent, CompiledPriceLimit, CostTotal } from './compiled-tariff';
import type { Tally } from './tally';
import type { PricingInput } from './input';
import * as money from './money';
import type { NoteBook } from './notes';
import * as policies from './policy';
import type { PricingPolicy } from './policy';
import * as units from './units';

// Bound once at load: tsx (esbuild) compiles every use of an imported binding to a getter call, which showed
// in the pricing profile on this per-CDR path (issue 19). Same values: these exports are never reassigned.
const { exactDecimal, exactOf, exactProduct, exactSum, powerOfTen, roundedNumber, roundRatio } = money;
const { roundQuantity } = policies;
const { MILLI_WH_PER_KWH, MS_PER_HOUR, UNITS_PER_PRICED_UNIT } = units;

/** An exact amount; `incl` is undefined once any part of it has no known VAT. */
interface Amount {
  excl: money.ExactAmount;
  incl: money.ExactAmount | undefined;
}

const COST_TOTALS: readonly CostTotal[] = ['fixed', 'energy', 'time', 'parking', 'reservation'];

export function summarise(input: PricingInput, tally: Tally, notes: NoteBook, policy: PricingPolicy): PriceBreakdown {
  const { tariff } = input;
  const parts: Record<CostTotal, Amount> = {
    fixed: { excl: 0, incl: 0 },
    energy: { excl: 0, incl: 0 },
    time: { excl: 0, incl: 0 },
    parking: { excl: 0, incl: 0 },
    reservation: { excl: 0, incl: 0 },
  };
  const lines: PricedLine[] = [];
  for (const slot of tally.used) {
    const component = tariff.components[slot];
    let cost = costOf(component, tally.billed[slot]);
    if (cost.incl === undefined) {
      const noneApplies = policy.missingVat === 'NONE_APPLIES';
      notes.always(
        'VAT_UNKNOWN',
        `element ${component.elementIndex} prices ${component.dimension} without a vat, so ` +
          (noneApplies ? 'incl_vat is reported equal to excl_vat (policy missingVat NONE_APPLIES), though ' : 'incl_vat cannot be computed: ') +
          '"Not providing a VAT is different from 0% VAT"',
      );
      if (noneApplies) cost = { excl: cost.excl, incl: cost.excl };
    }
    const part = parts[component.total];
    part.excl = exactSum(part.excl, cost.excl);
    part.incl = part.incl === undefined || cost.incl === undefined ? undefined : exactSum(part.incl, cost.incl);
    lines.push(lineOf(component, tally, slot, cost, input, policy));
  }

  const total: Amount = { excl: 0, incl: 0 };
  for (const name of COST_TOTALS) {
    const part = policy.roundPartsBeforeTotal ? rounded(parts[name], tariff.denominator, policy) : parts[name];
    total.excl = exactSum(total.excl, part.excl);
    total.incl = total.incl === undefined || part.incl === undefined ? undefined : exactSum(total.incl, part.incl);
  }
  const limited = applyPriceLimits(total, input, notes);
  const { denominator } = tariff;

  const breakdown = {
    currency: tariff.currency,
    tariffId: tariff.id,
    total_cost: toPrice(limited.amount, denominator, policy),
    total_fixed_cost: toPrice(parts.fixed, denominator, policy),
    total_energy: roundQuantity(input.totalEnergyMilliWh / MILLI_WH_PER_KWH, policy),
    total_energy_cost: toPrice(parts.energy, denominator, policy),
    // "Total duration of the charging session (including the duration of charging and not charging), in hours."
    total_time: roundQuantity(Math.max(0, input.sessionEndMs - input.sessionStartMs) / MS_PER_HOUR, policy),
    total_time_cost: toPrice(parts.time, denominator, policy),
    total_parking_time: roundQuantity(input.totalParkingMs / MS_PER_HOUR, policy),
    total_parking_cost: toPrice(parts.parking, denominator, policy),
    total_reservation_cost: toPrice(parts.reservation, denominator, policy),
    lines,
  } as PriceBreakdown;
  // Keys added in the order the breakdown has always had them (limitApplied, when there is one, before notes);
  // assigned rather than spread from an object made for it, which showed in the profile.
  if (limited.applied) breakdown.limitApplied = limited.applied;
  breakdown.notes = notes.notes;
  return breakdown;
}

function costOf(component: CompiledComponent, billed: number): Amount {
  const excl = exactProduct(billed, component.exclRate);
  // A zero cost (a price or a quantity of 0; rates are positive for a positive price) needs no VAT: tariff_5 prices
  // FLAT at 0.00 with no vat "because it is not necessary (as the `price` is `0.00`)".
  if (excl === 0) return { excl: 0, incl: 0 };
  return { excl, incl: component.inclRate === undefined ? undefined : exactProduct(billed, component.inclRate) };
}

function lineOf(
  component: CompiledComponent,
  tally: Tally,
  slot: number,
  cost: Amount,
  input: PricingInput,
  policy: PricingPolicy,
): PricedLine {
  const perUnit = UNITS_PER_PRICED_UNIT[component.dimension];
  return {
    dimension: component.dimension,
    reservation: component.reservation,
    elementIndex: component.elementIndex,
    componentIndex: component.componentIndex,
    price: component.price,
    vat: component.vat,
    stepSize: component.stepSize,
    measured: roundQuantity(tally.measured[slot] / perUnit, policy),
    billed: roundQuantity(tally.billed[slot] / perUnit, policy),
    cost: toPrice(cost, input.tariff.denominator, policy),
  };
}

/**
 * "The total cost of a Charging Session excluding VAT can never be lower than the min_price excluding VAT. The total
 * cost of a Charging Session including VAT can never be lower than the min_price including VAT." and likewise for
 * max_price (mod_tariffs, Tariff object notes). Both rules apply independently. When a limit without incl_vat moves
 * the total excl. VAT, the VAT moves with it in proportion, so incl_vat keeps describing the same session.
 * Only total_cost is limited; the per-dimension totals stay as metered (the spec does not say how to spread a limit).
 */
function applyPriceLimits(amount: Amount, input: PricingInput, notes: NoteBook) {
  const { minPrice, maxPrice, denominator } = input.tariff;
  let applied: 'MIN_PRICE' | 'MAX_PRICE' | undefined;
  let result = amount;
  if (minPrice) {
    const limited = limit(result, minPrice, (total, bound) => total < bound);
    if (limited !== result) applied = 'MIN_PRICE';
    result = limited;
  }
  if (maxPrice) {
    const limited = limit(result, maxPrice, (total, bound) => total > bound);
    if (limited !== result) applied = 'MAX_PRICE';
    result = limited;
  }
  if (amount.incl !== undefined && result.incl === undefined) {
    notes.always(
      'VAT_UNKNOWN',
      'a price limit without incl_vat moved a session that cost nothing, so the VAT on the limit cannot be derived',
    );
  }
  if (applied) {
    const limitName = applied === 'MIN_PRICE' ? 'min_price' : 'max_price';
    notes.once(
      'PRICE_LIMIT_APPLIED',
      `the session's cost of ${exactDecimal(amount.excl, denominator)} excl. VAT became ` +
        `${exactDecimal(result.excl, denominator)} under the tariff's ${limitName}; the per-dimension totals are as metered`,
    );
  }
  return { amount: result, applied };
}

function limit(amount: Amount, bound: CompiledPriceLimit, violates: (total: money.ExactAmount, bound: money.ExactAmount) => boolean): Amount {
  let { excl, incl } = amount;
  if (violates(excl, bound.excl)) {
    if (bound.incl === undefined && incl !== undefined) {
      // Scaling a zero amount says nothing about its VAT rate, so incl_vat becomes unknown. The division truncates
      // at the denominator's resolution, below 10^-10 of a currency unit.
      incl = excl === 0 ? undefined : exactOf((BigInt(incl) * BigInt(bound.excl)) / BigInt(excl));
    }
    excl = bound.excl;
  }
  if (bound.incl !== undefined && incl !== undefined && violates(incl, bound.incl)) incl = bound.incl;
  return excl === amount.excl && incl === amount.incl ? amount : { excl, incl };
}

/** Rounds an amount to the reported precision, keeping it over the same denominator. */
function rounded(amount: Amount, denominator: bigint, policy: PricingPolicy): Amount {
  // The denominator is a multiple of 10^8 (see compiled-tariff.ts), so this is exact for currencyDecimals ≤ 8.
  const { currencyDecimals, rounding } = policy;
  const unit = denominator / powerOfTen(currencyDecimals);
  const excl = exactOf(roundRatio(BigInt(amount.excl), denominator, currencyDecimals, rounding) * unit);
  if (amount.incl === undefined) return { excl, incl: undefined };
  return { excl, incl: exactOf(roundRatio(BigInt(amount.incl), denominator, currencyDecimals, rounding) * unit) };
}

function toPrice(amount: Amount, denominator: bigint, policy: PricingPolicy): PriceAmount {
  // Most CDRs leave some totals at nothing (no parking, no reservation): 0 whatever the rounding.
  if (amount.excl === 0 && amount.incl === 0) return { excl_vat: 0, incl_vat: 0 };
  const { currencyDecimals: decimals, rounding } = policy;
  const excl_vat = roundedNumber(amount.excl, denominator, decimals, rounding);
  if (amount.incl === undefined) return { excl_vat };
  return { excl_vat, incl_vat: roundedNumber(amount.incl, denominator, decimals, rounding) };
}
