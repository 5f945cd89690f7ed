/**
 * The planner live at a load-management site (docs/scheduling.md, "The planner live"): the planner
 * decides each car's energy per 15-minute slot over the horizon by departure, price and class; every
 * slot is then passed through the allocator, each car capped at its planned power, so the site tree,
 * phases and minimum currents hold in every slot, not only the first. The result is an absolute
 * schedule per connector, in amps per phase. Pure, no I/O.
 *
 * The capacity of a slot is the lowest of: the site's own capacity (limit, time windows, margin) at the
 * slot's start and end, and an external (EMS) limit while it is valid; less what accepted bookings hold
 * at any instant of the slot. `availableSite` puts that ceiling above the site's root as a node of its
 * own, so the allocator keeps it too.
 */
import { allocate, DEFAULT_NOMINAL_VOLTAGE, nodeCapacities, type Allocation, type SessionDemand, type Site } from '../allocation/allocation-core';
import { plan, DEFAULT_PRIORITY_CLASS, type Plan, type PlanningCar, type PriorityClass } from './planner';
import type { PowerPeriod, PricePeriod } from './planning-slots';

/** The node id of the available-capacity ceiling above a site's root. */
export const AVAILABLE_NODE_ID = 'available-capacity';

/** An EMS limit for the whole site, watts; it counts until `validUntil` (epoch ms), or always. */
export interface SiteCeiling {
  limitW: number;
  validUntil?: number;
}

/** Power held by bookings (accepted, the car not yet arrived) over [from, until), epoch ms. */
export interface HeldPower {
  from: number;
  until: number;
  powerW: number;
}

/**
 * The usable amps per phase at the site's root over [from, until): its own capacity at both ends, the
 * EMS limit if valid at any instant of it, less the bookings that overlap it (conservative: a booking
 * or limit that covers part of the interval counts for all of it). Tenths, rounded down.
 */
export function availableAmps(site: Site, from: number, until: number, ceiling: SiteCeiling | undefined, held: readonly HeldPower[]): number {
  const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const own = Math.min(...[from, Math.max(from, until - 1)].map((t) => nodeCapacities(site, new Date(t))[0].capacityTenths)) / 10;
  const ems = ceiling && (ceiling.validUntil === undefined || ceiling.validUntil > from) ? ceiling.limitW / (3 * voltage) : Infinity;
  const heldW = held.filter((h) => h.from < until && h.until > from).reduce((sum, h) => sum + h.powerW, 0);
  const amps = Math.min(own, ems) - heldW / (3 * voltage);
  return Math.max(0, Math.floor(amps * 10 + 1e-9) / 10);
}

/** The site with a ceiling of `amps` per phase above its root (the allocator then keeps both). */
export function availableSite(site: Site, amps: number): Site {
  const { timeZone, nominalVoltage, ...root } = site;
  return { id: AVAILABLE_NODE_ID, name: 'available capacity (EMS limit, bookings)', timeZone, ...(nominalVoltage && { nominalVoltage }), limit: { amps }, children: [root] };
}

export interface SitePlanInput {
  site: Site;
  /** Every session the allocator would see (uncontrollable chargers' reserves included, by `reservePriority`). */
  sessions: SessionDemand[];
  /** Per connector key: the phases and the limits of its connector, and the car's class. */
  cars: Map<string, { phases: 1 | 3; maxAmps: number; minAmps: number; priorityClass?: string }>;
  now: Date;
  ceiling?: SiteCeiling;
  held?: HeldPower[];
  prices?: PricePeriod[];
  defaultPricePerKWh?: number;
  classes?: PriorityClass[];
  /** Sessions at or above this priority are reserves (full rating, not planned). */
  reservePriority: number;
  slotMinutes?: number;
  horizonHours?: number;
}

export interface SitePlan {
  /** Start of slot 0: the current slot's start, aligned to the clock. */
  start: number;
  slotMs: number;
  /** Per connector key, its limit per slot (amps per phase). */
  amps: Map<string, number[]>;
  /** The allocation of slot 0 (what `/state` shows). */
  first: Allocation;
  plan: Plan;
}

/** The planner's schedule at a site, passed slot by slot through the allocator. */
export function planSite(input: SitePlanInput): SitePlan {
  const slotMinutes = input.slotMinutes ?? 15;
  const horizonHours = input.horizonHours ?? 24;
  const slotMs = slotMinutes * 60_000;
  const nowMs = input.now.getTime();
  const start = Math.floor(nowMs / slotMs) * slotMs;
  const count = Math.round((horizonHours * 3_600_000) / slotMs);
  const end = start + count * slotMs;
  const voltage = input.site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
  const held = input.held ?? [];

  const slotAmps = Array.from({ length: count }, (_, i) => availableAmps(input.site, Math.max(nowMs, start + i * slotMs), start + (i + 1) * slotMs, input.ceiling, held));
  const reserves = input.sessions.filter((s) => (s.priority ?? 0) >= input.reservePriority);
  const reserved: PowerPeriod[] = reserves.map((s) => ({ from: new Date(start), until: new Date(end), powerW: (input.cars.get(s.connectorKey)?.phases ?? 3) * voltage * (s.maxAmps ?? 0) }));

  // Each connector's tightest node on its way to the root (its group, its charger), so the planner never
  // plans a car above what its own branch can carry; groups shared by several cars are kept by the
  // per-slot allocation below.
  const branchAmps = new Map<string, number>();
  const nodes = nodeCapacities(input.site, input.now);
  nodes.forEach((node, index) => {
    for (const connector of node.node.connectors ?? []) {
      let tenths = Infinity;
      for (let i = index; i >= 0; i = nodes[i].parentIndex) tenths = Math.min(tenths, i === 0 ? Infinity : nodes[i].capacityTenths);
      branchAmps.set(connector.connectorKey, tenths / 10);
    }
  });
  const classes = input.classes?.length ? input.classes : [DEFAULT_PRIORITY_CLASS];
  const known = new Set(classes.map((c) => c.id));
  const planned = input.sessions.filter((s) => (s.priority ?? 0) < input.reservePriority && input.cars.has(s.connectorKey));
  const cars: PlanningCar[] = planned.map((s) => {
    const spec = input.cars.get(s.connectorKey)!;
    const maxAmps = Math.min(spec.maxAmps, s.maxAmps ?? Infinity, branchAmps.get(s.connectorKey) ?? Infinity);
    const minAmps = Math.max(spec.minAmps, s.minAmps ?? 0);
    const maxPowerW = Math.max(0, Math.floor(maxAmps * spec.phases * voltage));
    const departure = s.departureTime ? new Date(s.departureTime).getTime() : NaN;
    const explicit = Number.isFinite(departure) && departure > nowMs && s.energyNeededWh !== undefined;
    return {
      id: s.connectorKey,
      arrival: new Date(start),
      departure: new Date(explicit ? departure : end),
      // Without a departure and energy: as much as it takes until the horizon, none of it a must.
      energyWh: explicit ? s.energyNeededWh! : maxPowerW * horizonHours,
      minimumEnergyWh: explicit ? s.energyNeededWh! : 0,
      maxPowerW,
      minPowerW: Math.ceil(minAmps * spec.phases * voltage),
      ...(spec.priorityClass && known.has(spec.priorityClass) && { priorityClass: spec.priorityClass }),
    };
  });
  const result = plan({
    start: new Date(start),
    slotMinutes,
    horizonHours,
    site: {
      baseLimitW: Math.max(0, ...slotAmps) * 3 * voltage,
      timeZone: input.site.timeZone,
      externalLimits: slotAmps.map((a, i) => ({ from: new Date(start + i * slotMs), until: new Date(start + (i + 1) * slotMs), powerW: a * 3 * voltage, issuedAt: new Date(start) })),
      reserved,
    },
    prices: input.prices ?? [],
    defaultPricePerKWh: input.defaultPricePerKWh ?? 0,
    classes,
    cars,
  });
  const powerOf = new Map(result.cars.map((c) => [c.carId, c.powerW]));

  const amps = new Map<string, number[]>();
  let first: Allocation | undefined;
  for (let i = 0; i < count; i++) {
    const at = i === 0 ? input.now : new Date(start + i * slotMs);
    const sessions = input.sessions.map((s) => {
      const power = powerOf.get(s.connectorKey);
      if (!power) return s;
      const spec = input.cars.get(s.connectorKey)!;
      const minAmps = Math.max(spec.minAmps, s.minAmps ?? 0);
      const w = power[i];
      // Whole watts back to tenths of an amp, down; the minimum power gives back the minimum current.
      let capped = w > 0 ? Math.floor((w / (spec.phases * voltage)) * 10 + 1e-6) / 10 : 0;
      if (w > 0 && capped < minAmps && w >= Math.floor(minAmps * spec.phases * voltage) - 1) capped = minAmps;
      const later = i === 0 ? s : { connectorKey: s.connectorKey, sessionId: s.sessionId, phases: s.phases, phase: s.phase, priority: s.priority, minAmps: s.minAmps };
      return { ...later, maxAmps: Math.min(capped, s.maxAmps ?? Infinity) };
    });
    const allocation = allocate(availableSite(input.site, slotAmps[i]), sessions, at, i === 0 ? {} : { giveBack: false });
    if (i === 0) first = allocation;
    for (const c of allocation.connectors) {
      if (!amps.has(c.connectorKey)) amps.set(c.connectorKey, new Array<number>(count).fill(0));
      amps.get(c.connectorKey)![i] = c.limitAmps;
    }
  }
  return { start, slotMs, amps, first: first!, plan: result };
}
