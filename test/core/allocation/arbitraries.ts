/**
 * fast-check generators for random sites and sessions, and an independent reference for what the
 * allocator must respect (node capacities by local time, per-phase loads), written from the spec rather
 * than from the implementation.
 */
import fc from 'fast-check';
import type {
  Allocation,
  ConnectorSpec,
  LimitSpec,
  Phase,
  PhaseCount,
  SafetyMargin,
  SessionDemand,
  Site,
  SiteNode,
  TimeWindow,
  Weekday,
} from '../../../src/core/allocation/allocation-core';

export const TIME_ZONES = ['UTC', 'Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const PHASE_NAMES: Phase[] = ['L1', 'L2', 'L3'];

const tenths = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((t) => t / 10);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function limitArb(scale: number): fc.Arbitrary<LimitSpec> {
  return fc.oneof(
    tenths(0, 200 * scale).map((amps) => ({ amps })),
    tenths(0, 140 * scale).map((kilowatts) => ({ kilowatts })),
  );
}

const clockArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

function windowArb(scale: number): fc.Arbitrary<TimeWindow> {
  return fc.record({
    start: clockArb,
    end: fc.oneof(clockArb, fc.constant('24:00')),
    days: opt(fc.subarray(DAYS, { minLength: 1 })),
    limit: limitArb(scale),
  });
}

const marginArb: fc.Arbitrary<SafetyMargin | undefined> = opt(
  fc.record({ amps: opt(tenths(0, 10)), percent: opt(fc.integer({ min: 0, max: 20 })) }),
);

interface ConnectorShape {
  phases: PhaseCount;
  maxAmps: number;
  minAmps?: number;
  singlePhaseOn?: Phase;
}

export const connectorShapeArb: fc.Arbitrary<ConnectorShape> = fc.record({
  phases: fc.constantFrom<PhaseCount>(1, 3),
  maxAmps: fc.oneof(fc.constantFrom(16, 32, 63), tenths(0, 80), fc.double({ min: 0, max: 80, noNaN: true })),
  minAmps: opt(fc.oneof(fc.constantFrom(6, 8, 10), tenths(0, 16), fc.double({ min: 0, max: 16, noNaN: true }))),
  singlePhaseOn: opt(fc.constantFrom<Phase>('L1', 'L2', 'L3')),
});

interface NodeShape {
  limit?: LimitSpec;
  safetyMargin?: SafetyMargin;
  timeWindows: TimeWindow[];
  connectors: ConnectorShape[];
  children: NodeShape[];
}

function nodeShapeArb(depth: number, scale: number): fc.Arbitrary<NodeShape> {
  return fc.record({
    limit: depth === 0 ? limitArb(scale) : opt(limitArb(scale)),
    safetyMargin: marginArb,
    timeWindows: fc.array(windowArb(scale), { maxLength: 2 }),
    connectors: fc.array(connectorShapeArb, { maxLength: 4 }),
    children: depth >= 2 ? fc.constant([]) : fc.array(nodeShapeArb(depth + 1, scale), { maxLength: 3 }),
  });
}

function buildNode(shape: NodeShape, id: string): SiteNode {
  return {
    id,
    limit: shape.limit,
    safetyMargin: shape.safetyMargin,
    timeWindows: shape.timeWindows,
    connectors: shape.connectors.map((c, i) => ({ connectorKey: `${id}/c${i}`, ...c })),
    children: shape.children.map((child, i) => buildNode(child, `${id}.${i}`)),
  };
}

/** Random sites: trees of depth <= 3 (root + 2 levels), random limits, margins and windows. */
export function siteArb(options: { scale?: number } = {}): fc.Arbitrary<Site> {
  const scale = options.scale ?? 1;
  return fc
    .record({
      root: nodeShapeArb(0, scale),
      timeZone: fc.constantFrom(...TIME_ZONES),
      nominalVoltage: opt(fc.constantFrom(220, 230, 240)),
    })
    .map(({ root, timeZone, nominalVoltage }) => ({ ...buildNode(root, 'site'), timeZone, nominalVoltage }));
}

export function allConnectors(node: SiteNode): ConnectorSpec[] {
  return [...(node.connectors ?? []), ...(node.children ?? []).flatMap(allConnectors)];
}

export const nowArb = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 31) })
  .map((ms) => new Date(Math.floor(ms / 60_000) * 60_000 + (ms % 7) * 7_000));

interface SessionShape {
  present: boolean;
  phases?: PhaseCount;
  phase?: Phase;
  measuredAmps?: number;
  currentLimitAmps?: number;
  priority?: number;
  departureInMinutes?: number;
  energyNeededWh?: number;
  minAmps?: number;
  maxAmps?: number;
}

export const sessionShapeArb = (withMeasurements = true): fc.Arbitrary<SessionShape> =>
  fc.record({
    present: fc.boolean(),
    phases: opt(fc.constantFrom<PhaseCount>(1, 3)),
    phase: opt(fc.constantFrom<Phase>('L1', 'L2', 'L3')),
    measuredAmps: withMeasurements ? opt(tenths(0, 40)) : fc.constant(undefined),
    currentLimitAmps: withMeasurements ? opt(tenths(0, 40)) : fc.constant(undefined),
    priority: opt(fc.integer({ min: 0, max: 2 })),
    departureInMinutes: opt(fc.integer({ min: -60, max: 720 })),
    energyNeededWh: opt(fc.integer({ min: 0, max: 60_000 })),
    minAmps: opt(fc.constantFrom(0, 6, 8, 10)),
    maxAmps: opt(fc.oneof(fc.constantFrom(10, 16, 32), tenths(0, 40))),
  });

export function toSession(connectorKey: string, shape: SessionShape, now: Date): SessionDemand {
  return {
    connectorKey,
    sessionId: `s-${connectorKey}`,
    phases: shape.phases,
    phase: shape.phase,
    measuredAmps: shape.measuredAmps,
    currentLimitAmps: shape.currentLimitAmps,
    priority: shape.priority,
    departureTime: shape.departureInMinutes === undefined ? undefined : new Date(now.getTime() + shape.departureInMinutes * 60_000),
    energyNeededWh: shape.energyNeededWh,
    minAmps: shape.minAmps,
    maxAmps: shape.maxAmps,
  };
}

/** A site, a "now" and sessions on a random subset of its connectors. */
export function scenarioArb(options: { scale?: number; withMeasurements?: boolean } = {}) {
  return fc.tuple(siteArb(options), nowArb).chain(([site, now]) => {
    const keys = allConnectors(site).map((c) => c.connectorKey);
    return fc
      .array(sessionShapeArb(options.withMeasurements ?? true), { minLength: keys.length, maxLength: keys.length })
      .map((shapes) => ({
        site,
        now,
        sessions: shapes.flatMap((shape, i) => (shape.present ? [toSession(keys[i], shape, now)] : [])),
      }));
  });
}

// ---------------------------------------------------------------------------------------------------
// Reference (independent of the implementation).

const weekdayFormat = new Map<string, Intl.DateTimeFormat>();
function wallClock(now: Date, timeZone: string): { day: number; minute: number } {
  let format = weekdayFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    weekdayFormat.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
  return { day, minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute) };
}

const DAY_NAMES: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function windowApplies(window: TimeWindow, now: Date, timeZone: string): boolean {
  const { day, minute } = wallClock(now, timeZone);
  const toMinutes = (clock: string) => (clock === '24:00' ? 1440 : Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3)));
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const onDay = (d: number) => !window.days || window.days.includes(DAY_NAMES[(d + 7) % 7]);
  // Minutes since the start of the window's start day (today or yesterday), compared with its length.
  const length = end > start ? end - start : end + 1440 - start;
  const sinceToday = minute - start;
  const sinceYesterday = minute + 1440 - start;
  return (sinceToday >= 0 && sinceToday < length && onDay(day)) || (sinceYesterday < length && onDay(day - 1));
}

function amps(limit: LimitSpec, voltage: number): number {
  return 'amps' in limit ? limit.amps : (limit.kilowatts * 1000) / (3 * voltage);
}

/** Usable amps per phase of a node at `now` (Infinity if unconstrained), per the spec. */
export function referenceCapacity(site: Site, node: SiteNode, margin: SafetyMargin | undefined, now: Date): number {
  const voltage = site.nominalVoltage ?? 230;
  const limits: number[] = [];
  if (node.limit) limits.push(amps(node.limit, voltage));
  for (const window of node.timeWindows ?? []) {
    if (windowApplies(window, now, site.timeZone)) limits.push(amps(window.limit, voltage));
  }
  if (limits.length === 0) return Infinity;
  const base = Math.min(...limits);
  return base - (margin?.amps ?? 0) - (base * (margin?.percent ?? 0)) / 100;
}

export interface SessionFacts {
  session: SessionDemand;
  connector: ConnectorSpec;
  phases: PhaseCount;
  loaded: Phase[];
  min: number;
  max: number;
}

export function sessionFacts(site: Site, sessions: SessionDemand[]): Map<string, SessionFacts> {
  const connectors = new Map(allConnectors(site).map((c) => [c.connectorKey, c]));
  const facts = new Map<string, SessionFacts>();
  for (const session of sessions) {
    const connector = connectors.get(session.connectorKey)!;
    const phases: PhaseCount = connector.phases === 1 ? 1 : (session.phases ?? 3);
    const loaded: Phase[] = phases === 3 ? PHASE_NAMES : [session.phase ?? connector.singlePhaseOn ?? 'L1'];
    facts.set(session.connectorKey, {
      session,
      connector,
      phases,
      loaded,
      min: Math.max(connector.minAmps ?? 6, session.minAmps ?? 0),
      max: Math.min(connector.maxAmps, session.maxAmps ?? Infinity),
    });
  }
  return facts;
}

export interface Violation {
  nodeId: string;
  phase: Phase;
  usedAmps: number;
  capacityAmps: number;
}

/** Every node and phase whose allocated load exceeds its capacity (with 1e-7 A of float tolerance). */
export function overloads(site: Site, sessions: SessionDemand[], allocation: Allocation, now: Date): Violation[] {
  const facts = sessionFacts(site, sessions);
  const limitOf = new Map(allocation.connectors.map((c) => [c.connectorKey, c.limitAmps]));
  const violations: Violation[] = [];
  const visit = (node: SiteNode, inherited: SafetyMargin | undefined): Record<Phase, number> => {
    const margin = node.safetyMargin ?? inherited;
    const used: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
    for (const connector of node.connectors ?? []) {
      const fact = facts.get(connector.connectorKey);
      const limit = limitOf.get(connector.connectorKey) ?? 0;
      if (!fact) continue;
      for (const phase of fact.loaded) used[phase] += Math.round(limit * 10);
    }
    for (const child of node.children ?? []) {
      const below = visit(child, margin);
      for (const phase of PHASE_NAMES) used[phase] += below[phase];
    }
    const capacity = referenceCapacity(site, node, margin, now);
    for (const phase of PHASE_NAMES) {
      if (used[phase] > Math.max(0, capacity) * 10 + 1e-6) {
        violations.push({ nodeId: node.id, phase, usedAmps: used[phase] / 10, capacityAmps: capacity });
      }
    }
    return used;
  };
  visit(site, undefined);
  return violations;
}
