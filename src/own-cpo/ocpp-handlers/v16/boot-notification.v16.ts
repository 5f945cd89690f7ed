import { type OcppHandler, WIRE_REGISTRATION_STATUS } from '../ocpp-handler';

interface BootNotificationRequest {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  /** Deprecated in 1.6 in favour of chargePointSerialNumber, still sent by older firmware. */
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
}

interface BootNotificationResponse {
  status: 'Accepted' | 'Pending' | 'Rejected';
  currentTime: string;
  interval: number;
}

/** OCPP 1.6 §4.2: the charge point says what it is; the answer is its registration status. */
export const bootNotification: OcppHandler<BootNotificationRequest, BootNotificationResponse> = async ({ chargerId, params, chargers, lost }) => {
  const { status, interval } = await chargers.boot(chargerId, {
    vendor: params.chargePointVendor,
    model: params.chargePointModel,
    serialNumber: params.chargePointSerialNumber ?? params.chargeBoxSerialNumber,
    firmwareVersion: params.firmwareVersion,
  });
  // A charge point that boots has ended the transactions that ran before (closed from their last reading).
  if (status === 'ACCEPTED') await lost.booted(chargerId, 'ocpp1.6');
  return { status: WIRE_REGISTRATION_STATUS[status], currentTime: new Date().toISOString(), interval };
};
