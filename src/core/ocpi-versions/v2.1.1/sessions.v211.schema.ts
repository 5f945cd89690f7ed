import { z } from 'zod';
import { ChargingPeriodV211 } from './cdrs.v211.schema';
import { LocationV211 } from './locations.v211.schema';
import { DateTimeV211, IdV211, NumberV211, StringV211 } from './types.v211.schema';

/** Session of OCPI 2.1.1 (mod_sessions.md 3 and 4): `start_datetime`, `auth_id`, a whole `location`, a numeric cost. */

export const SessionStatusV211 = z.enum(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING']);
export const AuthMethodV211 = z.enum(['AUTH_REQUEST', 'WHITELIST']);

export const SessionV211 = z.looseObject({
  id: IdV211(36),
  start_datetime: DateTimeV211,
  end_datetime: DateTimeV211.optional(),
  kwh: NumberV211,
  auth_id: IdV211(36),
  auth_method: AuthMethodV211,
  /** "including only the relevant EVSE and connector". */
  location: LocationV211,
  meter_id: StringV211(255).optional(),
  currency: z.string().length(3),
  charging_periods: z.array(ChargingPeriodV211).optional(),
  total_cost: NumberV211.optional(),
  status: SessionStatusV211,
  last_updated: DateTimeV211,
});
export type SessionV211 = z.infer<typeof SessionV211>;

export const SessionPatchV211 = SessionV211.partial();
