import { type MeterValue, readMeterValue } from '../../../core/charging/meter-samples';
import type { OcppHandler } from '../ocpp-handler';

interface StopTransactionRequest {
  idTag?: string;
  meterStop: number;
  timestamp: string;
  transactionId: number;
  reason?: string;
  transactionData?: MeterValue[];
}

/**
 * OCPP 1.6 §4.10: a transaction stopped; its CDR goes to the eMSP. Repeated and unknown stops are
 * answered the same way (the charger must be able to empty its queue) and build nothing twice.
 */
export const stopTransaction: OcppHandler<StopTransactionRequest, { idTagInfo?: { status: 'Accepted' } }> = async ({ chargerId, params, transactions }) => {
  const readable = (params.transactionData ?? []).filter((m) => readMeterValue(m));
  await transactions.stop({
    chargerId,
    transactionId: String(params.transactionId),
    meterStopWh: params.meterStop,
    timestamp: new Date(params.timestamp),
    reason: params.reason,
    samples: readable.map((m) => readMeterValue(m)!),
    raw: readable,
  });
  return params.idTag ? { idTagInfo: { status: 'Accepted' } } : {};
};
