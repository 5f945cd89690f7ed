import Decimal from 'decimal.js';
import {
  priceSession,
  pricingPolicyFor,
  toPricingInput,
  validateTariff,
  type CdrForPricing,
  type PriceAmount,
  type PriceBreakdown,
  type PricedLine,
  type PricingPolicy,
} from '../../pricing/pricing-core';
import type { Loss } from '../loss-report';
import type { TariffV230, TaxIncludedV230 } from './tariffs.v230.schema';
import { tariffFromV230 } from './tariffs.v230-translation';
import type { PriceV230 } from './types.v230.schema';

/**
 * Prices an OCPI 2.3.0 Tariff for a CDR's charging periods with the hub's pricing engine (core/pricing,
 * written against 2.2.1), and gives the CDR totals as 2.3.0 Prices with their tax lines.
 *
 * The engine prices the Tariff's hub form (tariffs.v230-translation.ts), so "excl. VAT" amounts come
 * out as before_taxes and the VAT a component names becomes a tax line, per tax_included
 * (mod_tariffs, TaxIncluded: "YES: Taxes are included in the prices in this Tariff. NO: Taxes are not
 * included, and will be added on top of the prices in this Tariff. N/A: No taxes are applicable"):
 *  - NO: before_taxes = the engine's excl_vat; taxes = one "VAT" line of incl_vat − excl_vat (with
 *    the percentage when every priced component of that total names the same vat), or no taxes
 *    when a priced component names no vat: the text leaves them to be "added on top … according to
 *    locally applicable legislation" (tariff_19, North American taxes), which the hub cannot know;
 *  - N/A: before_taxes as priced, taxes = [] (none apply);
 *  - YES with vat on every component: prices are taken out of VAT first (price × 100 / (100 + vat),
 *    exact or to 6 decimals, the translation's losses are returned), then as NO;
 *  - YES with a component without vat (tariff_20): the amounts the driver pays are known, their
 *    split is not; the totals are given as `afterTaxes` and no Price is made up (before_taxes is
 *    required in a Price, so `prices` stays empty).
 */

type PriceField = 'total_cost' | 'total_fixed_cost' | 'total_energy_cost' | 'total_time_cost' | 'total_parking_cost' | 'total_reservation_cost';
const PRICE_FIELDS: readonly PriceField[] = ['total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'];

export interface TariffPricingV230 {
  taxIncluded: TaxIncludedV230;
  /** The CDR's cost totals as 2.3.0 Prices; empty when the split before/after taxes cannot be known. */
  prices: Partial<Record<PriceField, PriceV230>>;
  /** For a tax-inclusive Tariff without vat: the amounts due, taxes included. */
  afterTaxes?: Record<PriceField, number>;
  /** The engine's breakdown of the hub-form Tariff it priced (quantities, lines, notes). */
  breakdown: PriceBreakdown;
  /** What the translation to the hub form narrowed (YES prices taken out of VAT). */
  losses: Loss[];
}

/** Which lines make up each total (compiled-tariff.ts assigns them the same way). */
function linesOf(field: PriceField, lines: PricedLine[]): PricedLine[] {
  const dimension = { total_fixed_cost: 'FLAT', total_energy_cost: 'ENERGY', total_time_cost: 'TIME', total_parking_cost: 'PARKING_TIME' } as const;
  if (field === 'total_cost') return lines;
  if (field === 'total_reservation_cost') return lines.filter((l) => l.reservation);
  return lines.filter((l) => !l.reservation && l.dimension === dimension[field]);
}

function priceOf(amount: PriceAmount, lines: PricedLine[], taxIncluded: TaxIncludedV230): PriceV230 {
  if (taxIncluded === 'N/A') return { before_taxes: amount.excl_vat, taxes: [] };
  if (amount.incl_vat === undefined) return { before_taxes: amount.excl_vat };
  const rates = new Set(lines.filter((l) => l.cost.excl_vat !== 0).map((l) => l.vat));
  const percentage = rates.size === 1 ? [...rates][0] : undefined;
  const tax = { name: 'VAT', amount: new Decimal(amount.incl_vat).minus(amount.excl_vat).toNumber() };
  return { before_taxes: amount.excl_vat, taxes: [percentage === undefined ? tax : { ...tax, percentage }] };
}

function validHubFormTariff(json: unknown) {
  const checked = validateTariff(json);
  if (!checked.ok) throw new RangeError(`the tariff cannot be priced: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  return checked.tariff;
}

/**
 * @param timeZone the Location's IANA time_zone (restrictions are local time).
 * @param policy rounding and the rest (core/pricing/policy.ts); by default the currency's.
 */
export function priceTariffV230(tariff: TariffV230, cdr: CdrForPricing, timeZone: string, policy: PricingPolicy = pricingPolicyFor(tariff.currency)): TariffPricingV230 {
  const taxIncluded = tariff.tax_included;
  const inclusiveWithoutVat =
    taxIncluded === 'YES' && tariff.elements.some((e) => e.price_components.some((c) => typeof c.vat !== 'number'));
  // Tax-inclusive without vat: priced as written (the amounts are what the driver pays), not as 2.2.1 would read them.
  const translated = tariffFromV230(inclusiveWithoutVat ? { ...tariff, tax_included: 'NO' } : tariff);
  const breakdown = priceSession(toPricingInput(validHubFormTariff(translated.value), cdr, timeZone), policy);
  if (inclusiveWithoutVat) {
    const afterTaxes = Object.fromEntries(PRICE_FIELDS.map((field) => [field, breakdown[field].excl_vat])) as Record<PriceField, number>;
    return { taxIncluded, prices: {}, afterTaxes, breakdown, losses: [] };
  }
  const prices = Object.fromEntries(PRICE_FIELDS.map((field) => [field, priceOf(breakdown[field], linesOf(field, breakdown.lines), taxIncluded)]));
  return { taxIncluded, prices, breakdown, losses: translated.losses };
}
