/**
 * Turning a new allocation into charging-profile updates in a safe order: every change that lowers a
 * connector's load goes out before any change that raises one, so that at no point during the rollout
 * do the raised connectors meet connectors that have not been lowered yet.
 */
import type { Allocation, ConnectorLimit } from './allocate';
import { DEFAULT_NOMINAL_VOLTAGE, PHASES, type Phase } from './site';

export interface ProfileChange {
  connectorKey: string;
  /** 'lower': no phase's load increases. 'raise': some phase's load increases. */
  direction: 'lower' | 'raise';
  /**
   * Set on the first half of a change that lowers some phases and raises others (e.g. a car switching
   * between 1 and 3 phases): a lowering step to the per-phase minimum of old and new, sent with the other
   * lowerings; the full new limit follows with the raises.
   */
  intermediate?: true;
  /** Limit in force before, amps per phase; null when unknown (then treated as a lowering: sent first). */
  fromAmps: number | null;
  /** The limit to send. */
  limit: ConnectorLimit;
}

export interface ProfileChangeOptions {
  /** Used only for the watts of intermediate steps. Default 230 V. */
  nominalVoltage?: number;
}

function loads(limit: ConnectorLimit): Record<Phase, number> {
  const result: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
  if (limit.limitAmps > 0) for (const phase of limit.loadedPhases) result[phase] = limit.limitAmps;
  return result;
}

function listOf(allocation: Allocation | readonly ConnectorLimit[] | null | undefined): readonly ConnectorLimit[] {
  if (!allocation) return [];
  return Array.isArray(allocation) ? allocation : (allocation as Allocation).connectors;
}

/**
 * The changes from `previous` to `next`, lowerings first (largest reduction first), then raises (in
 * connector order). Unchanged connectors are left out. A connector whose previous limit is unknown is
 * sent among the lowerings, as the charger may be running at anything.
 */
export function orderProfileChanges(
  previous: Allocation | readonly ConnectorLimit[] | null | undefined,
  next: Allocation | readonly ConnectorLimit[],
  options: ProfileChangeOptions = {},
): ProfileChange[] {
  const voltage = options.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const before = new Map(listOf(previous).map((limit) => [limit.connectorKey, limit]));
  const lowers: { change: ProfileChange; reduction: number }[] = [];
  const raises: ProfileChange[] = [];
  for (const limit of listOf(next)) {
    const old = before.get(limit.connectorKey);
    if (!old) {
      lowers.push({ change: { connectorKey: limit.connectorKey, direction: 'lower', fromAmps: null, limit }, reduction: Infinity });
      continue;
    }
    const from = loads(old);
    const to = loads(limit);
    const increases = PHASES.some((p) => to[p] > from[p]);
    const decreases = PHASES.some((p) => to[p] < from[p]);
    const sameProfile = old.limitAmps === limit.limitAmps && (limit.limitAmps === 0 || old.phases === limit.phases);
    if (!increases && !decreases && sameProfile) continue;
    const reduction = Math.max(...PHASES.map((p) => from[p] - to[p]));
    if (!increases) {
      lowers.push({ change: { connectorKey: limit.connectorKey, direction: 'lower', fromAmps: old.limitAmps, limit }, reduction });
      continue;
    }
    if (decreases) {
      // Step down to what both the old and the new limit allow on every phase first.
      const common = PHASES.filter((p) => from[p] > 0 && to[p] > 0);
      const amps = common.length > 0 ? Math.min(old.limitAmps, limit.limitAmps) : 0;
      const phases = common.length === 3 ? 3 : 1;
      const step: ConnectorLimit = {
        ...limit,
        limitAmps: amps,
        limitWatts: Math.floor(phases * voltage * amps + 1e-6),
        phases,
        loadedPhases: amps > 0 ? common : [],
        paused: amps === 0,
      };
      lowers.push({
        change: { connectorKey: limit.connectorKey, direction: 'lower', intermediate: true, fromAmps: old.limitAmps, limit: step },
        reduction,
      });
    }
    raises.push({ connectorKey: limit.connectorKey, direction: 'raise', fromAmps: old.limitAmps, limit });
  }
  lowers.sort((a, b) => (a.reduction === b.reduction ? 0 : a.reduction > b.reduction ? -1 : 1) || (a.change.connectorKey < b.change.connectorKey ? -1 : 1));
  return [...lowers.map((l) => l.change), ...raises];
}
