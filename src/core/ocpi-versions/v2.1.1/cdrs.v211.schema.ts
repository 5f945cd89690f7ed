import { z } from 'zod';
import { LocationV211 } from './locations.v211.schema';
import { TariffV211 } from './tariffs.v211.schema';
import { DateTimeV211, IdV211, NumberV211, StringV211 } from './types.v211.schema';

/** CDR of OCPI 2.1.1 (mod_cdrs.md 3 and 4): `auth_id`, a whole `location`, numeric costs excluding VAT. */

export const CdrDimensionTypeV211 = z.enum(['ENERGY', 'FLAT', 'MAX_CURRENT', 'MIN_CURRENT', 'PARKING_TIME', 'TIME']);
export const CdrDimensionV211 = z.looseObject({ type: CdrDimensionTypeV211, volume: NumberV211 });
export const ChargingPeriodV211 = z.looseObject({ start_date_time: DateTimeV211, dimensions: z.array(CdrDimensionV211).min(1) });
export type ChargingPeriodV211 = z.infer<typeof ChargingPeriodV211>;

export const CdrV211 = z.looseObject({
  id: IdV211(36),
  start_date_time: DateTimeV211,
  stop_date_time: DateTimeV211,
  auth_id: IdV211(36),
  auth_method: z.enum(['AUTH_REQUEST', 'WHITELIST']),
  location: LocationV211,
  meter_id: StringV211(255).optional(),
  currency: z.string().length(3),
  tariffs: z.array(TariffV211).optional(),
  charging_periods: z.array(ChargingPeriodV211).min(1),
  total_cost: NumberV211,
  total_energy: NumberV211,
  total_time: NumberV211,
  total_parking_time: NumberV211.optional(),
  remark: StringV211(255).optional(),
  last_updated: DateTimeV211,
});
export type CdrV211 = z.infer<typeof CdrV211>;
