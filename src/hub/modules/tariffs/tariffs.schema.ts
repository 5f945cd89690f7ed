import { z } from 'zod';
import { Location } from '../locations/locations.schema';
import { DateTime, Decimal, DisplayText, ObjectId, Ownership, Price, Url } from '../../ocpi/ocpi-types';

/** Tariff and its parts (mod_tariffs.asciidoc, Object description and Data types). */

export const TariffDimensionType = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export const DayOfWeek = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
export const TariffType = z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']);

// TariffRestrictions gives these two patterns as regexes.
const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
const LOCAL_DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export const PriceComponent = z.looseObject({
  type: TariffDimensionType,
  price: Decimal,
  vat: Decimal.optional(),
  step_size: z.number().int().min(0),
});

export const TariffRestrictions = z.looseObject({
  start_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 13:30').optional(),
  end_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 19:45').optional(),
  start_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-24').optional(),
  end_date: z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-27').optional(),
  min_kwh: Decimal.optional(),
  max_kwh: Decimal.optional(),
  min_current: Decimal.optional(),
  max_current: Decimal.optional(),
  min_power: Decimal.optional(),
  max_power: Decimal.optional(),
  min_duration: z.number().int().optional(),
  max_duration: z.number().int().optional(),
  day_of_week: z.array(DayOfWeek).optional(),
  reservation: z.enum(['RESERVATION', 'RESERVATION_EXPIRES']).optional(),
});

export const TariffElement = z.looseObject({
  price_components: z.array(PriceComponent).min(1),
  restrictions: TariffRestrictions.optional(),
});

export const Tariff = z.looseObject({
  ...Ownership,
  id: ObjectId(36),
  currency: z.string().length(3),
  type: TariffType.optional(),
  tariff_alt_text: z.array(DisplayText).optional(),
  tariff_alt_url: Url.optional(),
  min_price: Price.optional(),
  max_price: Price.optional(),
  elements: z.array(TariffElement).min(1),
  start_date_time: DateTime.optional(),
  end_date_time: DateTime.optional(),
  energy_mix: Location.shape.energy_mix,
  last_updated: DateTime,
});

export type Tariff = z.infer<typeof Tariff>;
