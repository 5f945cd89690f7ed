import type { OcppHandlers } from '../ocpp-handler';
import { OCPP201_HANDLERS } from '../v201/handlers.v201';
import { transactionEvent } from './transaction-event.v21';
import {
  batterySwap,
  closePeriodicEventStream,
  getCertificateChainStatus,
  notifyDERAlarm,
  notifyDERStartStop,
  notifyPriorityCharging,
  notifySettlement,
  openPeriodicEventStream,
  pullDynamicScheduleUpdate,
  reportDERControl,
  vatNumberValidation,
} from './station-requests.v21';

/**
 * What the hub answers a charging station speaking OCPP 2.1: the 2.0.1 table, whose messages 2.1
 * keeps (2.1 adds only optional fields to them, and the 2.1 schema checks each call), with 2.1's own
 * handler where the hub reads a 2.1 addition (TransactionEvent's costDetails) and the requests 2.1
 * adds (test/own-cpo/ocpp/ocpp21.test.ts checks the list against ocpp2_1.json).
 */
export const OCPP21_HANDLERS: OcppHandlers = {
  ...OCPP201_HANDLERS,
  TransactionEvent: transactionEvent,
  BatterySwap: batterySwap,
  ClosePeriodicEventStream: closePeriodicEventStream,
  GetCertificateChainStatus: getCertificateChainStatus,
  NotifyDERAlarm: notifyDERAlarm,
  NotifyDERStartStop: notifyDERStartStop,
  NotifyPriorityCharging: notifyPriorityCharging,
  NotifySettlement: notifySettlement,
  OpenPeriodicEventStream: openPeriodicEventStream,
  PullDynamicScheduleUpdate: pullDynamicScheduleUpdate,
  ReportDERControl: reportDERControl,
  VatNumberValidation: vatNumberValidation,
};
