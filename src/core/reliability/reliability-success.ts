/**
 * Session-based measures: the Charging Success Rate, first-attempt success, abnormal ends by stop
 * reason, energy delivered against expected, power below what was offered, meter anomalies.
 *
 * Charging Success Rate (NOW GmbH / P3, 2026, "Charging Success Rate"): "the percentage of charging
 * attempts where a charging transaction is successfully started (i.e. the charging station begins to
 * supply electricity to the electric vehicle) and subsequently successfully completed", taking "the
 * entire charging process – from authentication to completion" into account (now-gmbh.de press
 * release on the CSR; the 19-page P3 report itself was not available to us, so the precise readings
 * below are ours and say so):
 * - attempt: a ChargingAttempt (an Authorize, a remote start, a transaction without either, an OCPI
 *   START_SESSION command, session or CDR — deduplicated by the adapter), counted in the period that
 *   holds its `at`. Attempts refused because of the driver's token (Invalid/Blocked/Expired) are a
 *   contract matter and are left out (counted as `refusedTokens`); a backend that did not answer is a
 *   failed attempt. An attempt still running (started, not ended) is `pending` and left out until it ends.
 * - started: `startedAt` is set and energy flowed (energyWh > 0 when known).
 * - ended normally: the stop reason is a normal one (NORMAL_STOP_REASONS), or absent — OCPP 1.6 lets
 *   the reason be omitted only when it is Local — or, for OCPI-only facts, the session ended COMPLETED.
 */
import type { ChargingAttempt, MeterReading, PowerSample } from './reliability-input';

/** OCPP 1.6 Reason and OCPP 2.0.1 ReasonEnumType values that mean the driver, the EV or a limit ended the charge. */
export const NORMAL_STOP_REASONS: ReadonlySet<string> = new Set([
  'Local',
  'Remote',
  'EVDisconnected',
  'EnergyLimitReached',
  'SOCLimitReached',
  'StoppedByEV',
  'TimeLimitReached',
  'LocalOutOfCredit',
]);

export type AttemptOutcome = 'success' | 'not_started' | 'ended_abnormally' | 'pending' | 'refused_token';

export function attemptOutcome(a: ChargingAttempt): AttemptOutcome {
  if (a.authorization === 'refused_token') return 'refused_token';
  const started = a.startedAt !== undefined && (a.energyWh === undefined || a.energyWh > 0);
  if (!started) {
    // Accepted and not yet over: the EV may still be plugged in. The adapter closes an attempt that
    // never started (connection time-out, StopTransaction with no energy) by setting endedAt.
    return a.authorization === 'accepted' && a.endedAt === undefined ? 'pending' : 'not_started';
  }
  if (a.endedAt === undefined) return 'pending';
  if (a.stopReason !== undefined) return NORMAL_STOP_REASONS.has(a.stopReason) ? 'success' : 'ended_abnormally';
  return a.ocpiEndStatus === undefined || a.ocpiEndStatus === 'COMPLETED' ? 'success' : 'ended_abnormally';
}

/** The items of [from, to) in time order; the array itself when it already is exactly that (the usual case). */
export function inTimeOrder<T extends { at: number }>(items: T[], from: number, to: number): T[] {
  let ordered = true;
  for (let i = 0; i < items.length; i++) {
    const at = items[i].at;
    if (at < from || at >= to || (i > 0 && at < items[i - 1].at)) {
      ordered = false;
      break;
    }
  }
  return ordered ? items : items.filter((x) => x.at >= from && x.at < to).sort((x, y) => x.at - y.at);
}

/** Two attempts by the same driver at the same EVSE this close together are one visit (a retry). */
export const RETRY_WINDOW_MS = 15 * 60_000;

export interface SessionTotals {
  attempts: number;
  successes: number;
  notStarted: number;
  endedAbnormally: number;
  pending: number;
  refusedTokens: number;
  /** Visits (retries grouped by driverKey within RETRY_WINDOW_MS); attempts without a key are their own visit. */
  visits: number;
  firstAttemptSuccesses: number;
  /** Stop reason → count, for abnormal ends ("(none)" for an OCPI session that ended INVALID). */
  abnormalByReason: Record<string, number>;
  deliveredWh: number;
  expectedWh: number;
  powerSamples: number;
  /** Power samples below POWER_SHORTFALL_RATIO of what was offered. */
  powerShortfalls: number;
  meterAnomalies: number;
}

export const emptySessionTotals = (): SessionTotals => ({
  attempts: 0,
  successes: 0,
  notStarted: 0,
  endedAbnormally: 0,
  pending: 0,
  refusedTokens: 0,
  visits: 0,
  firstAttemptSuccesses: 0,
  abnormalByReason: {},
  deliveredWh: 0,
  expectedWh: 0,
  powerSamples: 0,
  powerShortfalls: 0,
  meterAnomalies: 0,
});

export function addSessionTotals(a: SessionTotals, b: SessionTotals): SessionTotals {
  const reasons = { ...a.abnormalByReason };
  for (const [reason, n] of Object.entries(b.abnormalByReason)) reasons[reason] = (reasons[reason] ?? 0) + n;
  return {
    attempts: a.attempts + b.attempts,
    successes: a.successes + b.successes,
    notStarted: a.notStarted + b.notStarted,
    endedAbnormally: a.endedAbnormally + b.endedAbnormally,
    pending: a.pending + b.pending,
    refusedTokens: a.refusedTokens + b.refusedTokens,
    visits: a.visits + b.visits,
    firstAttemptSuccesses: a.firstAttemptSuccesses + b.firstAttemptSuccesses,
    abnormalByReason: reasons,
    deliveredWh: a.deliveredWh + b.deliveredWh,
    expectedWh: a.expectedWh + b.expectedWh,
    powerSamples: a.powerSamples + b.powerSamples,
    powerShortfalls: a.powerShortfalls + b.powerShortfalls,
    meterAnomalies: a.meterAnomalies + b.meterAnomalies,
  };
}

/**
 * Attempt measures of the attempts whose `at` lies in [from, to). A visit belongs to the period of
 * its first attempt; `previous` (each driver's last attempt before the period, updated in place to
 * those of the period's last RETRY_WINDOW_MS) keeps a retry just after midnight from opening a second visit.
 */
export function sessionTotals(attempts: ChargingAttempt[], from: number, to: number, previous: Map<string, number> = new Map()): SessionTotals {
  const totals = emptySessionTotals();
  const lastAttemptOf = previous;
  for (const a of inTimeOrder(attempts, from, to)) {
    const outcome = attemptOutcome(a);
    if (outcome === 'refused_token') {
      totals.refusedTokens++;
      continue;
    }
    if (outcome === 'pending') {
      totals.pending++;
      continue;
    }
    totals.attempts++;
    if (outcome === 'success') totals.successes++;
    else if (outcome === 'not_started') totals.notStarted++;
    else {
      totals.endedAbnormally++;
      const reason = a.stopReason ?? '(none)';
      totals.abnormalByReason[reason] = (totals.abnormalByReason[reason] ?? 0) + 1;
    }
    const prior = a.driverKey === undefined ? undefined : lastAttemptOf.get(a.driverKey);
    if (prior === undefined || a.at - prior > RETRY_WINDOW_MS) {
      totals.visits++;
      if (outcome === 'success') totals.firstAttemptSuccesses++;
    }
    if (a.driverKey !== undefined) lastAttemptOf.set(a.driverKey, a.at);
    if (a.energyWh !== undefined && a.expectedEnergyWh !== undefined) {
      totals.deliveredWh += a.energyWh;
      totals.expectedWh += a.expectedEnergyWh;
    }
  }
  // Only attempts that could still be retried matter to the next period: the map stays small.
  for (const [driver, at] of lastAttemptOf) if (at < to - RETRY_WINDOW_MS) lastAttemptOf.delete(driver);
  return totals;
}

/** Delivered below this share of offered power, a power sample counts as a shortfall. */
export const POWER_SHORTFALL_RATIO = 0.8;

export function powerShortfalls(samples: PowerSample[], from: number, to: number): { samples: number; shortfalls: number } {
  let n = 0;
  let short = 0;
  for (const s of samples) {
    if (s.at < from || s.at >= to || s.offeredKw <= 0) continue;
    n++;
    if (s.deliveredKw < POWER_SHORTFALL_RATIO * s.offeredKw) short++;
  }
  return { samples: n, shortfalls: short };
}

/** A register rising faster than this multiple of the rated power is a meter anomaly (a jump). */
export const METER_JUMP_FACTOR = 1.5;

/**
 * Meter anomalies among readings in [from, to): within one transaction, a register that goes down, or
 * that rises faster than METER_JUMP_FACTOR × rated power could deliver. `before` is the last reading
 * before the period, so a pair spanning midnight is judged once.
 */
export function meterAnomalies(readings: MeterReading[], maxPowerKw: number, from: number, to: number, before?: MeterReading): number {
  const inPeriod = inTimeOrder(readings, from, to);
  let previous = before;
  let anomalies = 0;
  for (const r of inPeriod) {
    if (previous && meterPairAnomalous(previous, r, maxPowerKw)) anomalies++;
    previous = r;
  }
  return anomalies;
}

/** Whether reading `r` after `previous` is an anomaly: same transaction, and the register fell, jumped, or rose with no time passing. */
export function meterPairAnomalous(previous: MeterReading, r: MeterReading, maxPowerKw: number): boolean {
  if (previous.transactionId !== r.transactionId) return false;
  const deltaWh = r.registerWh - previous.registerWh;
  const hours = (r.at - previous.at) / 3_600_000;
  if (deltaWh < 0) return true;
  if (hours > 0) return deltaWh / hours > METER_JUMP_FACTOR * maxPowerKw * 1000;
  return hours === 0 && deltaWh > 0;
}

export interface SessionFigures {
  /** successes ÷ attempts (NOW/P3 CSR); null without attempts. */
  successRate: number | null;
  /** visits whose first attempt succeeded ÷ visits. */
  firstAttemptSuccess: number | null;
  /** delivered ÷ expected energy over attempts that carry both. */
  energyRatio: number | null;
  powerShortfallShare: number | null;
}

export function sessionFigures(t: SessionTotals): SessionFigures {
  return {
    successRate: t.attempts > 0 ? t.successes / t.attempts : null,
    firstAttemptSuccess: t.visits > 0 ? t.firstAttemptSuccesses / t.visits : null,
    energyRatio: t.expectedWh > 0 ? t.deliveredWh / t.expectedWh : null,
    powerShortfallShare: t.powerSamples > 0 ? t.powerShortfalls / t.powerSamples : null,
  };
}
