import { z } from 'zod';
import { AuthMethod, CdrToken, ChargingPeriod, CiString, DateTime, Decimal, ObjectId, Ownership, Price } from '../../ocpi/ocpi-types';

/** Session and ChargingPreferences (mod_sessions.asciidoc, Object description and Data types). */

export const SessionStatus = z.enum(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']);

export const Session = z.looseObject({
  ...Ownership,
  id: ObjectId(36),
  start_date_time: DateTime,
  end_date_time: DateTime.optional(),
  kwh: Decimal,
  cdr_token: CdrToken,
  auth_method: AuthMethod,
  authorization_reference: CiString(36).optional(),
  location_id: CiString(36),
  evse_uid: CiString(36),
  connector_id: CiString(36),
  meter_id: z.string().max(255).optional(),
  currency: z.string().length(3),
  charging_periods: z.array(ChargingPeriod).optional(),
  total_cost: Price.optional(),
  status: SessionStatus,
  last_updated: DateTime,
});

export type Session = z.infer<typeof Session>;
export type ChargingPeriod = z.infer<typeof ChargingPeriod>;

/** A PATCH names only the changed fields, plus last_updated (mod_sessions.asciidoc, PATCH Method). */
export const SessionPatch = Session.partial().required({ last_updated: true });

export const ChargingPreferences = z.looseObject({
  profile_type: z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']),
  departure_time: DateTime.optional(),
  energy_need: Decimal.optional(),
  discharge_allowed: z.boolean().optional(),
});
export type ChargingPreferences = z.infer<typeof ChargingPreferences>;
