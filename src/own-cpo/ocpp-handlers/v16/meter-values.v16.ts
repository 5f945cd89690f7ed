import { type MeterValue, readMeterValue } from '../../../core/charging/meter-samples';
import type { OcppHandler } from '../ocpp-handler';

interface MeterValuesRequest {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue[];
}

/** OCPP 1.6 §4.7: meter readings, kept; those of a running transaction update its session. */
export const meterValues: OcppHandler<MeterValuesRequest, Record<string, never>> = async ({ chargerId, params, transactions }) => {
  const readable = params.meterValue.filter((m) => readMeterValue(m));
  await transactions.meterValues(
    chargerId,
    String(params.connectorId),
    params.transactionId === undefined ? undefined : String(params.transactionId),
    readable.map((m) => readMeterValue(m)!),
    readable,
  );
  return {};
};
