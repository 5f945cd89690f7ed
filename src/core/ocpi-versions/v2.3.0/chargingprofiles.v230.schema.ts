import { z } from 'zod';
import { DateTimeV230, NumberV230, UrlV230 } from './types.v230.schema';

/** ChargingProfiles (OCPI 2.3.0 mod_charging_profiles.asciidoc): unchanged from 2.2.1 but for wording. */

/** "Accepts at most one digit fraction (e.g. 8.1)" (limit, min_charging_rate). */
const OneDecimalV230 = NumberV230.refine((n) => /^-?\d+(\.\d)?$/.test(String(n)), 'must have at most one digit after the decimal point');

export const ChargingProfilePeriodV230 = z.looseObject({ start_period: z.number().int().min(0), limit: OneDecimalV230 });
export const ChargingProfileV230 = z.looseObject({
  start_date_time: DateTimeV230.optional(),
  duration: z.number().int().min(0).optional(),
  charging_rate_unit: z.enum(['W', 'A']),
  min_charging_rate: OneDecimalV230.optional(),
  charging_profile_period: z.array(ChargingProfilePeriodV230).optional(),
});
export const ActiveChargingProfileV230 = z.looseObject({ start_date_time: DateTimeV230, charging_profile: ChargingProfileV230 });
export const SetChargingProfileV230 = z.looseObject({ charging_profile: ChargingProfileV230, response_url: UrlV230 });
export const ChargingProfileResponseV230 = z.looseObject({
  result: z.enum(['ACCEPTED', 'NOT_SUPPORTED', 'REJECTED', 'TOO_OFTEN', 'UNKNOWN_SESSION']),
  timeout: z.number().int().min(0),
});
const ResultTypeV230 = z.enum(['ACCEPTED', 'REJECTED', 'UNKNOWN']);
export const ActiveChargingProfileResultV230 = z.looseObject({ result: ResultTypeV230, profile: ActiveChargingProfileV230.optional() });
export const ChargingProfileResultV230 = z.looseObject({ result: ResultTypeV230 });
export const ClearProfileResultV230 = z.looseObject({ result: ResultTypeV230 });
