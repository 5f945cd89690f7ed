import Decimal from 'decimal.js';
import { LossRecorder, type Translation } from '../loss-report';
import type { JsonObject } from './hub-form-values.v221';
import { energyMixFromV230 } from './open-enums.v230-translation';
import { priceLimitFromV230, priceLimitToV230, type PriceLimitV230, type PriceV221 } from './price.v230-translation';
import { CdrTariffV230, TariffV230, type CdrTariffV230 as CdrTariff, type TariffV230 as Tariff } from './tariffs.v230.schema';
import { joinPath, withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * Tariffs between OCPI 2.3.0 and the hub form (2.2.1).
 *
 * 2.2.1 prices are "Price per unit (excl. VAT)"; 2.3.0 prices include or exclude taxes "according to
 * the tax_included field". So 2.3.0 → 2.2.1:
 *  - tax_included NO (or absent, as in the text's own CDR example): prices as they are, no loss;
 *  - N/A ("No taxes are applicable"): prices as they are; the field is named as dropped, since a
 *    2.2.1 reader cannot tell "no taxes apply" from "taxes are added on top";
 *  - YES: each price is carried excluding VAT as price × 100 / (100 + vat), exact, or rounded to
 *    PRICE_DECIMALS places when the division does not end (value_narrowed, naming both figures). A
 *    component with no `vat` under YES makes the Tariff refused: the tax inside its price is unknown
 *    (e.g. North American sales taxes), so no 2.2.1 price excluding VAT can be given without inventing
 *    a rate, and carrying the tax-inclusive figure as "excl. VAT" would overstate it.
 *  - min_price/max_price (PriceLimit before_taxes/after_taxes) ↔ Price excl_vat/incl_vat: the same
 *    two amounts, no loss; preauthorize_amount: field_dropped.
 * 2.2.1 → 2.3.0: tax_included NO (what 2.2.1 prices are), PriceLimits from the Prices; no loss.
 */

/** Places kept when a tax-inclusive price is divided into one excluding VAT and the result does not end. */
export const PRICE_DECIMALS = 6;

const fromV230 = () => new LossRecorder('2.3.0', '2.2.1');

export function tariffFromV230(tariff: Tariff): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(TariffV230, tariff, '', losses);
  return { value: tariffFields(clean as JsonObject, '', losses), losses: losses.losses };
}

/** A Tariff embedded in a CDR (tax_included may be absent there). Paths are relative to `path`. */
export function cdrTariffFromV230(tariff: CdrTariff, path: string, losses: LossRecorder): JsonObject {
  const clean = withoutUndocumentedFields(CdrTariffV230, tariff, path, losses);
  return tariffFields(clean as JsonObject, path, losses);
}

export function tariffToV230(tariff: JsonObject): Translation<Tariff> {
  const { min_price, max_price, ...rest } = structuredClone(tariff);
  const out: JsonObject = { ...rest, tax_included: 'NO' };
  if (min_price) out.min_price = priceLimitToV230(min_price as PriceV221);
  if (max_price) out.max_price = priceLimitToV230(max_price as PriceV221);
  return { value: out as Tariff, losses: [] };
}

function tariffFields(tariff: JsonObject, path: string, losses: LossRecorder): JsonObject {
  const { tax_included, preauthorize_amount, min_price, max_price, ...out } = tariff;
  if (preauthorize_amount !== undefined && preauthorize_amount !== null) {
    losses.record(joinPath(path, 'preauthorize_amount'), 'field_dropped', 'OCPI 2.2.1 Tariffs have no preauthorize_amount (a 2.3.0 Payments concern)');
  }
  if (min_price) out.min_price = priceLimitFromV230(min_price as PriceLimitV230);
  if (max_price) out.max_price = priceLimitFromV230(max_price as PriceLimitV230);
  if (out.energy_mix) out.energy_mix = energyMixFromV230(out.energy_mix as JsonObject, joinPath(path, 'energy_mix'), losses);
  if (tax_included === 'N/A') {
    losses.record(joinPath(path, 'tax_included'), 'field_dropped', 'tax_included N/A (no taxes apply): OCPI 2.2.1 reads prices as excluding VAT and cannot say that no taxes apply');
  }
  if (tax_included === 'YES') {
    losses.record(joinPath(path, 'tax_included'), 'field_dropped', 'tax_included YES: OCPI 2.2.1 prices exclude VAT, so each price is carried with its VAT taken out');
    out.elements = (out.elements as JsonObject[]).map((element, e) => ({
      ...element,
      price_components: (element.price_components as JsonObject[]).map((component, c) =>
        componentExcludingVat(component, joinPath(joinPath(joinPath(joinPath(path, 'elements'), e), 'price_components'), c), losses),
      ),
    }));
  }
  return out;
}

function componentExcludingVat(component: JsonObject, path: string, losses: LossRecorder): JsonObject {
  if (typeof component.vat !== 'number') {
    losses.refuse(`${path}: the price includes taxes (tax_included YES) but names no vat, so no price excluding VAT can be given for OCPI 2.2.1`);
  }
  const price = component.price as number;
  const exact = new Decimal(price).times(100).dividedBy(new Decimal(100).plus(component.vat));
  const rounded = exact.toDecimalPlaces(PRICE_DECIMALS, Decimal.ROUND_HALF_UP);
  const excl = rounded.toNumber();
  const how = exact.equals(rounded) ? 'exactly' : `rounded to ${PRICE_DECIMALS} decimals`;
  losses.record(joinPath(path, 'price'), 'value_narrowed', `price ${price} includes ${component.vat}% VAT; carried excluding VAT as ${price} × 100 / (100 + ${component.vat}) = ${excl} (${how})`);
  return { ...component, price: excl };
}
