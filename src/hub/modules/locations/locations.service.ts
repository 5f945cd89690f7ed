import { type ObjectStore, originalAfterChange, type StoredObject } from '../../routing/object-store';
import type { HubRouter } from '../../routing/router';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { requireSameIds } from '../client-owned';
import { toDate } from '../../ocpi/ocpi-types';
import { applyLocationChange, LocationChangeError, type LocationPath, pickLocationPart } from './locations.merge';
import { Connector, ConnectorPatch, Evse, EvsePatch, Location, LocationPatch } from './locations.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { changeBody } from '../../routing/router';
import type { BodyOrigin, TranslationContext } from '../../../core/ocpi-versions/translate';
import { partyKey, withTariffIdsFor } from '../../../core/tariffs/tariffs-core';
import type { TariffAudienceRegistry } from '../../routing/tariff-audiences';

export const LOCATIONS_PAGE_LIMIT = 100;
const MODULE = 'locations';

function pathOf(owner: PartyAddress, p: LocationPath): string {
  return ['', owner.countryCode, owner.partyId, p.locationId, p.evseUid, p.connectorId].filter((s) => s !== undefined).map((s) => encodeURIComponent(s!)).join('/');
}

function schemaFor(p: LocationPath, method: 'PUT' | 'PATCH') {
  if (p.connectorId) return method === 'PUT' ? Connector : ConnectorPatch;
  if (p.evseUid) return method === 'PUT' ? Evse : EvsePatch;
  return method === 'PUT' ? Location : LocationPatch;
}

function notFound(message: string): OcpiError {
  return ocpiErrors.notFound(message, OcpiStatus.UNKNOWN_LOCATION);
}

/** What the hub knows about an owner's locations beyond the hub form, for translations into other versions. */
export type OwnerTranslationContext = () => Promise<TranslationContext>;

const ownerKey = (owner: PartyAddress) => `${owner.countryCode}/${owner.partyId}`.toUpperCase();

/** A location as it was before a stored change and as it is after (for listeners: services.ts). */
export interface StoredLocationChange {
  owner: PartyAddress;
  locationId: string;
  before: Location | null;
  after: Location;
}
export type StoredLocationListener = (change: StoredLocationChange) => Promise<void>;

/** Locations: CPOs push to the hub's Receiver interface; eMSPs read the merged Sender interface. */
export class LocationsService {
  private readonly ownerContexts = new Map<string, OwnerTranslationContext>();
  private readonly storedListeners: StoredLocationListener[] = [];

  /**
   * Hears every change once it is committed, with the location before and after (the EVSE status
   * history subscribes here, services.ts). A listener's failure is reported to `onError` and never
   * fails the push, which is stored and queued already.
   */
  onStored(listener: StoredLocationListener, onError: (error: unknown) => void): void {
    this.storedListeners.push((change) => listener(change).catch(onError));
  }

  constructor(private readonly deps: { store: ObjectStore; router: HubRouter; tariffAudiences?: TariffAudienceRegistry }) {}

  /**
   * GET-all pages of the hub form's version answered as the stored JSON text where `viewFor` would
   * change nothing (respondMergedList). Off, every page goes through the objects: bench:ocpi measures
   * both in one run.
   */
  textPages = true;

  /** Whether every reader gets these owners' locations as stored (no owner's tariffs have audiences). */
  async answersAsStored(owners: PartyAddress[]): Promise<boolean> {
    if (!this.textPages) return false;
    const audiences = await Promise.all(owners.map((owner) => this.deps.tariffAudiences?.of(owner)));
    return audiences.every((a) => a === undefined);
  }

  /**
   * A stored location as `reader` gets it: its connectors' tariff_ids only those the reader may see
   * (tariff-audiences.ts); unchanged for owners whose tariffs are all public.
   */
  async viewFor(reader: PartyAddress | undefined, stored: StoredObject<Location>): Promise<StoredObject<Location>> {
    const audiences = await this.deps.tariffAudiences?.of({ countryCode: stored.key.countryCode, partyId: stored.key.partyId });
    if (!audiences) return stored;
    return { ...stored, data: withTariffIdsFor(stored.data, audiences, reader ? partyKey(reader) : null) };
  }

  /**
   * Gives this owner's pushes and GET answers a translation context (the own CPO's
   * accepted_service_providers for 2.3.0, services.ts): what its Locations mean in a version whose
   * fields the hub form lacks, without storing it in the hub form.
   */
  describeOwner(owner: PartyAddress, context: OwnerTranslationContext): void {
    this.ownerContexts.set(ownerKey(owner), context);
  }

  /** The translation context of an owner's Locations (none for most owners). */
  translationContextOf(owner: PartyAddress): Promise<TranslationContext | undefined> {
    return this.ownerContexts.get(ownerKey(owner))?.() ?? Promise.resolve(undefined);
  }

  /** For a GET answer of Locations (whole ones, with their owner fields): each item's translation context. */
  async answerContexts(items: readonly unknown[]): Promise<(item: unknown) => TranslationContext> {
    const owners = new Map<string, TranslationContext | undefined>();
    for (const item of items) {
      const { country_code, party_id } = (item ?? {}) as { country_code?: string; party_id?: string };
      if (!country_code || !party_id) continue;
      const key = ownerKey({ countryCode: country_code, partyId: party_id });
      if (!owners.has(key)) owners.set(key, await this.translationContextOf({ countryCode: country_code, partyId: party_id }));
    }
    return (item) => {
      const { country_code, party_id } = (item ?? {}) as { country_code?: string; party_id?: string };
      return (country_code && party_id && owners.get(ownerKey({ countryCode: country_code, partyId: party_id }))) || {};
    };
  }

  /** Receiver PUT/PATCH at any level: validate, store, and pass the same change on to receivers. */
  async change(
    owner: RoleAddress,
    to: PartyAddress | undefined,
    path: LocationPath,
    method: 'PUT' | 'PATCH',
    rawBody: unknown,
    correlationId?: string,
    origin?: BodyOrigin,
  ): Promise<'created' | 'updated'> {
    const level = path.connectorId ? 'Connector' : path.evseUid ? 'EVSE' : 'Location';
    const body = parseOcpiBody(schemaFor(path, method), rawBody, level) as Record<string, unknown>;
    requireSameIds(body, path.connectorId ? { id: path.connectorId } : path.evseUid ? { uid: path.evseUid } : {
      country_code: owner.countryCode,
      party_id: owner.partyId,
      id: path.locationId,
    });
    const { router, store } = this.deps;
    const route = await router.route(owner, to, MODULE);
    const translationContext = await this.translationContextOf(owner);
    // Each receiver gets the connectors' tariffs it may see (the own CPO's tariffs per eMSP).
    const audiences = origin ? undefined : await this.deps.tariffAudiences?.of(owner);
    const key = { module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: path.locationId };
    let stored: StoredLocationChange | undefined;
    const result = await router.transaction(async (tx) => {
      const outcome = await store.update<Location, 'created' | 'updated'>(
        key,
        (current) => {
          try {
            const next = applyLocationChange(current?.data ?? null, path, method, body);
            stored = { owner, locationId: path.locationId, before: current?.data ?? null, after: next };
            const created = !current || (method === 'PUT' && pickLocationPart(current.data, path) === undefined);
            const original = originalAfterChange(current?.original, origin, method === 'PUT' && !path.evseUid, (kept, change) =>
              applyLocationChange(kept as Location, path, method, change as Record<string, unknown>),
            );
            return { data: next, lastUpdated: toDate(next.last_updated), result: created ? 'created' : 'updated', original };
          } catch (error) {
            if (error instanceof LocationChangeError) throw notFound(error.message);
            throw error;
          }
        },
        tx,
      );
      const change = changeBody(rawBody, origin);
      await router.send(route, {
        method,
        path: pathOf(owner, path),
        ...change,
        objectKey: `${MODULE}/${owner.countryCode}/${owner.partyId}/${path.locationId}`,
        objectVersion: `${method} ${pathOf(owner, path)} ${String(body.last_updated)}`,
        correlationId,
        ...(audiences && { bodyFor: (receiver: PartyAddress) => withTariffIdsFor(rawBody, audiences, partyKey(receiver)) }),
        ...(translationContext && { translationContext: { ...change.translationContext, ...translationContext } }),
      }, tx);
      return outcome;
    });
    if (stored) for (const listener of this.storedListeners) await listener(stored);
    return result;
  }

  /** Receiver GET: the owner reads back what it pushed (the Location holding the part `path` names). */
  async getOwn(owner: RoleAddress, path: LocationPath): Promise<StoredObject<Location>> {
    const stored = await this.deps.store.get<Location>({ module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: path.locationId });
    if (!stored || !pickLocationPart(stored.data, path)) throw notFound(`Unknown location ${pathOf(owner, path)}`);
    return stored;
  }

  /** The location an owner holds at the hub, whole (the own CPO reads its own), or undefined. */
  async storedOf(owner: PartyAddress, locationId: string): Promise<Location | undefined> {
    return (await this.deps.store.get<Location>({ module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: locationId }))?.data;
  }

  /** Every location an owner holds at the hub, oldest change first. */
  async allOf(owner: PartyAddress): Promise<Location[]> {
    return (await this.allStoredOf(owner)).map((item) => item.data);
  }

  /** The same, as stored: each with the sender's original when it sent another version than the hub form. */
  async allStoredOf(owner: PartyAddress): Promise<StoredObject<Location>[]> {
    const locations: StoredObject<Location>[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.deps.store.list<Location>({ module: MODULE, owners: [owner], offset, limit: 1000 });
      locations.push(...page.items);
      if (page.items.length < 1000) return locations;
    }
  }

  /**
   * Sender GET of one object for an eMSP: among the CPOs it has agreements with (or the one named in
   * OCPI-to-*). An id held by several CPOs needs OCPI-to-* to choose.
   */
  async getForReceiver(
    roles: RoleAddress[],
    to: PartyAddress | undefined,
    path: LocationPath,
    { publishedOnly = false } = {},
  ): Promise<StoredObject<Location>> {
    let owners = (await Promise.all(roles.map((r) => this.deps.router.counterparts(r)))).flat();
    if (to && !this.deps.router.isHub(to)) owners = owners.filter((o) => o.countryCode === to.countryCode && o.partyId === to.partyId);
    const found: StoredObject<Location>[] = (await this.deps.store.findById<Location>(MODULE, path.locationId, owners)).filter((o) => !publishedOnly || o.data.publish);
    if (found.length > 1) {
      throw ocpiErrors.invalidParameters(`Location ${path.locationId} exists at several CPOs; name one with OCPI-to-country-code/party-id`);
    }
    if (!found[0] || !pickLocationPart(found[0].data, path)) throw notFound(`Unknown location ${path.locationId}`);
    return found[0];
  }
}
