import {
  assessEvse,
  assessmentStart,
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
import { evseKeyOf, type EvseFilter, type EvseRef, type ReliabilityFacts } from './reliability-facts';

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

/**
 * Reliability measures from storage: the facts of a batch of EVSEs (ReliabilityFacts), assessed by the
 * pure core (period totals, health now) and rolled up per location, CPO and network from the EVSEs'
 * additive totals. The cost is in proportion to the facts of the EVSEs and period asked for.
 */
export class ReliabilityReport {
  constructor(private readonly facts: ReliabilityFacts) {}

  async run(filter: EvseFilter, period: Interval): Promise<ReliabilityReportResult> {
    const refs = await this.facts.evses(filter);
    const start = assessmentStart(period);
    const gaps = await this.facts.hubGaps({ from: start, to: period.to });
    const reports: EvseReport[] = [];
    const rows: EvseTotalsRow[] = [];
    const read = (i: number) => this.facts.histories(refs.slice(i, i + REPORT_BATCH), { from: start, to: period.to }, gaps);
    // The next batch is read while this one is assessed: PostgreSQL and the core work at once.
    let next = refs.length > 0 ? read(0) : undefined;
    for (let i = 0; i < refs.length; i += REPORT_BATCH) {
      const batch = refs.slice(i, i + REPORT_BATCH);
      const histories = await next!;
      next = i + REPORT_BATCH < refs.length ? read(i + REPORT_BATCH) : undefined;
      histories.forEach((history, j) => {
        const ref: EvseRef = batch[j];
        const assessed = assessEvse(history, period);
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
      healthWindowDays: Math.round((Math.ceil(period.to / 86_400_000) * 86_400_000 - start) / 86_400_000),
      evses: reports,
      rollUp: { location: rollUp(rows, 'location'), cpo: rollUp(rows, 'cpo'), network: rollUp(rows, 'network') },
    };
  }
}
