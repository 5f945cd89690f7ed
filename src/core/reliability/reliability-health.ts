/**
 * A health score 0–100 per EVSE (connector) and charger, from daily signals, with drift detection
 * against the EVSE's own learnt baseline, and an explanation of which signals moved.
 *
 * Per signal and day: the value x (a share or a count per day, HEALTH_SIGNALS). Baseline: an EWMA mean μ
 * and variance σ² (λ = BASELINE_LAMBDA), learnt from the first WARMUP_DAYS as a plain running mean,
 * then updated only while the signal is not drifting (CUSUM below h/2), so a slow degradation is not
 * absorbed into "normal". Drift: a one-sided upper CUSUM on z = min(Z_CAP, (x − μ) / max(σ, floor)),
 * S = max(0, S + z − k), k = CUSUM_K, h = CUSUM_H (Page 1954; k = 0.5 detects a 1σ shift, h = 5 gives
 * an in-control average run length of about 465 days for normal data; Montgomery, Introduction to
 * Statistical Quality Control, 9.1). Z_CAP keeps one wild day from raising an alarm alone.
 * A recent level (EWMA, λ = RECENT_LAMBDA) against absolute limits catches an EVSE that was bad from its
 * first day, which no baseline of its own would show.
 *
 * Score = 100 × (1 − Σ wᵢ·pᵢ / Σ wᵢ) over the signals the EVSE's kind can observe (partners report no
 * faults, reboots, meter values over OCPI), with pᵢ = max(min(1, Sᵢ/h), absolute penalty) in [0, 1].
 * A charger's score is its worst EVSE's.
 */
import type { ReliabilityTotals } from './reliability-measures';

export const HEALTH_SIGNALS = ['failed_starts', 'abnormal_ends', 'faults', 'reboots', 'disconnects', 'power_shortfall', 'meter_anomalies', 'downtime'] as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[number];

export interface SignalSpec {
  weight: number;
  /** Smallest σ used for z, so a baseline of zeros does not make one event infinite. */
  sigmaFloor: number;
  /** Recent level at or below `ok` costs nothing; at `bad` it costs the whole weight. */
  ok: number;
  bad: number;
  observedFor: ('own' | 'partner')[];
  unit: string;
}

export const SIGNAL_SPECS: Record<HealthSignal, SignalSpec> = {
  failed_starts: { weight: 30, sigmaFloor: 0.05, ok: 0.15, bad: 0.6, observedFor: ['own', 'partner'], unit: 'share of attempts not started' },
  abnormal_ends: { weight: 10, sigmaFloor: 0.05, ok: 0.1, bad: 0.5, observedFor: ['own', 'partner'], unit: 'share of attempts ended abnormally' },
  faults: { weight: 15, sigmaFloor: 0.5, ok: 1, bad: 6, observedFor: ['own'], unit: 'faults per day' },
  reboots: { weight: 15, sigmaFloor: 0.5, ok: 0.5, bad: 4, observedFor: ['own'], unit: 'reboots per day' },
  disconnects: { weight: 10, sigmaFloor: 0.5, ok: 1, bad: 6, observedFor: ['own'], unit: 'disconnects per day' },
  power_shortfall: { weight: 10, sigmaFloor: 0.05, ok: 0.3, bad: 0.8, observedFor: ['own'], unit: 'share of power samples below 80 % of offered' },
  meter_anomalies: { weight: 5, sigmaFloor: 0.5, ok: 0.5, bad: 3, observedFor: ['own'], unit: 'meter anomalies per day' },
  downtime: { weight: 5, sigmaFloor: 0.05, ok: 0.02, bad: 0.5, observedFor: ['own', 'partner'], unit: 'share of the day not reliable (UK rule)' },
};

export const HEALTH_PARAMETERS = {
  WARMUP_DAYS: 14,
  BASELINE_LAMBDA: 0.03,
  RECENT_LAMBDA: 0.3,
  CUSUM_K: 0.5,
  CUSUM_H: 5,
  Z_CAP: 3,
} as const;

/** The day's value of each signal; null when the day says nothing (no attempts, no power samples). */
export function dailySignals(t: ReliabilityTotals): Record<HealthSignal, number | null> {
  const s = t.sessions;
  const measured = t.time.ukReliableMs + t.time.ukNotReliableMs;
  return {
    failed_starts: s.attempts > 0 ? s.notStarted / s.attempts : null,
    abnormal_ends: s.attempts > 0 ? s.endedAbnormally / s.attempts : null,
    faults: t.events.faults,
    reboots: t.events.reboots,
    disconnects: t.events.disconnects,
    power_shortfall: s.powerSamples > 0 ? s.powerShortfalls / s.powerSamples : null,
    meter_anomalies: s.meterAnomalies,
    downtime: measured > 0 ? t.time.ukNotReliableMs / measured : null,
  };
}

export interface SignalState {
  days: number;
  mean: number;
  variance: number;
  recent: number;
  cusum: number;
  lastZ: number;
}

export interface HealthState {
  kind: 'own' | 'partner';
  signals: Record<HealthSignal, SignalState>;
}

export function newHealthState(kind: 'own' | 'partner'): HealthState {
  const signals = {} as Record<HealthSignal, SignalState>;
  for (const name of HEALTH_SIGNALS) signals[name] = { days: 0, mean: 0, variance: 0, recent: 0, cusum: 0, lastZ: 0 };
  return { kind, signals };
}

/** Folds one day's signals into the state (mutates it) — O(signals), the incremental step. */
export function updateHealth(state: HealthState, day: Record<HealthSignal, number | null>): void {
  const p = HEALTH_PARAMETERS;
  for (const name of HEALTH_SIGNALS) {
    const x = day[name];
    if (x === null) continue;
    const s = state.signals[name];
    const spec = SIGNAL_SPECS[name];
    s.recent = s.days === 0 ? x : s.recent + p.RECENT_LAMBDA * (x - s.recent);
    if (s.days < p.WARMUP_DAYS) {
      // Welford's running mean and variance while learning.
      const n = s.days + 1;
      const delta = x - s.mean;
      s.mean += delta / n;
      s.variance += (delta * (x - s.mean) - s.variance) / n;
      s.days = n;
      continue;
    }
    const sigma = Math.max(Math.sqrt(s.variance), spec.sigmaFloor);
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

export function healthScore(state: HealthState): HealthScore {
  const p = HEALTH_PARAMETERS;
  const observed = HEALTH_SIGNALS.filter((n) => SIGNAL_SPECS[n].observedFor.includes(state.kind));
  const totalWeight = observed.reduce((sum, n) => sum + SIGNAL_SPECS[n].weight, 0);
  let lost = 0;
  const moved: SignalExplanation[] = [];
  for (const name of observed) {
    const s = state.signals[name];
    const spec = SIGNAL_SPECS[name];
    const drift = Math.min(1, s.cusum / p.CUSUM_H);
    const absolute = Math.min(1, Math.max(0, (s.recent - spec.ok) / (spec.bad - spec.ok)));
    const penalty = Math.max(drift, absolute);
    const points = (100 * spec.weight * penalty) / totalWeight;
    lost += points;
    if (points > 0.05)
      moved.push({ signal: name, unit: spec.unit, recent: s.recent, baseline: s.mean, z: s.lastZ, cusum: s.cusum, drifting: s.cusum >= p.CUSUM_H, pointsLost: Math.round(points * 10) / 10 });
  }
  moved.sort((a, b) => b.pointsLost - a.pointsLost);
  return {
    score: Math.round(Math.max(0, 100 - lost) * 10) / 10,
    moved,
    notObserved: HEALTH_SIGNALS.filter((n) => !observed.includes(n)),
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
