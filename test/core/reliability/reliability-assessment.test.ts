import {
  assessEvse,
  assessmentStart,
  DAY_MS,
  daySlicesOf,
  EvseReliabilityTracker,
  evseTotals,
  HEALTH_DAYS,
  simulateNetwork,
  wholeHistory,
} from '../../../src/core/reliability/reliability-core';

const START = Date.UTC(2026, 0, 1);

describe('assessing a stored history: day slices cut from a whole history, the health over the last days', () => {
  const sims = [...simulateNetwork({ seed: 11, evses: 8, days: 80, start: START, shares: { degrading_connector: 0.3, reboot_loop: 0.3, stuck_available: 0.3 } })];

  it('slices a whole history into days whose buckets add up to the batch totals, and to the simulation\'s own days', () => {
    for (const sim of sims) {
      const history = { ...sim.identity, ...wholeHistory(sim) };
      const sliced = new EvseReliabilityTracker(sim.identity, START);
      const own = new EvseReliabilityTracker(sim.identity, START);
      daySlicesOf(history, START, 80).forEach((slice, d) => {
        const a = sliced.addDay(slice);
        const b = own.addDay(sim.days[d]);
        expect(a.totals.time).toEqual(b.totals.time);
        expect(a.health.score).toBe(b.health.score);
      });
      const batch = evseTotals(history, { from: START, to: START + 80 * DAY_MS });
      expect(sliced.totalsOfDays(0, 80).time).toEqual(batch.time);
      expect(sliced.totalsOfDays(0, 80).sessions).toEqual(batch.sessions);
    }
  });

  it('gives the period\'s totals and the health the tracker reaches on the last 45 days, whatever the period', () => {
    const sim = sims.find((s) => s.pattern === 'degrading_connector') ?? sims[0];
    const history = { ...sim.identity, ...wholeHistory(sim) };
    const end = START + 80 * DAY_MS;
    const week = assessEvse(history, { from: end - 7 * DAY_MS, to: end });
    const all = assessEvse(history, { from: START, to: end });
    expect(week.health).toEqual(all.health); // the same health now, a week's report or the whole
    expect(week.totals.sessions.attempts).toBeLessThan(all.totals.sessions.attempts);
    expect(all.totals).toEqual(evseTotals(history, { from: START, to: end }));
    expect(week.healthWindow).toEqual({ from: end - HEALTH_DAYS * DAY_MS, to: end });
    expect(assessmentStart({ from: end - 7 * DAY_MS, to: end })).toBe(end - HEALTH_DAYS * DAY_MS);
    // It is the tracker's own score on those days (cut from the whole history, starting from the status in force).
    const tracker = new EvseReliabilityTracker(sim.identity, end - HEALTH_DAYS * DAY_MS);
    let last;
    for (const slice of daySlicesOf(history, end - HEALTH_DAYS * DAY_MS, HEALTH_DAYS)) last = tracker.addDay(slice);
    expect(week.health.score).toBe(last!.health.score);
  });
});
