import type { EvChargingNeeds } from '../../../core/allocation/ev-charging-needs';
import type { OcppHandler } from '../ocpp-handler';
import { keptWith } from './notifications.v201';

interface NotifyEVChargingNeedsRequest {
  evseId: number;
  maxScheduleTuples?: number;
  chargingNeeds: EvChargingNeeds;
}

/**
 * K15: an ISO 15118 EV says what it can take and needs. Stored per EVSE; load management reallocates
 * the charger's site with the car's maximum current (or power), its energy need and departure as
 * inputs, and the new limit goes out as a SetChargingProfile (K15.FR.03 "Accepted": a profile will
 * follow). A charger in no site gets no profile from the hub, so its answer is Rejected (the station
 * then charges by its own limits); the needs are kept either way.
 */
export const notifyEVChargingNeeds: OcppHandler<NotifyEVChargingNeedsRequest, { status: 'Accepted' | 'Rejected'; statusInfo?: { reasonCode: string; additionalInfo?: string } }> = async (call) => {
  const { chargerId, params, chargingNeeds } = call;
  if (params.evseId < 1) {
    return keptWith(call, 'NotifyEVChargingNeeds', { status: 'Rejected', statusInfo: { reasonCode: 'InvalidEvseId', additionalInfo: 'charging needs are per EVSE (evseId > 0)' } });
  }
  const managed = await chargingNeeds.managed(chargerId);
  await chargingNeeds.needs(chargerId, params.evseId, params.chargingNeeds);
  return keptWith(
    call,
    'NotifyEVChargingNeeds',
    managed ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: 'NoLoadManagement', additionalInfo: 'this charger is in no site; the hub sends it no charging profile' } },
  );
};
