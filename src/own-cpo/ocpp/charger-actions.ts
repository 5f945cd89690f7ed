/**
 * Which OCPP actions travel in which direction, per version, and the check of an action's params
 * against the very JSON schemas ocpp-rpc's strict mode applies (its standard validators over
 * lib/schemas/ocpp1_6.json and ocpp2_0_1.json: no second copy of the schemas, no second validator to
 * disagree with the wire). Pure: no I/O.
 */
import standardValidators from 'ocpp-rpc/lib/standard-validators';
import type { OcppProtocol } from '../chargers/chargers.service';
import { ocpp21Validator } from './ocpp21-schemas';

/**
 * OCPP 1.6J charger → hub: Core (§4), Firmware Management (§4.4, §4.5) — Local Auth List Management,
 * Reservation, Smart Charging and Remote Trigger have no charger-initiated message — and the Security
 * whitepaper edition 3 (SecurityEventNotification, SignCertificate, LogStatusNotification,
 * SignedFirmwareStatusNotification). The hub answers every one (ocpp-handlers/v16/handlers.v16.ts).
 */
export const OCPP16_CHARGER_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
  'SecurityEventNotification',
  'SignCertificate',
  'LogStatusNotification',
  'SignedFirmwareStatusNotification',
] as const;

/** OCPP 2.0.1 hub → charger: every CSMS-initiated request of ocpp2_0_1.json. */
const HUB_ACTIONS_V201 = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile', 'ClearDisplayMessage',
  'ClearVariableMonitoring', 'CostUpdated', 'CustomerInformation', 'DataTransfer', 'DeleteCertificate', 'GetBaseReport',
  'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages', 'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetLog',
  'GetMonitoringReport', 'GetReport', 'GetTransactionStatus', 'GetVariables', 'InstallCertificate', 'PublishFirmware',
  'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
  'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables',
  'TriggerMessage', 'UnlockConnector', 'UnpublishFirmware', 'UpdateFirmware',
];

/** What the hub may send a charger, per version: every CSMS-initiated action of the version (and 1.6's security extension). */
export const HUB_ACTIONS: Record<OcppProtocol, readonly string[]> = {
  'ocpp1.6': [
    // Core
    'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'DataTransfer', 'GetConfiguration', 'RemoteStartTransaction',
    'RemoteStopTransaction', 'Reset', 'UnlockConnector',
    // Firmware Management, Local Auth List Management, Reservation, Smart Charging, Remote Trigger
    'GetDiagnostics', 'UpdateFirmware', 'GetLocalListVersion', 'SendLocalList', 'CancelReservation', 'ReserveNow',
    'ClearChargingProfile', 'GetCompositeSchedule', 'SetChargingProfile', 'TriggerMessage',
    // Security whitepaper edition 3
    'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog', 'InstallCertificate',
    'SignedUpdateFirmware',
  ],
  'ocpp2.0.1': HUB_ACTIONS_V201,
  // 2.1 keeps every 2.0.1 action and adds these CSMS-initiated ones (ocpp2_1.json).
  'ocpp2.1': [
    ...HUB_ACTIONS_V201,
    'AdjustPeriodicEventStream', 'AFRRSignal', 'ChangeTransactionTariff', 'ClearDERControl', 'ClearTariffs', 'GetDERControl',
    'GetPeriodicEventStream', 'GetTariffs', 'NotifyAllowedEnergyTransfer', 'NotifyWebPaymentStarted', 'RequestBatterySwap',
    'SetDefaultTariff', 'SetDERControl', 'UpdateDynamicSchedule', 'UsePriorityCharging',
  ],
};

// ocpp-rpc's own 2.1 validator cannot find its schemas (ocpp21-schemas.ts): the hub's loads them under the names it asks for.
const VALIDATORS = new Map<string, { validate(schemaId: string, params: unknown): unknown }>([
  ...standardValidators.map((v): [string, { validate(schemaId: string, params: unknown): unknown }] => [v.subprotocol, v]),
  ['ocpp2.1', ocpp21Validator()],
]);

/** The request schema's id in the version's schema file: 1.6 `urn:X.req`, 2.0.1 `urn:X.req` too (ocpp-rpc names both so). */
const requestSchema = (action: string) => `urn:${action}.req`;

/**
 * Why `params` cannot be sent as `action` to a charger speaking `protocol`, or undefined when they can:
 * an action the hub does not send in that version, or the schema's complaint (ajv's wording, e.g.
 * "data must have required property 'type'").
 */
export function hubActionProblem(protocol: OcppProtocol, action: string, params: unknown): string | undefined {
  if (!HUB_ACTIONS[protocol].includes(action)) {
    return `${action} is not an action the hub sends in ${protocol} (one of ${HUB_ACTIONS[protocol].join(', ')})`;
  }
  const validator = VALIDATORS.get(protocol);
  if (!validator) return `The hub has no schemas for ${protocol}`;
  try {
    validator.validate(requestSchema(action), params);
    return undefined;
  } catch (error) {
    // ajv names the value "data" at the start of each of its messages.
    return `${action} params: ${(error as Error).message.replace(/(^|, )data/g, '$1params')}`;
  }
}

/** How an action ended, as the action log keeps it. */
export type ActionOutcome = 'accepted' | 'rejected' | 'error' | 'timeout';

/**
 * An answer's outcome: a `status` other than Accepted (Rejected, NotSupported, UnlockFailed, Failed,
 * Scheduled…) is a refusal or a deferral the operator must see, except those that mean "done" or
 * "will be done" in the action's own words. Answers without a status (GetConfiguration,
 * GetDiagnostics, GetLocalListVersion) are data: accepted.
 */
export function answerOutcome(answer: unknown): Exclude<ActionOutcome, 'error' | 'timeout'> {
  const status = (answer as { status?: unknown } | null)?.status;
  if (typeof status !== 'string') return 'accepted';
  return ['Accepted', 'Unlocked', 'Scheduled', 'RebootRequired', 'AcceptedCanceled'].includes(status) ? 'accepted' : 'rejected';
}
