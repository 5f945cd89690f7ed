import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import type { ChargersService } from '../chargers/chargers.service';
import type { ChargerProfileState, LoadManager } from './load-manager';
import { chargersOf, siteProblems, type SiteBody } from './site-config';

export interface SiteRecord {
  id: string;
  config: SiteBody;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChargerLoadState {
  chargerId: string;
  state: ChargerProfileState;
  consecutiveFailures: number;
  lastError: string | null;
  lastFailureAt: Date | null;
  excludedAt: Date | null;
}

export interface SiteState {
  siteId: string;
  allocatedAt: Date | null;
  nextBoundaryAt: Date | null;
  /** As stored by the last reallocation (connectors, nodes, warnings), null before the first. */
  allocation: Record<string, unknown> | null;
  chargers: ChargerLoadState[];
}

interface SiteRow {
  id: string;
  config: SiteBody;
  last_allocation: Record<string, unknown> | null;
  allocated_at: Date | null;
  next_boundary_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Sites of the own chargers (a grid connection and the chargers behind it): the operator's configuration. */
export class SitesService {
  constructor(private readonly deps: { db: DataSource; chargers: ChargersService; load: LoadManager }) {}

  /**
   * Creates or replaces a site. Every charger must be registered and in no other site; the tree must be
   * usable by the allocator (every problem named). Chargers that leave the site get their profiles
   * cleared; the site is reallocated at once.
   */
  async put(id: string, body: SiteBody): Promise<{ site: SiteRecord; created: boolean }> {
    const problems = siteProblems(id, body);
    if (problems.length) throw new HubError('invalid', problems.join('; '));
    const chargerIds = chargersOf(body).map((c) => c.charger_id);
    const known: { id: string }[] = await this.deps.db.query(`SELECT id FROM chargers WHERE id = ANY($1)`, [chargerIds]);
    const unknown = chargerIds.filter((c) => !known.some((k) => k.id === c));
    if (unknown.length) throw new HubError('invalid', `Not registered chargers: ${unknown.join(', ')} (register them with POST /admin/chargers first)`);
    const { created, left } = await this.deps.db.transaction(async (tx) => {
      const elsewhere: { charger_id: string; site_id: string }[] = await tx.query(
        `SELECT charger_id, site_id FROM site_chargers WHERE charger_id = ANY($1) AND site_id <> $2`,
        [chargerIds, id],
      );
      if (elsewhere.length) {
        throw new HubError('conflict', elsewhere.map((e) => `charger ${e.charger_id} is already in site ${e.site_id}`).join('; '));
      }
      const [{ inserted }]: { inserted: boolean }[] = await tx.query(
        `INSERT INTO sites (id, config) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [id, JSON.stringify(body)],
      );
      const leaving: { charger_id: string }[] = await tx.query(
        `DELETE FROM site_chargers WHERE site_id = $1 AND NOT (charger_id = ANY($2)) RETURNING charger_id`,
        [id, chargerIds],
      );
      await tx.query(`DELETE FROM site_charger_states WHERE site_id = $1 AND NOT (charger_id = ANY($2))`, [id, chargerIds]);
      await tx.query(`DELETE FROM site_connector_limits WHERE site_id = $1 AND NOT (split_part(split_part(connector_key, '/', 1), '#', 1) = ANY($2))`, [id, chargerIds]);
      await tx.query(
        `INSERT INTO site_chargers (charger_id, site_id) SELECT unnest($1::text[]), $2 ON CONFLICT (charger_id) DO NOTHING`,
        [chargerIds, id],
      );
      return { created: inserted, left: leaving.map((l) => l.charger_id) };
    }).catch((error) => {
      // Two operators putting one charger into two sites at once: the primary key of site_chargers decides.
      if ((error as { code?: string; driverError?: { code?: string } }).driverError?.code === '23505') {
        throw new HubError('conflict', 'A charger of this site was just put into another site');
      }
      throw error;
    });
    this.deps.load.forgetSites();
    if (left.length) await this.deps.load.release(left);
    void this.deps.load.request(id, created ? 'site-created' : 'site-changed');
    return { site: (await this.get(id))!, created };
  }

  async list(): Promise<SiteRecord[]> {
    const rows: SiteRow[] = await this.deps.db.query(`SELECT * FROM sites ORDER BY id`);
    return rows.map(toRecord);
  }

  async get(id: string): Promise<SiteRecord | undefined> {
    const rows: SiteRow[] = await this.deps.db.query(`SELECT * FROM sites WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async require(id: string): Promise<SiteRecord> {
    const site = await this.get(id);
    if (!site) throw new HubError('not_found', `No site with id ${id}`);
    return site;
  }

  /** Deletes a site; its chargers' profiles are cleared. Its load samples stay for the dashboard's history. */
  async remove(id: string): Promise<void> {
    const site = await this.require(id);
    await this.deps.db.query(`DELETE FROM sites WHERE id = $1`, [id]);
    this.deps.load.forgetSites();
    await this.deps.load.release(chargersOf(site.config).map((c) => c.charger_id));
  }

  /** What the operator sees of load management now: the last allocation and every charger's profile state. */
  async state(id: string): Promise<SiteState> {
    const rows: SiteRow[] = await this.deps.db.query(`SELECT * FROM sites WHERE id = $1`, [id]);
    if (!rows[0]) throw new HubError('not_found', `No site with id ${id}`);
    const states: { charger_id: string; state: ChargerProfileState; consecutive_failures: number; last_error: string | null; last_failure_at: Date | null; excluded_at: Date | null }[] =
      await this.deps.db.query(`SELECT * FROM site_charger_states WHERE site_id = $1`, [id]);
    const byCharger = new Map(states.map((s) => [s.charger_id, s]));
    return {
      siteId: id,
      allocatedAt: rows[0].allocated_at,
      nextBoundaryAt: rows[0].next_boundary_at,
      allocation: rows[0].last_allocation,
      chargers: chargersOf(rows[0].config).map((c) => {
        const s = byCharger.get(c.charger_id);
        return {
          chargerId: c.charger_id,
          state: s?.state ?? 'ok',
          consecutiveFailures: s?.consecutive_failures ?? 0,
          lastError: s?.last_error ?? null,
          lastFailureAt: s?.last_failure_at ?? null,
          excludedAt: s?.excluded_at ?? null,
        };
      }),
    };
  }

  /** Load samples of a site between two instants (allocated power against the limit), oldest first. */
  async samples(id: string, from: Date, to: Date, limit: number): Promise<{ at: Date; allocatedW: number; limitW: number | null }[]> {
    await this.require(id);
    const rows: { at: Date; allocated_w: number; limit_w: number | null }[] = await this.deps.db.query(
      `SELECT at, allocated_w, limit_w FROM site_load_samples WHERE site_id = $1 AND at >= $2 AND at < $3 ORDER BY at LIMIT $4`,
      [id, from, to, limit],
    );
    return rows.map((r) => ({ at: r.at, allocatedW: r.allocated_w, limitW: r.limit_w }));
  }

  /** Takes an excluded charger back into load management. */
  async include(id: string, chargerId: string): Promise<void> {
    const site = await this.require(id);
    if (!chargersOf(site.config).some((c) => c.charger_id === chargerId)) throw new HubError('not_found', `Charger ${chargerId} is not in site ${id}`);
    await this.deps.load.include(id, chargerId);
  }
}

function toRecord(row: SiteRow): SiteRecord {
  return { id: row.id, config: row.config, createdAt: row.created_at, updatedAt: row.updated_at };
}
