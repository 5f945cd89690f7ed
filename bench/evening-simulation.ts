/**
 * A deterministic, I/O-free simulation of an evening at a site: cars arrive, charge under the limits a
 * strategy gives them (drawing the lower of their limit and their on-board charger's maximum, and nothing
 * once full) and leave. Used by the tests and reusable by benchmarks to compare strategies.
 */
import { allocate, type Allocation, type AllocationOptions } from '../src/core/allocation/allocate';
import { nodeCapacities } from '../src/core/allocation/capacity';
import { DEFAULT_NOMINAL_VOLTAGE, PHASES, type Phase, type PhaseCount, type SessionDemand, type Site, type SiteNode } from '../src/core/allocation/site';

export interface EveningCar {
  id: string;
  connectorKey: string;
  arrival: Date | string;
  departure: Date | string;
  /** Energy the car wants by its departure, Wh. */
  energyNeededWh: number;
  /** Phases the car charges on. */
  phases: PhaseCount;
  phase?: Phase;
  /** Most current per phase the car's on-board charger draws. */
  maxAmps: number;
  priority?: number;
  /** Whether the car's OCPI charging preferences (departure, energy) reach the hub. Default true. */
  sharesPreferences?: boolean;
}

export interface EveningScenario {
  site: Site;
  start: Date | string;
  end: Date | string;
  cars: EveningCar[];
  /** Simulation step, minutes; a reallocation happens every step. Default 1. */
  tickMinutes?: number;
}

export type AllocationStrategy = (site: Site, sessions: SessionDemand[], now: Date, previous: Allocation | undefined) => Allocation;

/**
 * 'smart': the full allocator (priorities, departure urgency, give-back with measured draw).
 * 'equal-share': the same water-filling without preferences, measurements or priorities: a plain
 * equal share of every node, with surplus redistribution only where a connector's own maximum caps it.
 */
export type SimulationStrategy = 'smart' | 'equal-share' | AllocationStrategy;

export interface CarOutcome {
  id: string;
  energyNeededWh: number;
  /** Energy delivered before the car's departure (or the end of the simulation), Wh. */
  deliveredWh: number;
  shortfallWh: number;
  satisfied: boolean;
}

export interface EveningResult {
  strategy: string;
  cars: CarOutcome[];
  totalDeliveredWh: number;
  totalShortfallWh: number;
  carsSatisfied: number;
  ticks: number;
  /** Largest excess of the cars' actual draw over any node's usable capacity, amps (0 = never). */
  maxOverloadAmps: number;
}

const STRATEGIES: Record<'smart' | 'equal-share', AllocationStrategy> = {
  smart: (site, sessions, now, previous) => allocate(site, sessions, now, { previous }),
  'equal-share': (site, sessions, now) => {
    const plain = sessions.map(({ connectorKey, sessionId, phases, phase }) => ({ connectorKey, sessionId, phases, phase }));
    const options: AllocationOptions = { giveBack: false, urgency: false };
    return allocate(site, plain, now, options);
  },
};

function millis(value: Date | string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`simulateEvening: invalid time ${String(value)}`);
  return ms;
}

/** Steps through the scenario in `tickMinutes` steps and reports each car's energy by departure. */
export function simulateEvening(scenario: EveningScenario, strategy: SimulationStrategy): EveningResult {
  const { site, cars } = scenario;
  const allocateWith = typeof strategy === 'function' ? strategy : STRATEGIES[strategy];
  const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const tickMs = (scenario.tickMinutes ?? 1) * 60_000;
  const tickHours = tickMs / 3_600_000;
  const start = millis(scenario.start);
  const end = millis(scenario.end);
  const arrival = cars.map((car) => millis(car.arrival));
  const departure = cars.map((car) => millis(car.departure));
  const delivered = cars.map(() => 0);
  const measured: (number | undefined)[] = cars.map(() => undefined);
  const limitInForce: (number | undefined)[] = cars.map(() => undefined);
  const limitSince: (number | undefined)[] = cars.map(() => undefined);
  // Node paths, for the overload check of actual draw.
  const nodeIndexOf = new Map<string, number>();
  const parents: number[] = [];
  const walk = (node: SiteNode, parent: number): void => {
    const index = parents.length;
    parents.push(parent);
    for (const connector of node.connectors ?? []) nodeIndexOf.set(connector.connectorKey, index);
    for (const child of node.children ?? []) walk(child, index);
  };
  walk(site, -1);

  let previous: Allocation | undefined;
  let ticks = 0;
  let maxOverloadAmps = 0;
  for (let now = start; now < end; now += tickMs) {
    ticks++;
    const present = cars.map((_, i) => i).filter((i) => arrival[i] <= now && now < departure[i]);
    const onConnector = new Set<string>();
    for (const i of present) {
      if (onConnector.has(cars[i].connectorKey)) throw new Error(`simulateEvening: two cars on ${cars[i].connectorKey} at once`);
      onConnector.add(cars[i].connectorKey);
    }
    const sessions: SessionDemand[] = present.map((i) => {
      const car = cars[i];
      const session: SessionDemand = {
        connectorKey: car.connectorKey,
        sessionId: car.id,
        phases: car.phases,
        phase: car.phase,
        priority: car.priority,
        measuredAmps: measured[i],
        currentLimitAmps: limitInForce[i],
        currentLimitSince: limitSince[i] === undefined ? undefined : new Date(limitSince[i]!),
      };
      if (car.sharesPreferences !== false) {
        session.departureTime = new Date(departure[i]);
        session.energyNeededWh = Math.max(0, car.energyNeededWh - delivered[i]);
      }
      return session;
    });
    const allocation = allocateWith(site, sessions, new Date(now), previous);
    previous = allocation;
    const limitOf = new Map(allocation.connectors.map((c) => [c.connectorKey, c]));
    const draw = new Float64Array(parents.length * 3);
    for (const i of present) {
      const car = cars[i];
      const allocated = limitOf.get(car.connectorKey);
      const limit = allocated?.limitAmps ?? 0;
      // The connector decides how many phases the car really gets (a 3-phase car on a 1-phase outlet uses one).
      const phases = allocated?.phases ?? car.phases;
      if (limit !== limitInForce[i]) {
        limitInForce[i] = limit;
        limitSince[i] = now;
      }
      const remaining = car.energyNeededWh - delivered[i];
      let amps = remaining > 0 ? Math.min(limit, car.maxAmps) : 0;
      let energy = amps * phases * voltage * tickHours;
      if (energy > remaining) {
        energy = Math.max(0, remaining);
        amps = energy / (phases * voltage * tickHours);
      }
      delivered[i] += energy;
      measured[i] = amps;
      const loaded = (allocated?.loadedPhases ?? []).map((phase) => PHASES.indexOf(phase));
      for (let n = nodeIndexOf.get(car.connectorKey) ?? -1; n >= 0; n = parents[n]) {
        for (const p of loaded) draw[n * 3 + p] += amps;
      }
    }
    const capacities = nodeCapacities(site, new Date(now));
    capacities.forEach((node, n) => {
      for (let p = 0; p < 3; p++) {
        maxOverloadAmps = Math.max(maxOverloadAmps, draw[n * 3 + p] - node.capacityTenths / 10);
      }
    });
  }

  const outcomes = cars.map((car, i) => {
    const shortfallWh = Math.max(0, car.energyNeededWh - delivered[i]);
    return { id: car.id, energyNeededWh: car.energyNeededWh, deliveredWh: delivered[i], shortfallWh, satisfied: shortfallWh < 1e-6 };
  });
  return {
    strategy: typeof strategy === 'function' ? strategy.name || 'custom' : strategy,
    cars: outcomes,
    totalDeliveredWh: outcomes.reduce((sum, car) => sum + car.deliveredWh, 0),
    totalShortfallWh: outcomes.reduce((sum, car) => sum + car.shortfallWh, 0),
    carsSatisfied: outcomes.filter((car) => car.satisfied).length,
    ticks,
    // Float sums of draws may overshoot by ~1e-15 A; that is not an overload.
    maxOverloadAmps: maxOverloadAmps > 1e-9 ? maxOverloadAmps : 0,
  };
}
