import {
  aggregateDays,
  assessEvse,
  assessmentStart,
  DAY_MS,
  emptyHistory,
  evseDay,
  HEALTH_DAYS,
  healthFromDays,
  healthWindowOf,
  mergeAggregates,
  mergeCounted,
  splitByMonths,
  type CountedAggregate,
  periodTotalsFromDays,
  wholeDaysOf,
  type EvseAssessment,
  type EvseHistory,
  describeSignal,
  figuresOf,
  rollUp,
  type EvseTotalsRow,
  type HealthScore,
  type Interval,
  type ReliabilityAlert,
  type ReliabilityFigures,
  type RollUpLevel,
  type RollUpRow,
  type TimeTotals,
} from '../../core/reliability/reliability-core';
import { evseKeyOf, historyOf, type EvseFilter, type EvseRef, type ReliabilityFacts } from './reliability-facts';
import type { ReliabilityDays } from './reliability-days-store';

/** EVSEs read and assessed together: bounds memory (one batch's facts at a time) and the number of queries. */
export const REPORT_BATCH = 500;

export interface EvseReport {
  evse: string;
  cpo: string;
  locationId: string;
  evseUid: string;
  kind: 'own' | 'partner';
  maxPowerKw: number;
  figures: ReliabilityFigures;
  attempts: number;
  refusedTokens: number;
  failures: number;
  health: HealthScore & { explanation: string[] };
  alerts: ReliabilityAlert[];
  /**
   * The period's time by class (ms): what each uptime rule counted and what it left out — UK
   * excluded (outside hours, PLANNED/REMOVED) and ineligible (UNKNOWN, BLOCKED), NEVI excluded
   * outage (operator-entered causes), unmeasured (the hub saw nothing).
   */
  time: TimeTotals;
}

export interface ReliabilityReportResult {
  period: Interval;
  healthWindowDays: number;
  evses: EvseReport[];
  rollUp: Record<Exclude<RollUpLevel, 'evse'>, RollUpRow[]>;
}

/** One batch's facts and assessments: the history (raw facts, or those of the period's partial days) and what was assessed. */
type Assessed = { history: EvseHistory; assessed: EvseAssessment }[];

/** Two readings of the same EVSE (a period's partial days before and after its whole days) as one history. */
function mergeHistories(a: EvseHistory, b: EvseHistory): EvseHistory {
  const intervals = <T extends Interval>(x: T[], y: T[]) => {
    const seen = new Set(x.map((i) => `${i.from}/${i.to}`));
    return [...x, ...y.filter((i) => !seen.has(`${i.from}/${i.to}`))];
  };
  return {
    ...a,
    statuses: [...a.statuses, ...b.statuses],
    hubGaps: a.hubGaps,
    offline: intervals(a.offline, b.offline),
    excluded: intervals(a.excluded, b.excluded),
    attempts: [...a.attempts, ...b.attempts],
    faults: [...a.faults, ...b.faults],
    reboots: [...a.reboots, ...b.reboots],
    power: [...a.power, ...b.power],
    meter: [...a.meter, ...b.meter],
  };
}

/**
 * Reliability measures from storage: per EVSE its period totals and health now, rolled up per location,
 * CPO and network from the EVSEs' additive totals. With day totals (ReliabilityDays), a period's whole
 * calendar months (UTC) are read as sums of stored months, its other whole UTC days as sums of stored
 * days, and only its partial days (its edges, today) from the facts; an EVSE missing a stored day (in a
 * month too), or a period without a whole day, is read from the facts (ReliabilityFacts) as a whole. All
 * give the same figures (test/core/reliability/reliability-days.test.ts, reliability-months.test.ts).
 */
export class ReliabilityReport {
  constructor(
    private readonly facts: ReliabilityFacts,
    private readonly days?: ReliabilityDays,
    /** `monthTotals: false` sums whole days from day totals only (the benchmark's baseline). */
    private readonly options: { monthTotals?: boolean } = {},
  ) {}

  async run(filter: EvseFilter, period: Interval): Promise<ReliabilityReportResult> {
    const refs = await this.facts.evses(filter);
    const start = assessmentStart(period);
    // Every hub gap up to the period's end: a status older than a restart is stale whatever the period asked (docs).
    const gaps = await this.facts.hubGaps({ from: 0, to: period.to });
    const firstDay = this.days ? await this.days.firstDay() : null;
    const reports: EvseReport[] = [];
    const rows: EvseTotalsRow[] = [];
    const read = (i: number) => this.assess(refs.slice(i, i + REPORT_BATCH), period, start, gaps, firstDay);
    // The next batch is read while this one is assessed: PostgreSQL and the core work at once.
    let next = refs.length > 0 ? read(0) : undefined;
    for (let i = 0; i < refs.length; i += REPORT_BATCH) {
      const batch = refs.slice(i, i + REPORT_BATCH);
      const assessedBatch = await next!;
      next = i + REPORT_BATCH < refs.length ? read(i + REPORT_BATCH) : undefined;
      assessedBatch.forEach(({ history, assessed }, j) => {
        const ref: EvseRef = batch[j];
        const { totals } = assessed;
        rows.push({ evseId: history.evseId, locationId: history.locationId, cpoId: history.cpoId, maxPowerKw: history.maxPowerKw, totals });
        reports.push({
          evse: evseKeyOf(ref),
          cpo: history.cpoId,
          locationId: ref.locationId,
          evseUid: ref.evseUid,
          kind: history.kind,
          maxPowerKw: ref.maxPowerKw,
          figures: figuresOf(totals),
          attempts: totals.sessions.attempts,
          refusedTokens: totals.sessions.refusedTokens,
          failures: totals.time.failures,
          health: { ...assessed.health, explanation: assessed.health.moved.map(describeSignal) },
          alerts: assessed.alerts,
          time: totals.time,
        });
      });
    }
    return {
      period,
      healthWindowDays: Math.round((Math.ceil(period.to / DAY_MS) * DAY_MS - start) / DAY_MS),
      evses: reports,
      rollUp: { location: rollUp(rows, 'location'), cpo: rollUp(rows, 'cpo'), network: rollUp(rows, 'network') },
    };
  }

  /** A batch assessed from stored days where they cover it, from the facts otherwise. */
  private async assess(batch: EvseRef[], period: Interval, start: number, gaps: Interval[], firstDay: number | null): Promise<Assessed> {
    const raw = async (refs: EvseRef[]): Promise<Assessed> =>
      refs.length === 0 ? [] : (await this.facts.histories(refs, { from: start, to: period.to }, gaps)).map((history) => ({ history, assessed: assessEvse(history, period) }));
    const whole = wholeDaysOf(period);
    if (!this.days || firstDay === null || !whole || whole.to <= firstDay) return raw(batch);
    const healthTo = Math.ceil(period.to / DAY_MS) * DAY_MS;
    const healthFrom = healthTo - HEALTH_DAYS * DAY_MS;
    // Days before the hub's first day had no facts at all: no data, as the facts would say.
    const storedFrom = (from: number) => Math.max(from, firstDay);
    const stored = { from: storedFrom(whole.from), to: whole.to };
    const split = this.options.monthTotals === false ? { head: stored, months: null, tail: null } : splitByMonths(stored);
    const [head, months, tail, windows] = await Promise.all([
      split.head && this.days.aggregate(batch, split.head),
      split.months && this.days.aggregateMonths(batch, split.months),
      split.tail && this.days.aggregate(batch, split.tail),
      this.days.healthWindow(batch, { from: storedFrom(healthFrom), to: whole.to }),
    ]);
    // Days before the first whole month, the months, the days after them: in time order, each found for the EVSE.
    const sums = new Map<string, CountedAggregate>();
    for (const ref of batch) {
      const key = evseKeyOf(ref);
      const runs = [head, months, tail].filter((part) => part).map((part) => part!.get(key));
      if (runs.every((run) => run)) sums.set(key, mergeCounted(runs as CountedAggregate[]));
    }
    const covered = (ref: EvseRef) => {
      const key = evseKeyOf(ref);
      return sums.get(key)?.days === (whole.to - stored.from) / DAY_MS && windows.get(key)?.days.length === (whole.to - storedFrom(healthFrom)) / DAY_MS;
    };
    const viaDays = batch.filter(covered);
    const [edges, fromFacts] = await Promise.all([this.edgeHistories(viaDays, period, whole, gaps), raw(batch.filter((r) => !covered(r)))]);
    const byKey = new Map<string, Assessed[number]>(fromFacts.map((a) => [a.history.evseId, a]));
    viaDays.forEach((ref, j) => {
      const key = evseKeyOf(ref);
      const history = edges[j];
      const noData = (from: number, to: number) => {
        const empty = emptyHistory(history);
        const out = [];
        for (let day = from; day < to; day += DAY_MS) out.push(evseDay(empty, day));
        return out;
      };
      const before = noData(whole.from, storedFrom(whole.from));
      const agg = sums.get(key)!;
      const totals = periodTotalsFromDays(history, period, whole, before.length ? mergeAggregates(aggregateDays(before), agg) : agg);
      const window = windows.get(key)!;
      const last = healthFromDays(history, healthFrom, { ...window, days: [...healthWindowOf(noData(healthFrom, storedFrom(healthFrom))).days, ...window.days] }, healthTo > whole.to ? history : undefined);
      byKey.set(key, { history, assessed: { totals, health: last.health, healthWindow: { from: healthFrom, to: healthTo }, alerts: last.alerts } });
    });
    return batch.map((r) => byKey.get(evseKeyOf(r))!);
  }

  /** The facts of a period's partial days: before its whole days and after them (today). */
  private async edgeHistories(refs: EvseRef[], period: Interval, whole: Interval, gaps: Interval[]): Promise<EvseHistory[]> {
    if (refs.length === 0) return [];
    const [head, tail] = await Promise.all([
      period.from < whole.from ? this.facts.histories(refs, { from: period.from, to: whole.from }, gaps) : undefined,
      whole.to < period.to ? this.facts.histories(refs, { from: whole.to, to: period.to }, gaps) : undefined,
    ]);
    if (head && tail) return head.map((h, i) => mergeHistories(h, tail[i]));
    if (head || tail) return (head ?? tail)!;
    // Whole days only: the identities, no facts needed.
    return refs.map((r) => ({ ...historyOf(r), hubGaps: gaps }));
  }
}
