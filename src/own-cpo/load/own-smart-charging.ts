import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Transaction, TransactionsService } from '../charging/transactions.service';
import type { ConnectorLimit } from '../../core/allocation/allocation-core';
import type { ChargingProfilesService, ProfileRequestDetails } from '../../hub/modules/chargingprofiles/chargingprofiles.service';
import type { ChargingProfileResponse, ProfileOperation } from '../../hub/modules/chargingprofiles/chargingprofiles.schema';
import type { ChargingPreferences, Session } from '../../hub/modules/sessions/sessions.schema';
import type { SessionsService } from '../../hub/modules/sessions/sessions.service';
import type { LoadManager } from './load-manager';
import type { SitePlanner } from './site-planner';
import { connectorKeyOf } from './site-config';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** Seconds the hub gives itself to post a profile result (a reallocation with its profile round trips). */
const RESULT_TIMEOUT_SECONDS = 30;

/** ChargingPreferencesResponse (mod_sessions.asciidoc). */
export type ChargingPreferencesResponse = 'ACCEPTED' | 'DEPARTURE_REQUIRED' | 'ENERGY_NEED_REQUIRED' | 'NOT_POSSIBLE' | 'PROFILE_TYPE_NOT_SUPPORTED';

/**
 * Decides an eMSP's ChargingPreferences for a running session at an own charger in a site (pure). The
 * allocator uses departure and energy together, so one without the other is sent back for the missing
 * half. CHEAP is what a planner site does for every car (the cheapest slots before its departure, by
 * the own tariff's time-of-use prices); a site without the planner has no price signal. GREEN needs an
 * energy-mix signal the hub does not have.
 */
export function preferencesResponse(preferences: ChargingPreferences, site: 'none' | 'allocator' | 'planner', now: Date): ChargingPreferencesResponse {
  if (site === 'none') return 'NOT_POSSIBLE';
  if (preferences.profile_type === 'GREEN' || (preferences.profile_type === 'CHEAP' && site !== 'planner')) return 'PROFILE_TYPE_NOT_SUPPORTED';
  const hasEnergy = preferences.energy_need !== undefined;
  const hasDeparture = preferences.departure_time !== undefined;
  if (hasEnergy && !hasDeparture) return 'DEPARTURE_REQUIRED';
  if (hasDeparture && !hasEnergy) return 'ENERGY_NEED_REQUIRED';
  if (hasDeparture && Date.parse(preferences.departure_time!) <= now.getTime()) return 'NOT_POSSIBLE';
  return 'ACCEPTED';
}

/** The OCPI ActiveChargingProfile of a connector limit in force: one period, in amps. */
export function activeChargingProfile(limitAmps: number, now: Date, duration?: number) {
  return {
    start_date_time: now.toISOString(),
    charging_profile: {
      charging_rate_unit: 'A' as const,
      ...(duration !== undefined && { duration }),
      charging_profile_period: [{ start_period: 0, limit: Math.round(limitAmps * 10) / 10 }],
    },
  };
}

/**
 * The OCPI side of smart charging for sessions of the own CPO, answered in-process: ChargingPreferences
 * (departure time, energy need) and ChargingProfiles set by an SCSP or eMSP, both fed to the site's
 * allocation; profile results and ActiveChargingProfile updates go back the way a partner CPO's would
 * (the charging-profiles module's result relay and outbox).
 */
export class OwnSmartCharging {
  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      ownCpo: RoleAddress;
      transactions: TransactionsService;
      load: LoadManager;
      /** Whether a site plans ahead (CHEAP preferences are taken only there). */
      planner: Pick<SitePlanner, 'settings'>;
      sessions: SessionsService;
      chargingprofiles: ChargingProfilesService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The running transaction of an OCPI session id (CiString: compared ignoring case) and its site. */
  private async running(sessionId: string): Promise<{ transaction: Transaction; siteId?: string } | undefined> {
    const transaction = (await this.deps.transactions.findBySession(sessionId)) ?? (await this.deps.transactions.findBySession(sessionId.toLowerCase()));
    if (!transaction || transaction.status !== 'ACTIVE') return undefined;
    return { transaction, siteId: await this.deps.load.siteOfCharger(transaction.chargerId) };
  }

  async setPreferences(session: Session, preferences: ChargingPreferences): Promise<ChargingPreferencesResponse> {
    const found = await this.running(session.id);
    if (!found) return 'NOT_POSSIBLE';
    const site = !found.siteId ? 'none' : (await this.deps.planner.settings(found.siteId)).enabled ? 'planner' : 'allocator';
    const answer = preferencesResponse(preferences, site, this.now());
    if (answer !== 'ACCEPTED') return answer;
    await this.deps.db.query(
      `INSERT INTO session_charging_preferences (session_id, profile_type, departure_time, energy_need_kwh, discharge_allowed, set_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (session_id) DO UPDATE SET profile_type = EXCLUDED.profile_type, departure_time = EXCLUDED.departure_time,
         energy_need_kwh = EXCLUDED.energy_need_kwh, discharge_allowed = EXCLUDED.discharge_allowed, set_at = EXCLUDED.set_at`,
      [found.transaction.sessionId, preferences.profile_type, preferences.departure_time ?? null, preferences.energy_need ?? null, preferences.discharge_allowed ?? null],
    );
    void this.deps.load.request(found.siteId!, 'charging-preferences');
    return 'ACCEPTED';
  }

  /** The synchronous answer to an SCSP's or eMSP's request; the work and its result follow. */
  /** A ChargingProfiles request for an own session (the charging-profiles module serves it in-process). */
  async handleProfile(operation: ProfileOperation, sessionId: string, details: ProfileRequestDetails, requestId: string): Promise<ChargingProfileResponse> {
    const found = await this.running(sessionId);
    if (!found) return { result: 'UNKNOWN_SESSION', timeout: 0 };
    if (!found.siteId) return { result: 'NOT_SUPPORTED', timeout: 0 };
    const { transaction, siteId } = found;
    // The result is posted once the relay has recorded this ACCEPTED answer (it is pending from the start).
    setImmediate(() => {
      this.complete(operation, transaction, siteId, details)
        .then((result) => this.deps.chargingprofiles.postInProcessResult(requestId, result))
        .catch((error) => this.deps.log.error({ err: error, session: sessionId, operation }, 'could not answer a charging-profile request of an own session'));
    });
    return { result: 'ACCEPTED', timeout: RESULT_TIMEOUT_SECONDS };
  }

  private async complete(operation: ProfileOperation, transaction: Transaction, siteId: string, details: ProfileRequestDetails): Promise<Record<string, unknown>> {
    const { db, load } = this.deps;
    if (operation === 'ACTIVE') {
      const limit = await this.limitInForce(siteId, transaction);
      if (limit === undefined) return { result: 'UNKNOWN' };
      return { result: 'ACCEPTED', profile: activeChargingProfile(limit, this.now(), details.duration) };
    }
    if (operation === 'SET') {
      await db.query(
        `INSERT INTO session_charging_profiles (session_id, profile, set_at) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO UPDATE SET profile = EXCLUDED.profile, set_at = EXCLUDED.set_at`,
        [transaction.sessionId, JSON.stringify(details.chargingProfile), this.now()],
      );
    } else {
      await db.query(`DELETE FROM session_charging_profiles WHERE session_id = $1`, [transaction.sessionId]);
    }
    const report = await load.request(siteId, operation === 'SET' ? 'ocpi-profile-set' : 'ocpi-profile-cleared');
    // The charger of the session refused its new limit: the profile is not in force.
    return { result: report?.failedChargers.includes(transaction.chargerId) ? 'REJECTED' : 'ACCEPTED' };
  }

  /** The limit the session's charger accepted last, amps per phase. */
  private async limitInForce(siteId: string, transaction: Transaction): Promise<number | undefined> {
    const key = connectorKeyOf(transaction.chargerId, transaction.ocppConnector);
    const rows: { limit_amps: number }[] = await this.deps.db.query(
      `SELECT limit_amps FROM site_connector_limits WHERE site_id = $1 AND (connector_key = $2 OR connector_key LIKE $3) ORDER BY connector_key LIMIT 1`,
      [siteId, key, `${key.replace(/[\\%_]/g, '\\$&')}/%`],
    );
    return rows[0]?.limit_amps;
  }

  /** Sessions with an OCPI profile whose limit changed: the party that set it gets the ActiveChargingProfile. */
  async pushActiveProfiles(applied: { sessionId: string; limit: ConnectorLimit }[]): Promise<void> {
    const withProfile: { session_id: string }[] = await this.deps.db.query(`SELECT session_id FROM session_charging_profiles WHERE session_id = ANY($1)`, [
      applied.map((a) => a.sessionId),
    ]);
    const now = this.now();
    for (const { sessionId, limit } of applied) {
      if (!withProfile.some((p) => p.session_id === sessionId)) continue;
      await this.deps.chargingprofiles
        .pushActive([this.deps.ownCpo], undefined, sessionId, activeChargingProfile(limit.limitAmps, now))
        .catch((error) => this.deps.log.info({ err: error, session: sessionId }, 'an ActiveChargingProfile could not be queued for the party that set the profile'));
    }
  }
}
