import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  applyLocalListMessage,
  DEFAULT_ITEMS_PER_MESSAGE,
  type ListedToken,
  type LocalListEntry,
  type LocalListMessage,
  localListUpdate,
  quantisedExpiry,
  type WantedList,
  wantedLocalList,
} from '../../core/charging/local-list';
import type { ChargerDeviceModel, DeviceModelEntry } from '../chargers/charger-device-model';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import { ChargerRefused, type ChargerCalls } from '../ocpp/charger-calls';
import { answerStatus, CHARGER_PROTOCOLS, type LocalListProtocol } from '../ocpp/charger-protocols';

/** The NOTIFY channel on which instances tell each other that the lists are to be looked at again. */
export const LOCAL_LISTS_CHANNEL = 'ocpp_local_lists';

/** A charger that connects without booting (a network outage) is looked at this much later: one that rebooted boots first. */
export const LOCAL_LIST_CONNECT_DELAY_MS = 2000;

/** How long an Accepted entry is trusted by a charger that stays cut off from the hub (eMSPs may block tokens meanwhile). */
export const LOCAL_LIST_ENTRY_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Chargers synchronised at once by one instance, whatever asked for it (a round, boots, connections):
 * each sync is a few queries and calls one after the other, so this bounds the database connections
 * list syncs hold (a fleet of 10,000 booting at once must not starve the pool the chargers' own calls need).
 */
const PARALLEL_CHARGERS = 50;

/** How long the tokens read for one sync serve the syncs that start after it while nothing is said to have changed. */
const TOKENS_REUSE_MS = 5000;

/** How a sync ended, as kept in charger_local_lists.outcome. */
export type LocalListOutcome =
  | 'Accepted' // the charger holds the wanted list
  | 'Unchanged' // it already did
  | 'Failed' // it answered Failed to a full list
  | 'NotSupported' // 1.6: listVersion -1 or NotSupported
  | 'CallError' // it answered a CALLERROR
  | 'Unreachable'; // it did not answer (the list it holds is unknown if an update was under way)

export interface LocalListState {
  chargerId: string;
  listVersion: number;
  /** Entries the charger holds as far as the hub knows; null when unknown (a full list is due). */
  entryCount: number | null;
  fullRequested: boolean;
  syncedAt: Date | null;
  outcome: LocalListOutcome | null;
  detail: string | null;
  updateType: 'Full' | 'Differential' | null;
  messagesSent: number;
  entriesSent: number;
  leftOut: WantedList['leftOut'] | null;
}

interface StateRow {
  charger_id: string;
  list_version: number;
  content_digest: string | null;
  entry_count: number | null;
  full_requested: boolean;
  synced_at: Date | null;
  outcome: LocalListOutcome | null;
  detail: string | null;
  update_type: 'Full' | 'Differential' | null;
  messages_sent: number;
  entries_sent: number;
  left_out: WantedList['leftOut'] | null;
}

const stateOf = (row: StateRow): LocalListState => ({
  chargerId: row.charger_id,
  listVersion: row.list_version,
  entryCount: row.content_digest ? row.entry_count : null,
  fullRequested: row.full_requested,
  syncedAt: row.synced_at,
  outcome: row.outcome,
  detail: row.detail,
  updateType: row.update_type,
  messagesSent: row.messages_sent,
  entriesSent: row.entries_sent,
  leftOut: row.left_out,
});

/** What one sync of one charger did. */
interface SyncResult {
  outcome: LocalListOutcome;
  detail: string;
  version: number;
  /** What the charger holds now; undefined: unknown. */
  held?: LocalListEntry[];
  heldDigest?: string;
  updateType?: 'Full' | 'Differential';
  messagesSent: number;
  entriesSent: number;
  leftOut?: WantedList['leftOut'];
  /** Whether the operator's request for a full list is done. */
  fullDone: boolean;
  /** Whether the sync saw the operator's request (one made while it ran is left for the next). */
  sawFullRequest?: boolean;
}

interface Round {
  tokens: ListedToken[];
  now: Date;
  /** Wanted lists by protocol, capacity and entry expiry: shared by the syncs of one tokens read. */
  wanted: Map<string, WantedList>;
}

const digestOf = (entries: LocalListEntry[]) => createHash('sha256').update(JSON.stringify(entries)).digest('hex');

/**
 * Keeps the own chargers' local authorization lists (OCPP 1.6 LocalAuthListManagement, 2.0.1/2.1
 * D01–D02) equal to the tokens eMSPs with a roaming agreement with the own CPO let it whitelist, so
 * their drivers charge while a charger cannot reach the hub. What to send is the pure core's
 * (core/charging/local-list.ts); this keeps per charger what it was sent (`charger_local_lists`, the
 * entries once per distinct list in `local_list_contents`) and sends it.
 *
 * Each instance synchronises the chargers connected to it (a list message can be far larger than a
 * NOTIFY between instances carries); a change anywhere is told to every instance on
 * LOCAL_LISTS_CHANNEL. One sync per charger at a time: in-process a queue per charger, across
 * instances a lease on its row (a charger moving to another instance mid-sync).
 */
export class LocalListSync {
  private readonly perCharger = new Map<string, { running: Promise<LocalListState | undefined>; again: boolean }>();
  private round?: Promise<void>;
  private roundAgain = false;
  private roundTimer?: NodeJS.Timeout;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Contents this instance knows are stored (with when it learnt so), so a shared list is inserted once. */
  private readonly storedDigests = new Map<string, number>();
  /** Recently read contents by digest: most chargers hold the same list. */
  private readonly contents = new Map<string, LocalListEntry[]>();
  private readonly digests = new WeakMap<LocalListEntry[], string>();
  /** Bumped by every change told (tokens, agreements): a tokens read of an older generation is not reused. */
  private generation = 0;
  /** The last tokens read, shared by the syncs that start soon after it (a fleet booting reads them once). */
  private tokensRead?: { generation: number; at: number; round: Promise<Omit<Round, 'now'>> };
  /** Syncs running, at most PARALLEL_CHARGERS; the others wait in order. */
  private syncing = 0;
  private readonly waitingForSlot: (() => void)[] = [];
  /** Chargers that connected and whose list is looked at after LOCAL_LIST_CONNECT_DELAY_MS unless a sync (their boot's) starts first. */
  private readonly dueAfterConnect = new Set<string>();
  /** How long after a connection its list is looked at (a benchmark measuring rounds alone sets it far out). */
  connectDelayMs: number;

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: ChargersService;
      deviceModel: ChargerDeviceModel;
      calls: ChargerCalls;
      /** The protocol of a charger's connection on this instance (undefined: not connected here). */
      connectedHere: (chargerId: string) => OcppProtocol | undefined;
      /** Every token of eMSPs with an agreement with the own CPO (tokens module). */
      tokens: () => Promise<ListedToken[]>;
      /** Tells the other instances (LISTEN/NOTIFY); absent: this instance is alone. */
      broadcast?: (payload: string) => Promise<void>;
      instanceId: string;
      now?: () => Date;
      entryTtlMs?: number;
      connectDelayMs?: number;
      callTimeoutMs?: number;
    },
  ) {
    this.connectDelayMs = deps.connectDelayMs ?? LOCAL_LIST_CONNECT_DELAY_MS;
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  /** Tokens or agreements changed (or the periodic look): every instance looks at its chargers again, shortly. */
  changed(why: string): void {
    this.changedHere(why);
    this.deps.broadcast?.(JSON.stringify({ from: this.deps.instanceId, why })).catch((error) =>
      this.deps.log.warn({ err: error }, 'could not tell the other instances that local lists are due'),
    );
  }

  /** A message on LOCAL_LISTS_CHANNEL from any instance. */
  received(payload: string): void {
    let message: { from?: string; why?: string; charger?: string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message.from === this.deps.instanceId) return;
    if (message.charger) {
      if (this.deps.connectedHere(message.charger)) void this.sync(message.charger);
      return;
    }
    this.changedHere(message.why ?? 'another instance');
  }

  /** Syncs every charger connected here soon; changes in a burst (an eMSP pushing its tokens) make one round. */
  private changedHere(why: string): void {
    this.generation++; // syncs from now on read the tokens again
    if (this.stopped) return;
    this.deps.log.debug({ why }, 'local lists due');
    if (this.round) {
      this.roundAgain = true;
      return;
    }
    if (this.roundTimer) return;
    this.roundTimer = setTimeout(() => {
      this.roundTimer = undefined;
      void this.syncConnected();
    }, 200);
  }

  /**
   * A charger's BootNotification arrived: the look after its connection is dropped, its boot's answer
   * decides (an accepted boot syncs it). Under load a boot can take longer than the connection delay
   * to answer, and the look then called the charger before it had its answer (OCPP 2.0.1 B01.FR.05)
   * and synced it a second time right after (a 4,000-boot bench: 4,580 syncs).
   */
  booting(chargerId: string): void {
    this.dueAfterConnect.delete(chargerId);
  }

  /** A charger whose boot was accepted: its list now. */
  booted(chargerId: string): Promise<LocalListState | undefined> {
    return this.sync(chargerId);
  }

  /**
   * A charger that connected (perhaps without booting, after a network outage): its list a moment
   * later, unless a sync of it (its boot's) has started meanwhile.
   */
  connected(chargerId: string): void {
    if (this.stopped) return;
    this.dueAfterConnect.add(chargerId);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.dueAfterConnect.delete(chargerId)) void this.sync(chargerId);
    }, this.connectDelayMs);
    this.timers.add(timer);
  }

  /** Syncs every charger connected to this instance; resolves when all are done. */
  syncConnected(): Promise<void> {
    if (this.round) {
      this.roundAgain = true;
      return this.round;
    }
    const run = async () => {
      do {
        this.roundAgain = false;
        const round = await this.newRound();

        const ids = (await this.deps.chargers.list())
          .filter((c) => c.status === 'ACCEPTED' && this.deps.connectedHere(c.id))
          .map((c) => c.id);
        let next = 0;
        const worker = async () => {
          while (next < ids.length && !this.stopped) await this.sync(ids[next++], round);
        };
        await Promise.all(Array.from({ length: Math.min(PARALLEL_CHARGERS, ids.length) }, worker));
        await this.prune();
      } while (this.roundAgain && !this.stopped);
    };
    this.round = run()
      .catch((error) => this.deps.log.error({ err: error }, 'local list round failed'))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  /** Syncs one charger (after the one under way, if any); the state after it, undefined when it was not synced. */
  sync(chargerId: string, round?: Round): Promise<LocalListState | undefined> {
    const current = this.perCharger.get(chargerId);
    if (current) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve<LocalListState | undefined>(undefined), again: false };
    entry.running = (async () => {
      let state: LocalListState | undefined;
      try {
        do {
          entry.again = false;
          this.dueAfterConnect.delete(chargerId);
          state = await this.inSlot(async () => this.syncLocked(chargerId, round ?? (await this.newRound())));
          round = undefined; // a rerun was asked for because something changed: the tokens of now
        } while (entry.again && !this.stopped);
      } catch (error) {
        this.deps.log.error({ err: error, charger: chargerId }, 'local list sync failed');
      } finally {
        this.perCharger.delete(chargerId);
      }
      return state;
    })();
    this.perCharger.set(chargerId, entry);
    return entry.running;
  }

  /** The operator asks for a full list: sent now when the charger is connected here, else when it is next synced. */
  async requestFull(chargerId: string): Promise<{ sentNow: boolean; state: LocalListState }> {
    await this.deps.db.query(
      `INSERT INTO charger_local_lists (charger_id, full_requested) VALUES ($1, true)
       ON CONFLICT (charger_id) DO UPDATE SET full_requested = true, updated_at = now()`,
      [chargerId],
    );
    if (this.deps.connectedHere(chargerId)) {
      await this.sync(chargerId);
      return { sentNow: true, state: (await this.state(chargerId))! };
    }
    // Connected elsewhere: that instance sends it (a charger not connected anywhere gets it when it returns).
    await this.deps.broadcast?.(JSON.stringify({ from: this.deps.instanceId, charger: chargerId })).catch(() => undefined);
    return { sentNow: false, state: (await this.state(chargerId))! };
  }

  async state(chargerId: string): Promise<LocalListState | undefined> {
    const rows: StateRow[] = await this.deps.db.query(
      `SELECT s.*, c.entry_count FROM charger_local_lists s LEFT JOIN local_list_contents c ON c.digest = s.content_digest WHERE s.charger_id = $1`,
      [chargerId],
    );
    return rows[0] && stateOf(rows[0]);
  }

  /** The entries a charger holds as far as the hub knows (undefined: unknown). */
  async entriesOf(chargerId: string): Promise<LocalListEntry[] | undefined> {
    const rows: { content_digest: string | null }[] = await this.deps.db.query(`SELECT content_digest FROM charger_local_lists WHERE charger_id = $1`, [chargerId]);
    return rows[0]?.content_digest ? this.content(rows[0].content_digest) : undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.roundTimer);
    this.roundTimer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Waits for the syncs under way (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.round || this.perCharger.size > 0 || this.roundTimer) {
      await Promise.all([this.round, ...[...this.perCharger.values()].map((e) => e.running)]);
      if (this.roundTimer) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * The tokens to sync against, as of now: read again after any change told to this instance, and
   * otherwise shared by the syncs starting within TOKENS_REUSE_MS of a read (with `now` their own).
   */
  private async newRound(): Promise<Round> {
    const now = this.now();
    const last = this.tokensRead;
    if (last && last.generation === this.generation && Date.now() - last.at < TOKENS_REUSE_MS) return { ...(await last.round), now };
    const read = { generation: this.generation, at: Date.now(), round: this.deps.tokens().then((tokens) => ({ tokens, wanted: new Map<string, WantedList>() })) };
    this.tokensRead = read;
    // A failed read is not shared: the next sync reads again (each sync waiting on this one fails with it and logs).
    read.round.catch(() => {
      if (this.tokensRead === read) this.tokensRead = undefined;
    });
    return { ...(await read.round), now };
  }

  /** Runs one charger's sync when fewer than PARALLEL_CHARGERS are running. */
  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.syncing >= PARALLEL_CHARGERS) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    else this.syncing++;
    try {
      return await work();
    } finally {
      const next = this.waitingForSlot.shift();
      if (next) next(); // the slot passes on
      else this.syncing--;
    }
  }

  private wanted(round: Round, protocol: LocalListProtocol, capacity: number | undefined): WantedList {
    const entryTtlMs = this.deps.entryTtlMs ?? LOCAL_LIST_ENTRY_TTL_MS;
    // The entries' expiry is all `now` changes of a list: syncs of one tokens read share a list while it is the same.
    const key = `${protocol.maxIdLength}|${capacity ?? ''}|${entryTtlMs ? quantisedExpiry(round.now, entryTtlMs) : ''}`;
    let wanted = round.wanted.get(key);
    if (!wanted) {
      wanted = wantedLocalList(round.tokens, { maxIdLength: protocol.maxIdLength, capacity, now: round.now, entryTtlMs });
      round.wanted.set(key, wanted);
    }
    return wanted;
  }

  private async syncLocked(chargerId: string, round: Round): Promise<LocalListState | undefined> {
    const protocol = this.deps.connectedHere(chargerId);
    if (!protocol || this.stopped) return undefined; // offline: looked at again when it connects
    // One statement: the charger is still accepted, its row exists, and this instance holds the lease on
    // it (one sync at a time across instances; one that died mid-sync is taken over when its lease ends).
    // A lease of this instance is its own to take again: its queue per charger already keeps its syncs
    // one at a time, and one whose release failed (the database gone a moment) must not lock it out.
    const leased: StateRow[] = await this.deps.db.query(
      `INSERT INTO charger_local_lists AS s (charger_id, sync_instance, sync_lease_until)
       SELECT id, $2, now() + interval '10 minutes' FROM chargers WHERE id = $1 AND status = 'ACCEPTED'
       ON CONFLICT (charger_id) DO UPDATE SET sync_instance = EXCLUDED.sync_instance, sync_lease_until = EXCLUDED.sync_lease_until
        WHERE s.sync_lease_until IS NULL OR s.sync_lease_until < now() OR s.sync_instance = EXCLUDED.sync_instance
       RETURNING s.*`,
      [chargerId, this.deps.instanceId],
    );
    if (!leased[0]) return undefined; // not accepted (any more), or another instance is at it
    let released = false;
    try {
      const result = await this.syncCharger(chargerId, CHARGER_PROTOCOLS[protocol].localList, round, leased[0]);
      const state = await this.record(chargerId, result); // releases the lease in the same statement
      released = true;
      return state;
    } finally {
      if (!released) {
        await this.deps.db.query(`UPDATE charger_local_lists SET sync_instance = NULL, sync_lease_until = NULL WHERE charger_id = $1 AND sync_instance = $2`, [chargerId, this.deps.instanceId]);
      }
    }
  }

  /** One charger's sync from its row as leased (`row`): what to send, sent. */
  private async syncCharger(chargerId: string, protocol: LocalListProtocol, round: Round, row: StateRow): Promise<SyncResult> {
    const known = row?.content_digest && !row.full_requested ? await this.content(row.content_digest) : undefined;
    const lastVersion = row?.list_version ?? 0;
    const limits = await this.limits(chargerId, protocol);
    const wanted = this.wanted(round, protocol, limits.capacity);
    const base = { sawFullRequest: !!row?.full_requested, version: lastVersion, held: known, heldDigest: known && row?.content_digest ? row.content_digest : undefined, messagesSent: 0, entriesSent: 0, leftOut: wanted.leftOut, fullDone: false };

    let chargerVersion: number | undefined;
    try {
      chargerVersion = protocol.versionOf(await this.call(chargerId, protocol.getVersion()));
    } catch (error) {
      return { ...base, ...this.failure(error, 'GetLocalListVersion') };
    }
    if (chargerVersion === -1) return { ...base, outcome: 'NotSupported', detail: 'the charger has no local authorization list (listVersion -1)' };

    let update = localListUpdate({ wanted: wanted.entries, sent: row?.synced_at ? { version: lastVersion, entries: known } : undefined, chargerVersion, itemsPerMessage: limits.itemsPerMessage });
    if (update.kind === 'none') return { ...base, outcome: 'Unchanged', detail: `the charger holds the wanted list (version ${lastVersion})`, fullDone: true };

    let held = update.kind === 'full' ? [] : known!;
    let version = Math.max(lastVersion, chargerVersion ?? 0);
    let messagesSent = 0;
    let entriesSent = 0;
    let retried = false;
    let detail = update.reason;
    for (let i = 0; i < update.messages.length; i++) {
      const message: LocalListMessage = update.messages[i];
      let status: string | undefined;
      try {
        status = answerStatus(await this.call(chargerId, protocol.send(message)));
      } catch (error) {
        const failed = this.failure(error, 'SendLocalList');
        // A refused message left the list as it was; one without an answer may or may not have been applied.
        const unknown = failed.outcome === 'Unreachable';
        return { ...base, ...failed, version: Math.max(version, unknown ? message.version : version), held: unknown ? undefined : held, heldDigest: undefined, messagesSent: messagesSent + 1, entriesSent, updateType: update.messages[0].updateType };
      }
      messagesSent++;
      entriesSent += message.entries.length;
      if (status === 'Accepted') {
        held = applyLocalListMessage(held, message);
        version = message.version;
        continue;
      }
      if (status === 'NotSupported') return { ...base, outcome: 'NotSupported', detail: 'the charger answered NotSupported to SendLocalList', version, held: undefined, heldDigest: undefined, messagesSent, entriesSent };
      // VersionMismatch or Failed to a differential update: the charger's list is not what the hub thinks; a full list, once.
      if (!retried && (status === 'VersionMismatch' || update.messages[i].updateType === 'Differential')) {
        retried = true;
        detail = `the charger answered ${status} to version ${message.version}; a full list follows`;
        const next = localListUpdate({ wanted: wanted.entries, chargerVersion: Math.max(version, message.version), itemsPerMessage: limits.itemsPerMessage });
        if (next.kind === 'none') break; // cannot happen: no list known
        update = next;
        held = [];
        version = Math.max(version, message.version);
        i = -1;
        continue;
      }
      return { ...base, outcome: 'Failed', detail: `the charger answered ${status} to SendLocalList (${message.updateType}, version ${message.version})`, version: Math.max(version, message.version), held: undefined, heldDigest: undefined, messagesSent, entriesSent, updateType: update.messages[0].updateType };
    }
    return {
      outcome: 'Accepted',
      detail,
      version,
      held,
      heldDigest: held.length === wanted.entries.length ? this.digestIfSame(held, wanted.entries) : undefined,
      updateType: update.messages[0].updateType,
      messagesSent,
      entriesSent,
      leftOut: wanted.leftOut,
      fullDone: true,
      sawFullRequest: base.sawFullRequest,
    };
  }

  /** The wanted list's digest (computed once per round) when the charger now holds exactly it. */
  private digestIfSame(held: LocalListEntry[], wanted: LocalListEntry[]): string | undefined {
    const digest = this.digestOfShared(wanted);
    return digestOf(held) === digest ? digest : undefined;
  }

  private digestOfShared(entries: LocalListEntry[]): string {
    let digest = this.digests.get(entries);
    if (!digest) {
      digest = digestOf(entries);
      this.digests.set(entries, digest);
    }
    return digest;
  }

  private failure(error: unknown, action: string): { outcome: LocalListOutcome; detail: string } {
    if (error instanceof ChargerRefused) return { outcome: 'CallError', detail: `the charger answered ${action} with CALLERROR ${error.code}: ${error.message}` };
    return { outcome: 'Unreachable', detail: `${action}: ${(error as Error).message}` };
  }

  private call(chargerId: string, call: { action: string; params: Record<string, unknown> }): Promise<unknown> {
    return this.deps.calls.call(chargerId, call.action, call.params, this.deps.callTimeoutMs ?? 30_000);
  }

  /** The charger's entries per message and list capacity, from what it reported of its configuration. */
  private async limits(chargerId: string, protocol: LocalListProtocol): Promise<{ itemsPerMessage: number; capacity?: number }> {
    const variables = await this.deps.deviceModel.of(chargerId);
    const find = (where: { component: string; variable: string }): DeviceModelEntry | undefined =>
      variables.find((v) => v.component.name === where.component && v.variable.name === where.variable && v.attribute_type === 'Actual');
    const positive = (value: unknown): number | undefined => {
      const n = Number(value);
      return value !== null && value !== undefined && value !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
    };
    const items = positive(find(protocol.itemsPerMessage)?.value);
    const capacityVariable = find(protocol.capacity);
    const capacity = positive(protocol.capacity.characteristic ? capacityVariable?.characteristics?.[protocol.capacity.characteristic] : capacityVariable?.value);
    return { itemsPerMessage: items ?? DEFAULT_ITEMS_PER_MESSAGE, capacity };
  }

  private async content(digest: string): Promise<LocalListEntry[] | undefined> {
    const hit = this.contents.get(digest);
    if (hit) return hit;
    const rows: { entries: LocalListEntry[] }[] = await this.deps.db.query(`SELECT entries FROM local_list_contents WHERE digest = $1`, [digest]);
    if (!rows[0]) return undefined;
    if (this.contents.size >= 8) this.contents.delete(this.contents.keys().next().value!);
    this.contents.set(digest, rows[0].entries);
    this.digests.set(rows[0].entries, digest);
    return rows[0].entries;
  }

  private async store(entries: LocalListEntry[], digest: string): Promise<void> {
    const known = this.storedDigests.get(digest);
    if (known && Date.now() - known < 3_600_000) return;
    await this.deps.db.query(`INSERT INTO local_list_contents (digest, entries, entry_count) VALUES ($1, $2::jsonb, $3) ON CONFLICT (digest) DO NOTHING`, [
      digest,
      JSON.stringify(entries),
      entries.length,
    ]);
    this.storedDigests.set(digest, Date.now());
    if (this.contents.size >= 8) this.contents.delete(this.contents.keys().next().value!);
    this.contents.set(digest, entries);
  }

  /** Keeps what a sync did and releases this instance's lease, in one statement; the state after it. */
  private async record(chargerId: string, result: SyncResult): Promise<LocalListState> {
    let digest: string | undefined;
    if (result.held) {
      digest = result.heldDigest ?? digestOf(result.held);
      await this.store(result.held, digest);
    }
    const write = () =>
      this.deps.db.query(
        `INSERT INTO charger_local_lists AS s (charger_id, list_version, content_digest, full_requested, synced_at, outcome, detail, update_type, messages_sent, entries_sent, left_out, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, now())
         ON CONFLICT (charger_id) DO UPDATE SET list_version = EXCLUDED.list_version, content_digest = EXCLUDED.content_digest,
           full_requested = CASE WHEN $12 THEN false ELSE s.full_requested END, synced_at = EXCLUDED.synced_at, outcome = EXCLUDED.outcome,
           detail = EXCLUDED.detail, update_type = coalesce(EXCLUDED.update_type, s.update_type), messages_sent = EXCLUDED.messages_sent,
           entries_sent = EXCLUDED.entries_sent, left_out = coalesce(EXCLUDED.left_out, s.left_out), updated_at = now(),
           sync_lease_until = CASE WHEN s.sync_instance = $13 THEN NULL ELSE s.sync_lease_until END,
           sync_instance = CASE WHEN s.sync_instance = $13 THEN NULL ELSE s.sync_instance END
         RETURNING s.*`,
        [
          chargerId,
          result.version,
          digest ?? null,
          false,
          this.now(),
          result.outcome,
          result.detail,
          result.updateType ?? null,
          result.messagesSent,
          result.entriesSent,
          result.leftOut ? JSON.stringify(result.leftOut) : null,
          result.fullDone && !!result.sawFullRequest,
          this.deps.instanceId,
        ],
      );
    let rows: StateRow[];
    try {
      rows = await write();
    } catch (error) {
      // The content was pruned since this instance stored it: store it again.
      if (!digest || (error as { code?: string }).code !== '23503') throw error;
      this.storedDigests.delete(digest);
      await this.store(result.held!, digest);
      rows = await write();
    }
    if (result.outcome !== 'Accepted' && result.outcome !== 'Unchanged') {
      this.deps.log.warn({ charger: chargerId, outcome: result.outcome, detail: result.detail }, 'local authorization list not synchronised');
    }
    // The stored content is `held` (its digest was made from it): its entry count without reading it back.
    return stateOf({ ...rows[0], entry_count: digest ? result.held!.length : null });
  }

  /** Contents no charger holds any more (kept a day: another instance may be about to refer to one). */
  private async prune(): Promise<void> {
    await this.deps.db.query(
      `DELETE FROM local_list_contents c WHERE c.created_at < now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM charger_local_lists s WHERE s.content_digest = c.digest)`,
    );
  }
}
