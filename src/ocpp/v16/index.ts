import { authorize } from './authorize';
import { startTransaction } from './start-transaction';
import { stopTransaction } from './stop-transaction';
import { meterValues } from './meter-values';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification';
import { dataTransfer } from './data-transfer';
import { heartbeat } from './heartbeat';
import { diagnosticsStatusNotification, firmwareStatusNotification } from './notifications';
import { statusNotification } from './status-notification';

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
