/**
 * Every measure of one EVSE over a period, as additive totals, and their roll-up per location, CPO and
 * network. Ratios are computed from summed totals (time-weighted, attempt-weighted), never averaged,
 * except the UK network figure, which reg. 7(2) defines as "on average" over the rapid charge points
 * and which is given both ways.
 */
import type { EvseHistory, Interval, MeterReading } from './reliability-input';
import {
  addTimeTotals,
  emptyTimeTotals,
  segmentsOf,
  timeTotals,
  UK_RAPID_TARGET,
  uptimeFigures,
  type LastKnown,
  type TimeTotals,
  type UptimeFigures,
} from './reliability-timeline';
import {
  addSessionTotals,
  emptySessionTotals,
  meterAnomalies,
  powerShortfalls,
  sessionFigures,
  sessionTotals,
  type SessionFigures,
  type SessionTotals,
} from './reliability-success';

export interface EventTotals {
  faults: number;
  reboots: number;
  disconnects: number;
}

export interface ReliabilityTotals {
  time: TimeTotals;
  sessions: SessionTotals;
  events: EventTotals;
}

export const emptyTotals = (): ReliabilityTotals => ({
  time: emptyTimeTotals(),
  sessions: emptySessionTotals(),
  events: { faults: 0, reboots: 0, disconnects: 0 },
});

export function addTotals(a: ReliabilityTotals, b: ReliabilityTotals): ReliabilityTotals {
  return {
    time: addTimeTotals(a.time, b.time),
    sessions: addSessionTotals(a.sessions, b.sessions),
    events: { faults: a.events.faults + b.events.faults, reboots: a.events.reboots + b.events.reboots, disconnects: a.events.disconnects + b.events.disconnects },
  };
}

const countIn = (times: number[], from: number, to: number) => times.reduce((n, t) => (t >= from && t < to ? n + 1 : n), 0);

/** What a period needs from the one before it, so totals of consecutive periods add up exactly. */
export interface Carry {
  lastKnown: LastKnown;
  lastAttemptByDriver: Map<string, number>;
  lastMeterReading?: MeterReading;
}

export const emptyCarry = (): Carry => ({ lastKnown: undefined, lastAttemptByDriver: new Map() });

/**
 * Totals of one EVSE over [period.from, period.to). `carry` (mutated to describe the end of this period)
 * is what the previous period left; without it, the period is read alone, as a report would.
 */
export function evseTotals(history: EvseHistory, period: Interval, carry: Carry = emptyCarry()): ReliabilityTotals {
  const { totals: time, lastKnown } = timeTotals(segmentsOf(history, period), carry.lastKnown);
  carry.lastKnown = lastKnown;
  const sessions = sessionTotals(history.attempts, period.from, period.to, carry.lastAttemptByDriver);
  const power = powerShortfalls(history.power, period.from, period.to);
  sessions.powerSamples = power.samples;
  sessions.powerShortfalls = power.shortfalls;
  sessions.meterAnomalies = meterAnomalies(history.meter, history.maxPowerKw, period.from, period.to, carry.lastMeterReading);
  for (const r of history.meter) if (r.at >= period.from && r.at < period.to && (!carry.lastMeterReading || r.at >= carry.lastMeterReading.at)) carry.lastMeterReading = r;
  return {
    time,
    sessions,
    events: {
      faults: countIn(history.faults, period.from, period.to),
      reboots: countIn(history.reboots, period.from, period.to),
      disconnects: history.offline.reduce((n, o) => (o.from >= period.from && o.from < period.to ? n + 1 : n), 0),
    },
  };
}

export interface ReliabilityFigures extends UptimeFigures, SessionFigures {
  /** Abnormal ends per stop reason, most frequent first. */
  abnormalEnds: { reason: string; count: number }[];
}

export function figuresOf(t: ReliabilityTotals): ReliabilityFigures {
  return {
    ...uptimeFigures(t.time),
    ...sessionFigures(t.sessions),
    abnormalEnds: Object.entries(t.sessions.abnormalByReason)
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

export type RollUpLevel = 'evse' | 'location' | 'cpo' | 'network';

export interface RollUpRow {
  level: RollUpLevel;
  key: string;
  evses: number;
  totals: ReliabilityTotals;
  figures: ReliabilityFigures;
  /** Rapid EVSEs (≥ 50 kW) in the group and the mean of their own UK uptimes (reg. 7(2) "on average"). */
  rapidEvses: number;
  ukRapidAverage: number | null;
  /** Whether the rapid EVSEs' average meets the UK 99 %; null without a rapid EVSE. */
  meetsUkRapidTarget: boolean | null;
}

export interface EvseTotalsRow {
  evseId: string;
  locationId: string;
  cpoId: string;
  maxPowerKw: number;
  totals: ReliabilityTotals;
}

const keyOf = (row: EvseTotalsRow, level: RollUpLevel) =>
  level === 'evse' ? row.evseId : level === 'location' ? `${row.cpoId}/${row.locationId}` : level === 'cpo' ? row.cpoId : 'network';

/** Sums EVSE totals per location, CPO or the whole network, and computes each group's figures. */
export function rollUp(rows: EvseTotalsRow[], level: RollUpLevel): RollUpRow[] {
  const groups = new Map<string, { totals: ReliabilityTotals; evses: number; rapidUk: number[]; rapid: number }>();
  for (const row of rows) {
    const key = keyOf(row, level);
    const g = groups.get(key) ?? { totals: emptyTotals(), evses: 0, rapidUk: [], rapid: 0 };
    g.totals = addTotals(g.totals, row.totals);
    g.evses++;
    if (row.maxPowerKw >= 50) {
      g.rapid++;
      const uk = uptimeFigures(row.totals.time).uk;
      if (uk !== null) g.rapidUk.push(uk);
    }
    groups.set(key, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => {
      const average = g.rapidUk.length > 0 ? g.rapidUk.reduce((s, x) => s + x, 0) / g.rapidUk.length : null;
      return {
        level,
        key,
        evses: g.evses,
        totals: g.totals,
        figures: figuresOf(g.totals),
        rapidEvses: g.rapid,
        ukRapidAverage: average,
        meetsUkRapidTarget: average === null ? null : average >= UK_RAPID_TARGET,
      };
    });
}
