import { z } from 'zod';
import { AuthMethodV230, CdrTokenV230, ChargingPeriodV230, CiStringV230, DateTimeV230, NumberV230, OwnershipV230, PriceV230, StringV230 } from './types.v230.schema';

/** Session and ChargingPreferences (OCPI 2.3.0 mod_sessions.asciidoc): as 2.2.1, with the 2.3.0 Price. */

export const SessionStatusV230 = z.enum(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']);

export const SessionV230 = z.looseObject({
  ...OwnershipV230,
  id: CiStringV230(36),
  start_date_time: DateTimeV230,
  end_date_time: DateTimeV230.optional(),
  kwh: NumberV230,
  cdr_token: CdrTokenV230,
  auth_method: AuthMethodV230,
  authorization_reference: CiStringV230(36).optional(),
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36),
  connector_id: CiStringV230(36),
  meter_id: StringV230(255).optional(),
  currency: z.string().length(3),
  charging_periods: z.array(ChargingPeriodV230).optional(),
  total_cost: PriceV230.optional(),
  status: SessionStatusV230,
  last_updated: DateTimeV230,
});
export type SessionV230 = z.infer<typeof SessionV230>;

export const SessionPatchV230 = SessionV230.partial().required({ last_updated: true });
export type SessionPatchV230 = z.infer<typeof SessionPatchV230>;

export const ChargingPreferencesV230 = z.looseObject({
  profile_type: z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']),
  departure_time: DateTimeV230.optional(),
  energy_need: NumberV230.optional(),
  discharge_allowed: z.boolean().optional(),
});
