import { authorize } from './authorize.v201';
import { transactionEvent } from './transaction-event.v201';
import { meterValues } from './meter-values.v201';
import type { OcppHandlers } from '../ocpp-handler';
import { bootNotification } from './boot-notification.v201';
import { dataTransfer } from './data-transfer.v201';
import { heartbeat } from './heartbeat.v201';
import {
  firmwareStatusNotification,
  logStatusNotification,
  notifyCustomerInformation,
  notifyDisplayMessages,
  notifyEvent,
  notifyEVChargingSchedule,
  notifyMonitoringReport,
  publishFirmwareStatusNotification,
  reportChargingProfiles,
  reservationStatusUpdate,
  securityEventNotification,
} from './notifications.v201';
import { statusNotification } from './status-notification.v201';
import { notifyReport } from './notify-report.v201';
import { notifyEVChargingNeeds } from './notify-ev-charging-needs.v201';
import { clearedChargingLimit, notifyChargingLimit } from './notify-charging-limit.v201';
import { get15118EVCertificate, getCertificateStatus, signCertificate } from './certificate-requests.v201';

/**
 * What the hub answers a charging station speaking OCPP 2.0.1: every request the station may send
 * (every *Request of ocpp2_0_1.json whose sender is the charging station; test/own-cpo/ocpp/ocpp201-messages.test.ts
 * checks the list against the schema file), by functional block.
 */
export const OCPP201_HANDLERS: OcppHandlers = {
  // A Security, B Provisioning
  BootNotification: bootNotification,
  SecurityEventNotification: securityEventNotification,
  SignCertificate: signCertificate,
  NotifyReport: notifyReport,
  // C Authorization
  Authorize: authorize,
  // E Transactions, G Availability, J Meter values
  TransactionEvent: transactionEvent,
  StatusNotification: statusNotification,
  Heartbeat: heartbeat,
  MeterValues: meterValues,
  // H Reservation
  ReservationStatusUpdate: reservationStatusUpdate,
  // K Smart charging
  NotifyEVChargingNeeds: notifyEVChargingNeeds,
  NotifyEVChargingSchedule: notifyEVChargingSchedule,
  NotifyChargingLimit: notifyChargingLimit,
  ClearedChargingLimit: clearedChargingLimit,
  ReportChargingProfiles: reportChargingProfiles,
  // L Firmware management
  FirmwareStatusNotification: firmwareStatusNotification,
  PublishFirmwareStatusNotification: publishFirmwareStatusNotification,
  // M ISO 15118 certificate management
  Get15118EVCertificate: get15118EVCertificate,
  GetCertificateStatus: getCertificateStatus,
  // N Diagnostics
  LogStatusNotification: logStatusNotification,
  NotifyEvent: notifyEvent,
  NotifyMonitoringReport: notifyMonitoringReport,
  NotifyCustomerInformation: notifyCustomerInformation,
  // O Display messages
  NotifyDisplayMessages: notifyDisplayMessages,
  // P Data transfer
  DataTransfer: dataTransfer,
};
