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
}

/** Where a reservation is made, for whom and until when. */
export interface ReservationCall {
  reservationId: number;
  ocppConnector: string;
  idToken: string;
  expiresAt: Date;
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
  stationMaximum?: (limit: number, now: Date) => ChargerCall;
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
}

/** The hub's profiles: one stack level, one id per purpose and connector, so each call replaces the last. */
export const STACK_LEVEL = 1;

/** Both versions answer these calls with a status; only Accepted means the charger does it. */
export function answerStatus(answer: unknown): string | undefined {
  const status = (answer as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'string' ? status : undefined;
}

const evseOf = (ocppConnector: string) => Number(ocppConnector.split('/')[0]);

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
  connectorLimit: ({ ocppConnector, transactionId, limit, phases }) => {
    const connectorId = Number(ocppConnector);
    const bound = transactionId !== undefined && /^\d{1,9}$/.test(transactionId) ? Number(transactionId) : undefined;
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
  connectorLimit: ({ ocppConnector, transactionId, limit, phases }) => {
    if (transactionId === undefined) return null;
    const evseId = evseOf(ocppConnector);
    return {
      action: 'SetChargingProfile',
      params: {
        evseId,
        chargingProfile: {
          id: 3000 + evseId,
          stackLevel: STACK_LEVEL,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Relative',
          transactionId,
          chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit, numberPhases: phases }] }],
        },
      },
    };
  },
  // The station as a whole, so a car that starts before its TxProfile arrives can only share what the station already has.
  stationMaximum: (limit, now) => ({
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
          { id: 1, startSchedule: new Date(now.getTime() - 60_000).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
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
