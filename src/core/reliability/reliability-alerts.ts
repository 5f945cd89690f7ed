/**
 * Alerts as data: what the hub would tell an operator about one EVSE at the end of a day. Delivery
 * (dashboard, signed webhook, Prometheus rules) is later work; these are the conditions.
 *
 * - health_dropping: the health score is under HEALTH_ALERT_BELOW, or fell by HEALTH_DROP_POINTS or
 *   more within a week while under 90, and some signal is confirmed (drifting, or over its limit); or
 *   a signal costing DRIFT_MIN_POINTS or more is drifting (CUSUM ≥ h).
 * - success_rate_low: the Charging Success Rate over the last SUCCESS_WINDOW_DAYS is under
 *   SUCCESS_RATE_ALERT_BELOW with confidence — the upper end of its Wilson score interval (z = 1.645,
 *   one-sided 95 %) is under it — and at least SUCCESS_MIN_ATTEMPTS attempts (fewer say nothing): a
 *   rate of 7/10 is not yet evidence that a charger is worse than 80 %.
 * - available_while_failing: the EVSE reports AVAILABLE, yet its last FAILING_STREAK attempts or more
 *   in a row did not start (abnormal ends neither count nor break the run: it started) — a partner
 *   EVSE stuck AVAILABLE shows nothing else, its status-based uptime stays 100 %.
 */
import type { EvseStatus } from '../charging/connector-status';
import { HEALTH_PARAMETERS, type HealthScore } from './reliability-health';

export const ALERT_PARAMETERS = {
  HEALTH_ALERT_BELOW: 70,
  HEALTH_DROP_POINTS: 30,
  SUCCESS_WINDOW_DAYS: 7,
  SUCCESS_RATE_ALERT_BELOW: 0.8,
  SUCCESS_MIN_ATTEMPTS: 8,
  FAILING_STREAK: 4,
  /** A drifting signal alerts alone only if it weighs this much (downtime alone is the outage, not a warning). */
  DRIFT_MIN_POINTS: 12,
} as const;

export type AlertKind = 'health_dropping' | 'success_rate_low' | 'available_while_failing';

export interface ReliabilityAlert {
  kind: AlertKind;
  evseId: string;
  at: number;
  message: string;
  details: Record<string, number | string>;
}

export interface AlertInput {
  evseId: string;
  at: number;
  health: HealthScore;
  /** The score a week earlier (undefined in the first week). */
  healthWeekAgo?: number;
  windowAttempts: number;
  windowSuccesses: number;
  status: EvseStatus | 'NO_DATA';
  failingStreak: number;
}

export function alertsFor(input: AlertInput): ReliabilityAlert[] {
  const p = ALERT_PARAMETERS;
  const alerts: ReliabilityAlert[] = [];
  const { health } = input;
  const drifting = health.moved.filter((m) => m.drifting && m.cusum >= HEALTH_PARAMETERS.CUSUM_H && m.pointsLost >= p.DRIFT_MIN_POINTS);
  const drop = input.healthWeekAgo === undefined ? 0 : input.healthWeekAgo - health.score;
  // A low score alerts once some signal is confirmed (drifting, or over its limit): a CUSUM half way
  // to h costs points but is not yet evidence, and alone it would alert on noise.
  const confirmed = health.moved.some((m) => m.drifting || m.overLimit);
  const low = health.score < p.HEALTH_ALERT_BELOW || (drop >= p.HEALTH_DROP_POINTS && health.score < 90);
  if (!health.learning && ((low && confirmed) || drifting.length > 0)) {
    const why = health.moved.slice(0, 3).map((m) => `${m.signal} −${m.pointsLost}`).join(', ');
    alerts.push({
      kind: 'health_dropping',
      evseId: input.evseId,
      at: input.at,
      message: `Health ${health.score}${input.healthWeekAgo === undefined ? '' : ` (a week ago ${input.healthWeekAgo})`}: ${why || 'no signal'}`,
      details: { score: health.score, drop, drifting: drifting.map((d) => d.signal).join(',') },
    });
  }
  if (input.windowAttempts >= p.SUCCESS_MIN_ATTEMPTS) {
    const rate = input.windowSuccesses / input.windowAttempts;
    if (wilsonUpper(input.windowSuccesses, input.windowAttempts) < p.SUCCESS_RATE_ALERT_BELOW)
      alerts.push({
        kind: 'success_rate_low',
        evseId: input.evseId,
        at: input.at,
        message: `Charging success ${(rate * 100).toFixed(1)} % over ${p.SUCCESS_WINDOW_DAYS} days (${input.windowSuccesses}/${input.windowAttempts})`,
        details: { rate, attempts: input.windowAttempts },
      });
  }
  if (input.status === 'AVAILABLE' && input.failingStreak >= p.FAILING_STREAK)
    alerts.push({
      kind: 'available_while_failing',
      evseId: input.evseId,
      at: input.at,
      message: `Reports AVAILABLE while its last ${input.failingStreak} attempts failed`,
      details: { failingStreak: input.failingStreak },
    });
  return alerts;
}

/** Upper end of the Wilson score interval for k successes of n (z = 1.645: one-sided 95 %). */
export function wilsonUpper(k: number, n: number, z = 1.645): number {
  const p = k / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}
