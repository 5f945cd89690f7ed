/**
 * How the hub's calls to a charger are shaped, per OCPP version: the one place that knows that 1.6
 * says RemoteStartTransaction with a connectorId and an idTag where 2.0.1 says RequestStartTransaction
 * with an evseId, a remoteStartId and an IdToken, and so on for every call the own CPO makes (pure:
 * no I/O). Everything else asks `CHARGER_PROTOCOLS[protocol]` and never compares version strings.
 *
 * A connector is named as the hub keeps it: 1.6 `"<connectorId>"`, 2.0.1 `"<evseId>/<connectorId>"`
 * (or `"<evseId>"` when the station named only the EVSE).
 */
import type { OcppProtocol } from '../chargers/chargers.service';
import type { LocalListMessage } from '../../core/charging/local-list';

/** One call to a charger: the action and its request payload. */
export interface ChargerCall {
  action: string;
  params: Record<string, unknown>;
}

/** A charging limit for one connector (1.6) or EVSE (2.0.1), as load management decided it. */
export interface ConnectorLimitCall {
  ocppConnector: string;
  /** The running transaction on the connector, if any. */
  transactionId?: string;
  /** Amperes per phase, at most one decimal. */
  limit: number;
  phases: number;
  /** A planned absolute schedule (the planner's sites): sent as an Absolute profile the charger keeps offline; `limit` is used where a version cannot bind one. */
  schedule?: AbsoluteSchedule;
}

/** An absolute charging schedule: from `start`, each period's limit (amperes per phase, one decimal) from `startPeriod` seconds on. */
export interface AbsoluteSchedule {
  start: Date;
  periods: { startPeriod: number; limit: number }[];
}

/** Where a reservation is made, for whom and until when. */
export interface ReservationCall {
  reservationId: number;
  ocppConnector: string;
  idToken: string;
  expiresAt: Date;
}

/** How a version keeps its local authorization list (core/charging/local-list.ts builds the version-neutral messages). */
export interface LocalListProtocol {
  /** Longest id a list entry takes (1.6 IdToken CiString20, 2.0.1 idToken 36). */
  maxIdLength: number;
  getVersion(): ChargerCall;
  /** The version in a GetLocalListVersion answer (1.6: -1 means the charger has no local list). */
  versionOf(answer: unknown): number | undefined;
  send(message: LocalListMessage): ChargerCall;
  /** Where the charger tells its entries per SendLocalList and its list capacity (device model store: component and variable). */
  itemsPerMessage: { component: string; variable: string };
  /** 1.6 keeps the capacity as the key's value; 2.0.1 as the maxLimit characteristic of Entries (whose value is the count). */
  capacity: { component: string; variable: string; characteristic?: 'maxLimit' };
}

export interface ChargerProtocol {
  /** Starts charging for a token the hub authorized (a START_SESSION command, an ad hoc payment). */
  remoteStart(input: { ocppConnector: string; idToken: string; remoteStartId: number }): ChargerCall;
  remoteStop(transactionId: string): ChargerCall;
  reserveNow(input: ReservationCall): ChargerCall;
  cancelReservation(reservationId: number): ChargerCall;
  unlockConnector(ocppConnector: string): ChargerCall;
  /** The profile that puts a connector's limit into force, or null when this version sends none for it. */
  connectorLimit(input: ConnectorLimitCall): ChargerCall | null;
  /** The station-wide maximum (the sum of its connectors' limits), for versions that keep one; else undefined. */
  stationMaximum?: (limit: number, now: Date, schedule?: AbsoluteSchedule) => ChargerCall;
  /** The calls that clear every profile the hub's load management sets on a charger. */
  clearLoadProfiles(): ChargerCall[];
  /** Asks the station about a transaction found lost, for versions that can be asked; else it is closed on the evidence. */
  transactionStatus?: (transactionId: string) => ChargerCall;
  /** Whether two connectors hold one transaction slot: 1.6 one per connector, 2.0.1 one per EVSE. */
  sameTransactionSlot(a: string, b: string): boolean;
  /** Asks a station for its device model (it answers with NotifyReport messages), for versions that have one. */
  baseReport?: (requestId: number) => ChargerCall;
  /** The tariff a station calculates its local cost with (an OCPP 2.1 TariffType), for versions that take one. */
  defaultTariff?: (evseId: number, tariff: Record<string, unknown>) => ChargerCall;
  /** The running cost of a transaction, as the hub prices it, for versions that show it. */
  costUpdated?: (transactionId: string, totalCost: number) => ChargerCall;
  /** The local authorization list (1.6 LocalAuthListManagement, 2.0.1/2.1 D01–D02). */
  localList: LocalListProtocol;
}

/** The hub's profiles: one stack level, one id per purpose and connector, so each call replaces the last. */
export const STACK_LEVEL = 1;

/** Both versions answer these calls with a status; only Accepted means the charger does it. */
export function answerStatus(answer: unknown): string | undefined {
  const status = (answer as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'string' ? status : undefined;
}

const evseOf = (ocppConnector: string) => Number(ocppConnector.split('/')[0]);

const integerIn = (answer: unknown, field: string): number | undefined => {
  const value = (answer as Record<string, unknown> | null | undefined)?.[field];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
};

const LOCAL_LIST_16: LocalListProtocol = {
  maxIdLength: 20,
  getVersion: () => ({ action: 'GetLocalListVersion', params: {} }),
  versionOf: (answer) => integerIn(answer, 'listVersion'),
  // An entry without idTagInfo is removed by a Differential update (1.6 §5.15).
  send: ({ updateType, version, entries }) => ({
    action: 'SendLocalList',
    params: {
      listVersion: version,
      updateType,
      localAuthorizationList: entries.map((e) => ({ idTag: e.id, ...(e.status && { idTagInfo: { status: e.status, ...(e.expiresAt && { expiryDate: e.expiresAt }) } }) })),
    },
  }),
  itemsPerMessage: { component: 'OCPP16', variable: 'SendLocalListMaxLength' },
  capacity: { component: 'OCPP16', variable: 'LocalAuthListMaxLength' },
};

// OCPI RFID tokens are presented as ISO 14443 cards (the reader's type, which the station matches with the id).
const LOCAL_LIST_201: LocalListProtocol = {
  maxIdLength: 36,
  getVersion: () => ({ action: 'GetLocalListVersion', params: {} }),
  versionOf: (answer) => integerIn(answer, 'versionNumber'),
  // D01: an entry without idTokenInfo is removed by a Differential update; an empty Full list clears it.
  send: ({ updateType, version, entries }) => ({
    action: 'SendLocalList',
    params: {
      versionNumber: version,
      updateType,
      ...(entries.length > 0 && {
        localAuthorizationList: entries.map((e) => ({
          idToken: { idToken: e.id, type: 'ISO14443' },
          ...(e.status && { idTokenInfo: { status: e.status, ...(e.expiresAt && { cacheExpiryDateTime: e.expiresAt }) } }),
        })),
      }),
    },
  }),
  itemsPerMessage: { component: 'LocalAuthListCtrlr', variable: 'ItemsPerMessage' },
  capacity: { component: 'LocalAuthListCtrlr', variable: 'Entries', characteristic: 'maxLimit' },
};

const OCPP16: ChargerProtocol = {
  remoteStart: ({ ocppConnector, idToken }) => ({ action: 'RemoteStartTransaction', params: { connectorId: evseOf(ocppConnector), idTag: idToken } }),
  remoteStop: (transactionId) => ({ action: 'RemoteStopTransaction', params: { transactionId: Number(transactionId) } }),
  reserveNow: ({ reservationId, ocppConnector, idToken, expiresAt }) => ({
    action: 'ReserveNow',
    params: { connectorId: Number(ocppConnector), expiryDate: expiresAt.toISOString(), idTag: idToken, reservationId },
  }),
  cancelReservation: (reservationId) => ({ action: 'CancelReservation', params: { reservationId } }),
  unlockConnector: (ocppConnector) => ({ action: 'UnlockConnector', params: { connectorId: evseOf(ocppConnector) } }),
  // Per connector: a TxProfile bound to the running transaction; with none (idle, or a transaction the
  // hub does not know) a TxDefaultProfile, so a car that plugs in starts at the allocated limit.
  connectorLimit: ({ ocppConnector, transactionId, limit, phases, schedule }) => {
    const connectorId = Number(ocppConnector);
    const bound = transactionId !== undefined && /^\d{1,9}$/.test(transactionId) ? Number(transactionId) : undefined;
    // A planned schedule: an Absolute TxProfile bound to the transaction (a default profile cannot be planned per car).
    if (schedule && bound !== undefined) {
      return {
        action: 'SetChargingProfile',
        params: {
          connectorId,
          csChargingProfiles: {
            chargingProfileId: 1000 + connectorId,
            transactionId: bound,
            stackLevel: STACK_LEVEL,
            chargingProfilePurpose: 'TxProfile',
            chargingProfileKind: 'Absolute',
            chargingSchedule: {
              startSchedule: schedule.start.toISOString(),
              chargingRateUnit: 'A',
              chargingSchedulePeriod: schedule.periods.map((p) => ({ startPeriod: p.startPeriod, limit: p.limit, numberPhases: phases })),
            },
          },
        },
      };
    }
    return {
      action: 'SetChargingProfile',
      params: {
        connectorId,
        csChargingProfiles: {
          chargingProfileId: (bound !== undefined ? 1000 : 2000) + connectorId,
          ...(bound !== undefined && { transactionId: bound }),
          stackLevel: STACK_LEVEL,
          chargingProfilePurpose: bound !== undefined ? 'TxProfile' : 'TxDefaultProfile',
          chargingProfileKind: 'Relative',
          chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit, numberPhases: phases }] },
        },
      },
    };
  },
  clearLoadProfiles: () =>
    ['TxDefaultProfile', 'TxProfile'].map((purpose) => ({ action: 'ClearChargingProfile', params: { chargingProfilePurpose: purpose, stackLevel: STACK_LEVEL } })),
  // No transactionStatus: 1.6 cannot be asked about a transaction without racing the charger's queue
  // of StopTransactions, so the evidence (a boot, a free connector, a new start) closes it.
  sameTransactionSlot: (a, b) => a === b,
  localList: LOCAL_LIST_16,
};

const OCPP201: ChargerProtocol = {
  remoteStart: ({ ocppConnector, idToken, remoteStartId }) => ({
    action: 'RequestStartTransaction',
    params: { evseId: evseOf(ocppConnector), remoteStartId, idToken: { idToken, type: 'Central' } },
  }),
  remoteStop: (transactionId) => ({ action: 'RequestStopTransaction', params: { transactionId } }),
  reserveNow: ({ reservationId, ocppConnector, idToken, expiresAt }) => ({
    action: 'ReserveNow',
    params: { id: reservationId, expiryDateTime: expiresAt.toISOString(), idToken: { idToken, type: 'Central' }, evseId: evseOf(ocppConnector) },
  }),
  cancelReservation: (reservationId) => ({ action: 'CancelReservation', params: { reservationId } }),
  unlockConnector: (ocppConnector) => {
    const [evseId, connectorId] = ocppConnector.split('/').map(Number);
    return { action: 'UnlockConnector', params: { evseId, connectorId: connectorId ?? 1 } };
  },
  // Per EVSE: a TxProfile bound to the running transaction; without one nothing (the station maximum covers it).
  connectorLimit: ({ ocppConnector, transactionId, limit, phases, schedule }) => {
    if (transactionId === undefined) return null;
    const evseId = evseOf(ocppConnector);
    // The planner's plan as an absolute schedule; the allocator's limit as one relative period.
    const timing = schedule
      ? { kind: 'Absolute', startSchedule: schedule.start.toISOString(), periods: schedule.periods }
      : { kind: 'Relative', periods: [{ startPeriod: 0, limit }] };
    return {
      action: 'SetChargingProfile',
      params: {
        evseId,
        chargingProfile: {
          id: 3000 + evseId,
          stackLevel: STACK_LEVEL,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: timing.kind,
          transactionId,
          chargingSchedule: [
            {
              id: 1,
              ...(timing.startSchedule && { startSchedule: timing.startSchedule }),
              chargingRateUnit: 'A',
              chargingSchedulePeriod: timing.periods.map((p) => ({ startPeriod: p.startPeriod, limit: p.limit, numberPhases: phases })),
            },
          ],
        },
      },
    };
  },
  // The station as a whole, so a car that starts before its TxProfile arrives can only share what the station already has.
  stationMaximum: (limit, now, schedule) => ({
    action: 'SetChargingProfile',
    params: {
      evseId: 0,
      chargingProfile: {
        id: 4000,
        stackLevel: STACK_LEVEL,
        chargingProfilePurpose: 'ChargingStationMaxProfile',
        // 2.0.1 does not allow Relative for the station maximum; a start a minute back covers a charger clock a little behind.
        chargingProfileKind: 'Absolute',
        chargingSchedule: [
          schedule
            ? { id: 1, startSchedule: schedule.start.toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: schedule.periods }
            : { id: 1, startSchedule: new Date(now.getTime() - 60_000).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
        ],
      },
    },
  }),
  clearLoadProfiles: () =>
    ['ChargingStationMaxProfile', 'TxProfile'].map((purpose) => ({
      action: 'ClearChargingProfile',
      params: { chargingProfileCriteria: { chargingProfilePurpose: purpose, stackLevel: STACK_LEVEL } },
    })),
  // E14: the station's word decides.
  transactionStatus: (transactionId) => ({ action: 'GetTransactionStatus', params: { transactionId } }),
  // B07: what is configurable and what it is set to (not the full inventory, which can be megabytes).
  baseReport: (requestId) => ({ action: 'GetBaseReport', params: { requestId, reportBase: 'ConfigurationInventory' } }),
  sameTransactionSlot: (a, b) => a.split('/')[0] === b.split('/')[0],
  localList: LOCAL_LIST_201,
};

/**
 * OCPP 2.1 shapes every call the hub makes as 2.0.1 does (RequestStart/StopTransaction, ReserveNow,
 * UnlockConnector, SetChargingProfile, ClearChargingProfile and GetTransactionStatus are backward
 * compatible: 2.1 only adds optional fields); what it adds is its own: the default tariff for its
 * local cost calculation, and the running cost.
 */
const OCPP21: ChargerProtocol = {
  ...OCPP201,
  defaultTariff: (evseId, tariff) => ({ action: 'SetDefaultTariff', params: { evseId, tariff } }),
  costUpdated: (transactionId, totalCost) => ({ action: 'CostUpdated', params: { transactionId, totalCost } }),
};

/** Every OCPP version the hub speaks, with how its calls are shaped. */
export const CHARGER_PROTOCOLS: Record<OcppProtocol, ChargerProtocol> = { 'ocpp1.6': OCPP16, 'ocpp2.0.1': OCPP201, 'ocpp2.1': OCPP21 };

/**
 * The calls of the reliability features (docs/reliability.md): a probe that a silent charger must
 * answer (TriggerMessage Heartbeat: 1.6 and 2.0.1 both accept it, and an answer proves the connection
 * carries calls both ways), Reset and ChangeAvailability for the playbooks. 1.6 Reset is Soft/Hard;
 * 2.0.1 has OnIdle (after transactions end: the soft one) and Immediate (the hard one).
 */
export interface ReliabilityCallShapes {
  probe(): ChargerCall;
  reset(kind: 'soft' | 'hard'): ChargerCall;
  /** A connector (1.6) or EVSE (2.0.1, `evse/connector`) made Inoperative or Operative again. */
  availability(ocppConnector: string, operative: boolean): ChargerCall;
}

const RELIABILITY_16: ReliabilityCallShapes = {
  probe: () => ({ action: 'TriggerMessage', params: { requestedMessage: 'Heartbeat' } }),
  reset: (kind) => ({ action: 'Reset', params: { type: kind === 'soft' ? 'Soft' : 'Hard' } }),
  availability: (ocppConnector, operative) => ({ action: 'ChangeAvailability', params: { connectorId: evseOf(ocppConnector), type: operative ? 'Operative' : 'Inoperative' } }),
};

const RELIABILITY_201: ReliabilityCallShapes = {
  probe: () => ({ action: 'TriggerMessage', params: { requestedMessage: 'Heartbeat' } }),
  reset: (kind) => ({ action: 'Reset', params: { type: kind === 'soft' ? 'OnIdle' : 'Immediate' } }),
  // The whole EVSE: a driver charges at an EVSE, and that is what the OCPI status shows.
  availability: (ocppConnector, operative) => ({ action: 'ChangeAvailability', params: { operationalStatus: operative ? 'Operative' : 'Inoperative', evse: { id: evseOf(ocppConnector) } } }),
};

export const RELIABILITY_CALLS: Record<OcppProtocol, ReliabilityCallShapes> = { 'ocpp1.6': RELIABILITY_16, 'ocpp2.0.1': RELIABILITY_201, 'ocpp2.1': RELIABILITY_201 };
