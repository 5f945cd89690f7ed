/**
 * Absolute charging schedules as step functions of time, and the order to send a new set of them so
 * that no instant's total ever exceeds what the site allows (docs/scheduling.md, "The planner live").
 * Pure, no I/O.
 *
 * A schedule is a list of steps `{ from, amps }` (epoch ms, ascending): from each step's `from` until
 * the next one, the connector may draw `amps` per phase; the last step lasts forever (a plan ends
 * with a 0 A step, so a charger left offline past the horizon stops rather than keeping its last
 * value). Before the first step the first value applies (a constant is one step).
 */

export interface ScheduleStep {
  from: number;
  amps: number;
}

export type AmpSchedule = ScheduleStep[];

export interface ScheduleChange {
  connectorKey: string;
  /** `lower`: at no instant from now on above what is in force; `raise`: everything else. */
  direction: 'lower' | 'raise';
  schedule: AmpSchedule;
  /** A lowering step to the pointwise lower of the old and the new schedule, followed by the new one among the raises. */
  intermediate?: true;
}

/** The value of a schedule at an instant. */
export function scheduleAt(schedule: AmpSchedule, at: number): number {
  let value = schedule[0]?.amps ?? 0;
  for (const step of schedule) {
    if (step.from > at) break;
    value = step.amps;
  }
  return value;
}

/** A constant limit as a schedule. */
export const constantSchedule = (amps: number): AmpSchedule => [{ from: 0, amps }];

/** Per-slot values (slot i from `start + i × slotMs`) as steps, equal neighbours merged, then 0 A from the end. */
export function slotsToSchedule(start: number, slotMs: number, amps: readonly number[]): AmpSchedule {
  const out: AmpSchedule = [];
  amps.forEach((a, i) => {
    if (out.length === 0 || out[out.length - 1].amps !== a) out.push({ from: start + i * slotMs, amps: a });
  });
  const end = start + amps.length * slotMs;
  if (out.length === 0 || out[out.length - 1].amps !== 0) out.push({ from: end, amps: 0 });
  return out;
}

/** Every instant from `from` on where one of the schedules changes, with `from` itself. */
function breakpoints(from: number, ...schedules: AmpSchedule[]): number[] {
  const points = new Set<number>([from]);
  for (const s of schedules) for (const step of s) if (step.from > from) points.add(step.from);
  return [...points].sort((a, b) => a - b);
}

/** The pointwise lower of two schedules from `from` on. */
export function pointwiseMin(a: AmpSchedule, b: AmpSchedule, from: number): AmpSchedule {
  const out: AmpSchedule = [];
  for (const t of breakpoints(from, a, b)) {
    const v = Math.min(scheduleAt(a, t), scheduleAt(b, t));
    if (out.length === 0 || out[out.length - 1].amps !== v) out.push({ from: t, amps: v });
  }
  return out;
}

/** How `next` compares with `previous` from `from` on: equal, nowhere higher, nowhere lower, or both. */
export function compareSchedules(previous: AmpSchedule, next: AmpSchedule, from: number): 'same' | 'lower' | 'raise' | 'mixed' {
  let lower = false;
  let higher = false;
  for (const t of breakpoints(from, previous, next)) {
    const p = scheduleAt(previous, t);
    const n = scheduleAt(next, t);
    if (n < p) lower = true;
    if (n > p) higher = true;
  }
  return lower && higher ? 'mixed' : lower ? 'lower' : higher ? 'raise' : 'same';
}

/** Two schedules are the same from `from` on (nothing to send). */
export const sameSchedule = (a: AmpSchedule, b: AmpSchedule, from: number) => compareSchedules(a, b, from) === 'same';

/** The highest value a schedule takes from `from` on. */
export function scheduleMax(schedule: AmpSchedule, from: number): number {
  return Math.max(...breakpoints(from, schedule).map((t) => scheduleAt(schedule, t)));
}

/** The lowest value a schedule takes from `from` on. */
export function scheduleMin(schedule: AmpSchedule, from: number): number {
  return Math.min(...breakpoints(from, schedule).map((t) => scheduleAt(schedule, t)));
}

/**
 * The changes that take the connectors from `previous` (what their chargers accepted; a key missing
 * there is unknown, so anything may be running) to `next`, in sending order:
 *
 *  1. lowerings: schedules nowhere above what is in force (an unknown one counts as a lowering), and
 *     for a schedule that is lower at some instants and higher at others, an intermediate step to
 *     the pointwise lower of both;
 *  2. raises: the rest, and the full new schedule after each intermediate step.
 *
 * Sent in this order, with every lowering accepted before any raise goes out, the total at every
 * instant stays at or below the larger of the old and the new total at that instant; once everything
 * is accepted, at the new total. A charger that refuses keeps its old schedule, which is still counted.
 * Within each phase, keys keep their given order (the caller puts a station maximum first among raises).
 */
export function orderScheduleChanges(previous: ReadonlyMap<string, AmpSchedule>, next: readonly { connectorKey: string; schedule: AmpSchedule }[], now: number): ScheduleChange[] {
  const lowers: ScheduleChange[] = [];
  const raises: ScheduleChange[] = [];
  for (const { connectorKey, schedule } of next) {
    const before = previous.get(connectorKey);
    if (!before) {
      lowers.push({ connectorKey, direction: 'lower', schedule });
      continue;
    }
    const how = compareSchedules(before, schedule, now);
    if (how === 'same') continue;
    if (how === 'lower') lowers.push({ connectorKey, direction: 'lower', schedule });
    else if (how === 'raise') raises.push({ connectorKey, direction: 'raise', schedule });
    else {
      lowers.push({ connectorKey, direction: 'lower', schedule: pointwiseMin(before, schedule, now), intermediate: true });
      raises.push({ connectorKey, direction: 'raise', schedule });
    }
  }
  return [...lowers, ...raises];
}

/** The sum of several schedules at an instant (what a site's chargers are allowed together). */
export const totalAt = (schedules: Iterable<AmpSchedule>, at: number): number => {
  let sum = 0;
  for (const s of schedules) sum += scheduleAt(s, at);
  return Math.round(sum * 10) / 10;
};
