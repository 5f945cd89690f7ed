import { z } from 'zod';
import { EnergyMixV230 } from './locations.v230.schema';
import { CiStringV230, DateTimeV230, DisplayTextV230, NumberV230, OwnershipV230, UrlV230 } from './types.v230.schema';

/** Tariff and its parts (OCPI 2.3.0 mod_tariffs.asciidoc). */

export const TariffDimensionTypeV230 = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export const TariffTypeV230 = z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']);
/** TaxIncluded enum: YES (prices include taxes), NO (taxes are added on top), N/A (no taxes apply). */
export const TaxIncludedV230 = z.enum(['YES', 'NO', 'N/A']);
export type TaxIncludedV230 = z.infer<typeof TaxIncludedV230>;

const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
const LOCAL_DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

/** `price` is "including or excluding taxes according to the tax_included field of the Tariff". */
export const PriceComponentV230 = z.looseObject({
  type: TariffDimensionTypeV230,
  price: NumberV230,
  vat: NumberV230.optional(),
  step_size: z.number().int().min(0),
});

export const TariffRestrictionsV230 = z.looseObject({
  start_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 13:30').optional(),
  end_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 19:45').optional(),
  start_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-24').optional(),
  end_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-27').optional(),
  min_kwh: NumberV230.optional(),
  max_kwh: NumberV230.optional(),
  min_current: NumberV230.optional(),
  max_current: NumberV230.optional(),
  min_power: NumberV230.optional(),
  max_power: NumberV230.optional(),
  min_duration: z.number().int().optional(),
  max_duration: z.number().int().optional(),
  day_of_week: z.array(z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'])).optional(),
  reservation: z.enum(['RESERVATION', 'RESERVATION_EXPIRES']).optional(),
});

export const TariffElementV230 = z.looseObject({
  price_components: z.array(PriceComponentV230).min(1),
  restrictions: TariffRestrictionsV230.optional(),
});

/** PriceLimit class (new in 2.3.0): min_price and max_price. */
export const PriceLimitV230 = z.looseObject({ before_taxes: NumberV230, after_taxes: NumberV230.optional() });

export const TariffV230 = z.looseObject({
  ...OwnershipV230,
  id: CiStringV230(36),
  currency: z.string().length(3),
  type: TariffTypeV230.optional(),
  tariff_alt_text: z.array(DisplayTextV230).optional(),
  tariff_alt_url: UrlV230.optional(),
  min_price: PriceLimitV230.optional(),
  max_price: PriceLimitV230.optional(),
  preauthorize_amount: NumberV230.optional(),
  elements: z.array(TariffElementV230).min(1),
  tax_included: TaxIncludedV230,
  start_date_time: DateTimeV230.optional(),
  end_date_time: DateTimeV230.optional(),
  energy_mix: EnergyMixV230.optional(),
  last_updated: DateTimeV230,
});

/**
 * A Tariff inside a CDR. The text makes tax_included required (card. 1), yet the text's own CDR
 * example (cdr_example.json) embeds a Tariff without it; receivers accept undocumented variation,
 * so inside a CDR the field may be absent (read as NO: docs/versions.md, OCPI 2.3.0).
 */
export const CdrTariffV230 = TariffV230.extend({ tax_included: TaxIncludedV230.optional() });

export type TariffV230 = z.infer<typeof TariffV230>;
export type CdrTariffV230 = z.infer<typeof CdrTariffV230>;
