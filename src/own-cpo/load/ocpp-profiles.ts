/**
 * The SetChargingProfile calls that put an allocation into force (pure: no I/O). How each OCPP
 * version shapes them is in ocpp/charger-protocols.ts:
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
import type { OcppProtocol } from '../chargers/chargers.service';
import type { AmpSchedule } from '../../core/planning/planning-core';
import type { AbsoluteSchedule } from '../ocpp/charger-protocols';
import { answerStatus, CHARGER_PROTOCOLS, type ChargerCall } from '../ocpp/charger-protocols';

export { STACK_LEVEL } from '../ocpp/charger-protocols';

/** The key of a station's maximum profile (2.0.1) among the connector keys of a site. */
export const STATION_SUFFIX = '#station';

export interface ConnectorProfileTarget {
  kind: 'connector';
  protocol: OcppProtocol;
  ocppConnector: string;
  /** The running transaction on the connector, if any. */
  transactionId?: string;
  limitAmps: number;
  phases: PhaseCount;
  /** A planned schedule (planner sites); `limitAmps` is then what a version that cannot bind it gets. */
  schedule?: AmpSchedule;
}

export interface StationMaxTarget {
  kind: 'station-max';
  /** The station's version; 2.0.1 when left out (the one version with a station maximum). */
  protocol?: OcppProtocol;
  limitAmps: number;
  schedule?: AmpSchedule;
}

export type ProfileTarget = ConnectorProfileTarget | StationMaxTarget;

/** One decimal at most, as both protocols and OCPI require (limits are tenths already; this removes float noise). */
const tenths = (amps: number) => Math.round(amps * 10) / 10;

/** The call for a target, or null when nothing is sent (a 2.0.1 EVSE without a transaction: the station max covers it). */
export function chargingProfileCall(target: ProfileTarget, now: Date): ChargerCall | null {
  const limit = tenths(target.limitAmps);
  if (target.kind === 'station-max') {
    const stationMaximum = CHARGER_PROTOCOLS[target.protocol ?? 'ocpp2.0.1'].stationMaximum;
    return stationMaximum ? stationMaximum(limit, now, target.schedule && absolute(target.schedule, now)) : null;
  }
  return CHARGER_PROTOCOLS[target.protocol].connectorLimit({
    ocppConnector: target.ocppConnector,
    transactionId: target.transactionId,
    limit,
    phases: target.phases,
    ...(target.schedule && { schedule: absolute(target.schedule, now) }),
  });
}

/**
 * A schedule as OCPP periods: it starts at its first step at or before `now` (the current slot's
 * start), one period per step from there, the last one the 0 A that ends the plan.
 */
export function absolute(schedule: AmpSchedule, now: Date): AbsoluteSchedule {
  const at = now.getTime();
  let first = 0;
  while (first + 1 < schedule.length && schedule[first + 1].from <= at) first++;
  const start = Math.min(schedule[first].from, at);
  return {
    start: new Date(start),
    periods: schedule.slice(first).map((step, i) => ({ startPeriod: i === 0 ? 0 : Math.round((step.from - start) / 1000), limit: tenths(step.amps) })),
  };
}

/** The SetChargingProfile params for a target, or null when nothing is sent. */
export function setChargingProfileParams(target: ProfileTarget, now: Date): Record<string, unknown> | null {
  return chargingProfileCall(target, now)?.params ?? null;
}

/** What a SetChargingProfile answer means: only Accepted puts the limit in force. */
export function profileAccepted(answer: unknown): boolean {
  return answerStatus(answer) === 'Accepted';
}
