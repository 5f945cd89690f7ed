import { z } from 'zod';
import { EnergyMixV211 } from './locations.v211.schema';
import { DateTimeV211, DisplayTextV211, IdV211, NumberV211, UrlV211 } from './types.v211.schema';

/** Tariff of OCPI 2.1.1 (mod_tariffs.md 3 and 4): prices excluding VAT, no tariff type, no min/max price. */

export const TariffDimensionTypeV211 = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export const DayOfWeekV211 = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);

export const PriceComponentV211 = z.looseObject({
  type: TariffDimensionTypeV211,
  price: NumberV211,
  step_size: z.number().int().min(0),
});

const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
const LOCAL_DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export const TariffRestrictionsV211 = z.looseObject({
  start_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 13:30').optional(),
  end_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 19:45').optional(),
  start_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-24').optional(),
  end_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-27').optional(),
  min_kwh: NumberV211.optional(),
  max_kwh: NumberV211.optional(),
  min_power: NumberV211.optional(),
  max_power: NumberV211.optional(),
  min_duration: z.number().int().optional(),
  max_duration: z.number().int().optional(),
  day_of_week: z.array(DayOfWeekV211).optional(),
});

export const TariffElementV211 = z.looseObject({
  price_components: z.array(PriceComponentV211).min(1),
  restrictions: TariffRestrictionsV211.optional(),
});

export const TariffV211 = z.looseObject({
  id: IdV211(36),
  currency: z.string().length(3),
  tariff_alt_text: z.array(DisplayTextV211).optional(),
  tariff_alt_url: UrlV211.optional(),
  elements: z.array(TariffElementV211).min(1),
  energy_mix: EnergyMixV211.optional(),
  last_updated: DateTimeV211,
});
export type TariffV211 = z.infer<typeof TariffV211>;

export const TariffPatchV211 = TariffV211.partial();
