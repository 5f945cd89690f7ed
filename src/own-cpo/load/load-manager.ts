import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  allocate,
  DEFAULT_NOMINAL_VOLTAGE,
  nextBoundary,
  nodeCapacities,
  orderProfileChanges,
  profileLimitAmps,
  profileNextChange,
  type Allocation,
  type ConnectorLimit,
  type OcpiChargingProfile,
  type Phase,
  type PhaseCount,
  type ProfileChange,
  type SessionDemand,
  type Site,
  evDemandOf,
} from '../../core/allocation/allocation-core';
import type { Transaction, TransactionsService } from '../charging/transactions.service';
import { ChargerRefused, type ChargerCalls } from '../ocpp/charger-calls';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { ChargerChargingNeeds } from '../chargers/charger-charging-needs';
import { chargingProfileCall, profileAccepted, STATION_SUFFIX, type ProfileTarget } from './ocpp-profiles';
import { CHARGER_PROTOCOLS } from '../ocpp/charger-protocols';
import { chargersOf, connectorKeyOf, splitConnectorKey, toCoreSite, type SiteBody } from './site-config';
import {
  availableAmps,
  availableSite,
  constantSchedule,
  orderScheduleChanges,
  planSite,
  scheduleAt,
  scheduleMax,
  scheduleMin,
  slotsToSchedule,
  type AmpSchedule,
  type HeldPower,
  type SiteCeiling,
  type SitePlan,
} from '../../core/planning/planning-core';
import { classOfToken, priorityClassesOf, tariffEnergyPrices, type PlannerSettingsBody, type SitePlanner } from './site-planner';

/** How often the scheduled tick looks for sites that are due (cron, with seconds). */
export const LOAD_TICK_CRON = '*/5 * * * * *';

export type ChargerProfileState = 'ok' | 'retrying' | 'excluded' | 'offline';

export interface LoadManagerOptions {
  /** The clock allocations and time windows are computed with; injectable for simulations and tests. */
  now?: () => Date;
  /** Failed profile rounds in a row before a charger is excluded (default 3). */
  maxFailures?: number;
  /** A site is reallocated at least this often, whatever happens (default 60 s). */
  periodicMs?: number;
  /** Time limit of one SetChargingProfile call (default 10 s). */
  callTimeoutMs?: number;
  /** A planner site waits this long after a trigger, so a burst of events makes one re-plan (default 500 ms). */
  planDebounceMs?: number;
  /** Meter values re-plan a planner site at most this often (default 60 s). */
  planMeterIntervalMs?: number;
}

/** A change to send: the allocator's (a constant limit) or the planner's (an absolute schedule as well). */
type OutgoingChange = ProfileChange & { schedule?: AmpSchedule };

/** What one reallocation did, for the admin API, the OCPI profile results and the benchmark. */
export interface ReallocationReport {
  siteId: string;
  at: string;
  reason: string;
  allocation: Allocation;
  /** Calls sent, in order, and how each ended. */
  sent: { connectorKey: string; direction: 'lower' | 'raise'; limitAmps: number; ok: boolean; error?: string }[];
  /** Raises held back because a lowering failed (they go out once the lowering is in force or its charger is excluded). */
  heldBack: number;
  /** Chargers whose profiles failed in this round. */
  failedChargers: string[];
}

/** A session's limit changed and its charger accepted it (the OCPI ActiveChargingProfile follows it). */
export type AppliedListener = (siteId: string, applied: { sessionId: string; limit: ConnectorLimit }[]) => void | Promise<void>;

interface InForce {
  /** The accepted absolute schedule, when the charger has one (planner sites). */
  schedule?: AmpSchedule | null;
  limitAmps: number;
  phases: PhaseCount;
  loadedPhases: Phase[];
  since: Date;
}

interface ChargerStateRow {
  charger_id: string;
  state: ChargerProfileState;
  consecutive_failures: number;
  last_error: string | null;
  last_failure_at: Date | null;
  excluded_at: Date | null;
}

/** Priority that puts an uncontrollable charger's reserve ahead of every session (see docs/load-management.md §13). */
const RESERVE_PRIORITY = 1e9;
/** Minimum meaningful gap between a car's draw and its limit before meter values trigger a reallocation. */
const GIVE_BACK_TRIGGER_AMPS = 2;

/**
 * Load management of the hub's own chargers: reallocates a site when something changes (transaction
 * start/stop, connector status, meter values showing a car drawing less than allotted, a time-window
 * boundary, an OCPI profile or preference, a periodic tick) and puts the result into force with
 * SetChargingProfile, lowered limits before raised ones (docs/load-management.md). One reallocation per
 * site runs at a time across every hub instance (a PostgreSQL advisory lock); on this instance,
 * triggers that come while one runs are merged into one follow-up run.
 */
const SITE_MAP_TTL_MS = 1000;

export class LoadManager {
  private now: () => Date;
  private readonly maxFailures: number;
  private readonly periodicMs: number;
  private readonly callTimeoutMs: number;
  private readonly runs = new Map<string, { running?: Promise<ReallocationReport | undefined>; queued?: Promise<ReallocationReport | undefined> }>();
  private readonly appliedListeners: AppliedListener[] = [];
  /** The limits this instance last put into force, per site and connector key (for the meter-value trigger). */
  private readonly lastLimits = new Map<string, Map<string, InForce>>();
  private closed = false;
  private sites?: { map: Promise<Map<string, string>>; expires: number };
  private planned?: { map: Promise<Map<string, PlannerSettingsBody>>; expires: number };
  private readonly planDebounceMs: number;
  private readonly planMeterIntervalMs: number;
  private readonly lastPlanAt = new Map<string, number>();
  /** The tariff version each planner site last planned with (a new one re-plans at the next tick). */
  private readonly priceVersion = new Map<string, string | null>();

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: ChargersService;
      transactions: TransactionsService;
      chargerCalls: ChargerCalls;
      /** The EVs' own needs (2.0.1/2.1 NotifyEVChargingNeeds); without it the allocation knows only OCPI preferences. */
      chargingNeeds?: ChargerChargingNeeds;
      /** Planner settings and EMS limits; without it every site allocates the instant. */
      planner?: SitePlanner;
      /** An own tariff (OCPI) and its time zone, for the planner's prices. */
      tariffOf?: (id: string) => Promise<{ tariff: unknown; version: string; timeZone?: string } | undefined>;
    },
    options: LoadManagerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxFailures = options.maxFailures ?? 3;
    this.periodicMs = options.periodicMs ?? 60_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.planDebounceMs = options.planDebounceMs ?? 500;
    this.planMeterIntervalMs = options.planMeterIntervalMs ?? 60_000;
  }

  /** The settings of the sites that plan, read at most once per second. */
  private plannedSites(): Promise<Map<string, PlannerSettingsBody>> {
    if (!this.deps.planner) return Promise.resolve(new Map());
    if (!this.planned || this.planned.expires <= Date.now()) {
      const loading = this.deps.planner.enabledSites();
      this.planned = { map: loading, expires: Date.now() + SITE_MAP_TTL_MS };
      loading.catch(() => (this.planned = undefined));
    }
    return this.planned.map;
  }

  /** Forgets the cached planner settings (after this instance changed them). */
  forgetPlannerSettings(): void {
    this.planned = undefined;
  }

  /** A booking changed at a location: the sites of its chargers re-plan (booked power is held). */
  async triggerForLocation(locationId: string, reason: string): Promise<void> {
    if (this.closed) return;
    const rows: { site_id: string }[] = await this.deps.db.query(
      `SELECT DISTINCT sc.site_id FROM site_chargers sc JOIN chargers c ON c.id = sc.charger_id WHERE c.location_id = $1`,
      [locationId],
    );
    for (const row of rows) void this.request(row.site_id, reason);
  }

  /** Planner sites whose tariff changed since their last plan (a new version of the own tariff: new prices). */
  private async repricedSites(): Promise<string[]> {
    const out: string[] = [];
    for (const [siteId, settings] of await this.plannedSites()) {
      if (!settings.tariff_id || !this.priceVersion.has(siteId)) continue;
      const found = await this.deps.tariffOf?.(settings.tariff_id).catch(() => undefined);
      if ((found?.version ?? null) !== this.priceVersion.get(siteId)) out.push(siteId);
    }
    return out;
  }

  /** Replaces the clock (simulations and tests move time to a window boundary). */
  setClock(now: () => Date): void {
    this.now = now;
  }

  /** The time allocations, windows and samples are taken at (the injected clock). */
  currentTime(): Date {
    return this.now();
  }

  onApplied(listener: AppliedListener): void {
    this.appliedListeners.push(listener);
  }

  /**
   * The site of a charger, from a map of every charger's site read at most once per second: it is
   * asked on every meter value and status, and sites change rarely (a site edited on another
   * instance is seen here within a second).
   */
  async siteOfCharger(chargerId: string): Promise<string | undefined> {
    if (!this.sites || this.sites.expires <= Date.now()) {
      const loading = this.deps.db
        .query(`SELECT charger_id, site_id FROM site_chargers`)
        .then((rows: { charger_id: string; site_id: string }[]) => new Map(rows.map((r) => [r.charger_id, r.site_id])));
      this.sites = { map: loading, expires: Date.now() + SITE_MAP_TTL_MS };
      loading.catch(() => (this.sites = undefined));
    }
    return (await this.sites.map).get(chargerId);
  }

  /** Forgets the charger → site map (after this instance changed a site). */
  forgetSites(): void {
    this.sites = undefined;
  }

  /** Something changed at a charger (a transaction started or stopped, a connector status): its site is reallocated soon. */
  async triggerForCharger(chargerId: string, reason: string): Promise<void> {
    if (this.closed) return;
    const siteId = await this.siteOfCharger(chargerId);
    if (siteId) await this.request(siteId, reason);
  }

  /** Meter values: a reallocation only when the car draws clearly less than its limit (give-back). */
  async meterValuesArrived(transaction: Transaction): Promise<void> {
    if (this.closed || transaction.lastPowerW === null) return;
    const siteId = await this.siteOfCharger(transaction.chargerId);
    if (!siteId) return;
    // A planner site re-plans with the energy delivered so far, at most once per interval.
    if ((await this.plannedSites()).has(siteId) && Date.now() - (this.lastPlanAt.get(siteId) ?? 0) >= this.planMeterIntervalMs) {
      this.lastPlanAt.set(siteId, Date.now());
      void this.request(siteId, 'meter-values');
      return;
    }
    const limits = this.lastLimits.get(siteId);
    const key = connectorKeyOf(transaction.chargerId, transaction.ocppConnector);
    const inForce = limits?.get(key) ?? [...(limits ?? [])].find(([k]) => k.startsWith(`${key}/`))?.[1];
    if (!inForce || inForce.limitAmps <= 0) return;
    const drawnAmps = transaction.lastPowerW / (inForce.phases * DEFAULT_NOMINAL_VOLTAGE);
    if (drawnAmps < inForce.limitAmps - GIVE_BACK_TRIGGER_AMPS) await this.request(siteId, 'meter-values');
  }

  /**
   * Reallocates a site soon: at once when nothing runs for it here, else once after the running
   * reallocation (however many triggers come meanwhile). Resolves with that run's report.
   */
  request(siteId: string, reason: string): Promise<ReallocationReport | undefined> {
    let entry = this.runs.get(siteId);
    if (!entry) {
      entry = {};
      this.runs.set(siteId, entry);
    }
    if (entry.queued) return entry.queued;
    const slot = entry;
    const previous = slot.running ?? Promise.resolve(undefined);
    const run: Promise<ReallocationReport | undefined> = previous
      .catch(() => undefined)
      .then(async () => {
        // A planner site: triggers arriving meanwhile join this run (it is still the queued one).
        if (this.planDebounceMs > 0 && (await this.plannedSites()).has(siteId)) await new Promise((r) => setTimeout(r, this.planDebounceMs));
      })
      .then(() => {
        if (slot.queued === run) slot.queued = undefined;
        slot.running = run;
        return this.closed ? undefined : this.reallocateExclusively(siteId, reason);
      })
      .finally(() => {
        if (slot.running === run) slot.running = undefined;
        if (!slot.running && !slot.queued && this.runs.get(siteId) === slot) this.runs.delete(siteId);
      });
    slot.queued = run;
    run.catch((error) => this.deps.log.error({ err: error, site: siteId, reason }, 'a site reallocation failed'));
    return run;
  }

  /** The scheduled tick: reallocates every site that is due (window boundary, profile change, periodic, chargers to retry). */
  async tick(): Promise<number> {
    const now = this.now().getTime();
    const sites: { id: string; allocated_at: Date | null; next_boundary_at: Date | null; retrying: boolean }[] = await this.deps.db.query(
      `SELECT s.id, s.allocated_at, s.next_boundary_at,
              EXISTS (SELECT 1 FROM site_charger_states c WHERE c.site_id = s.id AND c.state = 'retrying') AS retrying
         FROM sites s ORDER BY s.id`,
    );
    const due = sites.filter(
      (s) =>
        !s.allocated_at ||
        now - s.allocated_at.getTime() >= this.periodicMs ||
        now < s.allocated_at.getTime() || // the clock went back (a simulation): the last allocation is from the future
        (s.next_boundary_at && s.next_boundary_at.getTime() <= now) ||
        s.retrying,
    );
    const repriced = (await this.repricedSites()).filter((id) => !due.some((s) => s.id === id));
    await Promise.all([...due.map((s) => this.request(s.id, 'tick')), ...repriced.map((id) => this.request(id, 'price-changed'))]);
    return due.length + repriced.length;
  }

  /** Waits for every reallocation under way and accepts no more. */
  async stop(): Promise<void> {
    this.closed = true;
    const pending = [...this.runs.values()].flatMap((e) => [e.running, e.queued]).filter((p): p is Promise<ReallocationReport | undefined> => !!p);
    await Promise.allSettled(pending);
  }

  /** One reallocation under the site's advisory lock (so two instances never interleave their profiles). */
  private async reallocateExclusively(siteId: string, reason: string): Promise<ReallocationReport | undefined> {
    const connection = this.deps.db.createQueryRunner();
    await connection.connect();
    const lock = `ocpi-hub:site:${siteId}`;
    try {
      await connection.query(`SELECT pg_advisory_lock(hashtext($1))`, [lock]);
      try {
        return await this.reallocate(siteId, reason);
      } finally {
        await connection.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lock]);
      }
    } finally {
      await connection.release();
    }
  }

  private async reallocate(siteId: string, reason: string): Promise<ReallocationReport | undefined> {
    const { db } = this.deps;
    const [row]: { config: SiteBody }[] = await db.query(`SELECT config FROM sites WHERE id = $1`, [siteId]);
    if (!row) return undefined;
    const now = this.now();
    const body = row.config;
    const site = toCoreSite(siteId, body);
    const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
    const chargerBodies = chargersOf(body);
    const chargerIds = chargerBodies.map((c) => c.charger_id);
    const connectorSpecs = new Map(
      chargerBodies.flatMap((c) => c.connectors.map((k) => [connectorKeyOf(c.charger_id, k.ocpp_connector), { ...k, chargerId: c.charger_id }] as const)),
    );

    const [stateRows, inForceRows, transactions, protocols] = await Promise.all([
      db.query(`SELECT * FROM site_charger_states WHERE site_id = $1`, [siteId]) as Promise<ChargerStateRow[]>,
      db.query(`SELECT connector_key, limit_amps, phases, loaded_phases, since, schedule FROM site_connector_limits WHERE site_id = $1`, [siteId]) as Promise<
        { connector_key: string; limit_amps: number; phases: PhaseCount; loaded_phases: Phase[]; since: Date; schedule: AmpSchedule | null }[]
      >,
      this.deps.transactions.active().then((all) => all.filter((t) => chargerIds.includes(t.chargerId))),
      Promise.all(chargerIds.map(async (id) => [id, await this.deps.chargerCalls.protocolOf(id)] as const)),
    ]);
    const states = new Map(stateRows.map((s) => [s.charger_id, s]));
    const inForce = new Map<string, InForce>(
      inForceRows.map((r) => [r.connector_key, { limitAmps: r.limit_amps, phases: r.phases, loadedPhases: r.loaded_phases, since: r.since, schedule: r.schedule }]),
    );
    const protocolOf = new Map(protocols);
    const controllable = (chargerId: string) => !!protocolOf.get(chargerId) && states.get(chargerId)?.state !== 'excluded';

    // The OCPI side of each session: preferences (departure, energy) and a profile set by an SCSP/eMSP.
    const sessionIds = transactions.map((t) => t.sessionId);
    const [preferences, profiles, currents, evNeeds] = await Promise.all([
      db.query(`SELECT session_id, departure_time, energy_need_kwh FROM session_charging_preferences WHERE session_id = ANY($1)`, [sessionIds]) as Promise<
        { session_id: string; departure_time: Date | null; energy_need_kwh: number | null }[]
      >,
      db.query(`SELECT session_id, profile, set_at FROM session_charging_profiles WHERE session_id = ANY($1)`, [sessionIds]) as Promise<
        { session_id: string; profile: OcpiChargingProfile; set_at: Date }[]
      >,
      db.query(
        `SELECT DISTINCT ON (transaction_pk) transaction_pk::text AS pk, current_a, sampled_at FROM ocpp_meter_values
          WHERE transaction_pk = ANY($1::bigint[]) AND current_a IS NOT NULL ORDER BY transaction_pk, sampled_at DESC`,
        [transactions.map((t) => t.pk)],
      ) as Promise<{ pk: string; current_a: number; sampled_at: Date }[]>,
      this.deps.chargingNeeds?.needsOf(chargerIds) ?? Promise.resolve([]),
    ]);
    const evNeedsOf = new Map(evNeeds.map((n) => [`${n.chargerId}/${n.evseId}`, n]));
    const preferenceOf = new Map(preferences.map((p) => [p.session_id, p]));
    const profileOf = new Map(profiles.map((p) => [p.session_id, p]));
    const currentOf = new Map(currents.map((c) => [c.pk, c]));

    // Sessions: one per connector with a running transaction.
    const sessions: SessionDemand[] = [];
    const transactionOn = new Map<string, Transaction>();
    for (const t of transactions) {
      const key = this.keyOfTransaction(t, connectorSpecs);
      if (!key || transactionOn.has(key)) continue;
      transactionOn.set(key, t);
      const spec = connectorSpecs.get(key)!;
      if (!controllable(t.chargerId)) {
        // It cannot be told what to draw: the site assumes its connector's full rating.
        sessions.push({ connectorKey: key, sessionId: t.sessionId, minAmps: spec.max_amps, maxAmps: spec.max_amps, priority: RESERVE_PRIORITY });
        continue;
      }
      const force = inForce.get(key);
      const session: SessionDemand = { connectorKey: key, sessionId: t.sessionId };
      if (force) {
        session.currentLimitAmps = force.limitAmps;
        session.currentLimitSince = force.since;
        // A measurement counts only when it was taken under the limit now in force.
        const current = currentOf.get(t.pk);
        if (current && current.sampled_at >= force.since) session.measuredAmps = current.current_a;
        // Without a current reading, power read as one phase: the highest per-phase current it could be (never an underestimate).
        else if (t.lastPowerW !== null && t.lastSampleAt && t.lastSampleAt >= force.since) session.measuredAmps = t.lastPowerW / voltage;
      }
      const delivered = Math.max(0, (t.lastEnergyWh ?? t.meterStartWh) - t.meterStartWh);
      // The EV's own word (ISO 15118 via NotifyEVChargingNeeds): its maximum current bounds the session,
      // its energy and departure count when the driver's eMSP set no preference. Energy it asked for is
      // counted from the session's start (cars send their needs as charging begins).
      const needs = t.ocppConnector.includes('/') ? evNeedsOf.get(`${t.chargerId}/${t.ocppConnector.split('/')[0]}`) : undefined;
      if (needs) {
        const ev = evDemandOf(needs.needs, { phases: spec.phases, nominalVoltage: voltage }, delivered);
        if (ev.maxAmps !== undefined) session.maxAmps = ev.maxAmps;
        if (ev.minAmps !== undefined) session.minAmps = ev.minAmps;
        if (ev.departureTime && ev.energyNeededWh !== undefined) {
          session.departureTime = ev.departureTime;
          session.energyNeededWh = ev.energyNeededWh;
        }
      }
      const preference = preferenceOf.get(t.sessionId);
      if (preference?.departure_time && preference.energy_need_kwh !== null) {
        session.departureTime = preference.departure_time;
        session.energyNeededWh = Math.max(0, preference.energy_need_kwh * 1000 - delivered);
      }
      const profile = profileOf.get(t.sessionId);
      if (profile) {
        const amps = profileLimitAmps(profile.profile, profile.set_at, now, spec.phases, voltage);
        if (amps !== undefined) session.maxAmps = Math.min(amps, session.maxAmps ?? Infinity);
      }
      sessions.push(session);
    }

    // The capacity the site has: its own, an EMS limit still valid, less what accepted bookings hold.
    const nowMs = now.getTime();
    const [plannedSites, ceiling, held] = await Promise.all([this.plannedSites(), this.ceilingOf(siteId, now), this.heldPowerOf(siteId, now)]);
    const settings = plannedSites.get(siteId);
    let sitePlan: SitePlan | undefined;
    let allocation: Allocation;
    if (settings) {
      // Priority classes: a session's class by its token; its rank is also its priority in every slot's allocation.
      const classes = priorityClassesOf(settings);
      const cars = new Map<string, { phases: PhaseCount; maxAmps: number; minAmps: number; priorityClass?: string }>();
      for (const session of sessions) {
        if ((session.priority ?? 0) >= RESERVE_PRIORITY) continue;
        const spec = connectorSpecs.get(session.connectorKey)!;
        const priorityClass = classOfToken(settings, transactionOn.get(session.connectorKey)?.idToken ?? null);
        session.priority = classes.find((c) => c.id === priorityClass)?.rank ?? 0;
        cars.set(session.connectorKey, { phases: session.phases ?? spec.phases, maxAmps: spec.max_amps, minAmps: spec.min_amps ?? 6, priorityClass });
      }
      const prices = settings.tariff_id ? await this.pricesOf(siteId, settings.tariff_id, site.timeZone, now) : [];
      sitePlan = planSite({
        site,
        sessions,
        cars,
        now,
        ...(ceiling && { ceiling }),
        held,
        prices,
        ...(settings.default_price_per_kwh !== undefined && { defaultPricePerKWh: settings.default_price_per_kwh }),
        classes,
        reservePriority: RESERVE_PRIORITY,
      });
      allocation = sitePlan.first;
      this.lastPlanAt.set(siteId, Date.now());
    } else {
      const constrained = ceiling !== undefined || held.some((h) => h.from <= nowMs && h.until > nowMs);
      allocation = allocate(constrained ? availableSite(site, availableAmps(site, nowMs, nowMs + 1, ceiling, held)) : site, sessions, now);
    }

    // What to send: controllable connectors, plus each 2.0.1 station's maximum (the sum of its connectors' limits).
    const next: ConnectorLimit[] = [];
    const stationSum = new Map<string, number>();
    for (const limit of allocation.connectors) {
      const { chargerId } = splitConnectorKey(limit.connectorKey);
      if (!controllable(chargerId)) continue;
      next.push(limit);
      if (CHARGER_PROTOCOLS[protocolOf.get(chargerId)!].stationMaximum) stationSum.set(chargerId, (stationSum.get(chargerId) ?? 0) + limit.limitAmps);
    }
    for (const [chargerId, amps] of stationSum) {
      const limitAmps = Math.round(amps * 10) / 10;
      next.push({
        connectorKey: `${chargerId}${STATION_SUFFIX}`,
        limitAmps,
        limitWatts: Math.floor(3 * voltage * limitAmps),
        phases: 3,
        loadedPhases: limitAmps > 0 ? ['L1', 'L2', 'L3'] : [],
        paused: false,
        reason: 'fair-share',
      });
    }
    let changes: OutgoingChange[];
    if (sitePlan) {
      changes = this.scheduleChanges(sitePlan, next, inForce, transactionOn, protocolOf, nowMs);
    } else {
      const previous: ConnectorLimit[] = next.flatMap((limit) => {
        const force = inForce.get(limit.connectorKey);
        if (!force) return [];
        // Leaving the planner: a schedule counts at its highest from now on, so anything else is sent among the lowerings.
        const limitAmps = force.schedule ? scheduleMax(force.schedule, nowMs) : force.limitAmps;
        return [{ connectorKey: limit.connectorKey, limitAmps, limitWatts: 0, phases: force.phases, loadedPhases: limitAmps > 0 ? force.loadedPhases : [], paused: limitAmps === 0, reason: 'idle' }];
      });
      changes = orderProfileChanges(previous, next, { nominalVoltage: voltage });
    }

    // Lowered limits first, all of them accepted before any raise goes out.
    const report: ReallocationReport = { siteId, at: now.toISOString(), reason, allocation, sent: [], heldBack: 0, failedChargers: [] };
    const failures = new Map<string, string>();
    const accepted: OutgoingChange[] = [];
    const lowers = changes.filter((c) => c.direction === 'lower');
    const raises = changes.filter((c) => c.direction === 'raise');
    await this.send(lowers, protocolOf, transactionOn, now, report, failures, accepted);
    if (failures.size === 0) await this.send(raises, protocolOf, transactionOn, now, report, failures, accepted);
    else report.heldBack = raises.length;
    report.failedChargers = [...failures.keys()];

    const boundaries = [ceiling?.validUntil, sitePlan && sitePlan.start + sitePlan.slotMs, ...held.flatMap((h) => [h.from, h.until]).filter((t) => t > nowMs)];
    await this.record(siteId, site, allocation, accepted, now, report, body, boundaries, ceiling);
    await this.updateChargerStates(siteId, chargerIds, protocolOf, states, failures, changes);

    const newlyExcluded = [...failures.keys()].some((id) => (states.get(id)?.consecutive_failures ?? 0) + 1 >= this.maxFailures);
    if (newlyExcluded) void this.request(siteId, 'charger-excluded');

    const applied = accepted
      .filter((c) => !c.intermediate && c.limit.sessionId)
      .map((c) => ({ sessionId: c.limit.sessionId!, limit: c.limit }));
    if (applied.length) {
      for (const listener of this.appliedListeners) {
        Promise.resolve()
          .then(() => listener(siteId, applied))
          .catch((error) => this.deps.log.error({ err: error, site: siteId }, 'a load listener failed'));
      }
    }
    return report;
  }

  /** The site connector a transaction runs on (a 2.0.1 transaction may name only its EVSE). */
  private keyOfTransaction(t: Transaction, connectors: Map<string, unknown>): string | undefined {
    const key = connectorKeyOf(t.chargerId, t.ocppConnector);
    if (connectors.has(key)) return key;
    if (!t.ocppConnector.includes('/')) return [...connectors.keys()].find((k) => k.startsWith(`${key}/`));
    return undefined;
  }

  /** Sends changes, each charger's in order, chargers in parallel; a charger stops at its first failure. */
  private async send(
    changes: OutgoingChange[],
    protocolOf: Map<string, OcppProtocol | undefined>,
    transactionOn: Map<string, Transaction>,
    now: Date,
    report: ReallocationReport,
    failures: Map<string, string>,
    accepted: OutgoingChange[],
  ): Promise<void> {
    const byCharger = new Map<string, OutgoingChange[]>();
    for (const change of changes) {
      const chargerId = change.connectorKey.endsWith(STATION_SUFFIX) ? change.connectorKey.slice(0, -STATION_SUFFIX.length) : splitConnectorKey(change.connectorKey).chargerId;
      if (!byCharger.has(chargerId)) byCharger.set(chargerId, []);
      byCharger.get(chargerId)!.push(change);
    }
    await Promise.all(
      [...byCharger].map(async ([chargerId, list]) => {
        for (const change of list) {
          if (failures.has(chargerId)) return;
          const target = this.targetOf(change, chargerId, protocolOf.get(chargerId)!, transactionOn);
          const call = chargingProfileCall(target, now);
          if (!call) {
            accepted.push(change); // nothing to send: a 2.0.1 EVSE without a transaction (its station maximum covers it)
            continue;
          }
          const entry: ReallocationReport['sent'][number] = { connectorKey: change.connectorKey, direction: change.direction, limitAmps: change.limit.limitAmps, ok: false };
          report.sent.push(entry);
          try {
            const answer = await this.deps.chargerCalls.call(chargerId, call.action, call.params, this.callTimeoutMs);
            if (!profileAccepted(answer)) throw new ChargerRefused('Rejected', `${call.action} answered ${JSON.stringify(answer)}`);
            entry.ok = true;
            accepted.push(change);
          } catch (error) {
            entry.error = (error as Error).message;
            failures.set(chargerId, entry.error);
          }
        }
      }),
    );
  }

  private targetOf(change: OutgoingChange, chargerId: string, protocol: OcppProtocol, transactionOn: Map<string, Transaction>): ProfileTarget {
    // A one-step schedule is a constant: sent as the allocator's Relative profile.
    const schedule = change.schedule && change.schedule.length > 1 ? { schedule: change.schedule } : {};
    if (change.connectorKey.endsWith(STATION_SUFFIX)) return { kind: 'station-max', protocol, limitAmps: change.limit.limitAmps, ...schedule };
    const { ocppConnector } = splitConnectorKey(change.connectorKey);
    const transaction = transactionOn.get(change.connectorKey);
    return {
      kind: 'connector',
      protocol,
      ocppConnector,
      ...(transaction && transaction.chargerId === chargerId && { transactionId: transaction.transactionId }),
      limitAmps: change.limit.limitAmps,
      phases: change.limit.phases,
      ...schedule,
    };
  }

  /**
   * The planner's changes: each connector's planned schedule (a constant where its version cannot bind
   * one: an idle connector, a 1.6 transaction the hub cannot name), each 2.0.1 station's maximum as the
   * sum of its connectors per slot; ordered against what the chargers accepted, lowerings first.
   */
  private scheduleChanges(
    sitePlan: SitePlan,
    next: ConnectorLimit[],
    inForce: Map<string, InForce>,
    transactionOn: Map<string, Transaction>,
    protocolOf: Map<string, OcppProtocol | undefined>,
    nowMs: number,
  ): OutgoingChange[] {
    const scheduleOf = new Map<string, AmpSchedule>();
    const limitOf = new Map(next.map((l) => [l.connectorKey, l]));
    for (const limit of next) {
      if (limit.connectorKey.endsWith(STATION_SUFFIX)) continue;
      const { chargerId } = splitConnectorKey(limit.connectorKey);
      const planned = slotsToSchedule(sitePlan.start, sitePlan.slotMs, sitePlan.amps.get(limit.connectorKey) ?? []);
      const transaction = transactionOn.get(limit.connectorKey);
      const bindable = transaction && (protocolOf.get(chargerId) !== 'ocpp1.6' || /^\d{1,9}$/.test(transaction.transactionId));
      // A profile that cannot follow the plan holds the plan's lowest value, so it is never above it.
      scheduleOf.set(limit.connectorKey, bindable ? planned : constantSchedule(transaction ? scheduleMin(planned, nowMs) : limit.limitAmps));
    }
    const slots = sitePlan.amps.values().next().value?.length ?? 0;
    for (const limit of next) {
      if (!limit.connectorKey.endsWith(STATION_SUFFIX)) continue;
      const chargerId = limit.connectorKey.slice(0, -STATION_SUFFIX.length);
      const own = [...scheduleOf].filter(([key]) => splitConnectorKey(key).chargerId === chargerId).map(([, s]) => s);
      const sums = Array.from({ length: slots }, (_, i) => Math.round(own.reduce((sum, s) => sum + scheduleAt(s, Math.max(nowMs, sitePlan.start + i * sitePlan.slotMs)), 0) * 10) / 10);
      scheduleOf.set(limit.connectorKey, slotsToSchedule(sitePlan.start, sitePlan.slotMs, sums));
    }
    const previous = new Map<string, AmpSchedule>();
    for (const key of scheduleOf.keys()) {
      const force = inForce.get(key);
      if (force) previous.set(key, force.schedule ?? constantSchedule(force.limitAmps));
    }
    const ordered = orderScheduleChanges(previous, [...scheduleOf].map(([connectorKey, schedule]) => ({ connectorKey, schedule })), nowMs);
    // Among the raises a station's maximum goes first, so its EVSEs' raises are not capped by the old one.
    const rank = (c: { direction: string; connectorKey: string }) => (c.direction === 'lower' ? 0 : c.connectorKey.endsWith(STATION_SUFFIX) ? 1 : 2);
    return ordered
      .map((c, i) => ({ c, i }))
      .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
      .map(({ c }) => {
        const base = limitOf.get(c.connectorKey)!;
        const limitAmps = scheduleAt(c.schedule, nowMs);
        const force = inForce.get(c.connectorKey);
        return {
          connectorKey: c.connectorKey,
          direction: c.direction,
          ...(c.intermediate && { intermediate: true as const }),
          fromAmps: force ? scheduleAt(force.schedule ?? constantSchedule(force.limitAmps), nowMs) : null,
          limit: { ...base, limitAmps, limitWatts: Math.floor(base.phases * DEFAULT_NOMINAL_VOLTAGE * limitAmps), loadedPhases: limitAmps > 0 ? base.loadedPhases : [] },
          schedule: c.schedule,
        };
      });
  }

  /** The EMS limit of a site still valid now. */
  private async ceilingOf(siteId: string, now: Date): Promise<SiteCeiling | undefined> {
    const limit = await this.deps.planner?.limitOf(siteId, now);
    return limit && { limitW: limit.limitW, ...(limit.validUntil && { validUntil: limit.validUntil.getTime() }) };
  }

  /** Power held by accepted bookings (RESERVED: the car has not arrived) at the site's locations over the next 24 h. */
  private async heldPowerOf(siteId: string, now: Date): Promise<HeldPower[]> {
    const rows: { window_from: Date; window_until: Date; power_w: number }[] = await this.deps.db.query(
      `SELECT b.window_from, b.window_until, b.power_w FROM own_bookings b
        WHERE b.status = 'RESERVED' AND b.window_until > $2 AND b.window_from < $3
          AND b.location_id IN (SELECT c.location_id FROM chargers c JOIN site_chargers sc ON sc.charger_id = c.id WHERE sc.site_id = $1)`,
      [siteId, now, new Date(now.getTime() + 24 * 3_600_000)],
    );
    return rows.map((r) => ({ from: r.window_from.getTime(), until: r.window_until.getTime(), powerW: r.power_w }));
  }

  /** The planner's prices: the ENERGY price of an own tariff per slot over the horizon. */
  private async pricesOf(siteId: string, tariffId: string, siteTimeZone: string, now: Date) {
    const found = await this.deps.tariffOf?.(tariffId).catch(() => undefined);
    this.priceVersion.set(siteId, found?.version ?? null);
    if (!found) return [];
    const slotMs = 15 * 60_000;
    return tariffEnergyPrices(found.tariff, found.timeZone ?? siteTimeZone, Math.floor(now.getTime() / slotMs) * slotMs, slotMs, 96);
  }

  /** Stores the limits now in force, the allocation for the operator, the next boundary, and a load sample. */
  private async record(
    siteId: string,
    site: Site,
    allocation: Allocation,
    accepted: OutgoingChange[],
    now: Date,
    report: ReallocationReport,
    body: SiteBody,
    boundaries: (number | undefined)[],
    ceiling: SiteCeiling | undefined,
  ): Promise<void> {
    const { db } = this.deps;
    // The last accepted change of each connector is what is in force (an intermediate step is followed by its raise).
    const latest = new Map<string, ConnectorLimit>();
    const schedules = new Map<string, AmpSchedule | undefined>();
    for (const change of accepted) {
      latest.set(change.connectorKey, change.limit);
      schedules.set(change.connectorKey, change.schedule);
    }
    if (latest.size) {
      const limits = [...latest.values()];
      await db.query(
        `INSERT INTO site_connector_limits (site_id, connector_key, limit_amps, phases, loaded_phases, since, schedule)
         SELECT $1, k, a, p, string_to_array(l, ','), $6, s::jsonb FROM unnest($2::text[], $3::float8[], $4::int[], $5::text[], $7::text[]) AS t(k, a, p, l, s)
         ON CONFLICT (site_id, connector_key) DO UPDATE SET limit_amps = EXCLUDED.limit_amps, phases = EXCLUDED.phases,
           loaded_phases = EXCLUDED.loaded_phases, since = EXCLUDED.since, schedule = EXCLUDED.schedule`,
        [
          siteId,
          limits.map((l) => l.connectorKey),
          limits.map((l) => l.limitAmps),
          limits.map((l) => l.phases),
          limits.map((l) => l.loadedPhases.join(',')),
          now,
          limits.map((l) => {
            const schedule = schedules.get(l.connectorKey);
            return schedule ? JSON.stringify(schedule) : null;
          }),
        ],
      );
      await this.recordOffers(limits, allocation, now);
    }
    const cache = this.lastLimits.get(siteId) ?? new Map<string, InForce>();
    for (const limit of latest.values())
      cache.set(limit.connectorKey, { limitAmps: limit.limitAmps, phases: limit.phases, loadedPhases: limit.loadedPhases, since: now, schedule: schedules.get(limit.connectorKey) ?? null });
    this.lastLimits.set(siteId, cache);

    const voltage = site.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE;
    const root = nodeCapacities(site, now)[0];
    const rootAmps = [root.staticAmps, root.windowAmps].filter((a): a is number => a !== null);
    const ownW = rootAmps.length ? Math.min(...rootAmps) * 3 * voltage : null;
    const limitW = ceiling ? Math.min(ownW ?? Infinity, ceiling.limitW) : ownW;
    const allocatedW = allocation.connectors.reduce((sum, c) => sum + c.limitWatts, 0);
    await db.query(
      `INSERT INTO site_load_samples (site_id, at, allocated_w, limit_w) VALUES ($1, $2, $3, $4)
       ON CONFLICT (site_id, at) DO UPDATE SET allocated_w = EXCLUDED.allocated_w, limit_w = EXCLUDED.limit_w`,
      [siteId, now, allocatedW, limitW],
    );

    // The next instant the allocation changes by itself: a time window, or an OCPI profile's next period.
    const candidates = [nextBoundary(site, now)?.getTime(), ...boundaries];
    const profiles: { profile: OcpiChargingProfile; set_at: Date }[] = await db.query(
      `SELECT profile, set_at FROM session_charging_profiles WHERE session_id = ANY($1)`,
      [allocation.connectors.flatMap((c) => (c.sessionId ? [c.sessionId] : []))],
    );
    for (const p of profiles) candidates.push(profileNextChange(p.profile, p.set_at, now)?.getTime());
    const next = candidates.filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    const chargerOfKey = (key: string) => splitConnectorKey(key).chargerId;
    const inForceNow = new Set(latest.keys());
    const stored = {
      at: report.at,
      reason: report.reason,
      allocated_w: allocatedW,
      limit_w: limitW,
      held_back_raises: report.heldBack,
      connectors: allocation.connectors.map((c) => ({
        connector_key: c.connectorKey,
        charger_id: chargerOfKey(c.connectorKey),
        ocpp_connector: splitConnectorKey(c.connectorKey).ocppConnector,
        session_id: c.sessionId ?? null,
        limit_amps: c.limitAmps,
        limit_watts: c.limitWatts,
        phases: c.phases,
        paused: c.paused,
        reason: c.reason,
        constrained_by: c.constrainedBy ?? null,
        sent_now: inForceNow.has(c.connectorKey),
      })),
      nodes: allocation.nodes.map((n) => ({ node_id: n.nodeId, capacity_amps: n.capacityAmps, active_windows: n.activeWindowIds, used_amps: n.usedAmps })),
      warnings: allocation.warnings,
      chargers_in_site: chargersOf(body).length,
    };
    await db.query(`UPDATE sites SET last_allocation = $2, allocated_at = $3, next_boundary_at = $4 WHERE id = $1`, [
      siteId,
      JSON.stringify(stored),
      now,
      next === undefined ? null : new Date(next),
    ]);
  }

  /**
   * The power offered per connector over time, for the reliability measures (docs/reliability.md,
   * "Offered power"): one row per connector whose accepted limit differs from its last row, all in one
   * statement. A station's maximum is no connector's offer. `car_bound`: the limit is the give-back cap
   * near the car's own draw, what the car wanted rather than what the site could give.
   */
  private async recordOffers(limits: ConnectorLimit[], allocation: Allocation, now: Date): Promise<void> {
    const offers = limits.filter((l) => !l.connectorKey.endsWith(STATION_SUFFIX));
    if (offers.length === 0) return;
    const reasonOf = new Map(allocation.connectors.map((c) => [c.connectorKey, c.reason]));
    await this.deps.db.query(
      `INSERT INTO connector_power_offers (charger_id, ocpp_connector, watts, car_bound, from_at)
       SELECT t.c, t.n, t.w, t.b, $5 FROM unnest($1::text[], $2::text[], $3::float8[], $4::boolean[]) AS t(c, n, w, b)
        WHERE NOT EXISTS (SELECT 1 FROM (SELECT o.watts, o.car_bound FROM connector_power_offers o
                                          WHERE o.charger_id = t.c AND o.ocpp_connector = t.n ORDER BY o.from_at DESC, o.id DESC LIMIT 1) last
                           WHERE last.watts = t.w AND last.car_bound = t.b)`,
      [
        offers.map((l) => splitConnectorKey(l.connectorKey).chargerId),
        offers.map((l) => splitConnectorKey(l.connectorKey).ocppConnector),
        offers.map((l) => l.limitWatts),
        offers.map((l) => reasonOf.get(l.connectorKey) === 'give-back'),
        now,
      ],
    );
  }

  /** ok after a round without failures, retrying after a failure, excluded after `maxFailures` in a row, offline when not connected. */
  private async updateChargerStates(
    siteId: string,
    chargerIds: string[],
    protocolOf: Map<string, OcppProtocol | undefined>,
    states: Map<string, ChargerStateRow>,
    failures: Map<string, string>,
    changes: ProfileChange[],
  ): Promise<void> {
    const now = new Date();
    const attempted = new Set(changes.map((c) => (c.connectorKey.endsWith(STATION_SUFFIX) ? c.connectorKey.slice(0, -STATION_SUFFIX.length) : splitConnectorKey(c.connectorKey).chargerId)));
    for (const chargerId of chargerIds) {
      const current = states.get(chargerId);
      if (current?.state === 'excluded') continue; // until the operator includes it again
      const error = failures.get(chargerId);
      let next: Pick<ChargerStateRow, 'state' | 'consecutive_failures' | 'last_error'>;
      if (error !== undefined) {
        const count = (current?.consecutive_failures ?? 0) + 1;
        next = { state: count >= this.maxFailures ? 'excluded' : 'retrying', consecutive_failures: count, last_error: error };
      } else if (!protocolOf.get(chargerId)) {
        next = { state: 'offline', consecutive_failures: current?.consecutive_failures ?? 0, last_error: current?.last_error ?? null };
      } else if (attempted.has(chargerId) || current?.state === 'offline' || !current) {
        next = { state: 'ok', consecutive_failures: 0, last_error: current?.last_error ?? null };
      } else continue;
      if (current && current.state === next.state && current.consecutive_failures === next.consecutive_failures) continue;
      await this.deps.db.query(
        `INSERT INTO site_charger_states (site_id, charger_id, state, consecutive_failures, last_error, last_failure_at, excluded_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (site_id, charger_id) DO UPDATE SET state = EXCLUDED.state, consecutive_failures = EXCLUDED.consecutive_failures,
           last_error = EXCLUDED.last_error, last_failure_at = COALESCE(EXCLUDED.last_failure_at, site_charger_states.last_failure_at),
           excluded_at = EXCLUDED.excluded_at, updated_at = EXCLUDED.updated_at`,
        [siteId, chargerId, next.state, next.consecutive_failures, next.last_error, error !== undefined ? now : null, next.state === 'excluded' ? now : null, now],
      );
      if (next.state === 'excluded') this.deps.log.warn({ site: siteId, charger: chargerId, error }, 'a charger refused its charging profiles too often: excluded from load management');
    }
  }

  /** The operator takes an excluded charger back: its profiles are tried again at once. */
  async include(siteId: string, chargerId: string): Promise<void> {
    await this.deps.db.query(`DELETE FROM site_charger_states WHERE site_id = $1 AND charger_id = $2`, [siteId, chargerId]);
    void this.request(siteId, 'charger-included');
  }

  /**
   * Chargers leaving load management (removed from a site, or the site deleted): the hub's profiles are
   * cleared on them, best effort, so a TxDefaultProfile of 0 A does not outlive the site.
   */
  async release(chargerIds: string[]): Promise<void> {
    await Promise.all(
      chargerIds.map(async (chargerId) => {
        const protocol = await this.deps.chargerCalls.protocolOf(chargerId).catch(() => undefined);
        if (!protocol) return;
        for (const call of CHARGER_PROTOCOLS[protocol].clearLoadProfiles()) {
          await this.deps.chargerCalls
            .call(chargerId, call.action, call.params, this.callTimeoutMs)
            .catch((error) => this.deps.log.warn({ err: error, charger: chargerId }, 'could not clear the load-management profiles of a charger'));
        }
      }),
    );
  }
}
