import { type OcppHandler, WIRE_REGISTRATION_STATUS } from '../ocpp-handler';

interface BootNotificationRequest {
  reason: string;
  chargingStation: { vendorName: string; model: string; serialNumber?: string; firmwareVersion?: string };
}

interface BootNotificationResponse {
  status: 'Accepted' | 'Pending' | 'Rejected';
  currentTime: string;
  interval: number;
}

/** OCPP 2.0.1 B01–B03: the station says what it is; the answer is its registration status. */
export const bootNotification: OcppHandler<BootNotificationRequest, BootNotificationResponse> = async ({ chargerId, protocol, params, chargers, lost }) => {
  const station = params.chargingStation;
  const { status, interval } = await chargers.boot(chargerId, {
    vendor: station.vendorName,
    model: station.model,
    serialNumber: station.serialNumber,
    firmwareVersion: station.firmwareVersion,
  });
  // A station may resume transactions over a reboot: each running one is asked about (GetTransactionStatus).
  if (status === 'ACCEPTED') await lost.booted(chargerId, protocol, params.reason);
  return { status: WIRE_REGISTRATION_STATUS[status], currentTime: new Date().toISOString(), interval };
};
