import {
  aggregateDays,
  countedOfDays,
  DAY_MS,
  daysInMonth,
  emptyHistory,
  evseTotals,
  figuresOf,
  mergeCounted,
  mergeStreaks,
  monthOfDays,
  monthStartOf,
  nextMonthStart,
  periodTotalsFromDays,
  simulateNetwork,
  splitByMonths,
  wholeDaysOf,
  wholeHistory,
  type CountedAggregate,
  type EvseDay,
  type EvseHistory,
  type FailingStreak,
  type Interval,
} from '../../../src/core/reliability/reliability-core';
import { attemptRecorder, historyUpTo as upTo, storedEvseDays } from '../../support/reliability-history';

const H = 3_600_000;
const M = 60_000;
const START = Date.UTC(2026, 0, 1);
const D = (n: number) => START + n * DAY_MS;
const utc = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h);

/** Stored days from the hub's first day, each from the carry the day before left (the nightly job). */
const storedDays = (h: EvseHistory, days: number): EvseDay[] => storedEvseDays(h, START, days);

const inside = (days: EvseDay[], i: Interval) => days.filter((d) => d.day >= i.from && d.day < i.to);

/** The month rows the job writes from stored days: one per calendar month holding a stored day. */
function storedMonths(days: EvseDay[]) {
  const byMonth = new Map<number, EvseDay[]>();
  for (const d of days) byMonth.set(monthStartOf(d.day), [...(byMonth.get(monthStartOf(d.day)) ?? []), d]);
  return [...byMonth.values()].map(monthOfDays);
}

/**
 * The sums of a period's whole days as a report reads them with month totals: the days before the first
 * whole month and after the last from day totals, the months between from month totals, merged in order;
 * undefined when a part has no stored row at all (as the SQL finds none).
 */
function viaMonths(days: EvseDay[], whole: Interval): CountedAggregate | undefined {
  const split = splitByMonths(whole);
  const runs: (CountedAggregate | undefined)[] = [];
  const daysOf = (i: Interval) => (inside(days, i).length ? countedOfDays(inside(days, i)) : undefined);
  if (split.head) runs.push(daysOf(split.head));
  if (split.months) {
    const months = storedMonths(days).filter((m) => m.month >= split.months!.from && m.month < split.months!.to);
    runs.push(months.length ? mergeCounted(months.map((m) => m.sums)) : undefined);
  }
  if (split.tail) runs.push(daysOf(split.tail));
  return runs.every((r) => r) ? mergeCounted(runs as CountedAggregate[]) : undefined;
}

/**
 * An own EVSE from 1 January over 120 days (to 1 May) built by hand with every edge a month boundary
 * must get right: no status for the first days, an outage over the midnight into February, a hub
 * restart over the midnight into March, a visit and a meter pair over the midnight into April, a day
 * of nothing but no data, an offline period, an exclusion.
 */
function handBuilt(): EvseHistory {
  const h = emptyHistory({ evseId: 'E1', chargerId: 'C1', locationId: 'L1', cpoId: 'XX/OWN', kind: 'own', maxPowerKw: 22 });
  h.statuses.push({ at: D(2) + 7 * H, status: 'AVAILABLE' });
  // Out from 31 January 22:00 to 1 February 03:00: one failure, counted in January.
  h.statuses.push({ at: utc(2026, 1, 31, 22), status: 'OUTOFORDER' }, { at: utc(2026, 2, 1, 3), status: 'AVAILABLE' });
  h.statuses.push({ at: utc(2026, 2, 10, 8), status: 'INOPERATIVE' }, { at: utc(2026, 2, 10, 9), status: 'AVAILABLE' });
  // Out at 28 February 20:00, the hub down 23:00–01:00 over midnight, still out after: the failure stays one.
  h.statuses.push({ at: utc(2026, 2, 28, 20), status: 'OUTOFORDER' });
  h.hubGaps.push({ from: utc(2026, 2, 28, 23), to: utc(2026, 3, 1, 1) });
  h.statuses.push({ at: utc(2026, 3, 1, 2), status: 'OUTOFORDER' }, { at: utc(2026, 3, 1, 5), status: 'AVAILABLE' });
  // The hub down all of 15 March; an outage right after it is a failure carried over the day of no data.
  h.hubGaps.push({ from: utc(2026, 3, 15), to: utc(2026, 3, 16) });
  h.statuses.push({ at: utc(2026, 3, 16, 6), status: 'OUTOFORDER' }, { at: utc(2026, 3, 16, 9), status: 'AVAILABLE' });
  // An outage from midnight on 1 April after an up March: a failure carried in at the month's first moment.
  h.statuses.push({ at: utc(2026, 4, 1), status: 'INOPERATIVE' }, { at: utc(2026, 4, 1, 2), status: 'AVAILABLE' });
  h.offline.push({ from: utc(2026, 4, 10, 23), to: utc(2026, 4, 11, 1) });
  h.statuses.push({ at: utc(2026, 4, 20, 8), status: 'OUTOFORDER' }, { at: utc(2026, 4, 20, 14), status: 'AVAILABLE' });
  h.excluded.push({ from: utc(2026, 4, 20, 7), to: utc(2026, 4, 20, 12), cause: 'scheduled_maintenance' });

  const attempt = attemptRecorder(h);
  for (let d = 2; d < 120; d++) {
    attempt(D(d) + 9 * H, d % 6 !== 0, `drv${d % 5}`);
    attempt(D(d) + 15 * H, true, `drv${(d + 2) % 5}`);
    if (d % 8 === 0) attempt(D(d) + 16 * H, false, 'drvX', { stopReason: 'PowerLoss', startedAt: D(d) + 16 * H + M, energyWh: 500 });
    if (d % 13 === 0) attempt(D(d) + 17 * H, false, 'drvY', { stopReason: 'EmergencyStop', startedAt: D(d) + 17 * H + M, energyWh: 300 });
  }
  // A visit over the midnight into April: fails at 23:55 on 31 March, retried at 00:05 and 00:12.
  attempt(utc(2026, 4, 1) - 5 * M, false, 'night');
  attempt(utc(2026, 4, 1) + 5 * M, true, 'night');
  attempt(utc(2026, 4, 1) + 12 * M, true, 'night');
  h.attempts.push({ id: 'refused', at: utc(2026, 2, 14, 8), origin: 'ocpp_authorize', authorization: 'refused_token' });
  h.attempts.push({ id: 'running', at: D(119) + 20 * H, origin: 'ocpp_transaction', authorization: 'accepted', startedAt: D(119) + 20 * H + M, energyWh: 100 });
  h.attempts.sort((a, b) => a.at - b.at);
  for (let d = 4; d < 120; d += 5) h.faults.push(D(d) + 5 * H);
  for (let d = 6; d < 120; d += 17) h.reboots.push(D(d) + 3 * H);
  for (let d = 2; d < 120; d++) h.power.push({ at: D(d) + 9.5 * H, offeredKw: 22, deliveredKw: d > 100 ? 10 : 20 });
  // A meter pair over the midnight into April with a jump right after it (an anomaly found against March's reading).
  h.meter.push({ at: utc(2026, 4, 1) - 10 * M, registerWh: 1000, transactionId: 't1' }, { at: utc(2026, 4, 1) + 5 * M, registerWh: 60_000, transactionId: 't1' });
  h.meter.push({ at: utc(2026, 2, 5, 10), registerWh: 5000, transactionId: 't2' }, { at: utc(2026, 2, 5, 11), registerWh: 4000, transactionId: 't2' });
  return h;
}

describe('month boundaries', () => {
  it('finds calendar months in UTC, leap years and the DST month alike', () => {
    expect(monthStartOf(utc(2026, 3, 29, 1) + 30 * M)).toBe(utc(2026, 3, 1));
    expect(nextMonthStart(utc(2026, 12, 31, 23))).toBe(utc(2027, 1, 1));
    expect([utc(2026, 2, 1), utc(2028, 2, 1), utc(2026, 3, 1), utc(2026, 4, 1)].map(daysInMonth)).toEqual([28, 29, 31, 30]);
  });

  it.each([
    ['a calendar year', { from: utc(2026, 1, 1), to: utc(2027, 1, 1) }, { head: null, months: { from: utc(2026, 1, 1), to: utc(2027, 1, 1) }, tail: null }],
    ['mid-month to mid-month', { from: utc(2026, 1, 11), to: utc(2026, 4, 21) }, { head: { from: utc(2026, 1, 11), to: utc(2026, 2, 1) }, months: { from: utc(2026, 2, 1), to: utc(2026, 4, 1) }, tail: { from: utc(2026, 4, 1), to: utc(2026, 4, 21) } }],
    ['from a month start to mid-month', { from: utc(2026, 2, 1), to: utc(2026, 3, 2) }, { head: null, months: { from: utc(2026, 2, 1), to: utc(2026, 3, 1) }, tail: { from: utc(2026, 3, 1), to: utc(2026, 3, 2) } }],
    ['inside one month', { from: utc(2026, 2, 3), to: utc(2026, 2, 27) }, { head: { from: utc(2026, 2, 3), to: utc(2026, 2, 27) }, months: null, tail: null }],
    ['over a month end, no whole month', { from: utc(2026, 1, 20), to: utc(2026, 2, 10) }, { head: { from: utc(2026, 1, 20), to: utc(2026, 2, 10) }, months: null, tail: null }],
  ])('cuts whole days %s into days, months, days', (_, whole, expected) => {
    expect(splitByMonths(whole)).toEqual(expected);
  });

  it('gives a month the effect its days have on the run of failed starts, in order', () => {
    const days: FailingStreak[] = [
      { succeeded: false, notStartedSince: 2 },
      { succeeded: true, notStartedSince: 1 },
      { succeeded: false, notStartedSince: 3 },
      { succeeded: false, notStartedSince: 0 },
    ];
    // The tracker's rule: a day with a success starts the run again from its own count.
    const fold = (run: number, s: FailingStreak) => (s.succeeded ? s.notStartedSince : run + s.notStartedSince);
    const month = days.reduce(mergeStreaks);
    expect(month).toEqual({ succeeded: true, notStartedSince: 4 });
    for (const before of [0, 5]) expect(fold(before, month)).toBe(days.reduce(fold, before));
    const none = days.filter((s) => !s.succeeded).reduce(mergeStreaks);
    expect(fold(7, none)).toBe(7 + 5);
  });
});

describe('month totals: a period read through months equals the days path and the raw facts', () => {
  const h = handBuilt();
  const days = storedDays(h, 120);

  const periods: [string, Interval][] = [
    ['whole months', { from: utc(2026, 1, 1), to: utc(2026, 5, 1) }],
    ['starting and ending mid-month and mid-day', { from: utc(2026, 1, 10, 13), to: utc(2026, 4, 20, 7) }],
    ['starting at the midnight inside the February outage', { from: utc(2026, 2, 1), to: utc(2026, 4, 1) }],
    ['starting at the month an outage is carried into', { from: utc(2026, 4, 1), to: utc(2026, 4, 30) }],
    ['starting 2 minutes before a month ends', { from: utc(2026, 2, 28, 24) - 2 * M, to: utc(2026, 4, 1) + 30 * M }],
    ['starting inside the visit over the midnight into April', { from: utc(2026, 3, 31, 23) + 58 * M, to: utc(2026, 4, 12) }],
    ['one whole month and days on both sides', { from: utc(2026, 2, 27), to: utc(2026, 4, 3) }],
    ['ending in the middle of today', { from: utc(2026, 1, 15), to: D(119) + 21 * H }],
  ];

  it.each(periods)('gives the same totals and figures for a period %s', (_, period) => {
    const whole = wholeDaysOf(period)!;
    const raw = evseTotals(upTo(h, period.to), period);
    const sums = viaMonths(days, whole)!;
    expect(sums.days).toBe((whole.to - whole.from) / DAY_MS);
    const months = periodTotalsFromDays(upTo(h, period.to), period, whole, sums);
    const daysOnly = periodTotalsFromDays(upTo(h, period.to), period, whole, aggregateDays(inside(days, whole)));
    expect(months).toEqual(daysOnly);
    expect(months).toEqual(raw);
    expect(figuresOf(months)).toEqual(figuresOf(raw));
  });

  it('exercises what it claims: the month paths hold months, carried failures, retries and anomalies at month starts', () => {
    const split = splitByMonths(wholeDaysOf(periods[1][1])!);
    expect(split.months).toEqual({ from: utc(2026, 2, 1), to: utc(2026, 4, 1) });
    const april = storedMonths(days).find((m) => m.month === utc(2026, 4, 1))!;
    expect(april.sums.days).toBe(30);
    expect(april.sums.firstKnownCarryFailure).toBe(1);
    expect(april.sums.firstCarryRetries).toEqual([[utc(2026, 4, 1) - 5 * M, 1]]);
    expect(april.sums.firstMeterCarryAnomaly).toBe(1);
    expect(april.sums.totals.sessions.abnormalByReason).toEqual(expect.objectContaining({ PowerLoss: expect.any(Number), EmergencyStop: expect.any(Number) }));
    // Read alone from 1 April, the failure and the anomaly caused by March are not counted.
    const alone = periodTotalsFromDays(upTo(h, utc(2026, 5, 1)), { from: utc(2026, 4, 1), to: utc(2026, 5, 1) }, { from: utc(2026, 4, 1), to: utc(2026, 5, 1) }, april.sums);
    expect(alone.time.failures).toBe(april.sums.totals.time.failures - 1);
    expect(alone.sessions.meterAnomalies).toBe(april.sums.totals.sessions.meterAnomalies - 1);
  });

  it('counts a month with a stored day missing short, so the report reads that EVSE as the days path does (from the facts)', () => {
    const missing = days.filter((d) => d.day !== utc(2026, 2, 14));
    const whole = { from: utc(2026, 1, 1), to: utc(2026, 5, 1) };
    const february = storedMonths(missing).find((m) => m.month === utc(2026, 2, 1))!;
    expect(february.sums.days).toBe(daysInMonth(utc(2026, 2, 1)) - 1);
    expect(viaMonths(missing, whole)!.days).toBe((whole.to - whole.from) / DAY_MS - 1);
    expect(countedOfDays(inside(missing, whole)).days).toBe((whole.to - whole.from) / DAY_MS - 1);
    // A month with no stored row at all: nothing found for the months.
    expect(viaMonths(days.filter((d) => monthStartOf(d.day) !== utc(2026, 3, 1)), { from: utc(2026, 3, 1), to: utc(2026, 4, 1) })).toBeUndefined();
  });

  it('agrees on simulated EVSEs of every failure pattern over four months', () => {
    const sims = [...simulateNetwork({ seed: 11, evses: 8, days: 120, start: START, shares: { degrading_connector: 0.25, reboot_loop: 0.25, stuck_available: 0.25 } })];
    for (const sim of sims) {
      const history: EvseHistory = { ...sim.identity, ...wholeHistory(sim) };
      const stored = storedDays(history, 120);
      for (const period of [
        { from: utc(2026, 1, 1), to: utc(2026, 5, 1) },
        { from: utc(2026, 1, 17, 9), to: utc(2026, 4, 26, 15) },
        { from: utc(2026, 2, 1), to: utc(2026, 3, 9) },
      ]) {
        const whole = wholeDaysOf(period)!;
        expect(periodTotalsFromDays(upTo(history, period.to), period, whole, viaMonths(stored, whole)!)).toEqual(evseTotals(upTo(history, period.to), period));
      }
    }
  });
});
