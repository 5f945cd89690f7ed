/**
 * Site model for load allocation: a tree of nodes (grid connection, feeders, fuses, chargers) with
 * limits, and the connectors hanging off them. Pure data, no I/O. See docs/load-management.md.
 *
 * Units: currents are amps PER PHASE; powers are watts (kW only in `LimitSpec.kilowatts`); energy is
 * watt-hours; times are `Date`s or ISO 8601 strings; clock times in time windows are the site's local
 * wall-clock time (IANA time zone).
 */

export type Phase = 'L1' | 'L2' | 'L3';
export const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];

/** Number of phases a connector can supply or a session draws on. */
export type PhaseCount = 1 | 3;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Indexed like `Date.prototype.getUTCDay()` (0 = Sunday). */
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * A limit, either in amps per phase, or in kW for the whole node. A kW limit is converted to amps per
 * phase as `kW × 1000 / (3 × V)`: the same current on every phase, so the total never exceeds the kW
 * limit whatever the mix of 1- and 3-phase loads.
 */
export type LimitSpec = { amps: number } | { kilowatts: number };

/**
 * Headroom kept below a node's limit: `amps + percent % of the limit` (after any time-window limit is
 * applied). Inherited from the nearest ancestor that sets one; none at all by default.
 */
export interface SafetyMargin {
  amps?: number;
  percent?: number;
}

/**
 * A recurring period with a lower limit (peak shaving). `start` and `end` are local "HH:MM" (end may be
 * "24:00"), start inclusive, end exclusive. An end at or before the start wraps past midnight (start ==
 * end is a full 24 hours). `days` lists the days on which the window STARTS (a Fri 22:00-06:00 window
 * covers Saturday 00:00-06:00); omitted means every day. While several windows are active the lowest
 * limit applies; a window can only lower a node's limit, never raise it.
 */
export interface TimeWindow {
  id?: string;
  start: string;
  end: string;
  days?: Weekday[];
  limit: LimitSpec;
}

/** One connector (outlet) of one of the site's chargers. */
export interface ConnectorSpec {
  /** Unique within the site, e.g. "CP-17/1" (charge point id / connector id). */
  connectorKey: string;
  /** Phases the connector can supply. */
  phases: PhaseCount;
  /** Maximum current per phase the connector (cable, contactor, charger rating) may carry. */
  maxAmps: number;
  /** Below this current per phase a car is paused instead of starved. Default 6 A (IEC 61851). */
  minAmps?: number;
  /**
   * The grid phase a single-phase car on this connector loads: for a 1-phase connector the phase it is
   * wired to, for a 3-phase connector the grid phase on its L1 terminal (phase rotation). Default L1.
   */
  singlePhaseOn?: Phase;
}

/**
 * A node of the site tree: the grid connection (the root), a feeder or fuse, or a charger whose
 * connectors share a maximum. A node without `limit` only groups its children (unless a time window
 * gives it a limit).
 */
export interface SiteNode {
  id: string;
  name?: string;
  limit?: LimitSpec;
  safetyMargin?: SafetyMargin;
  timeWindows?: TimeWindow[];
  children?: SiteNode[];
  connectors?: ConnectorSpec[];
}

/** The site: the root node of the tree (its limit is the grid connection) plus site-wide settings. */
export interface Site extends SiteNode {
  /** IANA time zone the time windows are written in, e.g. "Europe/Amsterdam". */
  timeZone: string;
  /** Nominal phase-to-neutral voltage used to convert between amps and watts. Default 230 V. */
  nominalVoltage?: number;
}

/**
 * What the hub knows about the charging session on a connector. Only `connectorKey` is required.
 */
export interface SessionDemand {
  connectorKey: string;
  /** Carried through to the output, for the caller's convenience. */
  sessionId?: string;
  /** Phases the car draws on; default the connector's phases (the safe assumption). */
  phases?: PhaseCount;
  /** For a single-phase session: the grid phase it is on; default the connector's `singlePhaseOn`, else L1. */
  phase?: Phase;
  /** Measured current per phase (the highest phase), amps. */
  measuredAmps?: number;
  /** Measured power, watts; used when `measuredAmps` is absent (converted with the session's phases). */
  measuredWatts?: number;
  /** The limit currently in force on the connector (the last one sent), amps per phase. */
  currentLimitAmps?: number;
  /** When that limit was applied; give-back waits until the car has had time to ramp up to it. */
  currentLimitSince?: Date | string;
  /** Higher is served first. Default 0. */
  priority?: number;
  /** OCPI ChargingPreferences.departure_time. */
  departureTime?: Date | string;
  /** Energy still needed: OCPI ChargingPreferences.energy_need (kWh × 1000) minus what was delivered. */
  energyNeededWh?: number;
  /** Session-specific minimum (e.g. a car known to need more than 6 A); the higher of this and the connector's applies. */
  minAmps?: number;
  /** Session-specific maximum (e.g. the car's on-board charger); the lower of this and the connector's applies. */
  maxAmps?: number;
}

export const DEFAULT_NOMINAL_VOLTAGE = 230;
export const DEFAULT_MIN_AMPS = 6;

export class SiteConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid site: ${problems.join('; ')}`);
    this.name = 'SiteConfigError';
  }
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight for "HH:MM" ("24:00" = 1440 only when `allow24` is set), or null. */
export function parseClock(value: string, allow24 = false): number | null {
  if (allow24 && value === '24:00') return 1440;
  const match = CLOCK.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function checkLimit(limit: LimitSpec, where: string, problems: string[]): void {
  if ('amps' in limit) {
    if (!isNonNegative(limit.amps)) problems.push(`${where}: amps must be a finite number >= 0`);
  } else if ('kilowatts' in limit) {
    if (!isNonNegative(limit.kilowatts)) problems.push(`${where}: kilowatts must be a finite number >= 0`);
  } else {
    problems.push(`${where}: a limit needs amps or kilowatts`);
  }
}

const knownTimeZones = new Set<string>();

function isValidTimeZone(timeZone: string): boolean {
  if (knownTimeZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  knownTimeZones.add(timeZone);
  return true;
}

/** Every problem with a site's configuration; empty when it is usable. `allocate` throws on any. */
export function validateSite(site: Site): string[] {
  const problems: string[] = [];
  if (typeof site.timeZone !== 'string' || !isValidTimeZone(site.timeZone)) {
    problems.push(`site ${site.id}: unknown time zone ${JSON.stringify(site.timeZone)}`);
  }
  if (site.nominalVoltage !== undefined && !(isNonNegative(site.nominalVoltage) && site.nominalVoltage > 0)) {
    problems.push(`site ${site.id}: nominalVoltage must be > 0`);
  }
  const nodeIds = new Set<string>();
  const connectorKeys = new Set<string>();
  const visit = (node: SiteNode, depth: number): void => {
    const where = `node ${node.id}`;
    if (depth > 64) {
      problems.push(`${where}: tree deeper than 64 levels`);
      return;
    }
    if (nodeIds.has(node.id)) problems.push(`${where}: duplicate node id`);
    nodeIds.add(node.id);
    if (node.limit) checkLimit(node.limit, `${where} limit`, problems);
    if (node.safetyMargin) {
      const { amps, percent } = node.safetyMargin;
      if (amps !== undefined && !isNonNegative(amps)) problems.push(`${where}: safety margin amps must be >= 0`);
      if (percent !== undefined && !(isNonNegative(percent) && percent <= 100)) {
        problems.push(`${where}: safety margin percent must be within 0..100`);
      }
    }
    for (const [index, window] of (node.timeWindows ?? []).entries()) {
      const at = `${where} time window ${window.id ?? index}`;
      if (parseClock(window.start) === null) problems.push(`${at}: start must be HH:MM`);
      if (parseClock(window.end, true) === null) problems.push(`${at}: end must be HH:MM or 24:00`);
      for (const day of window.days ?? []) {
        if (!WEEKDAYS.includes(day)) problems.push(`${at}: unknown day ${JSON.stringify(day)}`);
      }
      checkLimit(window.limit, `${at} limit`, problems);
    }
    for (const connector of node.connectors ?? []) {
      const on = `connector ${connector.connectorKey}`;
      if (connectorKeys.has(connector.connectorKey)) problems.push(`${on}: duplicate connector key`);
      connectorKeys.add(connector.connectorKey);
      if (connector.phases !== 1 && connector.phases !== 3) problems.push(`${on}: phases must be 1 or 3`);
      if (!isNonNegative(connector.maxAmps)) problems.push(`${on}: maxAmps must be >= 0`);
      if (connector.minAmps !== undefined && !isNonNegative(connector.minAmps)) problems.push(`${on}: minAmps must be >= 0`);
      if (connector.singlePhaseOn !== undefined && !PHASES.includes(connector.singlePhaseOn)) {
        problems.push(`${on}: singlePhaseOn must be L1, L2 or L3`);
      }
    }
    for (const child of node.children ?? []) visit(child, depth + 1);
  };
  visit(site, 0);
  return problems;
}
