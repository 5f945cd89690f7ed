/**
 * The SetChargingProfile calls that put an allocation into force (pure: no I/O).
 *
 * - OCPP 1.6, per connector: a TxProfile bound to the running transaction; with no transaction (idle,
 *   or a transaction the hub does not know) a TxDefaultProfile, so a car that plugs in starts at the
 *   allocated limit (0 while idle: it waits for its own share rather than overshooting the site).
 * - OCPP 2.0.1, per EVSE: a TxProfile bound to the running transaction; the station as a whole gets a
 *   ChargingStationMaxProfile of the sum of its connectors' limits, so a car that starts before its
 *   TxProfile arrives can only share what the station already has.
 *
 * Every profile of one purpose on one connector has the same id and stack level, so each call replaces
 * the previous one instead of piling up.
 */
import type { PhaseCount } from '../../core/allocation/allocation-core';

export const STACK_LEVEL = 1;

/** The key of a 2.0.1 station's ChargingStationMaxProfile among the connector keys of a site. */
export const STATION_SUFFIX = '#station';

export interface ConnectorProfileTarget {
  kind: 'connector';
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  ocppConnector: string;
  /** The running transaction on the connector, if any. */
  transactionId?: string;
  limitAmps: number;
  phases: PhaseCount;
}

export interface StationMaxTarget {
  kind: 'station-max';
  limitAmps: number;
}

export type ProfileTarget = ConnectorProfileTarget | StationMaxTarget;

/** One decimal at most, as both protocols and OCPI require (limits are tenths already; this removes float noise). */
const tenths = (amps: number) => Math.round(amps * 10) / 10;

/** The SetChargingProfile params for a target, or null when nothing is sent (a 2.0.1 EVSE without a transaction: the station max covers it). */
export function setChargingProfileParams(target: ProfileTarget, now: Date): Record<string, unknown> | null {
  const limit = tenths(target.limitAmps);
  if (target.kind === 'station-max') {
    return {
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
    };
  }
  const period = { startPeriod: 0, limit, numberPhases: target.phases };
  if (target.protocol === 'ocpp1.6') {
    const connectorId = Number(target.ocppConnector);
    const transactionId = target.transactionId !== undefined && /^\d{1,9}$/.test(target.transactionId) ? Number(target.transactionId) : undefined;
    return {
      connectorId,
      csChargingProfiles: {
        chargingProfileId: (transactionId !== undefined ? 1000 : 2000) + connectorId,
        ...(transactionId !== undefined && { transactionId }),
        stackLevel: STACK_LEVEL,
        chargingProfilePurpose: transactionId !== undefined ? 'TxProfile' : 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [period] },
      },
    };
  }
  if (target.transactionId === undefined) return null;
  const evseId = Number(target.ocppConnector.split('/')[0]);
  return {
    evseId,
    chargingProfile: {
      id: 3000 + evseId,
      stackLevel: STACK_LEVEL,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId: target.transactionId,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [period] }],
    },
  };
}

/** What a SetChargingProfile answer means: only Accepted puts the limit in force. */
export function profileAccepted(answer: unknown): boolean {
  return (answer as { status?: unknown } | null)?.status === 'Accepted';
}
