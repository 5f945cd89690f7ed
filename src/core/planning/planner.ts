/**
 * The site planner: a pure function from (cars with arrival, departure, energy, power limits and a
 * priority class; the site limit over time; prices per slot) to an absolute charging schedule per car
 * and the site total per slot. The rules and the algorithm are documented in docs/scheduling.md; in short:
 *
 *  1. the horizon is cut into slots (15 min by default); a car can charge in the slots that lie wholly
 *     within [arrival, departure), at most at its maximum power; a slot's site limit is the lowest the
 *     limit is at any instant of it;
 *  2. a transport network source → car → slot → sink carries energy: car→slot arcs hold the car's
 *     maximum energy in the slot and cost the slot's price, slot→sink arcs hold the site's limit;
 *  3. energy is granted in a fixed order, by successive cheapest augmenting paths, each step never taking
 *     energy from an earlier one: first every car's MINIMUM energy, class by class (highest rank first),
 *     earliest departure first within a class; then the rest of what each car wants, in the same order;
 *     earlier grants may move to other slots to make room, but never shrink;
 *  4. a slot where a car would get less than its minimum power is repaired (energy moved to its other
 *     slots, or raised to the minimum power where the site has room), else dropped; dropped energy goes
 *     back, in the order of service, where later repairs freed room; what still cannot is reported;
 *  5. powers are rounded down to whole watts and every slot checked against the limit.
 */
import { FLOW_EPSILON, FlowNetwork } from './min-cost-flow';
import {
  PlanningInputError,
  pricePerSlot,
  siteLimitPerSlot,
  slotGrid,
  slotStart,
  toMillis,
  type Instant,
  type PricePeriod,
  type SiteLimitInput,
} from './planning-slots';

/** A priority class configured per site. A higher `rank` is served first (see docs/scheduling.md). */
export interface PriorityClass {
  id: string;
  rank: number;
  description?: string;
}

export const DEFAULT_PRIORITY_CLASS: PriorityClass = { id: 'standard', rank: 0 };

export interface PlanningCar {
  id: string;
  /** Plug-in time (or any instant before the plan's start when already plugged in). */
  arrival: Instant;
  departure: Instant;
  /** Energy wanted by departure, Wh (OCPI energy_need, ISO 15118 needs or a booking, minus what was delivered). */
  energyWh: number;
  /** Energy the car must have by departure, Wh; at most `energyWh`; default `energyWh`. */
  minimumEnergyWh?: number;
  /** The lowest of the car's, the EVSE's and the cable's maximum, in watts (see `carPowerLimits`). */
  maxPowerW: number;
  /** Below this power the car cannot charge (IEC 61851: 6 A); 0 means any power will do. */
  minPowerW?: number;
  /** Id of one of the site's priority classes; default "standard". */
  priorityClass?: string;
}

export interface PlanningInput {
  /** Start of the first slot (usually now). */
  start: Instant;
  slotMinutes?: number;
  horizonHours?: number;
  site: SiteLimitInput;
  prices?: PricePeriod[];
  defaultPricePerKWh?: number;
  classes?: PriorityClass[];
  cars: PlanningCar[];
}

export type ShortfallReason =
  /** Even alone on the site the car could not get its minimum: its window (within the horizon) × maximum power is too small. */
  | 'window-too-short'
  /** The site limit could not hold every minimum: higher classes or earlier departures of the same class came first. */
  | 'site-capacity'
  /** Some energy fell in slots below the car's minimum power and could not be moved or raised. */
  | 'minimum-power';

export interface SchedulePeriod {
  /** ISO 8601, UTC. */
  start: string;
  powerW: number;
}

export interface CarPlan {
  carId: string;
  priorityClass: string;
  /** Power per slot, whole watts, absolute (not relative to the car's maximum). */
  powerW: number[];
  /** The same schedule as periods of constant power, for an OCPP charging schedule (absolute start). */
  periods: SchedulePeriod[];
  plannedWh: number;
  wantedWh: number;
  minimumWh: number;
  minimumMet: boolean;
  wantedMet: boolean;
  /** Why the minimum was not met; absent when it was. */
  shortfall?: { reason: ShortfallReason; missingWh: number };
  costEstimate: number;
}

export interface SlotPlan {
  start: string;
  end: string;
  limitW: number;
  pricePerKWh: number;
  totalW: number;
}

export interface Plan {
  slotMinutes: number;
  slots: SlotPlan[];
  cars: CarPlan[];
  costEstimate: number;
}

const MAX_CONSOLIDATION_ROUNDS = 6;
const MAX_SINGLE_TRIES = 8;

interface FlowResult {
  energy: number[][];
  afterMinimum: number[];
  granted: number[];
}

/**
 * The transport network source → car → slot → sink, with the car→slot arcs in `closed` (car index × T +
 * slot) left out. Among equal prices an earlier slot is a hair cheaper: energy early is robust to an
 * early departure, and the result does not depend on float ties.
 */
function runFlow(
  cars: readonly CarState[],
  order: readonly CarState[],
  T: number,
  limits: readonly number[],
  prices: readonly number[],
  hours: number,
  closed: ReadonlySet<number>,
): FlowResult {
  const source = 0;
  const sink = cars.length + T + 1;
  const network = new FlowNetwork(cars.length + T + 2);
  const tieBreak = 1e-9;
  const sourceArcs: number[] = [];
  const slotArcs: Map<number, number>[] = [];
  for (const state of cars) {
    sourceArcs.push(network.addArc(source, 1 + state.index, 0, 0));
    const arcs = new Map<number, number>();
    for (const t of state.slots) {
      if (closed.has(state.index * T + t)) continue;
      arcs.set(t, network.addArc(1 + state.index, 1 + cars.length + t, state.maxWhPerSlot, prices[t] / 1000 + tieBreak * t));
    }
    slotArcs.push(arcs);
  }
  for (let t = 0; t < T; t++) network.addArc(1 + cars.length + t, sink, limits[t] * hours, 0);
  // Grants in order: minimums by class and departure, then the rest in the same order.
  for (const state of order) {
    network.raiseCapacity(sourceArcs[state.index], state.minimumWh);
    network.augment(source, sink);
  }
  const afterMinimum = cars.map((state) => network.flow(sourceArcs[state.index]));
  for (const state of order) {
    network.raiseCapacity(sourceArcs[state.index], state.wantedWh - state.minimumWh);
    network.augment(source, sink);
  }
  const energy = cars.map((state) => {
    const row = new Array<number>(T).fill(0);
    for (const [t, arc] of slotArcs[state.index]) row[t] = Math.max(0, network.flow(arc));
    return row;
  });
  return { energy, afterMinimum, granted: cars.map((state) => network.flow(sourceArcs[state.index])) };
}

/** Per-phase current limits to watts: phases × V × the lowest maximum; minimum from `minAmps` (default 6 A). */
export function carPowerLimits(input: {
  phases: 1 | 3;
  evseMaxAmps: number;
  carMaxAmps?: number;
  minAmps?: number;
  voltage?: number;
}): { maxPowerW: number; minPowerW: number } {
  const voltage = input.voltage ?? 230;
  const maxAmps = Math.min(input.evseMaxAmps, input.carMaxAmps ?? Infinity);
  const minAmps = input.minAmps ?? 6;
  return { maxPowerW: Math.floor(input.phases * voltage * maxAmps), minPowerW: Math.ceil(input.phases * voltage * minAmps) };
}

interface CarState {
  car: PlanningCar;
  index: number;
  classId: string;
  rank: number;
  departureMs: number;
  minimumWh: number;
  wantedWh: number;
  maxWhPerSlot: number;
  minWhPerSlot: number;
  slots: number[];
}

function validate(input: PlanningInput, classes: Map<string, PriorityClass>): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const [i, cls] of (input.classes ?? []).entries()) {
    if (typeof cls.id !== 'string' || cls.id === '') problems.push(`classes[${i}].id must be a non-empty string`);
    if (!Number.isFinite(cls.rank)) problems.push(`classes[${i}].rank must be a finite number`);
  }
  for (const [i, car] of input.cars.entries()) {
    const at = `cars[${i}] (${car.id})`;
    if (ids.has(car.id)) problems.push(`${at}: duplicate car id`);
    ids.add(car.id);
    const arrival = toMillis(car.arrival, `${at}.arrival`, problems);
    const departure = toMillis(car.departure, `${at}.departure`, problems);
    if (departure <= arrival) problems.push(`${at}: departure must be after arrival`);
    if (!(Number.isFinite(car.energyWh) && car.energyWh >= 0)) problems.push(`${at}: energyWh must be >= 0`);
    if (car.minimumEnergyWh !== undefined && !(car.minimumEnergyWh >= 0 && car.minimumEnergyWh <= car.energyWh)) {
      problems.push(`${at}: minimumEnergyWh must be within 0..energyWh`);
    }
    if (!(Number.isFinite(car.maxPowerW) && car.maxPowerW >= 0)) problems.push(`${at}: maxPowerW must be >= 0`);
    if (car.minPowerW !== undefined && !(car.minPowerW >= 0 && car.minPowerW <= car.maxPowerW)) {
      problems.push(`${at}: minPowerW must be within 0..maxPowerW`);
    }
    if (!classes.has(car.priorityClass ?? DEFAULT_PRIORITY_CLASS.id)) problems.push(`${at}: unknown priority class ${JSON.stringify(car.priorityClass)}`);
  }
  return problems;
}

/** Plans the site. Pure and deterministic; throws PlanningInputError for bad input (listing every problem). */
export function plan(input: PlanningInput): Plan {
  const slotMinutes = input.slotMinutes ?? 15;
  const grid = slotGrid(input.start, slotMinutes, input.horizonHours);
  const classes = new Map<string, PriorityClass>();
  for (const cls of input.classes ?? [DEFAULT_PRIORITY_CLASS]) classes.set(cls.id, cls);
  const problems = validate(input, classes);
  if (input.classes && input.classes.length !== classes.size) problems.push('classes: duplicate class id');
  if (problems.length > 0) throw new PlanningInputError(problems);
  const limits = siteLimitPerSlot(grid, input.site);
  const prices = pricePerSlot(grid, input.prices ?? [], input.defaultPricePerKWh ?? 0);
  const hours = grid.slotMs / 3_600_000;
  const T = grid.count;

  // 1. Cars and the slots they can use.
  const cars: CarState[] = input.cars.map((car, index) => {
    const cls = classes.get(car.priorityClass ?? DEFAULT_PRIORITY_CLASS.id)!;
    const arrival = toMillis(car.arrival, '', []);
    const departure = toMillis(car.departure, '', []);
    const slots: number[] = [];
    for (let t = 0; t < T; t++) {
      const start = slotStart(grid, t);
      if (start >= arrival && start + grid.slotMs <= departure) slots.push(t);
    }
    return {
      car,
      index,
      classId: cls.id,
      rank: cls.rank,
      departureMs: departure,
      minimumWh: car.minimumEnergyWh ?? car.energyWh,
      wantedWh: car.energyWh,
      maxWhPerSlot: car.maxPowerW * hours,
      minWhPerSlot: (car.minPowerW ?? 0) * hours,
      slots,
    };
  });

  // 2 + 3. The network and the grants in order (see runFlow). Slots where a car would get a fragment
  // below its minimum power are then closed to that car and the flow run again, as long as no car loses
  // energy by it (a few rounds at most); what remains is repaired in step 4.
  const order = [...cars].sort(
    (a, b) => b.rank - a.rank || a.departureMs - b.departureMs || (a.car.id < b.car.id ? -1 : a.car.id > b.car.id ? 1 : 0),
  );
  const closed = new Set<number>();
  let flow = runFlow(cars, order, T, limits, prices, hours, closed);
  const fragmentsOf = (result: FlowResult): number[] =>
    cars.flatMap((state) =>
      state.slots
        .filter((t) => {
          const wh = result.energy[state.index][t];
          return wh > FLOW_EPSILON && wh < state.minWhPerSlot - FLOW_EPSILON;
        })
        .map((t) => state.index * T + t),
    );
  const noWorse = (next: FlowResult): boolean =>
    cars.every((state) => next.afterMinimum[state.index] >= flow.afterMinimum[state.index] - 1e-6 && next.granted[state.index] >= flow.granted[state.index] - 1e-6);
  for (let round = 0; round < MAX_CONSOLIDATION_ROUNDS; round++) {
    const fragments = fragmentsOf(flow).filter((key) => !closed.has(key));
    if (fragments.length === 0) break;
    const all = new Set([...closed, ...fragments]);
    const next = runFlow(cars, order, T, limits, prices, hours, all);
    if (noWorse(next)) {
      fragments.forEach((key) => closed.add(key));
      flow = next;
      continue;
    }
    let progressed = false;
    for (const key of fragments.slice(0, MAX_SINGLE_TRIES)) {
      const trial = runFlow(cars, order, T, limits, prices, hours, new Set([...closed, key]));
      if (noWorse(trial)) {
        closed.add(key);
        flow = trial;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  const { energy, afterMinimum } = flow;
  const headroom = limits.map((limit, t) => limit * hours - energy.reduce((sum, row) => sum + row[t], 0));
  const dropped = new Array<number>(cars.length).fill(0);

  // 4. Minimum power: no slot between 0 and the car's minimum.
  /**
   * Frees `need` Wh in slot `t` for the car at `position` in the order. For its minimum: any energy of
   * cars after it (they rank lower), and the energy above their minimum of cars before it (a minimum
   * outranks comfort energy of any class). For its comfort: only the energy above their minimum of cars
   * after it. Never leaves a
   * fragment below a car's minimum power (a car cut to nothing is repaired in its own turn). All or nothing.
   */
  const freeRoomFor = (t: number, need: number, forMinimum: boolean, position: number): void => {
    const cuts: { row: number[]; amount: number }[] = [];
    let found = 0;
    for (let k = order.length - 1; k >= 0 && found < need - FLOW_EPSILON; k--) {
      if (k === position || (!forMinimum && k < position)) continue;
      const other = order[k];
      const row = energy[other.index];
      if (row[t] <= FLOW_EPSILON) continue;
      // Cars after it give any energy for its minimum, only their comfort energy for its comfort.
      const cuttable = k > position && forMinimum ? row[t] : Math.min(row[t], row.reduce((a, b) => a + b, 0) - other.minimumWh);
      if (cuttable <= FLOW_EPSILON) continue;
      let amount = Math.min(need - found, Math.max(0, row[t] - other.minWhPerSlot), cuttable);
      if (found + amount < need - FLOW_EPSILON && row[t] <= cuttable) amount = row[t];
      if (amount <= 0) continue;
      cuts.push({ row, amount });
      found += amount;
    }
    if (found < need - FLOW_EPSILON) return;
    for (const cut of cuts) {
      cut.row[t] -= cut.amount;
      headroom[t] += cut.amount;
    }
  };
  for (const state of order) {
    if (state.minWhPerSlot <= 0) continue;
    const row = energy[state.index];
    const cheapest = [...state.slots].sort((a, b) => prices[a] - prices[b] || a - b);
    for (const t of state.slots) {
      if (row[t] <= FLOW_EPSILON || row[t] >= state.minWhPerSlot - FLOW_EPSILON) continue;
      let rest = row[t];
      row[t] = 0;
      headroom[t] += rest;
      // a. into the car's other charging slots with room.
      for (const u of cheapest) {
        if (rest <= FLOW_EPSILON) break;
        if (u === t || row[u] < state.minWhPerSlot - FLOW_EPSILON) continue;
        const move = Math.min(rest, state.maxWhPerSlot - row[u], headroom[u]);
        if (move <= 0) continue;
        row[u] += move;
        headroom[u] -= move;
        rest -= move;
      }
      if (rest <= FLOW_EPSILON) continue;
      // b. raise this slot, or else another of the car's idle slots (cheapest first), to the minimum
      // power, making room there if need be, and take the extra back from the car's slots above their
      // minimum. A car that wants less than a slot at its minimum power still gets the minimum as its
      // limit: it stops drawing when full (the plan counts only what it wants).
      const ownTotal = row.reduce((a, b) => a + b, 0);
      const forMinimum = ownTotal < state.minimumWh - FLOW_EPSILON;
      const position = order.indexOf(state);
      for (const u of [t, ...cheapest.filter((u) => u !== t && row[u] <= FLOW_EPSILON)]) {
        if (headroom[u] < state.minWhPerSlot - FLOW_EPSILON) freeRoomFor(u, state.minWhPerSlot - headroom[u], forMinimum, position);
        if (headroom[u] < state.minWhPerSlot - FLOW_EPSILON) continue;
        let toTakeBack = Math.max(0, ownTotal + state.minWhPerSlot - state.wantedWh);
        const spare = state.slots.filter((v) => v !== u && row[v] > state.minWhPerSlot).sort((a, b) => prices[b] - prices[a] || b - a);
        for (const v of spare) {
          if (toTakeBack <= FLOW_EPSILON) break;
          const take = Math.min(toTakeBack, row[v] - state.minWhPerSlot);
          row[v] -= take;
          headroom[v] += take;
          toTakeBack -= take;
        }
        row[u] = state.minWhPerSlot;
        headroom[u] -= state.minWhPerSlot;
        rest = 0;
        break;
      }
      // c. dropped and reported.
      dropped[state.index] += rest;
    }
  }

  // 4d. Energy a repair dropped goes back where later repairs freed room (a lower car moving out of a
  // slot), in the order of service: a car already charging in a slot first, then an idle slot that has
  // room for its minimum power. Never above the limit (headroom), the car's maximum or what it wants.
  for (const state of order) {
    const row = energy[state.index];
    let need = Math.min(dropped[state.index], state.wantedWh - row.reduce((a, b) => a + b, 0));
    if (need <= FLOW_EPSILON) continue;
    const cheapest = [...state.slots].sort((a, b) => prices[a] - prices[b] || a - b);
    const charging = cheapest.filter((u) => row[u] > FLOW_EPSILON);
    const idle = cheapest.filter((u) => row[u] <= FLOW_EPSILON);
    const position = order.indexOf(state);
    for (const u of [...charging, ...idle]) {
      if (need <= FLOW_EPSILON) break;
      // What is missing of its minimum outranks comfort energy of any class (and anything of lower
      // cars): room for it is made in a slot it already charges in, as in 4b.
      const shortOfMinimum = Math.min(need, state.minimumWh - row.reduce((a, b) => a + b, 0), state.maxWhPerSlot - row[u]);
      if (row[u] > FLOW_EPSILON && shortOfMinimum > FLOW_EPSILON && headroom[u] < shortOfMinimum - FLOW_EPSILON) {
        freeRoomFor(u, shortOfMinimum - headroom[u], true, position);
      }
      const room = Math.min(need, state.maxWhPerSlot - row[u], headroom[u]);
      // An idle slot only at the car's minimum power or more.
      const add = row[u] <= FLOW_EPSILON ? (room >= state.minWhPerSlot - FLOW_EPSILON ? room : 0) : room;
      if (add <= FLOW_EPSILON) continue;
      row[u] += add;
      headroom[u] -= add;
      need -= add;
      dropped[state.index] -= add;
    }
  }

  // 5. Whole watts, rounded down; the limit checked per slot (only float noise could make this trim).
  const powers = energy.map((row, i) =>
    row.map((wh) => {
      const watts = Math.floor(wh / hours + 1e-6);
      return watts < (cars[i].car.minPowerW ?? 0) ? 0 : Math.min(watts, Math.floor(cars[i].car.maxPowerW));
    }),
  );
  for (let t = 0; t < T; t++) {
    let total = powers.reduce((sum, row) => sum + row[t], 0);
    for (let k = order.length - 1; k >= 0 && total > limits[t]; k--) {
      const row = powers[order[k].index];
      const minimum = order[k].car.minPowerW ?? 0;
      const cut = Math.min(total - limits[t], row[t]);
      row[t] = row[t] - cut > 0 && row[t] - cut < minimum ? 0 : row[t] - cut;
      total = powers.reduce((sum, r) => sum + r[t], 0);
    }
  }

  const slotIso = (t: number) => new Date(slotStart(grid, t)).toISOString();
  const carPlans: CarPlan[] = cars.map((state) => {
    const row = powers[state.index];
    const plannedWh = Math.min(state.wantedWh, row.reduce((sum, watts) => sum + watts * hours, 0));
    const costEstimate = row.reduce((sum, watts, t) => sum + (watts * hours * prices[t]) / 1000, 0);
    const periods: SchedulePeriod[] = [];
    row.forEach((watts, t) => {
      if (periods.length === 0 || periods[periods.length - 1].powerW !== watts) periods.push({ start: slotIso(t), powerW: watts });
    });
    // Rounding to whole watts may lose up to 1 W per slot; that is not a shortfall.
    const tolerance = T * hours + FLOW_EPSILON;
    const minimumMet = plannedWh >= state.minimumWh - tolerance;
    const result: CarPlan = {
      carId: state.car.id,
      priorityClass: state.classId,
      powerW: row,
      periods,
      plannedWh,
      wantedWh: state.wantedWh,
      minimumWh: state.minimumWh,
      minimumMet,
      wantedMet: plannedWh >= state.wantedWh - tolerance,
      costEstimate,
    };
    if (!minimumMet) {
      const alone = state.slots.length * Math.floor(state.car.maxPowerW) * hours;
      const reason: ShortfallReason =
        alone < state.minimumWh - tolerance
          ? 'window-too-short'
          : afterMinimum[state.index] < state.minimumWh - tolerance
            ? 'site-capacity'
            : dropped[state.index] > 0
              ? 'minimum-power'
              : 'site-capacity';
      result.shortfall = { reason, missingWh: state.minimumWh - plannedWh };
    }
    return result;
  });
  const slots: SlotPlan[] = limits.map((limitW, t) => ({
    start: slotIso(t),
    end: slotIso(t + 1),
    limitW,
    pricePerKWh: prices[t],
    totalW: powers.reduce((sum, row) => sum + row[t], 0),
  }));
  return { slotMinutes, slots, cars: carPlans, costEstimate: carPlans.reduce((sum, car) => sum + car.costEstimate, 0) };
}
