import { authorize } from './authorize.v16';
import { startTransaction } from './start-transaction.v16';
import { stopTransaction } from './stop-transaction.v16';
import { meterValues } from './meter-values.v16';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification.v16';
import { dataTransfer } from './data-transfer.v16';
import { heartbeat } from './heartbeat.v16';
import { diagnosticsStatusNotification, firmwareStatusNotification } from './notifications.v16';
import { statusNotification } from './status-notification.v16';

/** What the hub answers a charge point speaking OCPP 1.6J. */
export const OCPP16_HANDLERS: OcppHandlers = {
  BootNotification: bootNotification,
  Authorize: authorize,
  StartTransaction: startTransaction,
  StopTransaction: stopTransaction,
  MeterValues: meterValues,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
  DataTransfer: dataTransfer,
  FirmwareStatusNotification: firmwareStatusNotification,
  DiagnosticsStatusNotification: diagnosticsStatusNotification,
};
