/**
 * A health score 0–100 per EVSE (connector) and charger, from daily signals, with drift detection
 * against the EVSE's own learnt baseline, and an explanation of which signals moved.
 *
 * Per signal and day: the value x (HEALTH_SIGNALS) — a share of n trials (failed starts of n attempts)
 * or a rate per day (faults). Baseline: an EWMA mean μ and variance σ² (λ = BASELINE_LAMBDA), learnt
 * from the first WARMUP_DAYS as a plain running mean (shares: pooled with a prior of PRIOR_TRIALS
 * trials at a typical rate), then updated only while the signal is not
 * drifting (CUSUM below h/2), so a slow degradation is not absorbed into "normal". The day's σ for a
 * share is the binomial one, √(p(1−p)/n) with p = max(μ, floor) — a day of 2 attempts says less than a
 * day of 20; for a rate it is max(σ, floor). Drift: a one-sided upper CUSUM on z = min(Z_CAP, (x − μ) / σ),
 * S = max(0, S + z − k), k = CUSUM_K, h = CUSUM_H (Page 1954). k is half the shift to detect
 * (Montgomery, Introduction to Statistical Quality Control, 9.1): k = 1 aims at shifts of 2σ and more
 * — the failures that precede an outage are large — and ignores the day-to-day noise of a few attempts
 * a day, which k = 0.5 mistook for drift in the simulation; h = 6 with k = 1 gives an in-control
 * average run length of several thousand days for normal data. Z_CAP keeps one wild day from raising
 * an alarm alone.
 * A recent level (EWMA, λ = RECENT_LAMBDA; for shares the ratio of the EWMAs of failures and trials)
 * against absolute limits catches an EVSE that was bad from its first day, which no own baseline shows.
 *
 * Score = 100 × (1 − Σ wᵢ·pᵢ / Σ wᵢ) over the signals the EVSE's kind can observe (partners report no
 * faults, reboots, meter values over OCPI), with pᵢ = max(drift penalty, absolute penalty) in [0, 1]:
 * the drift penalty rises from 0 at S = h/2 (noise) to 1 at S = h (drift).
 * A charger's score is its worst EVSE's.
 */
import type { ReliabilityTotals } from './reliability-measures';

export const HEALTH_SIGNALS = ['failed_starts', 'abnormal_ends', 'faults', 'reboots', 'disconnects', 'power_shortfall', 'meter_anomalies', 'downtime'] as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[number];

export interface SignalSpec {
  weight: number;
  /** share: x of n trials (binomial σ); rate: a value per day (learnt σ). */
  kind: 'share' | 'rate';
  /** Smallest σ (rate) or p (share) used for z, so a baseline of zeros does not make one event infinite. */
  sigmaFloor: number;
  /** Shares: the rate a new EVSE is assumed to have before its own data (PRIOR_TRIALS worth). */
  prior: number;
  /** Recent level at or below `ok` costs nothing; at `bad` it costs the whole weight. */
  ok: number;
  bad: number;
  observedFor: ('own' | 'partner')[];
  unit: string;
}

export const SIGNAL_SPECS: Record<HealthSignal, SignalSpec> = {
  failed_starts: { weight: 30, kind: 'share', sigmaFloor: 0.03, prior: 0.05, ok: 0.15, bad: 0.6, observedFor: ['own', 'partner'], unit: 'share of attempts not started' },
  abnormal_ends: { weight: 10, kind: 'share', sigmaFloor: 0.03, prior: 0.05, ok: 0.1, bad: 0.5, observedFor: ['own', 'partner'], unit: 'share of attempts ended abnormally' },
  faults: { weight: 15, kind: 'rate', sigmaFloor: 0.5, prior: 0, ok: 1, bad: 6, observedFor: ['own'], unit: 'faults per day' },
  reboots: { weight: 15, kind: 'rate', sigmaFloor: 0.5, prior: 0, ok: 0.5, bad: 4, observedFor: ['own'], unit: 'reboots per day' },
  disconnects: { weight: 10, kind: 'rate', sigmaFloor: 0.5, prior: 0, ok: 1, bad: 6, observedFor: ['own'], unit: 'disconnects per day' },
  power_shortfall: { weight: 10, kind: 'share', sigmaFloor: 0.1, prior: 0.25, ok: 0.3, bad: 0.8, observedFor: ['own'], unit: 'share of power samples below 80 % of offered' },
  meter_anomalies: { weight: 5, kind: 'rate', sigmaFloor: 0.5, prior: 0, ok: 0.5, bad: 3, observedFor: ['own'], unit: 'meter anomalies per day' },
  downtime: { weight: 5, kind: 'rate', sigmaFloor: 0.05, prior: 0, ok: 0.02, bad: 0.5, observedFor: ['own', 'partner'], unit: 'share of the day not reliable (UK rule)' },
};

export const HEALTH_PARAMETERS = {
  WARMUP_DAYS: 14,
  PRIOR_TRIALS: 50,
  BASELINE_LAMBDA: 0.03,
  RECENT_LAMBDA: 0.15,
  CUSUM_K: 1,
  CUSUM_H: 6,
  Z_CAP: 3,
} as const;

/** A day's value of a signal: x, and for a share the number of trials it is a share of. */
export interface SignalValue {
  x: number;
  n?: number;
}
export type DaySignals = Record<HealthSignal, SignalValue | null>;

/** The day's value of each signal; null when the day says nothing (no attempts, no power samples). */
export function dailySignals(t: ReliabilityTotals): DaySignals {
  const s = t.sessions;
  const measured = t.time.ukReliableMs + t.time.ukNotReliableMs;
  return {
    failed_starts: s.attempts > 0 ? { x: s.notStarted / s.attempts, n: s.attempts } : null,
    abnormal_ends: s.attempts > 0 ? { x: s.endedAbnormally / s.attempts, n: s.attempts } : null,
    faults: { x: t.events.faults },
    reboots: { x: t.events.reboots },
    disconnects: { x: t.events.disconnects },
    power_shortfall: s.powerSamples > 0 ? { x: s.powerShortfalls / s.powerSamples, n: s.powerSamples } : null,
    meter_anomalies: { x: s.meterAnomalies },
    downtime: measured > 0 ? { x: t.time.ukNotReliableMs / measured } : null,
  };
}

export interface SignalState {
  days: number;
  mean: number;
  variance: number;
  recent: number;
  /** Shares: EWMAs of failures and of trials, whose ratio is `recent`. */
  recentHits: number;
  recentTrials: number;
  /** Shares while learning: failures and trials seen. */
  priorHits: number;
  priorTrials: number;
  cusum: number;
  lastZ: number;
}

export interface HealthState {
  kind: 'own' | 'partner';
  signals: Record<HealthSignal, SignalState>;
}

export function newHealthState(kind: 'own' | 'partner'): HealthState {
  const signals = {} as Record<HealthSignal, SignalState>;
  for (const name of HEALTH_SIGNALS) signals[name] = { days: 0, mean: 0, variance: 0, recent: 0, recentHits: 0, recentTrials: 0, priorHits: 0, priorTrials: 0, cusum: 0, lastZ: 0 };
  return { kind, signals };
}

/** Folds one day's signals into the state (mutates it) — O(signals), the incremental step. */
export function updateHealth(state: HealthState, day: DaySignals): void {
  const p = HEALTH_PARAMETERS;
  for (const name of HEALTH_SIGNALS) {
    const value = day[name];
    if (value === null) continue;
    const { x } = value;
    const s = state.signals[name];
    const spec = SIGNAL_SPECS[name];
    if (spec.kind === 'share') {
      const n = value.n ?? 1;
      s.recentHits = s.days === 0 ? x * n : s.recentHits + p.RECENT_LAMBDA * (x * n - s.recentHits);
      s.recentTrials = s.days === 0 ? n : s.recentTrials + p.RECENT_LAMBDA * (n - s.recentTrials);
      s.recent = s.recentTrials > 0 ? s.recentHits / s.recentTrials : 0;
    } else s.recent = s.days === 0 ? x : s.recent + p.RECENT_LAMBDA * (x - s.recent);
    if (s.days < p.WARMUP_DAYS) {
      if (spec.kind === 'share') {
        // A share's baseline starts from a prior worth PRIOR_TRIALS trials at the spec's `prior` rate:
        // two weeks of a few attempts a day cannot tell 0 % from 3 %, and a baseline of 0 % would make
        // every ordinary failure look like drift.
        s.priorHits += x * (value.n ?? 1);
        s.priorTrials += value.n ?? 1;
        s.mean = (s.priorHits + spec.prior * p.PRIOR_TRIALS) / (s.priorTrials + p.PRIOR_TRIALS);
        s.days++;
        continue;
      }
      // Welford's running mean and variance while learning.
      const n = s.days + 1;
      const delta = x - s.mean;
      s.mean += delta / n;
      s.variance += (delta * (x - s.mean) - s.variance) / n;
      s.days = n;
      continue;
    }
    let sigma: number;
    if (spec.kind === 'share') {
      const p0 = Math.min(0.99, Math.max(s.mean, spec.sigmaFloor));
      sigma = Math.sqrt((p0 * (1 - p0)) / (value.n ?? 1));
    } else sigma = Math.max(Math.sqrt(s.variance), spec.sigmaFloor);
    const z = Math.min(p.Z_CAP, (x - s.mean) / sigma);
    s.lastZ = z;
    s.cusum = Math.max(0, s.cusum + z - p.CUSUM_K);
    if (s.cusum < p.CUSUM_H / 2) {
      const delta = x - s.mean;
      s.mean += p.BASELINE_LAMBDA * delta;
      s.variance = (1 - p.BASELINE_LAMBDA) * (s.variance + p.BASELINE_LAMBDA * delta * delta);
    }
    s.days++;
  }
}

export interface SignalExplanation {
  signal: HealthSignal;
  unit: string;
  /** Recent level (EWMA). */
  recent: number;
  /** Learnt baseline mean. */
  baseline: number;
  /** Last standardised deviation and the CUSUM (drift when ≥ h). */
  z: number;
  cusum: number;
  drifting: boolean;
  /** The recent level is at least half way from `ok` to `bad` (evidence without a baseline). */
  overLimit: boolean;
  /** Points of the 100 this signal costs now. */
  pointsLost: number;
}

export interface HealthScore {
  score: number;
  /** Signals that cost points, most costly first; empty when the score is 100. */
  moved: SignalExplanation[];
  /** Signals this EVSE's kind cannot observe (left out of the weights). */
  notObserved: HealthSignal[];
  /** Still learning its baseline (fewer than WARMUP_DAYS days of any signal). */
  learning: boolean;
}

const OBSERVED = {
  own: HEALTH_SIGNALS.filter((n) => SIGNAL_SPECS[n].observedFor.includes('own')),
  partner: HEALTH_SIGNALS.filter((n) => SIGNAL_SPECS[n].observedFor.includes('partner')),
};
const NOT_OBSERVED = {
  own: HEALTH_SIGNALS.filter((n) => !OBSERVED.own.includes(n)),
  partner: HEALTH_SIGNALS.filter((n) => !OBSERVED.partner.includes(n)),
};

export function healthScore(state: HealthState): HealthScore {
  const p = HEALTH_PARAMETERS;
  const observed = OBSERVED[state.kind];
  let totalWeight = 0;
  for (const n of observed) totalWeight += SIGNAL_SPECS[n].weight;
  let lost = 0;
  const moved: SignalExplanation[] = [];
  for (const name of observed) {
    const s = state.signals[name];
    const spec = SIGNAL_SPECS[name];
    const drift = Math.min(1, Math.max(0, (2 * s.cusum) / p.CUSUM_H - 1));
    const absolute = Math.min(1, Math.max(0, (s.recent - spec.ok) / (spec.bad - spec.ok)));
    const penalty = Math.max(drift, absolute);
    const points = (100 * spec.weight * penalty) / totalWeight;
    lost += points;
    if (points > 0.05)
      moved.push({ signal: name, unit: spec.unit, recent: s.recent, baseline: s.mean, z: s.lastZ, cusum: s.cusum, drifting: s.cusum >= p.CUSUM_H, overLimit: absolute >= 0.5, pointsLost: Math.round(points * 10) / 10 });
  }
  moved.sort((a, b) => b.pointsLost - a.pointsLost);
  return {
    score: Math.round(Math.max(0, 100 - lost) * 10) / 10,
    moved,
    notObserved: NOT_OBSERVED[state.kind],
    learning: observed.some((n) => state.signals[n].days < p.WARMUP_DAYS),
  };
}

/** A charger is as healthy as its worst EVSE; the explanation is that EVSE's. */
export function chargerHealth(evses: { evseId: string; health: HealthScore }[]): { score: number; worstEvseId: string | null; moved: SignalExplanation[] } {
  let worst: { evseId: string; health: HealthScore } | undefined;
  for (const e of evses) if (!worst || e.health.score < worst.health.score) worst = e;
  return worst ? { score: worst.health.score, worstEvseId: worst.evseId, moved: worst.health.moved } : { score: 100, worstEvseId: null, moved: [] };
}

/** Human sentence for a moved signal: "failed_starts 0.42 (baseline 0.03), drifting (CUSUM 7.1): −18.0". */
export function describeSignal(e: SignalExplanation): string {
  const drift = e.drifting ? `, drifting (CUSUM ${e.cusum.toFixed(1)})` : '';
  return `${e.signal} ${e.recent.toFixed(2)} ${e.unit} (baseline ${e.baseline.toFixed(2)})${drift}: −${e.pointsLost.toFixed(1)} points`;
}
