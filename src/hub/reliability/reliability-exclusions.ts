import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import type { ExclusionCause } from '../../core/reliability/reliability-core';
import { forgetStoredDays } from './reliability-days-store';

export interface ReliabilityExclusion {
  id: string;
  cpo: string;
  location_id: string;
  /** Null: the whole location. */
  evse_uid: string | null;
  cause: ExclusionCause;
  from: string;
  to: string;
  note: string | null;
  created_at: string;
}

interface Row {
  id: string;
  country_code: string;
  party_id: string;
  location_id: string;
  evse_uid: string | null;
  cause: ExclusionCause;
  from_at: Date;
  to_at: Date;
  note: string | null;
  created_at: Date;
}

const view = (r: Row): ReliabilityExclusion => ({
  id: r.id,
  cpo: `${r.country_code}/${r.party_id}`,
  location_id: r.location_id,
  evse_uid: r.evse_uid,
  cause: r.cause,
  from: r.from_at.toISOString(),
  to: r.to_at.toISOString(),
  note: r.note,
  created_at: r.created_at.toISOString(),
});

/**
 * Periods the operator excludes from uptime with their cause (reliability_exclusions): the NEVI-style
 * rule leaves outages inside them out, the UK rule only `outside_hours` (docs/reliability.md). Read by
 * ReliabilityFacts for every report.
 */
export class ReliabilityExclusions {
  constructor(private readonly db: DataSource) {}

  async add(input: { cpo: string; location_id: string; evse_uid?: string; cause: ExclusionCause; from: Date; to: Date; note?: string }): Promise<ReliabilityExclusion> {
    if (input.to.getTime() <= input.from.getTime()) throw new HubError('invalid', 'to must be after from');
    const [cc, pid] = input.cpo.split('/');
    const [row]: Row[] = await this.db.query(
      `INSERT INTO reliability_exclusions (country_code, party_id, location_id, evse_uid, cause, from_at, to_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING id::text, country_code, party_id, location_id, evse_uid, cause, from_at, to_at, note, created_at`,
      [cc, pid, input.location_id, input.evse_uid ?? null, input.cause, input.from, input.to, input.note ?? null],
    );
    await this.forgetDays(row);
    return view(row);
  }

  async list(cpo?: string): Promise<ReliabilityExclusion[]> {
    const [cc, pid] = cpo ? cpo.split('/') : [null, null];
    const rows: Row[] = await this.db.query(
      `SELECT id::text, country_code, party_id, location_id, evse_uid, cause, from_at, to_at, note, created_at FROM reliability_exclusions
        WHERE ($1::text IS NULL OR (country_code = $1 AND party_id = $2)) ORDER BY from_at DESC, id DESC`,
      [cc, pid],
    );
    return rows.map(view);
  }

  async remove(id: string): Promise<void> {
    const [rows, deleted]: [Row[], number] = await this.db.query(`DELETE FROM reliability_exclusions WHERE id = $1 RETURNING country_code, party_id, location_id, evse_uid, from_at`, [id]);
    if (!deleted) throw new HubError('not_found', `No exclusion ${id}`);
    await this.forgetDays(rows[0]);
  }

  /**
   * The stored day totals (reliability_evse_days) an exclusion changes: its EVSEs' days from its first
   * on (a day's totals carry into the next), and the month totals of those days. Reports read those EVSEs
   * from the facts until the reliability-days job has computed them again.
   */
  private forgetDays(r: Pick<Row, 'country_code' | 'party_id' | 'location_id' | 'evse_uid' | 'from_at'>): Promise<void> {
    return forgetStoredDays(this.db, { countryCode: r.country_code, partyId: r.party_id, locationId: r.location_id, evseUid: r.evse_uid }, r.from_at);
  }
}
