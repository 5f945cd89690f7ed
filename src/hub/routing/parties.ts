import type { DataSource, EntityManager } from 'typeorm';
import {
  type Endpoint,
  type Party,
  PartyEntity,
  PartyRoleEntity,
  type TokenEncoding,
} from '../../db/entities';
import type { TokenCandidate } from '../ocpi/credentials-token';
import type { RoleAddress } from '../ocpi/party-address';
import { generateCredentialsToken, hashToken, type TokenVault } from './credential-secrets';
import { HubError } from '../../foundation/hub-errors';
import { partnerHealth } from '../../core/partner-health';

/** ClientInfo ConnectionStatus (mod_hub_client_info.asciidoc), derived from the party's state. */
export type ConnectionStatus = 'CONNECTED' | 'OFFLINE' | 'PLANNED' | 'SUSPENDED';

export function connectionStatus(party: Party): ConnectionStatus {
  if (party.own) return 'CONNECTED'; // the hub's own CPO: served in-process, always reachable
  if (party.suspendedAt) return 'SUSPENDED';
  if (!party.registeredAt) return 'PLANNED';
  return party.offlineSince ? 'OFFLINE' : 'CONNECTED';
}

/** The health as the admin API and the dashboard show it. */
export function partnerHealthView(party: Party) {
  return {
    status: partnerHealth(party),
    consecutive_failures: party.callFailures,
    failing_since: party.failingSince,
    last_error: party.lastError,
    last_error_at: party.lastErrorAt,
  };
}

export interface NewParty {
  name: string;
  countryCode: string;
  partyId: string;
  roles: RoleAddress[];
  /** The zone of its locations when they give none (2.1.1): see Party.timeZone. */
  timeZone?: string;
}

/** What a completed credentials handshake stores about the partner. */
export interface Registration {
  tokenB: string;
  encoding: TokenEncoding;
  versionsUrl: string;
  version: string;
  endpoints: Endpoint[];
  roles: (RoleAddress & { businessDetails: Record<string, unknown> | null })[];
}

export interface AuthenticatedParty {
  party: Party;
  kind: 'A' | 'C';
  token: string;
  encoding: TokenEncoding;
}

type StatusListener = (party: Party) => Promise<void> | void;

/**
 * Parties are read on every request (authentication, forwarding), so lookups are cached for a short
 * time. Every write through the registry clears the cache at once; another hub instance's writes are
 * seen within the TTL (a suspension takes at most that long to reach every instance).
 */
export const PARTY_CACHE_TTL_MS = 1000;

/**
 * A success is not written for a party this instance knew to be healthy this recently: failures
 * another instance recorded meanwhile are reset by a success here this much later at most.
 */
const HEALTHY_KNOWN_MS = 5000;

// last_seen_at is written at most this often per party, so traffic does not turn into writes.
const SEEN_WRITE_INTERVAL_MS = 10_000;

/** The registry of partner parties: onboarding, credentials tokens, registration state and status. */
export class PartyRegistry {
  private readonly listeners: StatusListener[] = [];
  private readonly cache = new Map<string, { value: Party | null; expires: number }>();
  /** When this instance last knew a party's call_failures to be 0, per party id (recordCall). */
  private readonly healthyAt = new Map<string, number>();
  /** Database reads under way, per cache key (load). */
  private readonly loads = new Map<string, Promise<unknown>>();
  private generation = 0;
  /** When last_seen_at was last claimed for writing, per party id (recordActivity). */
  private readonly seenClaims = new Map<string, number>();
  /** The activity write under way, per party id. */
  private readonly activityWrites = new Map<string, Promise<void>>();

  constructor(
    private readonly db: DataSource,
    private readonly vault: TokenVault,
    private readonly onListenerError: (error: unknown) => void = () => undefined,
  ) {}

  /** Called after every change of a party's ConnectionStatus (hubclientinfo pushes from here). */
  onStatusChange(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  /** Drops every cached lookup (after any change of a party). */
  forget(): void {
    this.cache.clear();
    this.loads.clear();
    this.generation++;
  }

  /** Drops one cached lookup (and keeps a read of it under way from being remembered). */
  private forgetKey(key: string): void {
    this.cache.delete(key);
    this.loads.delete(key);
    this.generation++;
  }

  /**
   * One database read per key at a time: requests that miss the cache while it is being read wait
   * for that read instead of each running its own (when an entry expires under load, every request
   * in flight missed it at once and the pool filled with the same query). A read that began before a
   * `forget()` is not remembered.
   */
  private load<T>(key: string, read: () => Promise<T>, remember: (value: T) => void): Promise<T> {
    const running = this.loads.get(key) as Promise<T> | undefined;
    if (running) return running;
    const generation = this.generation;
    const loading = read().then((value) => {
      if (this.generation === generation) remember(value);
      return value;
    });
    const settled = () => {
      if (this.loads.get(key) === loading) this.loads.delete(key);
    };
    loading.then(settled, settled);
    this.loads.set(key, loading);
    return loading;
  }

  private cached(key: string): Party | null | undefined {
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    if (hit.expires > Date.now()) return hit.value;
    this.cache.delete(key);
    return undefined;
  }

  private remember(key: string, value: Party | null): void {
    this.cache.set(key, { value, expires: Date.now() + PARTY_CACHE_TTL_MS });
  }

  private async statusChanged(id: string): Promise<void> {
    this.forget();
    const party = await this.get(id);
    if (!party) return;
    for (const listener of this.listeners) {
      try {
        await listener(party);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  async create(input: NewParty): Promise<{ party: Party; tokenA: string }> {
    this.forget();
    const tokenA = generateCredentialsToken();
    const id = await this.db.transaction(async (tx) => {
      const clash = await tx.getRepository(PartyRoleEntity).findOne({
        where: input.roles.map(({ role, countryCode, partyId }) => ({ role, countryCode, partyId })),
      });
      if (clash) {
        throw new HubError('conflict', `${clash.countryCode}/${clash.partyId} already has the role ${clash.role}`);
      }
      const existing = await tx.getRepository(PartyEntity).findOneBy({
        countryCode: input.countryCode,
        partyId: input.partyId,
      });
      if (existing) throw new HubError('conflict', `A party ${input.countryCode}/${input.partyId} already exists`);
      const party = await tx.getRepository(PartyEntity).save({
        name: input.name,
        countryCode: input.countryCode,
        partyId: input.partyId,
        timeZone: input.timeZone ?? null,
        tokenAHash: hashToken(tokenA),
      });
      await tx
        .getRepository(PartyRoleEntity)
        .insert(input.roles.map((role) => ({ ...role, partyUuid: party.id, businessDetails: null })));
      return party.id;
    });
    return { party: (await this.get(id))!, tokenA };
  }

  /** The partner parties (the hub's own CPO is not one: it is configured, not onboarded). */
  list(): Promise<Party[]> {
    return this.db.getRepository(PartyEntity).find({ where: { own: false }, relations: { roles: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<Party | null> {
    const inTransaction = manager !== this.db.manager;
    const hit = inTransaction ? undefined : this.cached(`id:${id}`);
    if (hit !== undefined) return hit;
    const read = () => manager.getRepository(PartyEntity).findOne({ where: { id }, relations: { roles: true } });
    if (inTransaction) return read();
    return this.load(`id:${id}`, read, (party) => this.remember(`id:${id}`, party));
  }

  async require(id: string): Promise<Party> {
    const party = await this.get(id);
    if (!party || party.own) throw new HubError('not_found', `No party with id ${id}`);
    return party;
  }

  /** The party whose token A or token C is one of the header's readings, and which reading matched. */
  async findByCredentialsToken(candidates: TokenCandidate[]): Promise<AuthenticatedParty | null> {
    if (candidates.length === 0) return null;
    const hashes = candidates.map((c) => hashToken(c.token));
    const hits = hashes.map((h) => this.cached(`token:${h}`));
    if (hits.every((hit) => hit !== undefined)) {
      for (const [index, candidate] of candidates.entries()) {
        const party = hits[index];
        if (party?.tokenCHash === hashes[index]) return { party, kind: 'C', ...candidate };
        if (party?.tokenAHash === hashes[index]) return { party, kind: 'A', ...candidate };
      }
      return null;
    }
    const parties = await this.load(
      `tokens:${hashes.join(',')}`,
      () =>
        this.db
          .getRepository(PartyEntity)
          .createQueryBuilder('party')
          .leftJoinAndSelect('party.roles', 'roles')
          .where('party.token_c_hash IN (:...hashes) OR party.token_a_hash IN (:...hashes)', { hashes })
          .getMany(),
      (found) => {
        for (const hash of hashes) this.remember(`token:${hash}`, found.find((p) => p.tokenCHash === hash || p.tokenAHash === hash) ?? null);
      },
    );
    for (const [index, candidate] of candidates.entries()) {
      for (const party of parties) {
        if (party.tokenCHash === hashes[index]) return { party, kind: 'C', ...candidate };
        if (party.tokenAHash === hashes[index]) return { party, kind: 'A', ...candidate };
      }
    }
    return null;
  }

  /** Remembers the Authorization form a partner uses, so the hub calls it back the same way. */
  async rememberEncoding(party: Party, encoding: TokenEncoding): Promise<void> {
    if (party.tokenEncoding === encoding) return;
    await this.db.getRepository(PartyEntity).update({ id: party.id }, { tokenEncoding: encoding });
    party.tokenEncoding = encoding;
  }

  /**
   * Records traffic from a partner; a partner that was OFFLINE is CONNECTED again. One request per
   * party and interval writes last_seen_at: the time is claimed before the write, so the requests that
   * arrive while it commits (or that read the party again from the database before it committed) do
   * not queue their own UPDATEs of the same row behind its lock, each holding a pool connection and
   * waiting for a commit of its own (that convoy was the tail of bench:ocpi's authorizations).
   * Requests of a party coming back from OFFLINE wait for the one write that reconnects it.
   */
  async recordActivity(party: Party, { force = false } = {}): Promise<void> {
    const now = new Date();
    const inFlight = this.activityWrites.get(party.id);
    if (inFlight && !force) return party.offlineSince ? inFlight : undefined;
    const claimed = Math.max(party.lastSeenAt?.getTime() ?? 0, this.seenClaims.get(party.id) ?? 0);
    const recent = now.getTime() - claimed < SEEN_WRITE_INTERVAL_MS;
    if (!party.offlineSince && recent && !force) return;
    this.seenClaims.set(party.id, now.getTime());
    const write = (async () => {
      const reconnects = !!party.offlineSince;
      await this.db.getRepository(PartyEntity).update({ id: party.id }, {
        lastSeenAt: now,
        ...(reconnects ? { offlineSince: null, statusChangedAt: now } : {}),
      });
      party.lastSeenAt = now;
      if (reconnects) {
        party.offlineSince = null;
        await this.statusChanged(party.id);
      }
    })();
    this.activityWrites.set(party.id, write);
    try {
      await write;
    } catch (error) {
      this.seenClaims.delete(party.id); // not written: the next request tries again
      throw error;
    } finally {
      if (this.activityWrites.get(party.id) === write) this.activityWrites.delete(party.id);
    }
  }

  /**
   * Records how a call to the partner went (every call of OcpiClient that names its party). A failure
   * counts and keeps the error; a success after failures resets the count (the last error stays, with
   * its time, for the operator). Unregistered parties (a handshake in progress) are not tracked.
   * A success writes only when the party was failing, so healthy traffic does not turn into writes.
   */
  async recordCall(id: string, failure?: { kind: string; message: string }): Promise<void> {
    if (failure) {
      await this.db.query(
        `UPDATE parties SET call_failures = call_failures + 1, failing_since = coalesce(failing_since, now()),
                last_error = $2, last_error_kind = $3, last_error_at = now()
          WHERE id = $1 AND registered_at IS NOT NULL`,
        [id, failure.message.slice(0, 1000), failure.kind],
      );
      // Only this party's lookup by id (where health is read): a failing partner must not empty the
      // cache every other partner's authentication uses.
      this.healthyAt.delete(id);
      this.forgetKey(`id:${id}`);
      return;
    }
    // Known healthy a moment ago (its cached lookup, or the reset below): nothing to write. Without
    // this, every success while the lookup's cache entry had expired ran the reset, which under load
    // (answers slower than the cache's second) meant one statement per call, just when the pool was full.
    const known = this.healthyAt.get(id);
    if (known !== undefined && Date.now() - known < HEALTHY_KNOWN_MS) return;
    const cached = this.cached(`id:${id}`);
    if (cached && cached.callFailures === 0) {
      this.healthyAt.set(id, Date.now());
      return;
    }
    const [, affected] = await this.db.query(
      `UPDATE parties SET call_failures = 0, failing_since = NULL WHERE id = $1 AND call_failures > 0`,
      [id],
    );
    this.healthyAt.set(id, Date.now());
    if (affected) this.forgetKey(`id:${id}`);
  }

  async markOffline(id: string): Promise<void> {
    this.forget();
    const now = new Date();
    const result = await this.db
      .createQueryBuilder()
      .update(PartyEntity)
      .set({ offlineSince: now, statusChangedAt: now })
      .where('id = :id AND offline_since IS NULL AND registered_at IS NOT NULL', { id })
      .execute();
    if (result.affected) await this.statusChanged(id);
  }

  async issueTokenA(id: string): Promise<string> {
    this.forget();
    await this.require(id);
    const tokenA = generateCredentialsToken();
    await this.db.getRepository(PartyEntity).update({ id }, { tokenAHash: hashToken(tokenA) });
    return tokenA;
  }

  async setSuspended(id: string, suspended: boolean): Promise<Party> {
    this.forget();
    const party = await this.require(id);
    if (Boolean(party.suspendedAt) !== suspended) {
      const now = new Date();
      await this.db.getRepository(PartyEntity).update({ id }, { suspendedAt: suspended ? now : null, statusChangedAt: now });
      await this.statusChanged(id);
    }
    return this.require(id);
  }

  /** The zone of the party's 2.1.1 locations that give none (Party.timeZone); null clears it. */
  async setTimeZone(id: string, timeZone: string | null): Promise<Party> {
    await this.require(id);
    await this.db.getRepository(PartyEntity).update({ id }, { timeZone });
    this.forget();
    return this.require(id);
  }

  async remove(id: string): Promise<void> {
    this.forget();
    const result = await this.db.getRepository(PartyEntity).delete({ id });
    if (!result.affected) throw new HubError('not_found', `No party with id ${id}`);
  }

  /**
   * Stores a completed handshake and issues a new token C. `expect` guards against replays and races:
   * the row changes only while the token the handshake started with is still the current one.
   * Returns the new token C, or null when that token was already used.
   */
  async completeRegistration(
    id: string,
    registration: Registration,
    expect: { tokenAHash: string } | { tokenCHash: string },
    tokenC = generateCredentialsToken(),
  ): Promise<string | null> {
    this.forget();
    const now = new Date();
    const stored = await this.db.transaction(async (tx) => {
      const guard = 'tokenAHash' in expect ? 'token_a_hash = :guard' : 'token_c_hash = :guard';
      const result = await tx
        .createQueryBuilder()
        .update(PartyEntity)
        .set({
          tokenAHash: null,
          tokenCHash: hashToken(tokenC),
          tokenBEncrypted: this.vault.seal(registration.tokenB),
          tokenEncoding: registration.encoding,
          versionsUrl: registration.versionsUrl,
          version: registration.version,
          endpoints: registration.endpoints,
          registeredAt: now,
          offlineSince: null,
          lastSeenAt: now,
          statusChangedAt: now,
        })
        .where(`id = :id AND ${guard}`, { id, guard: 'tokenAHash' in expect ? expect.tokenAHash : expect.tokenCHash })
        .execute();
      if (!result.affected) return false;
      for (const role of registration.roles) {
        await tx.query(
          `UPDATE party_roles SET business_details = $5 WHERE party_uuid = $1 AND role = $2 AND country_code = $3 AND party_id = $4`,
          [id, role.role, role.countryCode, role.partyId, JSON.stringify(role.businessDetails)],
        );
      }
      return true;
    });
    this.forget();
    if (!stored) return null;
    await this.statusChanged(id);
    return tokenC;
  }

  /** Replaces the current token C with one the hub hands to a partner it connects to (hub as Sender). */
  async setPendingTokenC(id: string, tokenC: string): Promise<void> {
    this.forget();
    await this.db.getRepository(PartyEntity).update({ id }, { tokenCHash: hashToken(tokenC) });
  }

  async restoreTokenCHash(id: string, tokenCHash: string | null): Promise<void> {
    this.forget();
    await this.db.getRepository(PartyEntity).update({ id }, { tokenCHash });
  }

  /** Ends the registration (credentials DELETE): tokens and endpoints are dropped, the party is PLANNED again. */
  async unregister(id: string): Promise<void> {
    this.forget();
    const now = new Date();
    await this.db.getRepository(PartyEntity).update({ id }, {
      tokenCHash: null,
      tokenBEncrypted: null,
      endpoints: [],
      registeredAt: null,
      offlineSince: null,
      statusChangedAt: now,
    });
    await this.statusChanged(id);
  }

  /** The token the hub uses to call this partner. */
  tokenB(party: Party): string {
    if (!party.tokenBEncrypted) throw new HubError('invalid', `Party ${party.countryCode}/${party.partyId} is not registered`);
    return this.vault.open(party.tokenBEncrypted);
  }

  endpoint(party: Party, identifier: string, role: Endpoint['role']): Endpoint | undefined {
    return party.endpoints.find((e) => e.identifier === identifier && (identifier === 'credentials' || e.role === role));
  }
}
