/**
 * The operator's named shortcuts (reset, availability, unlock, …): one protocol-agnostic input each,
 * turned into the action and params of the charger's OCPP version, as charger-protocols.ts does for
 * the hub's own calls. Pure: what comes out is then sent, schema-checked, through the generic action
 * path (ocpp/charger-actions.service.ts), so a shortcut can never send what the generic path would refuse.
 */
import { z } from 'zod';
import { HubError } from '../../foundation/hub-errors';
import type { OcppProtocol } from '../chargers/chargers.service';
import { CHARGER_PROTOCOLS, type ChargerCall } from './charger-protocols';

/** "0" (or absent) is the whole charger; else a connector as the hub names it: 1.6 "2", 2.0.1 "1/2" or "1" (an EVSE). */
const Connector = z.string().regex(/^(0|[1-9][0-9]{0,3}(\/[1-9][0-9]{0,3})?)$/, 'must be "0" (the whole charger), a 1.6 connectorId ("2") or a 2.0.1 evseId[/connectorId] ("1/2")');
const DateTime = z.iso.datetime({ offset: true });

/** What a shortcut is given besides its input: an id for 2.0.1's requestId fields, and a one-time URL when it needs one. */
export interface ShortcutContext {
  requestId: number;
  /** The one-time URL the charger uploads diagnostics or a log to (`get-diagnostics`). */
  uploadUrl?: string;
}

interface Shortcut<S extends z.ZodType> {
  input: S;
  /** A one-time upload URL must be made (and given in the context) before the call, for a file of this kind. */
  uploadKind?: (protocol: OcppProtocol, input: z.infer<S>) => 'diagnostics' | 'log';
  call: (protocol: OcppProtocol, input: z.infer<S>, context: ShortcutContext) => ChargerCall;
}

const evseNumber = (connector: string) => Number(connector.split('/')[0]);
/** 2.0.1 EVSEType of a connector, or undefined for the whole station ("0"). */
function evse201(connector: string | undefined): { id: number; connectorId?: number } | undefined {
  if (connector === undefined || connector === '0') return undefined;
  const [id, connectorId] = connector.split('/').map(Number);
  return connectorId === undefined ? { id } : { id, connectorId };
}
/** 1.6 keeps configuration keys; 2.0.1 and 2.1 (which keeps 2.0.1's actions) a device model of variables. */
type ShortcutFamily = 'ocpp1.6' | 'ocpp2.0.1 and 2.1';
const familyOf = (protocol: OcppProtocol): ShortcutFamily => (protocol === 'ocpp1.6' ? 'ocpp1.6' : 'ocpp2.0.1 and 2.1');
const only = (protocol: OcppProtocol, wanted: ShortcutFamily, instead: string) => {
  if (familyOf(protocol) !== wanted) throw new HubError('conflict', `The charger speaks ${protocol}; this shortcut is for ${wanted} (use ${instead})`);
};
const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const shortcut = <S extends z.ZodType>(s: Shortcut<S>) => s;

export const SHORTCUTS = {
  /** Soft: the charger stops its transactions and restarts its software; hard: a reboot. 2.0.1: OnIdle / Immediate. */
  reset: shortcut({
    input: z.strictObject({ type: z.enum(['soft', 'hard']).default('soft') }),
    call: (protocol, { type }) =>
      protocol === 'ocpp1.6'
        ? { action: 'Reset', params: { type: type === 'soft' ? 'Soft' : 'Hard' } }
        : { action: 'Reset', params: { type: type === 'soft' ? 'OnIdle' : 'Immediate' } },
  }),
  /** The charger reports the new state with StatusNotification, which the EVSE's OCPI status follows (Unavailable → INOPERATIVE). */
  availability: shortcut({
    input: z.strictObject({ connector: Connector.default('0'), operative: z.boolean() }),
    call: (protocol, { connector, operative }) => {
      const type = operative ? 'Operative' : 'Inoperative';
      if (protocol === 'ocpp1.6') return { action: 'ChangeAvailability', params: { connectorId: evseNumber(connector), type } };
      return { action: 'ChangeAvailability', params: defined({ operationalStatus: type, evse: evse201(connector) }) };
    },
  }),
  unlock: shortcut({
    input: z.strictObject({ connector: Connector.refine((c) => c !== '0', 'name the connector to unlock') }),
    call: (protocol, { connector }) => CHARGER_PROTOCOLS[protocol].unlockConnector(connector),
  }),
  /** `message` as the version names it (1.6 MessageTrigger, 2.0.1 MessageTriggerEnumType); the schema check refuses others. */
  trigger: shortcut({
    input: z.strictObject({ message: z.string().min(1).max(50), connector: Connector.optional() }),
    call: (protocol, { message, connector }) =>
      protocol === 'ocpp1.6'
        ? { action: 'TriggerMessage', params: defined({ requestedMessage: message, connectorId: connector === undefined ? undefined : evseNumber(connector) }) }
        : { action: 'TriggerMessage', params: defined({ requestedMessage: message, evse: evse201(connector) }) },
  }),
  /**
   * A02: the charger makes a new key and sends SignCertificate, which the hub's CA answers
   * (ocpp/charger-certificates.ts). 1.6 (security whitepaper): ExtendedTriggerMessage
   * SignChargePointCertificate; 2.0.1/2.1: TriggerMessage SignChargingStationCertificate.
   */
  'renew-certificate': shortcut({
    input: z.strictObject({}),
    call: (protocol) =>
      protocol === 'ocpp1.6'
        ? { action: 'ExtendedTriggerMessage', params: { requestedMessage: 'SignChargePointCertificate' } }
        : { action: 'TriggerMessage', params: { requestedMessage: 'SignChargingStationCertificate' } },
  }),
  'get-configuration': shortcut({
    input: z.strictObject({ keys: z.array(z.string().min(1).max(50)).max(100).optional() }),
    call: (protocol, { keys }) => {
      only(protocol, 'ocpp1.6', 'get-variables');
      return { action: 'GetConfiguration', params: defined({ key: keys }) };
    },
  }),
  'change-configuration': shortcut({
    input: z.strictObject({ key: z.string().min(1).max(50), value: z.string().max(500) }),
    call: (protocol, { key, value }) => {
      only(protocol, 'ocpp1.6', 'set-variables');
      return { action: 'ChangeConfiguration', params: { key, value } };
    },
  }),
  'get-variables': shortcut({
    input: z.strictObject({
      variables: z.array(z.strictObject({ component: z.string().min(1), variable: z.string().min(1), attribute: z.string().optional() })).min(1).max(100),
    }),
    call: (protocol, { variables }) => {
      only(protocol, 'ocpp2.0.1 and 2.1', 'get-configuration');
      return {
        action: 'GetVariables',
        params: { getVariableData: variables.map((v) => defined({ component: { name: v.component }, variable: { name: v.variable }, attributeType: v.attribute })) },
      };
    },
  }),
  'set-variables': shortcut({
    input: z.strictObject({
      variables: z.array(z.strictObject({ component: z.string().min(1), variable: z.string().min(1), value: z.string(), attribute: z.string().optional() })).min(1).max(100),
    }),
    call: (protocol, { variables }) => {
      only(protocol, 'ocpp2.0.1 and 2.1', 'change-configuration');
      return {
        action: 'SetVariables',
        params: {
          setVariableData: variables.map((v) => defined({ attributeValue: v.value, component: { name: v.component }, variable: { name: v.variable }, attributeType: v.attribute })),
        },
      };
    },
  }),
  'clear-cache': shortcut({ input: z.strictObject({}), call: () => ({ action: 'ClearCache', params: {} }) }),
  /** `location` is where the charger downloads the firmware: the hub's own one-time URL when the operator uploaded the file (the route does that). */
  'update-firmware': shortcut({
    input: z.strictObject({
      location: z.url(),
      retrieve_at: DateTime.optional(),
      retries: z.number().int().min(0).max(100).optional(),
      retry_interval: z.number().int().min(0).optional(),
    }),
    call: (protocol, input, { requestId }) => {
      const retrieveAt = input.retrieve_at ?? new Date().toISOString();
      if (protocol === 'ocpp1.6') {
        return { action: 'UpdateFirmware', params: defined({ location: input.location, retrieveDate: retrieveAt, retries: input.retries, retryInterval: input.retry_interval }) };
      }
      return {
        action: 'UpdateFirmware',
        params: defined({ requestId, firmware: { location: input.location, retrieveDateTime: retrieveAt }, retries: input.retries, retryInterval: input.retry_interval }),
      };
    },
  }),
  /** The charger uploads to a one-time URL of the hub; 1.6 diagnostics is GetDiagnostics, a security log (both versions) and 2.0.1 diagnostics GetLog. */
  'get-diagnostics': shortcut({
    input: z.strictObject({ log: z.enum(['diagnostics', 'security']).default('diagnostics'), since: DateTime.optional(), until: DateTime.optional() }),
    uploadKind: (protocol, { log }) => (protocol === 'ocpp1.6' && log === 'diagnostics' ? 'diagnostics' : 'log'),
    call: (protocol, { log, since, until }, { uploadUrl, requestId }) => {
      if (!uploadUrl) throw new Error('get-diagnostics needs an upload URL');
      if (protocol === 'ocpp1.6' && log === 'diagnostics') return { action: 'GetDiagnostics', params: defined({ location: uploadUrl, startTime: since, stopTime: until }) };
      return {
        action: 'GetLog',
        params: { logType: log === 'security' ? 'SecurityLog' : 'DiagnosticsLog', requestId, log: defined({ remoteLocation: uploadUrl, oldestTimestamp: since, latestTimestamp: until }) },
      };
    },
  }),
  /** `profile` in the charger's version's form (1.6 csChargingProfiles, 2.0.1 ChargingProfileType); the schema checks it. */
  'set-charging-profile': shortcut({
    input: z.strictObject({ connector: Connector.default('0'), profile: z.record(z.string(), z.unknown()) }),
    call: (protocol, { connector, profile }) =>
      protocol === 'ocpp1.6'
        ? { action: 'SetChargingProfile', params: { connectorId: evseNumber(connector), csChargingProfiles: profile } }
        : { action: 'SetChargingProfile', params: { evseId: evseNumber(connector), chargingProfile: profile } },
  }),
  'clear-charging-profile': shortcut({
    input: z.strictObject({
      id: z.number().int().optional(),
      connector: Connector.optional(),
      purpose: z.string().optional(),
      stack_level: z.number().int().min(0).optional(),
    }),
    call: (protocol, { id, connector, purpose, stack_level }) => {
      const evseId = connector === undefined ? undefined : evseNumber(connector);
      if (protocol === 'ocpp1.6') return { action: 'ClearChargingProfile', params: defined({ id, connectorId: evseId, chargingProfilePurpose: purpose, stackLevel: stack_level }) };
      const criteria = defined({ evseId, chargingProfilePurpose: purpose, stackLevel: stack_level });
      return { action: 'ClearChargingProfile', params: defined({ chargingProfileId: id, chargingProfileCriteria: Object.keys(criteria).length ? criteria : undefined }) };
    },
  }),
  'composite-schedule': shortcut({
    input: z.strictObject({ connector: Connector.default('0'), duration: z.number().int().min(1), unit: z.enum(['A', 'W']).optional() }),
    call: (protocol, { connector, duration, unit }) =>
      protocol === 'ocpp1.6'
        ? { action: 'GetCompositeSchedule', params: defined({ connectorId: evseNumber(connector), duration, chargingRateUnit: unit }) }
        : { action: 'GetCompositeSchedule', params: defined({ evseId: evseNumber(connector), duration, chargingRateUnit: unit }) },
  }),
  /** 2.0.1 SetDisplayMessage (1.6 has no display messages). */
  'display-message': shortcut({
    input: z.strictObject({
      message: z.string().min(1).max(512),
      id: z.number().int().min(0).optional(),
      priority: z.enum(['AlwaysFront', 'InFront', 'NormalCycle']).default('NormalCycle'),
      language: z.string().max(8).optional(),
      format: z.enum(['ASCII', 'HTML', 'URI', 'UTF8']).default('UTF8'),
      from: DateTime.optional(),
      until: DateTime.optional(),
    }),
    call: (protocol, input, { requestId }) => {
      if (protocol === 'ocpp1.6') throw new HubError('conflict', 'The charger speaks ocpp1.6, which has no display messages (SetDisplayMessage is OCPP 2.0.1)');
      return {
        action: 'SetDisplayMessage',
        params: {
          message: defined({
            id: input.id ?? requestId,
            priority: input.priority,
            startDateTime: input.from,
            endDateTime: input.until,
            message: defined({ format: input.format, content: input.message, language: input.language }),
          }),
        },
      };
    },
  }),
} satisfies Record<string, Shortcut<z.ZodType>>;

export type ShortcutName = keyof typeof SHORTCUTS;
export const SHORTCUT_NAMES = Object.keys(SHORTCUTS) as ShortcutName[];

/** The call a shortcut makes on a charger of `protocol` (input already parsed with its `input` schema). */
export function shortcutCall(name: ShortcutName, protocol: OcppProtocol, input: unknown, context: ShortcutContext): ChargerCall {
  return (SHORTCUTS[name] as Shortcut<z.ZodType>).call(protocol, input, context);
}
