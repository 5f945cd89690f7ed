import type { DataSource } from 'typeorm';
import type { Role } from '../../db/entities';
import { HubError } from '../../foundation/hub-errors';
import { PARTY_CACHE_TTL_MS } from './parties';
import type { PartyAddress } from '../ocpi/party-address';

/** A role of a connected party, as routing sees it. */
export interface RoutedRole extends PartyAddress {
  roleId: string;
  role: Role;
  partyUuid: string;
  /** The name in the role's credentials business details, else the name the operator gave the party. */
  name: string;
}

interface RoutedRoleRow {
  role_id: string;
  role: Role;
  country_code: string;
  party_id: string;
  party_uuid: string;
  name: string;
}

const routedRoleOf = (r: RoutedRoleRow): RoutedRole => ({ roleId: r.role_id, role: r.role, countryCode: r.country_code, partyId: r.party_id, partyUuid: r.party_uuid, name: r.name });

export interface Agreement {
  id: string;
  cpo: PartyAddress;
  emsp: PartyAddress;
  createdAt: Date;
}

/** Roles on the eMSP side of an agreement (the spec treats OTHER and NSP as eMSP-like receivers). */
export const EMSP_SIDE: Role[] = ['EMSP', 'NSP', 'OTHER', 'SCSP'];

/**
 * Roles that may read locations and tariffs through the hub: the eMSP side by agreement, and a
 * National Access Point (role NAP, AFIR Art. 20), which reads only, and only the CPOs that opted in to
 * NAP publication (nap-publications.ts). A NAP holds no agreement and is refused by every other route.
 */
export const LOCATION_READERS: Role[] = [...EMSP_SIDE, 'NAP'];

/** A party that is only a National Access Point: it reads locations and tariffs and is told nothing else (no hubclientinfo). */
export function onlyNap(party: { roles?: { role: Role }[] }): boolean {
  const roles = party.roles ?? [];
  return roles.length > 0 && roles.every((r) => r.role === 'NAP');
}

/**
 * Roaming agreements: which CPO and eMSP(-side) roles may exchange data and tokens through the hub.
 * Without an agreement nothing flows between two parties.
 */
export class RoamingAgreements {
  // counterparts() runs on every routed request: cached like parties (hub/parties.ts), cleared on any change.
  private readonly cache = new Map<string, { value: Promise<RoutedRole[]>; expires: number }>();

  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly db: DataSource) {}

  /** Told after an agreement was added or removed (not awaited; the own CPO's local lists follow). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.changeListeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own; the agreement is changed
      }
    }
  }

  /** Drops cached counterparts (after an agreement or a party changed). */
  forget(): void {
    this.cache.clear();
  }

  private async roleId(address: PartyAddress, roles: Role[], what: string): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM party_roles WHERE country_code = $1 AND party_id = $2 AND role = ANY($3) ORDER BY role LIMIT 1`,
      [address.countryCode, address.partyId, roles],
    );
    if (!rows[0]) throw new HubError('not_found', `No ${what} role ${address.countryCode}/${address.partyId} is registered`);
    return rows[0].id;
  }

  async add(cpo: PartyAddress, emsp: PartyAddress): Promise<Agreement> {
    this.forget();
    const cpoRoleId = await this.roleId(cpo, ['CPO'], 'CPO');
    const emspRoleId = await this.roleId(emsp, EMSP_SIDE, 'eMSP');
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO roaming_agreements (cpo_role_id, emsp_role_id) VALUES ($1, $2)
       ON CONFLICT (cpo_role_id, emsp_role_id) DO UPDATE SET cpo_role_id = EXCLUDED.cpo_role_id RETURNING id`,
      [cpoRoleId, emspRoleId],
    );
    this.forget();
    this.changed();
    return (await this.list()).find((a) => a.id === rows[0].id)!;
  }

  async list(): Promise<Agreement[]> {
    const rows: { id: string; cc1: string; p1: string; cc2: string; p2: string; created_at: Date }[] = await this.db.query(`
      SELECT a.id, c.country_code AS cc1, c.party_id AS p1, e.country_code AS cc2, e.party_id AS p2, a.created_at
        FROM roaming_agreements a JOIN party_roles c ON c.id = a.cpo_role_id JOIN party_roles e ON e.id = a.emsp_role_id
       ORDER BY a.created_at, a.id`);
    return rows.map((r) => ({
      id: r.id,
      cpo: { countryCode: r.cc1, partyId: r.p1 },
      emsp: { countryCode: r.cc2, partyId: r.p2 },
      createdAt: r.created_at,
    }));
  }

  async remove(id: string): Promise<void> {
    this.forget();
    const [, affected] = await this.db.query(`DELETE FROM roaming_agreements WHERE id = $1`, [id]);
    if (!affected) throw new HubError('not_found', `No agreement with id ${id}`);
    this.forget();
    this.changed();
  }

  /**
   * The counterpart roles `of` may exchange data with: for a CPO its eMSP-side partners, for an
   * eMSP-side role its CPOs. Only roles of registered, unsuspended parties are returned; the hub's own
   * CPO never registers (the hub speaks for it in-process) and counts as registered.
   */
  counterparts(of: PartyAddress & { role: Role }): Promise<RoutedRole[]> {
    const key = `${of.role}/${of.countryCode}/${of.partyId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = this.load(of);
    this.cache.set(key, { value, expires: Date.now() + PARTY_CACHE_TTL_MS });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async load(of: PartyAddress & { role: Role }): Promise<RoutedRole[]> {
    if (of.role === 'NAP') return this.napSources();
    const cpoSide = of.role === 'CPO';
    const rows: RoutedRoleRow[] =
      await this.db.query(
        `SELECT other.id AS role_id, other.role, other.country_code, other.party_id, other.party_uuid,
                coalesce(other.business_details->>'name', p.name) AS name
           FROM party_roles me
           JOIN roaming_agreements a ON a.${cpoSide ? 'cpo_role_id' : 'emsp_role_id'} = me.id
           JOIN party_roles other ON other.id = a.${cpoSide ? 'emsp_role_id' : 'cpo_role_id'}
           JOIN parties p ON p.id = other.party_uuid
          WHERE me.country_code = $1 AND me.party_id = $2 AND me.role = $3
            AND (p.registered_at IS NOT NULL OR p.own) AND p.suspended_at IS NULL
          ORDER BY other.country_code, other.party_id, other.role`,
        [of.countryCode, of.partyId, of.role],
      );
    return rows.map(routedRoleOf);
  }

  /**
   * The names of the eMSPs (role EMSP) a CPO has agreements with, readable now: the name in their
   * credentials' business details, else the name the operator gave the party.
   */
  async emspNamesOf(cpo: PartyAddress): Promise<string[]> {
    // The cached counterparts (the own CPO asks on every change of its locations).
    return (await this.counterparts({ ...cpo, role: 'CPO' })).filter((r) => r.role === 'EMSP').map((r) => r.name);
  }

  /** A NAP's counterparts: the CPO roles that publish to the NAP (nap_publications), readable now. */
  private async napSources(): Promise<RoutedRole[]> {
    const rows: RoutedRoleRow[] = await this.db.query(`
      SELECT r.id AS role_id, r.role, r.country_code, r.party_id, r.party_uuid, coalesce(r.business_details->>'name', p.name) AS name
        FROM nap_publications n JOIN party_roles r ON r.id = n.cpo_role_id JOIN parties p ON p.id = r.party_uuid
       WHERE n.publish AND (p.registered_at IS NOT NULL OR p.own) AND p.suspended_at IS NULL
       ORDER BY r.country_code, r.party_id`);
    return rows.map(routedRoleOf);
  }
}
