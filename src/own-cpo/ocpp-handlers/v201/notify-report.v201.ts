import type { ReportData } from '../../chargers/charger-device-model';
import type { OcppHandler } from '../ocpp-handler';

interface NotifyReportRequest {
  requestId: number;
  generatedAt: string;
  seqNo: number;
  tbc?: boolean;
  reportData?: ReportData[];
}

/**
 * B07/B08: one part of a device model report (GetBaseReport / GetReport). Its variables go to the
 * device model store (charger_variables) with the time the station generated the report; the message
 * itself is kept as an event without its report data (which can be megabytes), with how many
 * attributes it carried.
 */
export const notifyReport: OcppHandler<NotifyReportRequest, Record<string, never>> = async ({ chargerId, params, chargers, deviceModel }) => {
  const generatedAt = new Date(params.generatedAt);
  const attributes = await deviceModel.reported(chargerId, params.reportData ?? [], Number.isNaN(generatedAt.getTime()) || generatedAt > new Date() ? new Date() : generatedAt);
  const { reportData: _, ...header } = params;
  await chargers.recordEvent(chargerId, 'NotifyReport', { ...header, attributes }, {});
  return {};
};
