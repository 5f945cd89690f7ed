import { seededRandom } from '../../../src/core/seeded-random';
import {
  DAY_MS,
  evaluateDetection,
  EvseReliabilityTracker,
  evseTotals,
  simulateNetwork,
  wholeHistory,
  type SimulatedEvse,
} from '../../../src/core/reliability/reliability-core';

const START = Date.UTC(2026, 0, 1);

function track(sim: SimulatedEvse) {
  const tracker = new EvseReliabilityTracker(sim.identity, START);
  const alertTimes: number[] = [];
  for (const slice of sim.days) for (const a of tracker.addDay(slice).alerts) alertTimes.push(a.at);
  return { tracker, alertTimes };
}

describe('simulation and incremental tracking', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = [...simulateNetwork({ seed: 7, evses: 3, days: 20, start: START })];
    const b = [...simulateNetwork({ seed: 7, evses: 3, days: 20, start: START })];
    const c = [...simulateNetwork({ seed: 8, evses: 3, days: 20, start: START })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const r = seededRandom(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('the incremental day buckets add up to the batch measures over the whole history', () => {
    const sims = [...simulateNetwork({ seed: 3, evses: 12, days: 90, start: START, shares: { degrading_connector: 0.25, reboot_loop: 0.25, stuck_available: 0.25 } })];
    expect(new Set(sims.map((s) => s.pattern)).size).toBeGreaterThan(2);
    for (const sim of sims) {
      const { tracker } = track(sim);
      const incremental = tracker.totalsOfDays(0, sim.days.length);
      const batch = evseTotals({ ...sim.identity, ...wholeHistory(sim) }, { from: START, to: START + sim.days.length * DAY_MS });
      expect(incremental.time).toEqual(batch.time);
      expect(incremental.events).toEqual(batch.events);
      expect(incremental.sessions).toEqual(batch.sessions);
      // And over any run of days.
      const from = 20;
      const to = 50;
      const part = evseTotals({ ...sim.identity, ...wholeHistory(sim) }, { from: START + from * DAY_MS, to: START + to * DAY_MS });
      expect(tracker.totalsOfDays(from, to).time.ukReliableMs).toBe(part.time.ukReliableMs);
      expect(tracker.totalsOfDays(from, to).sessions.attempts).toBe(part.sessions.attempts);
    }
  });

  it('catches the injected failure patterns before their outage, with few false alarms', () => {
    const results = [];
    for (const sim of simulateNetwork({ seed: 42, evses: 400, days: 150, start: START, shares: { degrading_connector: 0.05, reboot_loop: 0.05, stuck_available: 0.05 } }))
      results.push({ sim, alertTimes: track(sim).alertTimes });
    const report = evaluateDetection(results);
    expect(report.injected).toBeGreaterThan(40);
    expect(report.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.precision).toBeGreaterThanOrEqual(0.7);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    expect(median(report.leadHours.degrading_connector)).toBeGreaterThan(24);
    expect(median(report.leadHours.reboot_loop)).toBeGreaterThan(24);
    expect(median(report.leadHours.stuck_available)).toBeGreaterThan(0);
  });
});
