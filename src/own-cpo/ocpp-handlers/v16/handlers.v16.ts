import { authorize } from './authorize.v16';
import { startTransaction } from './start-transaction.v16';
import { stopTransaction } from './stop-transaction.v16';
import { meterValues } from './meter-values.v16';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification.v16';
import { dataTransfer } from './data-transfer.v16';
import { heartbeat } from './heartbeat.v16';
import {
  diagnosticsStatusNotification,
  firmwareStatusNotification,
  logStatusNotification,
  securityEventNotification,
  signedFirmwareStatusNotification,
} from './notifications.v16';
import { signCertificate } from './sign-certificate.v16';
import { statusNotification } from './status-notification.v16';

/**
 * What the hub answers a charge point speaking OCPP 1.6J: every charger-initiated message of the
 * Core, Firmware Management, Local Auth List Management, Reservation, Smart Charging and Remote Trigger
 * profiles (only Core and Firmware Management have any), and the Security whitepaper's (edition 3).
 * `OCPP16_CHARGER_ACTIONS` (ocpp/charger-actions.ts) lists them, and a test keeps the two equal.
 */
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
  SecurityEventNotification: securityEventNotification,
  SignCertificate: signCertificate,
  LogStatusNotification: logStatusNotification,
  SignedFirmwareStatusNotification: signedFirmwareStatusNotification,
};
