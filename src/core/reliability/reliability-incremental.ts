/**
 * Incremental computation: one tracker per EVSE folds each day's facts into a day bucket of additive
 * totals (the same evseTotals as a report over any period, given what the day before left: the status
 * in force, the last hub gap, the last known up/outage state, the drivers' last attempts, the last meter
 * reading), steps the health state by one day and returns that day's alerts. The work per day is in
 * proportion to that day's facts, not to the history; measures over any run of days are sums of buckets.
 */
import type { ChargingAttempt, EvseHistory, Interval, StatusSample } from './reliability-input';
import type { EvseStatus } from '../charging/connector-status';
import { statusTime } from './reliability-input';
import { addTotals, emptyCarry, emptyTotals, evseTotals, type Carry, type ReliabilityTotals } from './reliability-measures';
import { dailySignals, healthScore, newHealthState, updateHealth, type HealthScore, type HealthState } from './reliability-health';
import { alertsFor, ALERT_PARAMETERS, type ReliabilityAlert } from './reliability-alerts';
import { attemptOutcome, inTimeOrder } from './reliability-success';

export const DAY_MS = 86_400_000;

export type EvseIdentity = Pick<EvseHistory, 'evseId' | 'chargerId' | 'locationId' | 'cpoId' | 'kind' | 'maxPowerKw'>;
/** What a day does to the run of attempts in a row that did not start (the available_while_failing alert). */
export interface FailingStreak {
  /** Some attempt of the day succeeded (the run starts again after it). */
  succeeded: boolean;
  /** Attempts not started after the day's last success (or in the whole day, without one). */
  notStartedSince: number;
}

export function failingStreakOf(attempts: ChargingAttempt[], from: number, to: number): FailingStreak {
  const streak: FailingStreak = { succeeded: false, notStartedSince: 0 };
  for (const a of inTimeOrder(attempts, from, to)) {
    const outcome = attemptOutcome(a);
    if (outcome === 'success') {
      streak.succeeded = true;
      streak.notStartedSince = 0;
    } else if (outcome === 'not_started') streak.notStartedSince++;
  }
  return streak;
}

/** The status in force just before `at`, as the timeline reads it: NO_DATA inside a hub gap or after one that followed the last status. */
export function statusAtEnd(lastStatus: StatusSample | undefined, lastGap: Interval | undefined, at: number): EvseStatus | 'NO_DATA' {
  if (lastGap && lastGap.from < at && lastGap.to >= at) return 'NO_DATA';
  if (!lastStatus) return 'NO_DATA';
  if (lastGap && lastGap.to < at && lastGap.to > statusTime(lastStatus)) return 'NO_DATA';
  return lastStatus.status;
}

/** The facts of one day: points in time inside the day, intervals that overlap it. */
export type DaySlice = Omit<EvseHistory, keyof EvseIdentity>;

export interface DayResult {
  day: number;
  totals: ReliabilityTotals;
  health: HealthScore;
  alerts: ReliabilityAlert[];
}

export class EvseReliabilityTracker {
  readonly buckets: ReliabilityTotals[] = [];
  readonly scores: number[] = [];
  private readonly carry: Carry = emptyCarry();
  private readonly health: HealthState;
  private lastStatus: StatusSample | undefined;
  private lastGap: Interval | undefined;
  private failingStreak = 0;

  constructor(
    readonly identity: EvseIdentity,
    /** Start of day 0, epoch ms (UTC midnight). */
    readonly firstDay: number,
  ) {
    this.health = newHealthState(identity.kind);
  }

  /** Folds the next day (days come in order, none skipped: an empty slice for a day without facts). */
  addDay(slice: DaySlice): DayResult {
    const day = this.buckets.length;
    const from = this.firstDay + day * DAY_MS;
    const to = from + DAY_MS;
    const history: EvseHistory = {
      ...this.identity,
      ...slice,
      statuses: this.lastStatus ? [this.lastStatus, ...slice.statuses] : slice.statuses,
      hubGaps: this.lastGap ? [this.lastGap, ...slice.hubGaps] : slice.hubGaps,
    };
    const totals = evseTotals(history, { from, to }, this.carry);
    for (const s of slice.statuses) if (!this.lastStatus || statusTime(s) >= statusTime(this.lastStatus)) this.lastStatus = s;
    for (const g of slice.hubGaps) if (g.from < to && (!this.lastGap || g.to >= this.lastGap.to)) this.lastGap = g;
    return this.step(totals, failingStreakOf(slice.attempts, from, to), this.statusAt(to));
  }

  /**
   * Folds a day whose totals were computed elsewhere (a stored day, reliability-days.ts): its totals as
   * addDay would have computed them, what it does to the run of failed starts, the status at its end.
   */
  addComputedDay(totals: ReliabilityTotals, streak: FailingStreak, status: EvseStatus | 'NO_DATA'): DayResult {
    return this.step(totals, streak, status);
  }

  private step(totals: ReliabilityTotals, streak: FailingStreak, status: EvseStatus | 'NO_DATA'): DayResult {
    const day = this.buckets.length;
    const to = this.firstDay + (day + 1) * DAY_MS;
    this.buckets.push(totals);
    this.failingStreak = streak.succeeded ? streak.notStartedSince : this.failingStreak + streak.notStartedSince;

    updateHealth(this.health, dailySignals(totals));
    const health = healthScore(this.health);
    this.scores.push(health.score);

    let windowAttempts = 0;
    let windowSuccesses = 0;
    for (let d = Math.max(0, day + 1 - ALERT_PARAMETERS.SUCCESS_WINDOW_DAYS); d <= day; d++) {
      windowAttempts += this.buckets[d].sessions.attempts;
      windowSuccesses += this.buckets[d].sessions.successes;
    }
    const alerts = alertsFor({
      evseId: this.identity.evseId,
      at: to,
      health,
      healthWeekAgo: day >= 7 ? this.scores[day - 7] : undefined,
      windowAttempts,
      windowSuccesses,
      status,
      failingStreak: this.failingStreak,
    });
    return { day, totals, health, alerts };
  }

  /** The status in force just before `at`, as the timeline reads it (NO_DATA inside or after a gap). */
  private statusAt(at: number): EvseStatus | 'NO_DATA' {
    return statusAtEnd(this.lastStatus, this.lastGap, at);
  }

  /** Sum of the buckets of days [fromDay, toDay). */
  totalsOfDays(fromDay: number, toDay: number): ReliabilityTotals {
    let sum = emptyTotals();
    for (let d = Math.max(0, fromDay); d < Math.min(toDay, this.buckets.length); d++) sum = addTotals(sum, this.buckets[d]);
    return sum;
  }
}
