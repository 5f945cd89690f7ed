/**
 * Effective per-phase capacity of every node of a site at an instant: the node's limit, lowered by any
 * active time window, minus the safety margin, rounded DOWN to 0.1 A.
 */
import { DEFAULT_NOMINAL_VOLTAGE, type LimitSpec, type SafetyMargin, type Site, type SiteNode } from './site';
import { activeWindows, localTime } from './time-windows';

/** Amps per phase a limit stands for: amps as given, kW as `kW × 1000 / (3 × V)`. */
export function limitToAmps(limit: LimitSpec, nominalVoltage: number): number {
  return 'amps' in limit ? limit.amps : (limit.kilowatts * 1000) / (3 * nominalVoltage);
}

/**
 * Rounds amps DOWN to whole tenths of an amp, returned as an integer count of tenths. Strict: no float
 * tolerance, so a value a hair under a tenth rounds down (the safe side). Inputs with one or two decimals
 * (16, 6.5, 31.25) are exact after × 10.
 */
export function floorTenths(amps: number): number {
  return amps === Infinity ? Infinity : Math.floor(amps * 10);
}

/** Rounds amps UP to whole tenths of an amp, returned as an integer count of tenths (strict). */
export function ceilTenths(amps: number): number {
  return Math.ceil(amps * 10);
}

/** A limit in tenths of an amp per phase (not rounded). Computed in tenths so that decimal inputs stay exact. */
function limitToTenths(limit: LimitSpec, nominalVoltage: number): number {
  return 'amps' in limit ? limit.amps * 10 : (limit.kilowatts * 10_000) / (3 * nominalVoltage);
}

export interface NodeCapacity {
  nodeId: string;
  /** Index of the parent in the flattened (depth-first) node list; -1 for the root. */
  parentIndex: number;
  node: SiteNode;
  /** The node's own limit in amps per phase; null when it has none. */
  staticAmps: number | null;
  /** The lowest active time-window limit in amps per phase; null when no window is active. */
  windowAmps: number | null;
  activeWindowIds: string[];
  /** Safety margin taken off, amps. */
  marginAmps: number;
  /** Usable amps per phase, in tenths (integer), Infinity when the node is unconstrained. */
  capacityTenths: number;
}

/** Flattens the site tree depth-first (root first) and computes each node's capacity at `now`. */
export function nodeCapacities(site: Site, now: Date): NodeCapacity[] {
  const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const local = localTime(now, site.timeZone);
  const result: NodeCapacity[] = [];
  const visit = (node: SiteNode, parentIndex: number, inheritedMargin: SafetyMargin | undefined): void => {
    const margin = node.safetyMargin ?? inheritedMargin;
    const staticTenths = node.limit ? limitToTenths(node.limit, voltage) : null;
    const active = activeWindows(node.timeWindows, local);
    let windowTenths: number | null = null;
    for (const window of active) {
      const tenths = limitToTenths(window.limit, voltage);
      windowTenths = windowTenths === null ? tenths : Math.min(windowTenths, tenths);
    }
    const limits = [staticTenths, windowTenths].filter((tenths): tenths is number => tenths !== null);
    let marginTenths = 0;
    let capacityTenths = Infinity;
    if (limits.length > 0) {
      // In tenths, a subtraction of decimal inputs stays exact (32 - 3.2 would be 28.799999999999997 in amps).
      const base = Math.min(...limits);
      marginTenths = (margin?.amps ?? 0) * 10 + (base * (margin?.percent ?? 0)) / 100;
      capacityTenths = Math.max(0, Math.floor(base - marginTenths));
    }
    const staticAmps = staticTenths === null ? null : staticTenths / 10;
    const windowAmps = windowTenths === null ? null : windowTenths / 10;
    const marginAmps = marginTenths / 10;
    const index = result.length;
    result.push({
      nodeId: node.id,
      parentIndex,
      node,
      staticAmps,
      windowAmps,
      activeWindowIds: active.map((window) => window.id ?? `#${(node.timeWindows ?? []).indexOf(window)}`),
      marginAmps,
      capacityTenths,
    });
    for (const child of node.children ?? []) visit(child, index, margin);
  };
  visit(site, -1, undefined);
  return result;
}
