import type { OcppCall, OcppHandler } from '../ocpp-handler';

/**
 * Notifications kept as sent in ocpp_events with the hub's answer, for the operator and the features
 * that read them (firmware, logs, security, monitoring, display messages, customer information).
 * Each is answered as its schema says once it is stored: a station resends what was not answered.
 */
function keptAs<Answer extends Record<string, unknown>>(action: string, answer: Answer): OcppHandler<Record<string, unknown>, Answer> {
  return async ({ chargerId, params, chargers }) => {
    await chargers.recordEvent(chargerId, action, params, answer);
    return answer;
  };
}

/** Stores an exchange with its answer; the one way every 2.0.1/2.1 handler here keeps what came in. */
export async function keptWith<Answer>(call: Pick<OcppCall<unknown>, 'chargerId' | 'chargers' | 'params'>, action: string, answer: Answer): Promise<Answer> {
  await call.chargers.recordEvent(call.chargerId, action, call.params, answer);
  return answer;
}

/** L01: the progress of a firmware update the hub (or operator) asked for. */
export const firmwareStatusNotification = keptAs('FirmwareStatusNotification', {});
/** L03: the progress of publishing firmware to local controllers. */
export const publishFirmwareStatusNotification = keptAs('PublishFirmwareStatusNotification', {});
/** N01: the progress of a log upload (GetLog). */
export const logStatusNotification = keptAs('LogStatusNotification', {});
/** A04: a security event (the station must send these; the operator reads them). */
export const securityEventNotification = keptAs('SecurityEventNotification', {});
/**
 * H05: the station dropped an expired or removed reservation; the hub's own expiry job frees the
 * EVSE from its side (docs/own-chargers.md).
 */
export const reservationStatusUpdate = keptAs('ReservationStatusUpdate', {});
/** N07/N08: events and monitoring triggers of the device model (faults, thresholds, availability). */
export const notifyEvent = keptAs('NotifyEvent', {});
/** N02: the monitors set on the station (GetMonitoringReport). */
export const notifyMonitoringReport = keptAs('NotifyMonitoringReport', {});
/** N09: customer information the operator asked for (CustomerInformation). */
export const notifyCustomerInformation = keptAs('NotifyCustomerInformation', {});
/** O04: the display messages configured on the station (GetDisplayMessages). */
export const notifyDisplayMessages = keptAs('NotifyDisplayMessages', {});
/** K09: the charging profiles installed on the station (GetChargingProfiles). */
export const reportChargingProfiles = keptAs('ReportChargingProfiles', {});
/**
 * K17: the schedule the EV chose within the hub's profile. The hub takes it as information (Accepted):
 * its own limit stays what load management sent.
 */
export const notifyEVChargingSchedule = keptAs('NotifyEVChargingSchedule', { status: 'Accepted' });
