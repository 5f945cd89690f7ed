import {
  aggregateDays,
  assessEvse,
  DAY_MS,
  emptyHistory,
  evseTotals,
  figuresOf,
  emptyTotals,
  healthFromDays,
  healthWindowOf,
  HEALTH_DAYS,
  HEALTH_TOTALS,
  periodTotalsFromDays,
  simulateNetwork,
  wholeDaysOf,
  wholeHistory,
  type EvseDay,
  type EvseHistory,
  type Interval,
} from '../../../src/core/reliability/reliability-core';
import { attemptRecorder, historyUpTo as upTo, storedEvseDays } from '../../support/reliability-history';

const H = 3_600_000;
const M = 60_000;
// 2026-03-29 is the day Europe's clocks go forward (01:00 UTC): a UTC day is still 24 hours.
const START = Date.UTC(2026, 2, 1);
const D = (n: number) => START + n * DAY_MS;

/**
 * Stored days of a history, each from the carry the day before left, as the nightly job makes them
 * (from HEALTH_DAYS before the first fact: the job keeps the days before the hub's first fact too).
 */
const storedDays = (h: EvseHistory, days: number): EvseDay[] => storedEvseDays(h, D(-HEALTH_DAYS), days + HEALTH_DAYS);

/** The period's totals through stored days (whole days) and raw facts (its partial days). */
function fromDays(h: EvseHistory, days: EvseDay[], period: Interval) {
  const whole = wholeDaysOf(period)!;
  const inside = days.filter((d) => d.day >= whole.from && d.day < whole.to);
  return periodTotalsFromDays(upTo(h, period.to), period, whole, aggregateDays(inside));
}

/** A stored day as the health's narrow read gives it: only the HEALTH_TOTALS columns (the others 0). */
function narrowed(d: EvseDay): EvseDay {
  const totals = emptyTotals();
  for (const section of ['time', 'sessions', 'events'] as const)
    for (const key of HEALTH_TOTALS[section] as string[]) (totals[section] as unknown as Record<string, number>)[key] = (d.totals[section] as unknown as Record<string, number>)[key];
  return { ...d, totals };
}

function healthViaDays(h: EvseHistory, days: EvseDay[], to: number, read: (d: EvseDay) => EvseDay = (d) => d) {
  const lastDay = Math.ceil(to / DAY_MS) * DAY_MS;
  const first = lastDay - HEALTH_DAYS * DAY_MS;
  const stored = days.filter((d) => d.day >= first && d.day + DAY_MS <= to).map(read);
  return healthFromDays(h, first, healthWindowOf(stored), lastDay > to || stored.length < HEALTH_DAYS ? upTo(h, to) : undefined);
}

/**
 * An own EVSE over 60 days built by hand with every edge the day totals must get right: a charger
 * clock reset, a hub restart (no data after it until the next status), statuses missing for the first
 * days, an outage, a visit, an offline period and a meter pair across midnight, the DST day.
 */
function handBuilt(): EvseHistory {
  const h = emptyHistory({ evseId: 'E1', chargerId: 'C1', locationId: 'L1', cpoId: 'XX/OWN', kind: 'own', maxPowerKw: 22 });
  // Days 0–2 nothing at all (missing statuses): no data, never down.
  h.statuses.push({ at: D(3) + 7 * H, status: 'AVAILABLE' });
  // An outage from 22:00 to 02:00 over midnight: one failure, counted once.
  h.statuses.push({ at: D(5) + 22 * H, status: 'OUTOFORDER' }, { at: D(6) + 2 * H, status: 'AVAILABLE' });
  // A charger clock reset to 1970: placed at its receipt.
  h.statuses.push({ at: 0, status: 'INOPERATIVE', receivedAt: D(8) + 10 * H }, { at: D(8) + 11 * H, status: 'AVAILABLE' });
  // A hub restart: day 12 10:00–12:00 no data, and after it no data until the next status (day 13 09:00).
  h.hubGaps.push({ from: D(12) + 10 * H, to: D(12) + 12 * H });
  h.statuses.push({ at: D(13) + 9 * H, status: 'CHARGING' }, { at: D(13) + 11 * H, status: 'AVAILABLE' });
  // A hub restart that spans midnight while OUTOFORDER: up, then unknown, then outage is a failure.
  h.statuses.push({ at: D(20) + 20 * H, status: 'OUTOFORDER' });
  h.hubGaps.push({ from: D(20) + 23 * H, to: D(21) + 1 * H });
  h.statuses.push({ at: D(21) + 3 * H, status: 'OUTOFORDER' }, { at: D(21) + 5 * H, status: 'AVAILABLE' });
  // The DST day (28 = 29 March): a status change at 01:00 UTC, when clocks jump.
  h.statuses.push({ at: D(28) + 1 * H, status: 'BLOCKED' }, { at: D(28) + 2 * H, status: 'AVAILABLE' });
  // Offline across midnight, a scheduled maintenance exclusion.
  h.offline.push({ from: D(30) + 23 * H, to: D(31) + 1 * H });
  h.statuses.push({ at: D(33) + 8 * H, status: 'OUTOFORDER' }, { at: D(33) + 14 * H, status: 'AVAILABLE' });
  h.excluded.push({ from: D(33) + 7 * H, to: D(33) + 12 * H, cause: 'scheduled_maintenance' });
  // An outage at the very start of a day after an up day: a failure carried in from midnight.
  h.statuses.push({ at: D(40), status: 'INOPERATIVE' }, { at: D(40) + 3 * H, status: 'AVAILABLE' });
  // An outage that begins after a whole day of no data (hub down all of day 44): the carry crosses it.
  h.hubGaps.push({ from: D(44), to: D(45) });
  h.statuses.push({ at: D(45) + 6 * H, status: 'OUTOFORDER' }, { at: D(45) + 9 * H, status: 'AVAILABLE' });

  const attempt = attemptRecorder(h);
  for (let d = 3; d < 60; d++) {
    attempt(D(d) + 9 * H, d % 7 !== 0, `drv${d % 5}`);
    attempt(D(d) + 15 * H, true, `drv${(d + 2) % 5}`);
    if (d % 9 === 0) attempt(D(d) + 16 * H, false, 'drvX', { stopReason: 'PowerLoss', startedAt: D(d) + 16 * H + M, energyWh: 500 });
  }
  // A visit across midnight: fails at 23:55, retried at 00:05 (one visit), and a second retry at 00:12.
  attempt(D(10) - 5 * M, false, 'night');
  attempt(D(10) + 5 * M, true, 'night');
  attempt(D(10) + 12 * M, true, 'night');
  // A refused token and a running attempt (left out, counted apart).
  h.attempts.push({ id: 'refused', at: D(15) + 8 * H, origin: 'ocpp_authorize', authorization: 'refused_token' });
  h.attempts.push({ id: 'running', at: D(59) + 20 * H, origin: 'ocpp_transaction', authorization: 'accepted', startedAt: D(59) + 20 * H + M, energyWh: 100 });
  h.attempts.sort((a, b) => a.at - b.at);
  // Faults, reboots, power; meter readings of a transaction across midnight with a jump right after it.
  for (let d = 4; d < 60; d += 4) h.faults.push(D(d) + 5 * H);
  for (let d = 6; d < 60; d += 11) h.reboots.push(D(d) + 3 * H);
  for (let d = 3; d < 60; d++) h.power.push({ at: D(d) + 9.5 * H, offeredKw: 22, deliveredKw: d > 50 ? 10 : 20 });
  h.meter.push({ at: D(18) - 10 * M, registerWh: 1000, transactionId: 't1' }, { at: D(18) + 5 * M, registerWh: 60_000, transactionId: 't1' }, { at: D(18) + 30 * M, registerWh: 61_000, transactionId: 't1' });
  h.meter.push({ at: D(35) + 10 * H, registerWh: 5000, transactionId: 't2' }, { at: D(35) + 11 * H, registerWh: 4000, transactionId: 't2' });
  return h;
}

describe('day totals: the measures from stored days equal those from raw facts', () => {
  const h = handBuilt();
  const stored = storedDays(h, 60);
  const days = stored.slice(HEALTH_DAYS); // days[n] is day n

  const periods: [string, Interval][] = [
    ['whole days', { from: D(0), to: D(60) }],
    ['starting the day an outage began the night before', { from: D(6), to: D(30) }],
    ['starting inside a visit across midnight', { from: D(10), to: D(11) }],
    ['starting after the meter pair across midnight', { from: D(18), to: D(25) }],
    ['starting at an outage carried in from midnight', { from: D(40), to: D(50) }],
    ['starting on the day the hub was down all day', { from: D(44), to: D(47) }],
    ['with partial days at both edges', { from: D(5) + 23 * H, to: D(31) + 30 * M }],
    ['a partial first day 10 minutes before midnight', { from: D(10) - 10 * M, to: D(12) + 11 * H }],
    ['a partial first day 2 minutes before midnight', { from: D(10) - 2 * M, to: D(11) }],
    ['ending in the middle of today', { from: D(20), to: D(59) + 21 * H }],
    ['over the DST day', { from: D(28), to: D(29) }],
    ['starting inside an offline period', { from: D(31), to: D(33) + 13 * H }],
  ];

  it.each(periods)('gives the same totals and figures for a period %s', (_, period) => {
    const raw = evseTotals(upTo(h, period.to), period);
    const viaDays = fromDays(h, stored, period);
    expect(viaDays).toEqual(raw);
    expect(figuresOf(viaDays)).toEqual(figuresOf(raw));
  });

  it('exercises what it claims: failures across midnight, a retry across midnight, a meter jump across midnight, a stale status after a restart', () => {
    expect(days[6].edges.carryFailure).toBe(0); // the outage began on day 5
    expect(days[40].edges.carryFailure).toBe(1);
    expect(days[45].edges.carryFailure).toBe(1); // up before the whole day of no data
    expect(days[10].edges.carryRetries).toEqual([[D(10) - 5 * M, 1]]);
    expect(days[18].edges.carryMeterAnomaly).toBe(1);
    expect(days[12].totals.time.unmeasuredMs).toBe(14 * H); // 10:00 to midnight: gap, then stale
    expect(days[28].totals.time.periodMs).toBe(DAY_MS);
    // A period read alone does not count what the state before it caused.
    expect(fromDays(h, days, { from: D(40), to: D(41) }).time.failures).toBe(0);
    expect(days[40].totals.time.failures).toBe(1);
    expect(fromDays(h, days, { from: D(10), to: D(11) }).sessions.visits).toBe(days[10].totals.sessions.visits + 1);
  });

  it('is the same day however often it is computed (idempotent) and splits a period at midnight', () => {
    expect(storedDays(h, 60)).toEqual(stored);
    // Over midnight: day 5 ends OUTOFORDER, day 6 begins so; each holds its own part of the outage.
    expect(days[5].totals.time.ukNotReliableMs).toBe(2 * H);
    expect(days[6].totals.time.ukNotReliableMs).toBe(2 * H);
  });

  it.each([
    ['at midnight', D(60)],
    ['in the middle of today', D(59) + 21 * H],
    ['early in the window', D(30) + 5 * H],
  ])('gives the same health, explanation and alerts with the period ending %s', (_, to) => {
    const raw = assessEvse(upTo(h, to), { from: to - 7 * DAY_MS, to });
    const viaDays = healthViaDays(h, stored, to);
    expect(viaDays.health).toEqual(raw.health);
    expect(viaDays.alerts).toEqual(raw.alerts);
    // The narrow read of the window (HEALTH_TOTALS only) gives the very same health: nothing else is read.
    const narrow = healthViaDays(h, stored, to, narrowed);
    expect(narrow.health).toEqual(raw.health);
    expect(narrow.alerts).toEqual(raw.alerts);
  });

  it('agrees on simulated EVSEs of every failure pattern (a degrading connector, a reboot loop, a stuck EVSE)', () => {
    const sims = [...simulateNetwork({ seed: 7, evses: 12, days: 60, start: START, shares: { degrading_connector: 0.25, reboot_loop: 0.25, stuck_available: 0.25 } })];
    for (const sim of sims) {
      const history: EvseHistory = { ...sim.identity, ...wholeHistory(sim) };
      const stored = storedDays(history, 60);
      for (const period of [
        { from: D(0), to: D(60) },
        { from: D(13) + 7 * H, to: D(58) + 13 * H },
        { from: D(30), to: D(37) },
      ]) {
        expect(fromDays(history, stored, period)).toEqual(evseTotals(upTo(history, period.to), period));
        const raw = assessEvse(upTo(history, period.to), period);
        const viaDays = healthViaDays(history, stored, period.to);
        expect(viaDays.health).toEqual(raw.health);
        expect(viaDays.alerts).toEqual(raw.alerts);
        expect(healthViaDays(history, stored, period.to, narrowed).health).toEqual(raw.health);
      }
    }
  });
});
