/**
 * A seeded simulation of a network's EVSEs over days, with injected failure patterns, to validate the
 * health score and alerts rather than assert them. Pure: the same seed gives the same network.
 *
 * Healthy EVSEs: about 6 attempts a day between 07:00 and 22:00, 3 % fail to start (half are retried
 * by the same driver within minutes), 3 % end abnormally, the EV draws 75–100 % of the offered power,
 * a fault every 20 days, a reboot every 50, a short disconnect every 10, and now and then (every 60
 * days) an OUTOFORDER of 1–6 hours — noise the detector must not call a failure. The hub restarts
 * (a gap of 10–30 minutes) a few times a year, for every EVSE at once.
 *
 * Injected patterns, each with an onset and an outage (the ground truth):
 * - degrading_connector (own): over DEGRADE_DAYS, failed starts rise to 53 %, faults to 3 a day,
 *   delivered power sinks, abnormal ends rise; then OUTOFORDER for 3 days (the outage), then repaired.
 * - reboot_loop (own): over LOOP_DAYS, reboots rise to 8 a day, each a short disconnect and a failed
 *   start if a driver is there; then the charger stays offline for 2 days (the outage).
 * - stuck_available (partner): over STUCK_DAYS, attempts fail more and more until none starts; the
 *   status stays AVAILABLE throughout; the outage is the moment none starts, for 5 days.
 */
import type { ChargingAttempt, Interval } from './reliability-input';
import { DAY_MS, type DaySlice, type EvseIdentity } from './reliability-incremental';
import { seededRandom } from '../seeded-random';

function poisson(random: () => number, lambda: number): number {
  // Knuth's method; lambdas here are small.
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

export type FailurePattern = 'healthy' | 'degrading_connector' | 'reboot_loop' | 'stuck_available';

export const DEGRADE_DAYS = 21;
export const LOOP_DAYS = 7;
export const STUCK_DAYS = 4;

export interface SimulatedEvse {
  identity: EvseIdentity;
  pattern: FailurePattern;
  /** Injected patterns: when the degradation began and when the outage began (epoch ms). */
  onsetAt?: number;
  outageAt?: number;
  days: DaySlice[];
}

export interface NetworkSpec {
  seed: number;
  evses: number;
  days: number;
  /** UTC midnight of day 0. */
  start: number;
  /** Share of EVSEs per injected pattern (the rest are healthy). */
  shares?: Partial<Record<Exclude<FailurePattern, 'healthy'>, number>>;
}

const DEFAULT_SHARES = { degrading_connector: 0.01, reboot_loop: 0.01, stuck_available: 0.01 };

/** The hub's own restarts: gaps of 10–30 minutes, about four a year, the same for every EVSE. */
export function hubRestarts(random: () => number, start: number, days: number): Interval[] {
  const gaps: Interval[] = [];
  for (let d = 0; d < days; d++)
    if (random() < 4 / 365) {
      const from = start + d * DAY_MS + Math.floor(random() * DAY_MS);
      gaps.push({ from, to: from + (10 + Math.floor(random() * 20)) * 60_000 });
    }
  return gaps;
}

function emptySlice(): DaySlice {
  return { statuses: [], hubGaps: [], offline: [], excluded: [], attempts: [], faults: [], reboots: [], power: [], meter: [] };
}

/** Adds an interval to the slice of every day it overlaps. */
function addInterval(days: DaySlice[], start: number, interval: Interval, pick: (s: DaySlice) => Interval[]) {
  const first = Math.max(0, Math.floor((interval.from - start) / DAY_MS));
  const last = Math.min(days.length - 1, Math.floor((interval.to - 1 - start) / DAY_MS));
  for (let d = first; d <= last; d++) pick(days[d]).push(interval);
}

/** The network: EVSEs two to a charger, ten chargers to a location, 200 locations to a CPO. */
export function* simulateNetwork(spec: NetworkSpec): Generator<SimulatedEvse> {
  const shares = { ...DEFAULT_SHARES, ...spec.shares };
  const random = seededRandom(spec.seed);
  const gaps = hubRestarts(random, spec.start, spec.days);
  for (let i = 0; i < spec.evses; i++) {
    const r = random();
    const pattern: FailurePattern =
      r < shares.degrading_connector
        ? 'degrading_connector'
        : r < shares.degrading_connector + shares.reboot_loop
          ? 'reboot_loop'
          : r < shares.degrading_connector + shares.reboot_loop + shares.stuck_available
            ? 'stuck_available'
            : 'healthy';
    const kind = pattern === 'stuck_available' ? 'partner' : pattern === 'healthy' ? (random() < 0.5 ? 'own' : 'partner') : 'own';
    const charger = Math.floor(i / 2);
    const identity: EvseIdentity = {
      evseId: `EVSE-${i}`,
      chargerId: `CP-${charger}`,
      locationId: `LOC-${Math.floor(charger / 10)}`,
      cpoId: `CPO-${Math.floor(charger / 2000)}`,
      kind,
      maxPowerKw: random() < 0.7 ? 150 : 22,
    };
    yield simulateEvse(seededRandom(Math.floor(random() * 2 ** 32)), identity, pattern, spec.start, spec.days, gaps);
  }
}

export function simulateEvse(random: () => number, identity: EvseIdentity, pattern: FailurePattern, start: number, dayCount: number, hubGaps: Interval[]): SimulatedEvse {
  const days: DaySlice[] = Array.from({ length: dayCount }, emptySlice);
  for (const g of hubGaps) addInterval(days, start, g, (s) => s.hubGaps);
  const own = identity.kind === 'own';
  const rampDays = pattern === 'degrading_connector' ? DEGRADE_DAYS : pattern === 'reboot_loop' ? LOOP_DAYS : STUCK_DAYS;
  const outageDays = pattern === 'degrading_connector' ? 3 : pattern === 'reboot_loop' ? 2 : 5;
  // Onset after the baseline has been learnt and early enough for the outage to fit in the run.
  const onsetDay = pattern === 'healthy' ? Infinity : 30 + Math.floor(random() * Math.max(1, dayCount - 30 - rampDays - outageDays - 5));
  const onsetAt = start + onsetDay * DAY_MS + Math.floor(random() * DAY_MS);
  const outageAt = onsetAt + rampDays * DAY_MS;
  const repairedAt = outageAt + outageDays * DAY_MS;
  const progress = (t: number) => (t < onsetAt || t >= repairedAt ? 0 : t >= outageAt ? 1 : (t - onsetAt) / (outageAt - onsetAt));
  const inOutage = (t: number) => t >= outageAt && t < repairedAt;

  days[0].statuses.push({ at: start, status: 'AVAILABLE' });
  let register = 0;
  let attemptSeq = 0;
  let busyUntil = start;

  if (pattern === 'degrading_connector' && outageAt < start + dayCount * DAY_MS) {
    days[Math.floor((outageAt - start) / DAY_MS)].statuses.push({ at: outageAt, status: 'OUTOFORDER' });
    if (repairedAt < start + dayCount * DAY_MS) days[Math.floor((repairedAt - start) / DAY_MS)].statuses.push({ at: repairedAt, status: 'AVAILABLE' });
  }
  if (pattern === 'reboot_loop') addInterval(days, start, { from: outageAt, to: repairedAt }, (s) => s.offline);

  for (let d = 0; d < dayCount; d++) {
    const slice = days[d];
    const dayStart = start + d * DAY_MS;
    const mid = dayStart + DAY_MS / 2;
    const q = pattern === 'healthy' ? 0 : progress(mid);
    const down = pattern !== 'stuck_available' && inOutage(mid);

    if (own) {
      const faults = poisson(random, 0.05 + (pattern === 'degrading_connector' ? 3 * q : 0));
      for (let k = 0; k < faults; k++) slice.faults.push(dayStart + Math.floor(random() * DAY_MS));
      const reboots = down ? 0 : poisson(random, 0.02 + (pattern === 'reboot_loop' ? 8 * q : 0));
      for (let k = 0; k < reboots; k++) {
        const at = dayStart + Math.floor(random() * (DAY_MS - 600_000));
        slice.reboots.push(at + 120_000);
        addInterval(days, start, { from: at, to: at + 120_000 }, (s) => s.offline);
      }
      const drops = down ? 0 : poisson(random, 0.1);
      for (let k = 0; k < drops; k++) {
        const at = dayStart + Math.floor(random() * (DAY_MS - 900_000));
        addInterval(days, start, { from: at, to: at + (1 + Math.floor(random() * 10)) * 60_000 }, (s) => s.offline);
      }
    }
    // Random short outages: noise, not a failure pattern.
    if (!down && random() < 1 / 60) {
      const at = dayStart + Math.floor(random() * (DAY_MS - 7 * 3_600_000));
      slice.statuses.push({ at, status: 'OUTOFORDER' }, { at: at + (1 + Math.floor(random() * 6)) * 3_600_000, status: 'AVAILABLE' });
      slice.faults.push(at);
    }
    if (down) continue;

    const n = poisson(random, 6);
    const times: number[] = [];
    for (let k = 0; k < n; k++) times.push(dayStart + 7 * 3_600_000 + Math.floor(random() * 15 * 3_600_000));
    times.sort((a, b) => a - b);
    for (const t0 of times) {
      if (t0 < busyUntil) continue;
      const driverKey = `D${Math.floor(random() * 5000)}`;
      let at = t0;
      for (let tries = 0; tries < 2; tries++) {
        const pFail = 0.03 + (pattern === 'degrading_connector' ? 0.5 * q : pattern === 'reboot_loop' ? 0.2 * q : pattern === 'stuck_available' ? 0.97 * q : 0);
        const id = `${identity.evseId}-${attemptSeq++}`;
        const origin = own ? 'ocpp_authorize' : 'ocpi_session';
        if (random() < pFail) {
          slice.attempts.push({ id, at, origin, authorization: 'accepted', endedAt: at + 90_000, driverKey, energyWh: 0 });
          at += 120_000 + Math.floor(random() * 180_000);
          if (random() < 0.5) break; // the driver gives up or goes elsewhere
          continue;
        }
        const startedAt = at + 60_000;
        const minutes = 20 + Math.floor(random() * 30);
        const endedAt = startedAt + minutes * 60_000;
        const offeredKw = identity.maxPowerKw;
        const draw = (0.75 + 0.25 * random()) * (1 - (pattern === 'degrading_connector' ? 0.5 * q : 0));
        const energyWh = Math.round(offeredKw * draw * minutes * (1000 / 60));
        const abnormal = random() < 0.03 + (pattern === 'degrading_connector' ? 0.2 * q : 0);
        const attempt: ChargingAttempt = {
          id,
          at,
          origin,
          authorization: 'accepted',
          startedAt,
          endedAt,
          energyWh,
          expectedEnergyWh: Math.round(offeredKw * 0.9 * minutes * (1000 / 60)),
          driverKey,
        };
        if (own) attempt.stopReason = abnormal ? (random() < 0.5 ? 'PowerLoss' : 'Other') : random() < 0.7 ? 'EVDisconnected' : 'Local';
        else attempt.ocpiEndStatus = abnormal ? 'INVALID' : 'COMPLETED';
        slice.attempts.push(attempt);
        slice.statuses.push({ at: startedAt, status: 'CHARGING' }, { at: endedAt, status: 'AVAILABLE' });
        if (own) {
          slice.power.push({ at: startedAt + (minutes / 2) * 60_000, offeredKw, deliveredKw: offeredKw * draw });
          slice.meter.push({ at: startedAt, registerWh: register, transactionId: id }, { at: endedAt, registerWh: register + energyWh, transactionId: id });
          register += energyWh;
        }
        busyUntil = endedAt;
        break;
      }
    }
  }
  return pattern === 'healthy' ? { identity, pattern, days } : { identity, pattern, onsetAt, outageAt, days };
}

/** The simulated days as one history (intervals spanning days once), for a report or a naive recompute. */
export function wholeHistory(sim: SimulatedEvse, upToDay = sim.days.length): DaySlice {
  const out = emptySlice();
  const seen = new Set<Interval>();
  const once = (target: Interval[], list: Interval[]) => {
    for (const i of list)
      if (!seen.has(i)) {
        seen.add(i);
        target.push(i);
      }
  };
  for (let d = 0; d < upToDay; d++) {
    const s = sim.days[d];
    out.statuses.push(...s.statuses);
    out.attempts.push(...s.attempts);
    out.faults.push(...s.faults);
    out.reboots.push(...s.reboots);
    out.power.push(...s.power);
    out.meter.push(...s.meter);
    once(out.hubGaps, s.hubGaps);
    once(out.offline, s.offline);
    once(out.excluded, s.excluded);
  }
  return out;
}

export interface DetectionReport {
  evses: number;
  flagged: number;
  truePositives: number;
  falsePositives: number;
  injected: number;
  precision: number | null;
  recall: number | null;
  /** Hours from the first alert to the outage, per detected injected EVSE (negative: after the outage). */
  leadHours: Record<Exclude<FailurePattern, 'healthy'>, number[]>;
  missed: Record<Exclude<FailurePattern, 'healthy'>, number>;
}

/** An injected EVSE counts as detected when an alert came between its onset and a day after its outage. */
export const DETECTION_GRACE_MS = DAY_MS;

export function evaluateDetection(results: { sim: Pick<SimulatedEvse, 'pattern' | 'onsetAt' | 'outageAt'>; alertTimes: number[] }[]): DetectionReport {
  const report: DetectionReport = {
    evses: results.length,
    flagged: 0,
    truePositives: 0,
    falsePositives: 0,
    injected: 0,
    precision: null,
    recall: null,
    leadHours: { degrading_connector: [], reboot_loop: [], stuck_available: [] },
    missed: { degrading_connector: 0, reboot_loop: 0, stuck_available: 0 },
  };
  for (const { sim, alertTimes } of results) {
    if (sim.pattern === 'healthy') {
      if (alertTimes.length > 0) {
        report.flagged++;
        report.falsePositives++;
      }
      continue;
    }
    report.injected++;
    const onset = sim.onsetAt as number;
    const outage = sim.outageAt as number;
    const inWindow = alertTimes.filter((t) => t >= onset && t <= outage + DETECTION_GRACE_MS);
    const outside = alertTimes.some((t) => t < onset);
    if (inWindow.length > 0) {
      report.flagged++;
      report.truePositives++;
      report.leadHours[sim.pattern].push((outage - Math.min(...inWindow)) / 3_600_000);
    } else {
      report.missed[sim.pattern]++;
      if (outside) {
        report.flagged++;
        report.falsePositives++;
      }
    }
  }
  report.precision = report.flagged > 0 ? report.truePositives / report.flagged : null;
  report.recall = report.injected > 0 ? report.truePositives / report.injected : null;
  return report;
}
