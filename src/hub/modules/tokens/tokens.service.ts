import { type ObjectKey, originalAfterChange, type StoredObject } from '../../routing/object-store';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import { toDate } from '../../ocpi/ocpi-types';
import {
  type AuthorizationRoute,
  looksLikeAuthorizationInfo,
  receiverPath,
  routeToNamedEmsp,
  routeToOwner,
  type TokenRef,
  unknownToken,
} from './tokens.routing';
import { LocationReferences, Token, TokenPatch } from './tokens.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { changeBody } from '../../routing/router';
import type { BodyOrigin } from '../../../core/ocpi-versions/translate';

// Tokens are small and CPOs pull the whole list to build their cache: larger pages than locations.
export const TOKENS_PAGE_LIMIT = 1000;
const MODULE = 'tokens';

function keyOf(owner: PartyAddress, ref: TokenRef): ObjectKey {
  return { module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: ref.uid, objectType: ref.type };
}

/**
 * Tokens: eMSPs push to the hub's Receiver interface (stored, passed on to their CPOs); CPOs pull the
 * merged list from the Sender interface and ask for real-time authorization, routed to the owner eMSP.
 */
const OWNER_CACHE_TTL_MS = 5_000;

export class TokensService {
  /**
   * Who owns a token uid/type, as found for a set of eMSPs. A token's owner is part of its key and
   * never changes, so a found owner is remembered briefly (authorization is the hottest path);
   * "not found" is never cached, so a freshly pushed token is found at once.
   */
  private readonly owners = new Map<string, { keys: Required<ObjectKey>[]; expires: number }>();
  /** Owner reads under way, per cache key (routeByStore). */
  private readonly ownerReads = new Map<string, Promise<Required<ObjectKey>[]>>();
  private readonly changeListeners: ((owner: PartyAddress, ref: TokenRef) => void)[] = [];

  constructor(private readonly deps: ModuleDeps) {}

  /** Receiver PUT/PATCH: validate, store, and pass the same change on to the eMSP's CPOs. */
  async change(
    owner: RoleAddress,
    to: PartyAddress | undefined,
    ref: TokenRef,
    method: 'PUT' | 'PATCH',
    rawBody: unknown,
    correlationId?: string,
    origin?: BodyOrigin,
  ): Promise<'created' | 'updated'> {
    const { store, router } = this.deps;
    const body = parseOcpiBody(method === 'PUT' ? Token : TokenPatch, rawBody, 'Token') as Record<string, unknown>;
    if (body.type !== undefined && body.type !== ref.type) {
      throw ocpiErrors.invalidParameters(`type ${JSON.stringify(body.type)} in the body differs from ${ref.type} in the URL (?type=, RFID when omitted)`);
    }
    requireSameIds(body, { country_code: owner.countryCode, party_id: owner.partyId, uid: ref.uid });
    const route = await router.route(owner, to, MODULE, ['CPO']);
    const lastUpdated = toDate(body.last_updated as string);
    const outcome = await router.transaction(async (tx) => {
      const outcome =
        method === 'PUT'
          ? await store.put(keyOf(owner, ref), body, lastUpdated, tx, origin)
          : await store.update<Token, 'updated'>(
              keyOf(owner, ref),
              (current) => {
                if (!current) throw unknownToken(ref);
                const original = originalAfterChange(current.original, origin, false, (kept, change) => ({ ...(kept as object), ...(change as object) }));
                return { data: { ...current.data, ...body }, lastUpdated, result: 'updated', original };
              },
              tx,
            );
      await router.send(route, {
        method,
        path: receiverPath(owner, ref),
        ...changeBody(rawBody, origin),
        objectKey: `${MODULE}/${owner.countryCode}/${owner.partyId}/${ref.uid}/${ref.type}`,
        objectVersion: `${method} ${String(body.last_updated)}`,
        correlationId,
      }, tx);
      return outcome;
    });
    // After the commit: listeners read the stored token (the own CPO's local lists).
    for (const listener of this.changeListeners) {
      try {
        listener(owner, ref);
      } catch (error) {
        this.deps.log.error({ err: error }, 'a token change listener failed');
      }
    }
    return outcome;
  }

  /** Told after a token pushed to the hub was stored (not awaited). */
  onChanged(listener: (owner: PartyAddress, ref: TokenRef) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Every token that eMSPs the CPO has agreements with pushed to the hub, each with its owner (the
   * own CPO builds its chargers' local authorization lists from them).
   */
  async allFor(cpo: RoleAddress): Promise<{ token: Token; owner: PartyAddress }[]> {
    const emsps = (await this.deps.router.counterparts(cpo)).filter((c) => c.role === 'EMSP');
    const all: { token: Token; owner: PartyAddress }[] = [];
    const limit = 10_000;
    for (let offset = 0; ; offset += limit) {
      const page = await this.deps.store.list<Token>({ module: MODULE, owners: emsps, offset, limit });
      for (const f of page.items) all.push({ token: f.data, owner: { countryCode: f.key.countryCode, partyId: f.key.partyId } });
      if (page.items.length < limit) return all;
    }
  }

  /** Receiver GET: the owner reads back what it pushed. */
  async getOwn(owner: RoleAddress, ref: TokenRef): Promise<StoredObject<Token>> {
    const stored = await this.deps.store.get<Token>(keyOf(owner, ref));
    if (!stored) throw unknownToken(ref);
    return stored;
  }

  /**
   * Real-time authorization (mod_tokens.asciidoc, Sender POST): forwarded to the eMSP named in
   * OCPI-to-*, or else to the one whose token the hub holds, and its AuthorizationInfo (whatever
   * `allowed` says) or its 2xxx/3xxx error passed back. On the hot path: one query for the caller's
   * agreements, one indexed token lookup (none with OCPI-to-*), one forward.
   */
  async authorize(
    cpoRoles: RoleAddress[],
    to: PartyAddress | undefined,
    ref: TokenRef,
    rawBody: unknown,
    correlationId?: string,
  ): Promise<unknown> {
    const { router } = this.deps;
    if (rawBody !== undefined) parseOcpiBody(LocationReferences, rawBody, 'LocationReferences');
    const routes = await this.routesFrom(cpoRoles);
    const route = to && !router.isHub(to) ? routeToNamedEmsp(routes, to) : await this.routeByStore(routes, ref);
    const reply = await router.forward({
      target: route.to,
      from: route.from,
      module: MODULE,
      interfaceRole: 'SENDER',
      method: 'POST',
      path: `/${encodeURIComponent(ref.uid)}/authorize`,
      params: { type: ref.type },
      body: rawBody,
      correlationId,
      // A 2.1.1 AuthorizationInfo does not carry the Token, which the hub form's does: the one the hub holds.
      answerContext: async () => {
        const held = await this.deps.store.get({ module: MODULE, countryCode: route.to.countryCode, partyId: route.to.partyId, objectId: ref.uid, objectType: ref.type });
        return held ? { knownToken: held.data } : {};
      },
    });
    if (!looksLikeAuthorizationInfo(reply.data)) {
      throw new OcpiError(OcpiStatus.HUB_ERROR, `${route.to.countryCode}/${route.to.partyId} answered without an AuthorizationInfo`);
    }
    return reply.data;
  }

  /**
   * The tokens with this uid (and type, when given) that eMSPs the CPO has agreements with pushed to
   * the hub, each with its owner, oldest first (the own CPO decides at its chargers from them).
   */
  async heldFor(cpo: RoleAddress, uid: string, type?: string): Promise<{ token: Token; owner: PartyAddress }[]> {
    const emsps = (await this.deps.router.counterparts(cpo)).filter((c) => c.role === 'EMSP');
    if (!emsps.length) return [];
    const found = await this.deps.store.findById<Token>(MODULE, uid, emsps, type);
    return found.map((f) => ({ token: f.data, owner: { countryCode: f.key.countryCode, partyId: f.key.partyId } }));
  }

  /** Every eMSP the caller's CPO roles have agreements with, each with the role that reaches it. */
  private async routesFrom(cpoRoles: RoleAddress[]): Promise<AuthorizationRoute[]> {
    const perRole = await Promise.all(
      cpoRoles.map(async (from) => (await this.deps.router.counterparts(from)).filter((c) => c.role === 'EMSP').map((to) => ({ from, to }))),
    );
    return perRole.flat();
  }

  private async routeByStore(routes: AuthorizationRoute[], ref: TokenRef): Promise<AuthorizationRoute> {
    const emsps = routes.map((r) => r.to);
    const cacheKey = `${ref.type}/${ref.uid}>${emsps.map((e) => `${e.countryCode}/${e.partyId}`).join(',')}`;
    const hit = this.owners.get(cacheKey);
    let keys = hit && hit.expires > Date.now() ? hit.keys : undefined;
    if (!keys) {
      // Authorizations of one token that miss together share one read (when the entry expired under
      // load, each request in flight ran its own); a read that found nothing or failed is not kept.
      let read = this.ownerReads.get(cacheKey);
      if (!read) {
        read = this.deps.store.findById(MODULE, ref.uid, emsps, ref.type).then((found) => found.map((f) => f.key));
        this.ownerReads.set(cacheKey, read);
        const settled = () => this.ownerReads.delete(cacheKey);
        read.then(settled, settled);
      }
      keys = await read;
      if (keys.length > 0) this.owners.set(cacheKey, { keys, expires: Date.now() + OWNER_CACHE_TTL_MS });
      if (this.owners.size > 100_000) this.owners.clear();
    }
    return routeToOwner(routes, keys, ref);
  }
}
