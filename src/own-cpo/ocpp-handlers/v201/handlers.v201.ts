import { authorize } from './authorize.v201';
import { transactionEvent } from './transaction-event.v201';
import { meterValues } from './meter-values.v201';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification.v201';
import { dataTransfer } from './data-transfer.v201';
import { heartbeat } from './heartbeat.v201';
import { firmwareStatusNotification, reservationStatusUpdate, securityEventNotification } from './notifications.v201';
import { statusNotification } from './status-notification.v201';

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
