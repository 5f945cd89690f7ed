import type { DataSource } from 'typeorm';
import type { PartyAddress } from '../ocpi/party-address';
import type { StoredLocationChange } from '../modules/locations/locations.service';
import type { Location } from '../modules/locations/locations.schema';

type StoredEvse = NonNullable<Location['evses']>[number];

/** Rated power of an EVSE, kW: its strongest connector (max_electric_power, else voltage × amperage × phases). */
export function evseMaxPowerKw(evse: StoredEvse): number {
  let best = 0;
  for (const c of evse.connectors ?? []) {
    const phases = c.power_type === 'AC_3_PHASE' ? 3 : 1;
    const watts = c.max_electric_power ?? c.max_voltage * c.max_amperage * phases;
    best = Math.max(best, watts / 1000);
  }
  return best;
}

/**
 * The EVSE status history (table evse_status_history): every status change of every EVSE the hub
 * stores, own and partner alike, with the time the CPO gave it (the EVSE's last_updated) and the time
 * the hub received it. It hears the locations module after each stored change (services.ts), so it
 * sees the own CPO's EVSE statuses (published by own-cpo/charging/evse-status.ts as PATCHes) and every
 * partner's PUT and PATCH of a location, an EVSE or a connector the same way. A change that leaves an
 * EVSE's status as it was (a connector PATCH, a repeated status) adds nothing.
 *
 * It also keeps the hub's presence (hub_presence: one row per run, last seen every minute), so the
 * reliability measures can tell time the hub saw nothing from time an EVSE was down.
 */
export class EvseStatusHistory {
  private presence: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { db: DataSource; ownCpo: PartyAddress; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Appends the EVSEs whose status differs from before the change. */
  async recordChange(change: StoredLocationChange): Promise<number> {
    const before = new Map((change.before?.evses ?? []).map((e) => [e.uid, e.status]));
    const changed = (change.after.evses ?? []).filter((e) => before.get(e.uid) !== e.status);
    if (changed.length === 0) return 0;
    const own = change.owner.countryCode === this.deps.ownCpo.countryCode && change.owner.partyId === this.deps.ownCpo.partyId;
    const receivedAt = this.now();
    const params = [
      change.owner.countryCode,
      change.owner.partyId,
      change.locationId,
      own,
      receivedAt,
      changed.map((e) => e.uid),
      changed.map((e) => e.status),
      changed.map((e) => (typeof e.last_updated === 'string' ? e.last_updated : receivedAt.toISOString())),
      changed.map((e) => evseMaxPowerKw(e)),
    ];
    await this.deps.db.query(
      `WITH e AS (SELECT * FROM unnest($6::text[], $7::text[], $8::timestamptz[], $9::float8[]) AS e(uid, status, status_at, kw)),
            history AS (
              INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
              SELECT $1, $2, $3, e.uid, $4, e.status, e.status_at, $5, e.kw FROM e)
       INSERT INTO evse_status_current (country_code, party_id, location_id, evse_uid, own, status, received_at, max_power_kw)
       SELECT $1, $2, $3, e.uid, $4, e.status, $5, e.kw FROM e
       ON CONFLICT (country_code, party_id, location_id, evse_uid) DO UPDATE
         SET own = EXCLUDED.own, status = EXCLUDED.status, received_at = EXCLUDED.received_at, max_power_kw = EXCLUDED.max_power_kw
         WHERE evse_status_current.received_at <= EXCLUDED.received_at`,
      params,
    );
    return changed.length;
  }

  /**
   * Rebuilds evse_status_current from the history (after rows were imported or written by SQL, e.g. a
   * migrated history from another system, or a benchmark): one scan of the history.
   */
  async rebuildCurrent(): Promise<void> {
    await this.deps.db.query(`
      INSERT INTO evse_status_current (country_code, party_id, location_id, evse_uid, own, status, received_at, max_power_kw)
      SELECT DISTINCT ON (country_code, party_id, location_id, evse_uid) country_code, party_id, location_id, evse_uid, own, status, received_at, max_power_kw
        FROM evse_status_history ORDER BY country_code, party_id, location_id, evse_uid, received_at DESC, id DESC
      ON CONFLICT (country_code, party_id, location_id, evse_uid) DO UPDATE
        SET own = EXCLUDED.own, status = EXCLUDED.status, received_at = EXCLUDED.received_at, max_power_kw = EXCLUDED.max_power_kw`);
  }

  /** This run is alive (the scheduler calls it every minute, and at start). */
  async markPresence(instance: string, startedAt: Date): Promise<void> {
    await this.deps.db.query(
      `INSERT INTO hub_presence (instance, started_at, last_seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (instance, started_at) DO UPDATE SET last_seen_at = GREATEST(hub_presence.last_seen_at, EXCLUDED.last_seen_at)`,
      [instance, startedAt, this.now()],
    );
  }

  /** Marks this run alive now and every minute until stopPresence (every instance, not one by lock: each run is its own). */
  async startPresence(instance: string, onError: (error: unknown) => void): Promise<void> {
    const startedAt = this.now();
    await this.markPresence(instance, startedAt);
    this.presence = setInterval(() => void this.markPresence(instance, startedAt).catch(onError), 60_000);
    this.presence.unref();
  }

  stopPresence(): void {
    clearInterval(this.presence);
    this.presence = undefined;
  }
}
