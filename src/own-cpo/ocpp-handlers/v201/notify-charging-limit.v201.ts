import type { OcppHandler } from '../ocpp-handler';
import { keptWith } from './notifications.v201';

interface NotifyChargingLimitRequest {
  evseId?: number;
  chargingLimit: { chargingLimitSource: string; isGridCritical?: boolean };
  chargingSchedule?: Record<string, unknown>[];
}

/**
 * K12: a source other than the hub (an EMS, the DSO, the station) limits charging on an EVSE (none: the
 * whole station, kept as EVSE 0). Kept per EVSE and source until cleared, with its schedule, so the
 * operator sees why a site draws less than the hub allocated.
 */
export const notifyChargingLimit: OcppHandler<NotifyChargingLimitRequest, Record<string, never>> = async (call) => {
  const { chargerId, params, chargingNeeds } = call;
  await chargingNeeds.limit(chargerId, params.evseId ?? 0, params.chargingLimit.chargingLimitSource, {
    ...params.chargingLimit,
    ...(params.chargingSchedule && { chargingSchedule: params.chargingSchedule }),
  });
  return keptWith(call, 'NotifyChargingLimit', {});
};

/** K13: that source lifted its limit (on one EVSE, or every EVSE when none is named). */
export const clearedChargingLimit: OcppHandler<{ chargingLimitSource: string; evseId?: number }, Record<string, never>> = async (call) => {
  await call.chargingNeeds.clearedLimit(call.chargerId, call.params.chargingLimitSource, call.params.evseId);
  return keptWith(call, 'ClearedChargingLimit', {});
};
