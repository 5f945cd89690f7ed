import type { DataSource } from 'typeorm';
import type { Party } from '../../db/entities';
import type { TranslationContext } from '../../core/ocpi-versions/translate';
import type { OcpiVersion } from '../../core/ocpi-versions/ocpi-versions';
import { ocpiErrors } from '../ocpi/ocpi-errors';
import type { PartyAddress, RoleAddress } from '../ocpi/party-address';
import type { RoutedRole } from './agreements';
import type { ObjectStore } from './object-store';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The one role a partner of a version without roles in its endpoints and credentials (2.1.1,
 * VERSION_FORM.rolelessEndpoints) is: its one CPO or eMSP role. A platform with both registers as two
 * parties; with none or both, undefined (the handshake then refuses, saying so).
 */
export function soleRole(party: Party): RoleAddress | undefined {
  const roles = (party.roles ?? []).filter((r) => r.role === 'CPO' || r.role === 'EMSP');
  if (roles.length !== 1) return undefined;
  return { role: roles[0].role, countryCode: roles[0].countryCode, partyId: roles[0].partyId };
}

/**
 * A partner of a version without roles in its credentials and endpoints (2.1.1) is one party in one
 * role, CPO or eMSP: the one the operator registered. Otherwise 2001 with the reason.
 */
export function requireSoleRole(party: Party, version: OcpiVersion): RoleAddress {
  const role = soleRole(party);
  if (!role) {
    const held = (party.roles ?? []).map((r) => r.role).join(', ') || 'none';
    throw ocpiErrors.invalidParameters(
      `OCPI ${version} credentials carry one party in one role (CPO or EMSP); this party is registered with roles ${held}: the operator registers each role as its own party`,
    );
  }
  return role;
}

/**
 * What the hub knows that a translation needs beyond the object (TranslationContext), for versions
 * whose objects lack it (VERSION_FORM.contextFromHub): the sender's address, role and configured time
 * zone, the receipt time, the token a 2.1.1 `auth_id` names, the Location a session or CDR is at.
 * Looked up by the edge (requests in a party's version, answers to it) and by the outbox when it
 * delivers (so a delivery translates with the Location as it is then, and a partner that changes
 * version while deliveries wait needs nothing stored for it).
 */
export class VersionContexts {
  constructor(
    private readonly deps: {
      db: DataSource;
      store: ObjectStore;
      /** The roles `owner` may exchange data with (HubRouter.counterparts: agreements, registered, unsuspended). */
      counterparts: (owner: RoleAddress) => Promise<RoutedRole[]>;
    },
  ) {}

  /** For a body `party` sends in its version: who it is, and the token behind an auth_id it names. */
  async ofSender(party: Party, module: string, body: unknown): Promise<TranslationContext> {
    const role = soleRole(party);
    const sender = { country_code: role?.countryCode ?? party.countryCode, party_id: role?.partyId ?? party.partyId };
    const context: TranslationContext = {
      sender,
      ...(role && (role.role === 'CPO' || role.role === 'EMSP') ? { role: role.role } : {}),
      ...(party.timeZone ? { timeZone: party.timeZone } : {}),
      receivedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const authId = isObject(body) ? body.auth_id : undefined;
    if ((module === 'sessions' || module === 'cdrs') && typeof authId === 'string' && role?.role === 'CPO') {
      const token = await this.tokenByContractId(role, authId);
      if (token) context.knownToken = token;
    }
    return context;
  }

  /**
   * For an object going to a party of a version whose sessions and CDRs carry their whole Location:
   * that Location as the hub holds it. `owner` is the object's owner when the object does not name it
   * (a PATCH). `cache` keeps each Location read once for objects translated together (a GET page).
   */
  async ofObject(
    module: string,
    value: unknown,
    owner?: { countryCode: string; partyId: string },
    cache?: Map<string, Promise<TranslationContext>>,
  ): Promise<TranslationContext> {
    if ((module !== 'sessions' && module !== 'cdrs') || !isObject(value)) return {};
    const locationId = module === 'cdrs' && isObject(value.cdr_location) ? value.cdr_location.id : value.location_id;
    const countryCode = typeof value.country_code === 'string' ? value.country_code : owner?.countryCode;
    const partyId = typeof value.party_id === 'string' ? value.party_id : owner?.partyId;
    if (typeof locationId !== 'string' || !countryCode || !partyId) return {};
    const key = `${countryCode}/${partyId}/${locationId}`;
    const known = cache?.get(key);
    if (known) return known;
    const read = this.deps.store
      .get({ module: 'locations', countryCode, partyId, objectId: locationId })
      .then((stored): TranslationContext => (stored ? { location: stored.data } : {}));
    cache?.set(key, read);
    return read;
  }

  /**
   * The token with this contract id among those the eMSPs `cpo` has agreements with pushed to the hub;
   * undefined when none or several have it (the contract id alone does not say whose).
   */
  private async tokenByContractId(cpo: RoleAddress, contractId: string): Promise<Json | undefined> {
    const emsps: PartyAddress[] = (await this.deps.counterparts(cpo)).filter((c) => c.role === 'EMSP');
    if (emsps.length === 0) return undefined;
    const rows: { data: Json }[] = await this.deps.db.query(
      `SELECT data FROM ocpi_objects WHERE module = 'tokens' AND data->>'contract_id' = $1 AND owner = ANY($2::text[]) ORDER BY seq LIMIT 2`,
      [contractId, emsps.map((e) => `${e.countryCode}/${e.partyId}`)],
    );
    return rows.length === 1 ? rows[0].data : undefined;
  }
}
