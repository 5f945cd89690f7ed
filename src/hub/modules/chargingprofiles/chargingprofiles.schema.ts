import { z } from 'zod';
import { ResponseUrl } from '../commands/commands.schema';
import { DateTime } from '../../ocpi/ocpi-types';

/** ChargingProfiles (mod_charging_profiles.asciidoc): requests, responses and results. */

/** "Accepts at most one digit fraction (e.g. 8.1)". */
const OneDecimal = z
  .number()
  .finite()
  .refine((n) => /^-?\d+(\.\d)?$/.test(String(n)), 'must have at most one digit after the decimal point');

export const ChargingProfilePeriod = z.looseObject({ start_period: z.number().int().min(0), limit: OneDecimal });

export const ChargingProfile = z.looseObject({
  start_date_time: DateTime.optional(),
  duration: z.number().int().min(0).optional(),
  charging_rate_unit: z.enum(['W', 'A']),
  min_charging_rate: OneDecimal.optional(),
  charging_profile_period: z.array(ChargingProfilePeriod).optional(),
});

export const ActiveChargingProfile = z.looseObject({ start_date_time: DateTime, charging_profile: ChargingProfile });

export const SetChargingProfile = z.looseObject({ charging_profile: ChargingProfile, response_url: ResponseUrl });

/** GET {session_id}?duration=&response_url= (query values are strings). */
export const ActiveProfileQuery = z.object({
  duration: z.string().regex(/^\d{1,9}$/, 'must be a whole number of seconds').transform(Number),
  response_url: ResponseUrl,
});

/** DELETE {session_id}?response_url= */
export const ClearProfileQuery = z.object({ response_url: ResponseUrl });

export const ChargingProfileResponse = z.looseObject({
  result: z.enum(['ACCEPTED', 'NOT_SUPPORTED', 'REJECTED', 'TOO_OFTEN', 'UNKNOWN_SESSION']),
  timeout: z.number().int().min(0),
});
export type ChargingProfileResponse = z.infer<typeof ChargingProfileResponse>;

const ChargingProfileResultType = z.enum(['ACCEPTED', 'REJECTED', 'UNKNOWN']);

export const ActiveChargingProfileResult = z.looseObject({ result: ChargingProfileResultType, profile: ActiveChargingProfile.optional() });
export const ChargingProfileResult = z.looseObject({ result: ChargingProfileResultType });
export const ClearProfileResult = z.looseObject({ result: ChargingProfileResultType });

/** The three Receiver requests, as forwarded requests are named, with the result each expects. */
export const PROFILE_OPERATIONS = {
  ACTIVE: { result: ActiveChargingProfileResult, resultName: 'ActiveChargingProfileResult' },
  SET: { result: ChargingProfileResult, resultName: 'ChargingProfileResult' },
  CLEAR: { result: ClearProfileResult, resultName: 'ClearProfileResult' },
} as const;
export type ProfileOperation = keyof typeof PROFILE_OPERATIONS;
