import { createRPCError } from 'ocpp-rpc';
import type { OcppHandler } from '../ocpp-handler';

interface StatusNotificationRequest {
  /** 0 is the charge point as a whole; connectors count from 1. */
  connectorId: number;
  errorCode: string;
  status: string;
}

/** OCPP 1.6 §4.9: the status of a connector (or of the whole charge point, connector 0). */
export const statusNotification: OcppHandler<StatusNotificationRequest, Record<string, never>> = async ({ chargerId, params, chargers, lost }) => {
  // The schema only says "integer".
  if (params.connectorId < 0) throw createRPCError('PropertyConstraintViolation', 'connectorId must be 0 or more');
  await chargers.connectorStatus(chargerId, { connector: String(params.connectorId), status: params.status, errorCode: params.errorCode });
  // Available: "available for a new user", so no transaction runs on it.
  if (params.status === 'Available' && params.connectorId > 0) await lost.connectorFree(chargerId, String(params.connectorId), 'ocpp1.6');
  return {};
};
