import fc from 'fast-check';
import {
  alertsFor,
  chargerHealth,
  describeSignal,
  HEALTH_PARAMETERS,
  HEALTH_SIGNALS,
  healthScore,
  newHealthState,
  updateHealth,
  wilsonUpper,
  type DaySignals,
  type HealthSignal,
} from '../../../src/core/reliability/reliability-core';

type Day = Record<HealthSignal, number | null>;
const SHARES: HealthSignal[] = ['failed_starts', 'abnormal_ends', 'power_shortfall'];
/** A day's signals as plain numbers; shares are of 20 trials. */
const calm = (over: Partial<Day> = {}): DaySignals => {
  const day: Day = { failed_starts: 0.03, abnormal_ends: 0.02, faults: 0, reboots: 0, disconnects: 0, power_shortfall: 0.2, meter_anomalies: 0, downtime: 0, ...over };
  return Object.fromEntries(
    HEALTH_SIGNALS.map((n) => [n, day[n] === null ? null : SHARES.includes(n) ? { x: day[n] as number, n: 20 } : { x: day[n] as number }]),
  ) as DaySignals;
};

function run(kind: 'own' | 'partner', days: DaySignals[]) {
  const state = newHealthState(kind);
  return days.map((d) => {
    updateHealth(state, d);
    return healthScore(state);
  });
}

describe('health score', () => {
  it('stays at 100 for an EVSE that behaves like its own baseline, and learns first', () => {
    const scores = run('own', Array.from({ length: 60 }, (_, i) => calm({ failed_starts: i % 3 === 0 ? 0.05 : 0.02 })));
    expect(scores[0].learning).toBe(true);
    expect(scores[HEALTH_PARAMETERS.WARMUP_DAYS].learning).toBe(false);
    expect(scores[59].score).toBe(100);
    expect(scores[59].moved).toEqual([]);
  });

  it('detects a drift in failed starts against the baseline (CUSUM) and says which signal moved and by how much', () => {
    const days = [...Array.from({ length: 30 }, () => calm()), ...Array.from({ length: 10 }, (_, i) => calm({ failed_starts: 0.03 + 0.02 * (i + 1) }))];
    const scores = run('own', days);
    const before = scores[29];
    expect(before.score).toBe(100);
    const firstDrift = scores.findIndex((s) => s.moved.some((m) => m.signal === 'failed_starts' && m.drifting));
    expect(firstDrift).toBeGreaterThan(29);
    expect(firstDrift).toBeLessThan(40);
    const last = scores[39];
    expect(last.moved[0].signal).toBe('failed_starts');
    // Learning stops once the CUSUM passes h/2: the first drifting days nudge the baseline, the rest do not.
    expect(last.moved[0].baseline).toBeLessThan(0.045); // 0.03 pooled with the 5 % prior, barely nudged
    expect(last.moved[0].recent).toBeGreaterThan(0.1); // the recent level lags (λ = 0.15) behind the 0.23 of the last day
    expect(last.moved[0].pointsLost).toBeGreaterThan(20);
    expect(last.score).toBeLessThan(80);
    expect(describeSignal(last.moved[0])).toMatch(/^failed_starts 0\.\d\d share of attempts not started \(baseline 0\.0\d\), drifting \(CUSUM \d+\.\d\): −\d+\.\d points$/);
  });

  it('does not raise an alarm on one wild day', () => {
    const days = [...Array.from({ length: 30 }, () => calm()), calm({ reboots: 12, disconnects: 12 }), ...Array.from({ length: 10 }, () => calm())];
    const scores = run('own', days);
    expect(scores[30].moved.some((m) => m.drifting)).toBe(false);
    expect(scores[40].score).toBe(100);
  });

  it('catches an EVSE bad from its first day by absolute limits, which no own baseline would show', () => {
    const scores = run('partner', Array.from({ length: 30 }, () => calm({ failed_starts: 0.7 })));
    expect(scores[29].moved[0]).toMatchObject({ signal: 'failed_starts', drifting: false });
    expect(scores[29].score).toBeLessThan(40);
  });

  it('weighs only what a partner EVSE can report over OCPI', () => {
    const s = run('partner', [calm({ reboots: 50 })])[0];
    expect(s.notObserved).toEqual(['faults', 'reboots', 'disconnects', 'power_shortfall', 'meter_anomalies']);
    expect(s.score).toBe(100);
  });

  it('skips a signal on a day that says nothing about it (no attempts)', () => {
    const state = newHealthState('own');
    updateHealth(state, calm({ failed_starts: null }));
    expect(state.signals.failed_starts.days).toBe(0);
    expect(state.signals.faults.days).toBe(1);
  });

  it('gives a charger its worst EVSE', () => {
    const good = run('own', [calm()])[0];
    const bad = run('partner', Array.from({ length: 5 }, () => calm({ failed_starts: 1 })))[4];
    expect(chargerHealth([{ evseId: 'a', health: good }, { evseId: 'b', health: bad }])).toMatchObject({ score: bad.score, worstEvseId: 'b' });
    expect(chargerHealth([])).toEqual({ score: 100, worstEvseId: null, moved: [] });
  });

  it('property: the score stays within 0..100 and explains every point lost', () => {
    const value = fc.oneof(fc.constant(null), fc.record({ x: fc.double({ min: 0, max: 20, noNaN: true }), n: fc.integer({ min: 1, max: 50 }) }));
    const day = fc.record(Object.fromEntries(HEALTH_SIGNALS.map((n) => [n, value])) as Record<HealthSignal, typeof value>);
    fc.assert(
      fc.property(fc.constantFrom('own' as const, 'partner' as const), fc.array(day, { minLength: 1, maxLength: 60 }), (kind, days) => {
        for (const s of run(kind, days)) {
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(100);
          const explained = s.moved.reduce((sum, m) => sum + m.pointsLost, 0);
          expect(Math.abs(100 - s.score - explained)).toBeLessThan(0.05 * (HEALTH_SIGNALS.length + 1) + 0.1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('alerts', () => {
  const healthy = run('own', Array.from({ length: 20 }, () => calm()))[19];
  const base = { evseId: 'E1', at: 0, health: healthy, windowAttempts: 0, windowSuccesses: 0, status: 'AVAILABLE' as const, failingStreak: 0 };

  it('raises nothing for a healthy EVSE', () => {
    expect(alertsFor({ ...base, healthWeekAgo: 100, windowAttempts: 40, windowSuccesses: 39 })).toEqual([]);
  });

  it('raises health_dropping on a low score, naming the signals', () => {
    const low = run('partner', Array.from({ length: 20 }, () => calm({ failed_starts: 0.9 })))[19];
    const [alert] = alertsFor({ ...base, health: low, healthWeekAgo: 95 });
    expect(alert.kind).toBe('health_dropping');
    expect(alert.message).toMatch(/failed_starts −\d/);
    // While still learning its baseline, the score alone does not alert.
    const learning = run('partner', [calm({ failed_starts: 0.9 })])[0];
    expect(alertsFor({ ...base, health: learning }).filter((a) => a.kind === 'health_dropping')).toEqual([]);
  });

  it('does not alert on a low score that no signal confirms yet (a CUSUM half way to h)', () => {
    const signal = { signal: 'failed_starts' as const, unit: 'share', recent: 0.1, baseline: 0.03, z: 2, cusum: 5, drifting: false, overLimit: false, pointsLost: 45 };
    const low = { score: 55, moved: [signal], notObserved: [], learning: false };
    expect(alertsFor({ ...base, health: low })).toEqual([]);
    expect(alertsFor({ ...base, health: { ...low, moved: [{ ...signal, overLimit: true }] } }).map((a) => a.kind)).toEqual(['health_dropping']);
    // A heavy signal drifting alerts even while the score is still high.
    const drifting = { ...signal, cusum: 6, drifting: true, pointsLost: 12 };
    expect(alertsFor({ ...base, health: { ...low, score: 88, moved: [drifting] } }).map((a) => a.kind)).toEqual(['health_dropping']);
    expect(alertsFor({ ...base, health: { ...low, score: 95, moved: [{ ...drifting, pointsLost: 5 }] } })).toEqual([]);
  });

  it('raises success_rate_low only on evidence: enough attempts and the Wilson upper bound under 80 %', () => {
    expect(alertsFor({ ...base, windowAttempts: 30, windowSuccesses: 18 }).map((a) => a.kind)).toEqual(['success_rate_low']);
    expect(alertsFor({ ...base, windowAttempts: 10, windowSuccesses: 7 })).toEqual([]); // 70 %, but 10 attempts prove little
    expect(alertsFor({ ...base, windowAttempts: 5, windowSuccesses: 0 })).toEqual([]); // under the minimum
    expect(wilsonUpper(18, 30)).toBeCloseTo(0.7329, 3); // (p + z²/2n + z√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.645
    expect(wilsonUpper(7, 10)).toBeGreaterThan(0.8);
  });

  it('raises available_while_failing when AVAILABLE hides a run of failures, not when the EVSE says it is out', () => {
    expect(alertsFor({ ...base, failingStreak: 4 }).map((a) => a.kind)).toEqual(['available_while_failing']);
    expect(alertsFor({ ...base, failingStreak: 4, status: 'OUTOFORDER' })).toEqual([]);
    expect(alertsFor({ ...base, failingStreak: 3 })).toEqual([]);
  });
});
