/**
 * Site load allocation: a pure function from (site tree, active sessions, now) to a current limit per
 * connector. The algorithm, step by step, is documented in docs/load-management.md; in short:
 *
 *  1. capacities: every node's limit per phase, lowered by active time windows, minus the safety margin,
 *     rounded down to 0.1 A;
 *  2. per session: phases, minimum, maximum (connector, car, give-back cap) and urgency target;
 *  3. admission: in order of priority, then earliest departure, every session that can get its minimum
 *     without overloading any node on any phase gets it; the others are paused (limit 0);
 *  4. urgency pass: sessions that need more than their minimum on average to reach their energy need by
 *     departure are water-filled up to that average, highest priority first;
 *  5. fair-share pass: everyone is water-filled up to its maximum, highest priority first (max-min fair
 *     progressive filling over the per-node, per-phase constraints: surplus flows to whoever can use it);
 *  6. rounding down to 0.1 A, with an exact integer check of every node and phase.
 */
import { ceilTenths, floorTenths, nodeCapacities, type NodeCapacity } from './capacity';
import {
  DEFAULT_MIN_AMPS,
  DEFAULT_NOMINAL_VOLTAGE,
  PHASES,
  SiteConfigError,
  validateSite,
  type ConnectorSpec,
  type Phase,
  type PhaseCount,
  type SessionDemand,
  type Site,
} from './site';

export type AllocationReason =
  /** No session on the connector: limit 0 until the caller reallocates for a new session. */
  | 'idle'
  /** Giving it its minimum would overload a node (`constrainedBy`); it waits, limit 0. */
  | 'paused-no-capacity'
  /** Its maximum (connector, car) is 0 or below its minimum, so it can never charge legally; limit 0. */
  | 'paused-max-below-min'
  /** It gets all it can take: the connector's or the car's maximum. */
  | 'at-maximum'
  /** It drew well below its limit, so it is capped near its measured draw and the rest went to others. */
  | 'give-back'
  /** Raised towards the average current it needs to get its energy by its departure time. */
  | 'urgent'
  /** An equal share of a full node (`constrainedBy`). */
  | 'fair-share'
  /** Held at its minimum because a node (`constrainedBy`) is full. */
  | 'minimum';

export interface ConnectorLimit {
  connectorKey: string;
  sessionId?: string;
  /** Amps per phase, a multiple of 0.1, rounded down. 0 when paused or idle. */
  limitAmps: number;
  /** `phases × nominal voltage × limitAmps`, rounded down to a whole watt. */
  limitWatts: number;
  /** Phases the session draws on (the connector's phases when idle). */
  phases: PhaseCount;
  /** Grid phases the limit loads (empty when idle). */
  loadedPhases: Phase[];
  paused: boolean;
  reason: AllocationReason;
  /** The node whose capacity limited (or paused) this connector, when one did. */
  constrainedBy?: string;
}

export interface NodeUsage {
  nodeId: string;
  /** Usable amps per phase after windows and safety margin; null when unconstrained. */
  capacityAmps: number | null;
  activeWindowIds: string[];
  /** Sum of the allocated limits below this node, per phase. */
  usedAmps: Record<Phase, number>;
}

export interface Allocation {
  siteId: string;
  /** The `now` the allocation was computed for (ISO 8601). */
  at: string;
  /** One entry per connector of the site, in tree order (depth-first, connectors before children). */
  connectors: ConnectorLimit[];
  /** One entry per node, in the same depth-first order. */
  nodes: NodeUsage[];
  /** Sessions that were ignored or adjusted (unknown connector, duplicate, impossible phases). */
  warnings: string[];
}

export interface GiveBackOptions {
  /** "Well below": measured draw more than this many amps under the limit in force. Default 2 A. */
  thresholdAmps?: number;
  /** The cap is measured draw + this much headroom (never below the minimum). Default 3 A. */
  headroomAmps?: number;
  /** Ignore measurements taken less than this long after the limit changed (car ramping). Default 60 s. */
  settleSeconds?: number;
}

export interface AllocationOptions {
  /** The previous allocation: its limits stand in for `SessionDemand.currentLimitAmps` when that is absent. */
  previous?: Allocation;
  /** Give-back settings, or false to switch give-back off. */
  giveBack?: GiveBackOptions | false;
  /** false switches the departure-urgency pass off (plain fair share). Default true. */
  urgency?: boolean;
}

export const DEFAULT_GIVE_BACK: Required<GiveBackOptions> = { thresholdAmps: 2, headroomAmps: 3, settleSeconds: 60 };

type MaxCause = 'connector' | 'vehicle' | 'give-back';

interface Demand {
  connectorIndex: number;
  connector: ConnectorSpec;
  session: SessionDemand;
  phases: PhaseCount;
  loadedPhases: number[];
  minTenths: number;
  maxTenths: number;
  maxCause: MaxCause;
  /** Urgency target in amps (above the minimum), or 0 when not urgent. */
  urgentAmps: number;
  priority: number;
  /** Departure used for ordering: Infinity when none, expired, or nothing more needed. */
  departureKey: number;
  charging: boolean;
  /** Constraint ids (node index × 3 + phase) of every constrained ancestor-or-self node on its phases. */
  constraints: number[];
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function toMillis(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A binary min-heap of (level, constraint id). */
class LevelHeap {
  private levels: number[] = [];
  private ids: number[] = [];

  get size(): number {
    return this.levels.length;
  }

  push(level: number, id: number): void {
    this.levels.push(level);
    this.ids.push(id);
    let i = this.levels.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { level: number; id: number } {
    const top = { level: this.levels[0], id: this.ids[0] };
    const last = this.levels.length - 1;
    this.swap(0, last);
    this.levels.pop();
    this.ids.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.levels.length && this.less(left, smallest)) smallest = left;
      if (right < this.levels.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  // Ties broken by constraint id so the order of work (and so float rounding) is deterministic.
  private less(a: number, b: number): boolean {
    return this.levels[a] < this.levels[b] || (this.levels[a] === this.levels[b] && this.ids[a] < this.ids[b]);
  }

  private swap(a: number, b: number): void {
    [this.levels[a], this.levels[b]] = [this.levels[b], this.levels[a]];
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
  }
}

interface PassConstraint {
  members: number[];
  /** Members ordered by floor (current allocation) and by cap (target), for the level sweep. */
  byFloor: number[];
  byCap: number[];
  activeCount: number;
  /** Sum of (target - floor) over the members still rising: all they could still add. */
  potential: number;
  /** Members froze since the level in the heap was computed; it is now only a lower bound. */
  dirty: boolean;
}

/** Float state shared by the water-filling passes. */
interface FillState {
  demands: Demand[];
  /** Capacity per constraint in amps (a multiple of 0.1), Infinity when unconstrained. */
  capacity: Float64Array;
  load: Float64Array;
  alloc: Float64Array;
  /** Node index whose constraint last stopped each session's growth, -1 if none. */
  binding: Int32Array;
}

/** Level L at which constraint `entry` (residual `residual` amps) fills up; Infinity if it never does. */
function fillLevel(entry: PassConstraint, residual: number, alloc: Float64Array, target: Float64Array, frozen: Uint8Array): number {
  const floors = entry.byFloor;
  const caps = entry.byCap;
  let f = 0;
  let c = 0;
  let slope = 0;
  let filled = 0;
  let level = -Infinity;
  for (;;) {
    while (f < floors.length && frozen[floors[f]]) f++;
    while (c < caps.length && frozen[caps[c]]) c++;
    if (f >= floors.length && c >= caps.length) return Infinity;
    const nextFloor = f < floors.length ? alloc[floors[f]] : Infinity;
    const nextCap = c < caps.length ? target[caps[c]] : Infinity;
    const point = Math.min(nextFloor, nextCap);
    if (slope > 0) {
      const atPoint = filled + slope * (point - level);
      if (atPoint >= residual) return level + (residual - filled) / slope;
      filled = atPoint;
    }
    level = point;
    if (nextFloor <= nextCap) {
      slope++;
      f++;
    } else {
      slope--;
      c++;
    }
  }
}

/**
 * Max-min fair progressive filling: raises every participant i from its current allocation towards
 * `target[i]` at a common water level L (allocation = clamp(L, current, target)), freezing the members of
 * a node-phase constraint as soon as it is full. O(total constraint memberships × log) per filled node.
 */
function waterFill(state: FillState, participants: readonly number[], target: Float64Array): void {
  const { demands, capacity, load, alloc, binding } = state;
  const active = participants.filter((i) => target[i] > alloc[i] + 1e-9);
  if (active.length === 0) return;
  const frozen = new Uint8Array(demands.length);
  const pass: (PassConstraint | undefined)[] = new Array(capacity.length);
  const involved: number[] = [];
  for (const i of active) {
    for (const k of demands[i].constraints) {
      let entry = pass[k];
      if (!entry) {
        entry = { members: [], byFloor: [], byCap: [], activeCount: 0, potential: 0, dirty: false };
        pass[k] = entry;
        involved.push(k);
      }
      entry.members.push(i);
      entry.activeCount++;
      entry.potential += target[i] - alloc[i];
    }
  }
  // One global sort by floor and one by cap; each constraint's lists inherit the order.
  for (const i of [...active].sort((a, b) => alloc[a] - alloc[b] || a - b)) {
    for (const k of demands[i].constraints) pass[k]!.byFloor.push(i);
  }
  for (const i of [...active].sort((a, b) => target[a] - target[b] || a - b)) {
    for (const k of demands[i].constraints) pass[k]!.byCap.push(i);
  }
  const heap = new LevelHeap();
  // A constraint that can take everything its members could still add never fills in this pass (freezing
  // members only lowers what they could add by at least as much as it uses), so it leaves the heap for good.
  const evaluate = (k: number, entry: PassConstraint): void => {
    const residual = Math.max(0, capacity[k] - load[k]);
    if (entry.potential <= residual) return;
    const level = fillLevel(entry, residual, alloc, target, frozen);
    if (level !== Infinity) heap.push(level, k);
  };
  for (const k of involved.sort((a, b) => a - b)) evaluate(k, pass[k]!);
  const freeze = (i: number, value: number): void => {
    const delta = value - alloc[i];
    const rise = target[i] - alloc[i];
    for (const k of demands[i].constraints) {
      load[k] += delta;
      const entry = pass[k]!;
      entry.activeCount--;
      entry.potential -= rise;
      entry.dirty = true;
    }
    alloc[i] = value;
    frozen[i] = 1;
  };
  // Levels only go up as members freeze, so a dirty entry's level is a lower bound: re-evaluate it when it
  // reaches the top of the heap; a clean entry on top is the next constraint to fill.
  while (heap.size > 0) {
    const { level, id: k } = heap.pop();
    const entry = pass[k]!;
    if (entry.activeCount === 0) continue;
    if (entry.dirty) {
      entry.dirty = false;
      evaluate(k, entry);
      continue;
    }
    const node = Math.floor(k / 3);
    for (const i of entry.members) {
      if (frozen[i]) continue;
      const value = Math.min(target[i], Math.max(alloc[i], level));
      if (value < target[i]) binding[i] = node;
      freeze(i, value);
    }
  }
  // Nothing else binds: the rest reach their targets.
  for (const i of active) if (!frozen[i]) freeze(i, target[i]);
}

/**
 * The exact integer safety net after rounding: if any constraint's load (sum of `tenths` of its members)
 * exceeds its capacity, takes the excess from its largest limits down to their minimums, then pauses its
 * members from the last admitted (`order`) on. Mutates `tenths`; returns the sessions it paused. Only
 * float noise in the water-filling could make this do anything; it exists so that nothing can overshoot.
 */
export function enforceCapacities(
  tenths: number[],
  minTenths: readonly number[],
  constraints: readonly (readonly number[])[],
  order: readonly number[],
  capacityTenths: ArrayLike<number>,
): { index: number; constraint: number }[] {
  const load = new Float64Array(capacityTenths.length);
  tenths.forEach((t, i) => constraints[i].forEach((k) => (load[k] += t)));
  const paused: { index: number; constraint: number }[] = [];
  for (let k = 0; k < capacityTenths.length; k++) {
    if (load[k] <= capacityTenths[k]) continue;
    let excess = load[k] - capacityTenths[k];
    const rank = new Map(order.map((i, position) => [i, position]));
    const members = order.filter((i) => tenths[i] > 0 && constraints[i].includes(k));
    const reduce = (i: number, by: number): void => {
      tenths[i] -= by;
      excess -= by;
      for (const other of constraints[i]) load[other] -= by;
    };
    for (const i of [...members].sort((a, b) => tenths[b] - tenths[a] || rank.get(b)! - rank.get(a)!)) {
      if (excess <= 0) break;
      reduce(i, Math.max(0, Math.min(excess, tenths[i] - minTenths[i])));
    }
    for (const i of [...members].reverse()) {
      if (excess <= 0) break;
      paused.push({ index: i, constraint: k });
      reduce(i, tenths[i]);
    }
  }
  return paused;
}

/**
 * Computes every connector's limit for `site` at `now`. Pure and deterministic: the same inputs (in any
 * order of `sessions`) give the same output. Throws SiteConfigError for an invalid site.
 */
export function allocate(site: Site, sessions: readonly SessionDemand[], now: Date, options: AllocationOptions = {}): Allocation {
  const problems = validateSite(site);
  if (problems.length > 0) throw new SiteConfigError(problems);
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('allocate: now is not a valid date');
  const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const giveBack = options.giveBack === false ? null : { ...DEFAULT_GIVE_BACK, ...options.giveBack };
  const urgency = options.urgency !== false;
  const warnings: string[] = [];

  // 1. Capacities of every node, and the site's connectors in tree order.
  const nodes = nodeCapacities(site, now);
  const connectors: { spec: ConnectorSpec; nodeIndex: number }[] = [];
  nodes.forEach((node, nodeIndex) => {
    for (const spec of node.node.connectors ?? []) connectors.push({ spec, nodeIndex });
  });
  const connectorIndex = new Map(connectors.map((c, index) => [c.spec.connectorKey, index]));
  const constraintCount = nodes.length * 3;
  const capacityTenths = new Float64Array(constraintCount);
  nodes.forEach((node, n) => capacityTenths.fill(node.capacityTenths, n * 3, n * 3 + 3));

  // Sessions per connector; the first session for a connector (in connectorKey/sessionId order) wins.
  const sorted = [...sessions].sort(
    (a, b) => compareStrings(a.connectorKey, b.connectorKey) || compareStrings(a.sessionId ?? '', b.sessionId ?? ''),
  );
  const sessionOf = new Map<number, SessionDemand>();
  for (const session of sorted) {
    const index = connectorIndex.get(session.connectorKey);
    if (index === undefined) warnings.push(`session on unknown connector ${session.connectorKey} ignored`);
    else if (sessionOf.has(index)) warnings.push(`second session on connector ${session.connectorKey} ignored`);
    else sessionOf.set(index, session);
  }
  const previousLimits = new Map((options.previous?.connectors ?? []).map((c) => [c.connectorKey, c.limitAmps]));

  // 2. Per-session demand.
  const demands: Demand[] = [];
  for (const [index, session] of [...sessionOf].sort((a, b) => a[0] - b[0])) {
    const { spec, nodeIndex } = connectors[index];
    let phases: PhaseCount = session.phases === 1 || session.phases === 3 ? session.phases : spec.phases;
    if (phases > spec.phases) {
      warnings.push(`session on ${spec.connectorKey} says 3 phases on a 1-phase connector; counted as 1 phase`);
      phases = spec.phases;
    }
    const singlePhase = PHASES.indexOf(session.phase ?? spec.singlePhaseOn ?? 'L1');
    const loadedPhases = phases === 3 ? [0, 1, 2] : [singlePhase >= 0 ? singlePhase : 0];
    const minAmps = Math.max(spec.minAmps ?? DEFAULT_MIN_AMPS, finite(session.minAmps) ? session.minAmps : 0);
    let maxAmps = spec.maxAmps;
    let maxCause: MaxCause = 'connector';
    if (finite(session.maxAmps) && session.maxAmps >= 0 && session.maxAmps < maxAmps) {
      maxAmps = session.maxAmps;
      maxCause = 'vehicle';
    }
    // Give-back: a car drawing well below the limit in force is capped near its draw.
    const current = finite(session.currentLimitAmps) ? session.currentLimitAmps : previousLimits.get(spec.connectorKey);
    const measured = finite(session.measuredAmps)
      ? session.measuredAmps
      : finite(session.measuredWatts)
        ? session.measuredWatts / (phases * voltage)
        : undefined;
    const since = toMillis(session.currentLimitSince);
    // At least 0.1 A: a session that gets nothing is paused, whatever its configured minimum.
    const minTenths = Math.max(1, ceilTenths(minAmps));
    let maxTenths = floorTenths(maxAmps);
    if (
      giveBack &&
      measured !== undefined &&
      measured >= 0 &&
      current !== undefined &&
      current > 0 &&
      measured < current - giveBack.thresholdAmps &&
      (since === undefined || nowMs - since >= giveBack.settleSeconds * 1000)
    ) {
      // In tenths: 6.2 A + 3 A is exactly 92 tenths, where 6.2 + 3 in amps might floor to 9.1.
      const cap = Math.max(minTenths, Math.floor(measured * 10 + giveBack.headroomAmps * 10));
      if (cap < maxTenths) {
        maxTenths = cap;
        maxCause = 'give-back';
      }
    }
    // Urgency: the average current needed to deliver the energy still needed by departure.
    const departure = toMillis(session.departureTime);
    const energy = finite(session.energyNeededWh) ? session.energyNeededWh : undefined;
    let urgentAmps = 0;
    if (urgency && departure !== undefined && departure > nowMs && energy !== undefined && energy > 0) {
      const required = energy / ((departure - nowMs) / 3_600_000) / (phases * voltage);
      if (required > minTenths / 10) urgentAmps = Math.min(maxTenths / 10, required);
    }
    const constraints: number[] = [];
    for (let n = nodeIndex; n >= 0; n = nodes[n].parentIndex) {
      if (nodes[n].capacityTenths === Infinity) continue;
      for (const p of loadedPhases) constraints.push(n * 3 + p);
    }
    demands.push({
      connectorIndex: index,
      connector: spec,
      session,
      phases,
      loadedPhases,
      minTenths,
      maxTenths,
      maxCause,
      urgentAmps,
      priority: finite(session.priority) ? session.priority : 0,
      departureKey: departure !== undefined && departure > nowMs && (energy === undefined || energy > 0) ? departure : Infinity,
      charging: (current ?? 0) > 0,
      constraints,
    });
  }

  // 3. Admission, in exact integer tenths: who can get at least their minimum.
  const order = demands
    .map((_, i) => i)
    .sort((a, b) => {
      const x = demands[a];
      const y = demands[b];
      return (
        compareNumbers(y.priority, x.priority) ||
        compareNumbers(x.departureKey, y.departureKey) ||
        compareNumbers(Number(y.charging), Number(x.charging)) ||
        compareStrings(x.connector.connectorKey, y.connector.connectorKey)
      );
    });
  const loadTenths = new Float64Array(constraintCount);
  const admitted = new Uint8Array(demands.length);
  const pausedReason = new Map<number, { reason: AllocationReason; node?: number }>();
  for (const i of order) {
    const demand = demands[i];
    if (demand.maxTenths < demand.minTenths) {
      pausedReason.set(i, { reason: 'paused-max-below-min' });
      continue;
    }
    const blocking = demand.constraints.find((k) => loadTenths[k] + demand.minTenths > capacityTenths[k]);
    if (blocking !== undefined) {
      pausedReason.set(i, { reason: 'paused-no-capacity', node: Math.floor(blocking / 3) });
      continue;
    }
    admitted[i] = 1;
    for (const k of demand.constraints) loadTenths[k] += demand.minTenths;
  }

  // 4 + 5. Urgency, then fair share, each in priority tiers (highest first), by water-filling.
  const state: FillState = {
    demands,
    capacity: capacityTenths.map((t) => t / 10),
    load: new Float64Array(constraintCount),
    alloc: new Float64Array(demands.length),
    binding: new Int32Array(demands.length).fill(-1),
  };
  for (const i of order) {
    if (!admitted[i]) continue;
    state.alloc[i] = demands[i].minTenths / 10;
    for (const k of demands[i].constraints) state.load[k] += state.alloc[i];
  }
  const tiers: number[][] = [];
  for (const i of order) {
    if (!admitted[i]) continue;
    const last = tiers[tiers.length - 1];
    if (last && demands[last[0]].priority === demands[i].priority) last.push(i);
    else tiers.push([i]);
  }
  const urgentTarget = new Float64Array(demands.map((d, i) => (admitted[i] ? Math.max(d.urgentAmps, d.minTenths / 10) : 0)));
  const maxTarget = new Float64Array(demands.map((d, i) => (admitted[i] ? d.maxTenths / 10 : 0)));
  for (const tier of tiers) waterFill(state, tier.filter((i) => demands[i].urgentAmps > 0), urgentTarget);
  for (const tier of tiers) waterFill(state, tier, maxTarget);

  // 6. Round down to tenths and check every node and phase exactly. The float passes may leave 9.6 as
  // 9.599999999999998, so a tolerance of 1e-7 A is allowed here; the clamp to [min, max] and the integer
  // check below keep the result strictly within every limit regardless.
  const tenths = demands.map((d, i) =>
    admitted[i] ? Math.min(d.maxTenths, Math.max(d.minTenths, Math.floor(state.alloc[i] * 10 + 1e-6))) : 0,
  );
  const repairPaused = enforceCapacities(
    tenths,
    demands.map((d) => d.minTenths),
    demands.map((d) => d.constraints),
    order,
    capacityTenths,
  );
  for (const { index, constraint } of repairPaused) {
    admitted[index] = 0;
    pausedReason.set(index, { reason: 'paused-no-capacity', node: Math.floor(constraint / 3) });
  }

  // Output.
  const usedTenths = new Float64Array(constraintCount);
  const limits: ConnectorLimit[] = connectors.map(({ spec }) => ({
    connectorKey: spec.connectorKey,
    limitAmps: 0,
    limitWatts: 0,
    phases: spec.phases,
    loadedPhases: [],
    paused: false,
    reason: 'idle',
  }));
  demands.forEach((demand, i) => {
    const limit: ConnectorLimit = {
      connectorKey: demand.connector.connectorKey,
      ...(demand.session.sessionId !== undefined ? { sessionId: demand.session.sessionId } : {}),
      limitAmps: tenths[i] / 10,
      limitWatts: Math.floor((demand.phases * voltage * tenths[i]) / 10 + 1e-6),
      phases: demand.phases,
      loadedPhases: demand.loadedPhases.map((p) => PHASES[p]),
      paused: !admitted[i],
      reason: 'fair-share',
    };
    const paused = pausedReason.get(i);
    if (!admitted[i] && paused) {
      limit.reason = paused.reason;
      if (paused.node !== undefined) limit.constrainedBy = nodes[paused.node].nodeId;
    } else {
      if (tenths[i] >= demand.maxTenths) limit.reason = demand.maxCause === 'give-back' ? 'give-back' : 'at-maximum';
      else if (demand.urgentAmps > 0) limit.reason = 'urgent';
      else if (tenths[i] <= demand.minTenths) limit.reason = 'minimum';
      if (tenths[i] < demand.maxTenths && state.binding[i] >= 0) limit.constrainedBy = nodes[state.binding[i]].nodeId;
      for (let n = connectors[demand.connectorIndex].nodeIndex; n >= 0; n = nodes[n].parentIndex) {
        for (const p of demand.loadedPhases) usedTenths[n * 3 + p] += tenths[i];
      }
    }
    limits[demand.connectorIndex] = limit;
  });

  return {
    siteId: site.id,
    at: now.toISOString(),
    connectors: limits,
    nodes: nodes.map((node: NodeCapacity, n) => ({
      nodeId: node.nodeId,
      capacityAmps: node.capacityTenths === Infinity ? null : node.capacityTenths / 10,
      activeWindowIds: node.activeWindowIds,
      usedAmps: { L1: usedTenths[n * 3] / 10, L2: usedTenths[n * 3 + 1] / 10, L3: usedTenths[n * 3 + 2] / 10 },
    })),
    warnings,
  };
}
