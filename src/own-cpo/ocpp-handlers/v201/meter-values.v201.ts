import { type MeterValue, readMeterValue } from '../../../core/charging/meter-samples';
import type { OcppHandler } from '../ocpp-handler';

/** OCPP 2.0.1 J01: readings outside transaction events, per EVSE (0 is the station's main meter). */
export const meterValues: OcppHandler<{ evseId: number; meterValue: MeterValue[] }, Record<string, never>> = async ({ chargerId, params, transactions }) => {
  const readable = params.meterValue.filter((m) => readMeterValue(m));
  await transactions.meterValues(chargerId, String(params.evseId), undefined, readable.map((m) => readMeterValue(m)!), readable);
  return {};
};
