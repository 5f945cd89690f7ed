import type { OcppHandler } from '../ocpp-handler';

interface StatusNotificationRequest {
  evseId: number;
  connectorId: number;
  connectorStatus: 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
  timestamp: string;
}

/** OCPP 2.0.1 G01: the status of one connector of one EVSE, stored under `evseId/connectorId`. */
export const statusNotification: OcppHandler<StatusNotificationRequest, Record<string, never>> = async ({ chargerId, protocol, params, chargers, lost, chargingNeeds }) => {
  // 2.0.1 reports faults through NotifyEvent, so a status has no error code here.
  await chargers.connectorStatus(chargerId, {
    connector: `${params.evseId}/${params.connectorId}`,
    status: params.connectorStatus,
    errorCode: null,
  });
  if (params.connectorStatus === 'Available') {
    await chargingNeeds.clearNeeds(chargerId, params.evseId); // the EV left: its needs no longer apply
    await lost.connectorFree(chargerId, `${params.evseId}/${params.connectorId}`, protocol);
  }
  return {};
};
