/**
 * What the reliability measures read: plain data per EVSE, already gathered by an adapter (not yet
 * written) from OCPP facts of own chargers and OCPI objects of partners. Times are epoch milliseconds.
 *
 * One unit of measurement is an EVSE (OCPI EVSE; an OCPP 1.6 connector, an OCPP 2.0.1 EVSE): it is
 * what the UK regulations measure ("EVSE object status") and what a driver charges at. Charger-wide
 * facts (reboots, disconnects) are given to every EVSE of the charger.
 */

import type { EvseStatus } from '../charging/connector-status';

export interface Interval {
  from: number;
  /** Exclusive. */
  to: number;
}

/** A status as the hub learnt it. `receivedAt` lets a charger's wrong clock be caught (see statusTime). */
export interface StatusSample {
  at: number;
  status: EvseStatus;
  receivedAt?: number;
}

/**
 * Causes of an outage that 23 CFR 680.116(b)(4) lets an operator exclude, plus the UK's "accessible
 * only during specific hours" (Public Charge Point Regulations 2023, reg. 7(5)), which both rules honour.
 */
export const EXCLUSION_CAUSES = ['utility_outage', 'vehicle_fault', 'scheduled_maintenance', 'vandalism', 'natural_disaster', 'outside_hours'] as const;
export type ExclusionCause = (typeof EXCLUSION_CAUSES)[number];
export interface ExcludedPeriod extends Interval {
  cause: ExclusionCause;
}

/** Where an attempt was learnt: OCPP facts of own chargers, OCPI objects of partners. */
export type AttemptOrigin = 'ocpp_authorize' | 'ocpp_remote_start' | 'ocpp_transaction' | 'ocpi_command' | 'ocpi_session' | 'ocpi_cdr';

/**
 * One charging attempt, deduplicated by the adapter (an Authorize followed by StartTransaction for the
 * same token and connector is one attempt; a session followed by its CDR is one attempt).
 */
export interface ChargingAttempt {
  id: string;
  at: number;
  origin: AttemptOrigin;
  /**
   * `refused_token`: the driver's token was Invalid/Blocked/Expired (OCPP idTagInfo, OCPI
   * AllowedType other than ALLOWED) — a contract matter, not the charge point's; such attempts are
   * left out of the success rate (counted apart). `no_answer`: authorization timed out or failed in
   * the backend — that is a failed attempt.
   */
  authorization: 'accepted' | 'refused_token' | 'no_answer';
  /** When electricity began to flow (first energy register increase, or Charging state with energy). */
  startedAt?: number;
  /** When the transaction/session ended; absent while still running. */
  endedAt?: number;
  /** OCPP 1.6 StopTransaction.reason / 2.0.1 stoppedReason, verbatim; absent for OCPI-only facts. */
  stopReason?: string;
  /** OCPI session status at the end (COMPLETED / INVALID), when the attempt is a partner's. */
  ocpiEndStatus?: 'COMPLETED' | 'INVALID';
  energyWh?: number;
  /** What the session should have delivered (offered power × duration, capped by what the EV asked). */
  expectedEnergyWh?: number;
  /** A stable, non-identifying key of the driver's token, to group retries into one visit. */
  driverKey?: string;
}

export interface PowerSample {
  at: number;
  offeredKw: number;
  deliveredKw: number;
}

export interface MeterReading {
  at: number;
  /** The energy register, Wh (Energy.Active.Import.Register). */
  registerWh: number;
  /** Transaction the reading belongs to; a register restarting at a new transaction is not an anomaly. */
  transactionId?: string;
}

export interface EvseHistory {
  evseId: string;
  chargerId: string;
  locationId: string;
  cpoId: string;
  /** own: our OCPP charger (faults, reboots, disconnects, meter values known); partner: OCPI only. */
  kind: 'own' | 'partner';
  /** Rated power; ≥ 50 kW is a "rapid charge point" (Public Charge Point Regulations 2023, reg. 2). */
  maxPowerKw: number;
  statuses: StatusSample[];
  /** Periods the hub itself observed nothing (hub down or restarting, partner feed not received). */
  hubGaps: Interval[];
  /** Own chargers: periods the OCPP connection was down while the hub was up (one disconnect each). */
  offline: Interval[];
  excluded: ExcludedPeriod[];
  attempts: ChargingAttempt[];
  /** Own chargers: StatusNotification errorCode other than NoError / NotifyEvent problems. */
  faults: number[];
  /** Own chargers: BootNotification times. */
  reboots: number[];
  power: PowerSample[];
  meter: MeterReading[];
}

/** Farther than this between a charger's timestamp and our receipt, the charger's clock is not believed. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The time a status took effect: the charger's own timestamp, unless it differs from when we received it
 * by more than MAX_CLOCK_SKEW_MS (a charger whose clock was reset to 1970 or jumped ahead), then receipt.
 */
export function statusTime(sample: StatusSample): number {
  if (sample.receivedAt === undefined) return sample.at;
  return Math.abs(sample.at - sample.receivedAt) > MAX_CLOCK_SKEW_MS ? sample.receivedAt : sample.at;
}

/** An empty history, for building by hand or in the simulation. */
export function emptyHistory(ids: Pick<EvseHistory, 'evseId' | 'chargerId' | 'locationId' | 'cpoId' | 'kind' | 'maxPowerKw'>): EvseHistory {
  return { ...ids, statuses: [], hubGaps: [], offline: [], excluded: [], attempts: [], faults: [], reboots: [], power: [], meter: [] };
}
