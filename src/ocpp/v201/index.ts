import { authorize } from './authorize';
import { transactionEvent } from './transaction-event';
import { meterValues } from './meter-values';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification';
import { dataTransfer } from './data-transfer';
import { heartbeat } from './heartbeat';
import { firmwareStatusNotification, reservationStatusUpdate, securityEventNotification } from './notifications';
import { statusNotification } from './status-notification';

/** What the hub answers a charging station speaking OCPP 2.0.1. */
export const OCPP201_HANDLERS: OcppHandlers = {
  BootNotification: bootNotification,
  Authorize: authorize,
  TransactionEvent: transactionEvent,
  MeterValues: meterValues,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
  DataTransfer: dataTransfer,
  FirmwareStatusNotification: firmwareStatusNotification,
  SecurityEventNotification: securityEventNotification,
  ReservationStatusUpdate: reservationStatusUpdate,
};
