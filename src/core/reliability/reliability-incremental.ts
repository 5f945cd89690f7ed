/**
 * Incremental computation: one tracker per EVSE folds each day's facts into a day bucket of additive
 * totals (the same evseTotals as a report over any period, given what the day before left: the status
 * in force, the last hub gap, the last known up/outage state, the drivers' last attempts, the last meter
 * reading), steps the health state by one day and returns that day's alerts. The work per day is in
 * proportion to that day's facts, not to the history; measures over any run of days are sums of buckets.
 */
import type { EvseHistory, Interval, StatusSample } from './reliability-input';
import type { EvseStatus } from '../charging/connector-status';
import { statusTime } from './reliability-input';
import { addTotals, emptyCarry, emptyTotals, evseTotals, type Carry, type ReliabilityTotals } from './reliability-measures';
import { dailySignals, healthScore, newHealthState, updateHealth, type HealthScore, type HealthState } from './reliability-health';
import { alertsFor, ALERT_PARAMETERS, type ReliabilityAlert } from './reliability-alerts';
import { attemptOutcome, inTimeOrder } from './reliability-success';

export const DAY_MS = 86_400_000;

export type EvseIdentity = Pick<EvseHistory, 'evseId' | 'chargerId' | 'locationId' | 'cpoId' | 'kind' | 'maxPowerKw'>;
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
    this.buckets.push(totals);

    for (const s of slice.statuses) if (!this.lastStatus || statusTime(s) >= statusTime(this.lastStatus)) this.lastStatus = s;
    for (const g of slice.hubGaps) if (g.from < to && (!this.lastGap || g.to >= this.lastGap.to)) this.lastGap = g;

    for (const a of inTimeOrder(slice.attempts, from, to)) {
      const outcome = attemptOutcome(a);
      if (outcome === 'success') this.failingStreak = 0;
      else if (outcome === 'not_started') this.failingStreak++;
    }

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
      status: this.statusAt(to),
      failingStreak: this.failingStreak,
    });
    return { day, totals, health, alerts };
  }

  /** The status in force just before `at`, as the timeline reads it (NO_DATA inside or after a gap). */
  private statusAt(at: number): EvseStatus | 'NO_DATA' {
    const gap = this.lastGap;
    if (gap && gap.from < at && gap.to >= at) return 'NO_DATA';
    if (!this.lastStatus) return 'NO_DATA';
    if (gap && gap.to < at && gap.to > statusTime(this.lastStatus)) return 'NO_DATA';
    return this.lastStatus.status;
  }

  /** Sum of the buckets of days [fromDay, toDay). */
  totalsOfDays(fromDay: number, toDay: number): ReliabilityTotals {
    let sum = emptyTotals();
    for (let d = Math.max(0, fromDay); d < Math.min(toDay, this.buckets.length); d++) sum = addTotals(sum, this.buckets[d]);
    return sum;
  }
}
