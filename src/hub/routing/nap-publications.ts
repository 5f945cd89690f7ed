import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import type { PartyAddress } from '../ocpi/party-address';

export interface NapPublication {
  cpo: PartyAddress;
  /** The hub's own CPO (its chargers), or a partner CPO. */
  own: boolean;
  publish: boolean;
  changedAt: Date | null;
}

/**
 * Which CPOs publish to the National Access Point (AFIR Art. 20): an opt-in per CPO role, the own
 * CPO's or a partner's. A NAP party reads only these CPOs' published locations and their tariffs
 * (RoamingAgreements.counterparts of a NAP role), and the DATEX II publications hold only them.
 */
export class NapPublications {
  constructor(
    private readonly db: DataSource,
    /** Told after every change, so cached counterparts (agreements) are read again. */
    private readonly changed: () => void = () => undefined,
  ) {}

  private async cpoRole(cpo: PartyAddress): Promise<{ id: string; own: boolean }> {
    const rows: { id: string; own: boolean }[] = await this.db.query(
      `SELECT r.id, p.own FROM party_roles r JOIN parties p ON p.id = r.party_uuid WHERE r.country_code = $1 AND r.party_id = $2 AND r.role = 'CPO'`,
      [cpo.countryCode, cpo.partyId],
    );
    if (!rows[0]) throw new HubError('not_found', `No CPO role ${cpo.countryCode}/${cpo.partyId} is registered`);
    return rows[0];
  }

  async set(cpo: PartyAddress, publish: boolean): Promise<NapPublication> {
    const role = await this.cpoRole(cpo);
    await this.db.query(
      `INSERT INTO nap_publications (cpo_role_id, publish) VALUES ($1, $2)
       ON CONFLICT (cpo_role_id) DO UPDATE SET publish = EXCLUDED.publish, changed_at = now()`,
      [role.id, publish],
    );
    this.changed();
    return this.get(cpo);
  }

  /** A CPO's decision; a CPO that never decided does not publish. */
  async get(cpo: PartyAddress): Promise<NapPublication> {
    const role = await this.cpoRole(cpo);
    const rows: { publish: boolean; changed_at: Date }[] = await this.db.query(`SELECT publish, changed_at FROM nap_publications WHERE cpo_role_id = $1`, [role.id]);
    return { cpo: { countryCode: cpo.countryCode, partyId: cpo.partyId }, own: role.own, publish: rows[0]?.publish ?? false, changedAt: rows[0]?.changed_at ?? null };
  }

  /** Every CPO role with its decision (never decided: not publishing), own CPO first. */
  async list(): Promise<NapPublication[]> {
    const rows: { country_code: string; party_id: string; own: boolean; publish: boolean | null; changed_at: Date | null }[] = await this.db.query(`
      SELECT r.country_code, r.party_id, p.own, n.publish, n.changed_at
        FROM party_roles r JOIN parties p ON p.id = r.party_uuid LEFT JOIN nap_publications n ON n.cpo_role_id = r.id
       WHERE r.role = 'CPO' ORDER BY p.own DESC, r.country_code, r.party_id`);
    return rows.map((r) => ({ cpo: { countryCode: r.country_code, partyId: r.party_id }, own: r.own, publish: r.publish ?? false, changedAt: r.changed_at }));
  }

  /** The CPOs that publish now and may be read (registered or own, not suspended). */
  async publishing(): Promise<PartyAddress[]> {
    const rows: { country_code: string; party_id: string }[] = await this.db.query(`
      SELECT r.country_code, r.party_id FROM nap_publications n
        JOIN party_roles r ON r.id = n.cpo_role_id JOIN parties p ON p.id = r.party_uuid
       WHERE n.publish AND (p.registered_at IS NOT NULL OR p.own) AND p.suspended_at IS NULL
       ORDER BY r.country_code, r.party_id`);
    return rows.map((r) => ({ countryCode: r.country_code, partyId: r.party_id }));
  }
}
