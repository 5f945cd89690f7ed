/**
 * Local authorization lists (OCPP 1.6 §3.5.3 / 2.0.1 D01–D02) built from the tokens eMSPs pushed to
 * the hub (pure: no I/O). The hub keeps what it last sent to each charger; from that and the tokens it
 * wants there, the next update is a differential one with only what changed (a removal is an entry
 * without status), or a full list when the charger's list is unknown, differs from what the hub sent,
 * or a differential update would be no smaller. Lists larger than one message are sent in chunks:
 * the first Full, the rest Differential, each with the next version number (a Differential must carry
 * a version above the charger's, 2.0.1 D01.FR.19, 1.6 SendLocalList).
 */

/** What a list entry tells an offline charger: only these two, the states an OCPI token can put it in. */
export type LocalListStatus = 'Accepted' | 'Blocked';

/** One entry of a charger's local list, keyed by the token's uid. */
export interface LocalListEntry {
  id: string;
  status: LocalListStatus;
  /** Until when the charger may trust an Accepted entry (ISO 8601, whole seconds); absent: no end. */
  expiresAt?: string;
}

/** An entry to put (with status) or to remove (without), as a Differential update carries it. */
export interface LocalListChange {
  id: string;
  status?: LocalListStatus;
  expiresAt?: string;
}

/** One SendLocalList request, version-neutral (CHARGER_PROTOCOLS shapes it per OCPP version). */
export interface LocalListMessage {
  updateType: 'Full' | 'Differential';
  version: number;
  entries: LocalListChange[];
}

/** The OCPI Token fields the list is made of (mod_tokens Token). */
export interface ListedToken {
  uid: string;
  type: string;
  valid: boolean;
  whitelist: string;
}

export interface WantedListOptions {
  /** Longest id the charger's version takes: 1.6 IdToken is CiString20, 2.0.1 idToken 36. */
  maxIdLength: number;
  /** How many entries the charger's list holds (1.6 LocalAuthListMaxLength, 2.0.1 LocalAuthListCtrlr Entries), when known. */
  capacity?: number;
  now: Date;
  /**
   * How long an Accepted entry stays trusted, when set. Expiries are quantised to half this period so
   * that every charger gets the same list and an entry changes only every half period (then all
   * entries are refreshed at once, which is a Full list): an entry is valid for at least half of it.
   */
  entryTtlMs?: number;
}

export interface WantedList {
  /** Sorted by id (a stable order: equal lists are equal arrays). */
  entries: LocalListEntry[];
  /** Tokens that could not be listed: their uid is longer than the charger's version takes, or the list is full. */
  leftOut: { idTooLong: number; overCapacity: number };
}

/**
 * The list the hub wants on a charger. Only RFID tokens (the cards a charger's reader sees; app and
 * ad hoc tokens reach a charger through the hub) that eMSPs let CPOs whitelist (ALWAYS, ALLOWED) are
 * listed: valid ones Accepted, those the eMSP marked not valid Blocked (a list entry overrides what
 * the charger may still hold in its authorization cache). ALLOWED_OFFLINE and NEVER tokens need the
 * eMSP's real-time answer and are left to the hub. When several eMSPs use one uid, the valid token
 * wins. Over capacity, Accepted entries are kept before Blocked ones.
 */
export function wantedLocalList(tokens: ListedToken[], options: WantedListOptions): WantedList {
  const byId = new Map<string, LocalListStatus>();
  let idTooLong = 0;
  for (const token of tokens) {
    if (token.type !== 'RFID' || (token.whitelist !== 'ALWAYS' && token.whitelist !== 'ALLOWED')) continue;
    if (token.uid.length > options.maxIdLength) {
      idTooLong++;
      continue;
    }
    const status: LocalListStatus = token.valid ? 'Accepted' : 'Blocked';
    if (byId.get(token.uid) !== 'Accepted') byId.set(token.uid, status);
  }
  const expiresAt = options.entryTtlMs ? quantisedExpiry(options.now, options.entryTtlMs) : undefined;
  let entries: LocalListEntry[] = [...byId].map(([id, status]) => (status === 'Accepted' && expiresAt ? { id, status, expiresAt } : { id, status }));
  entries.sort(byEntryId);
  let overCapacity = 0;
  if (options.capacity !== undefined && entries.length > options.capacity) {
    const kept = [...entries.filter((e) => e.status === 'Accepted'), ...entries.filter((e) => e.status === 'Blocked')].slice(0, Math.max(0, options.capacity));
    overCapacity = entries.length - kept.length;
    entries = kept.sort(byEntryId);
  }
  return { entries, leftOut: { idTooLong, overCapacity } };
}

function byEntryId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The end of the half-period after the current one: between half and one whole TTL ahead of `now` (the expiry of the Accepted entries of a list wanted at `now`). */
export function quantisedExpiry(now: Date, ttlMs: number): string {
  const half = Math.max(1000, Math.floor(ttlMs / 2000) * 1000);
  const window = Math.floor(now.getTime() / half);
  return new Date((window + 2) * half).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const sameEntry = (a: LocalListEntry | undefined, b: LocalListEntry): boolean => !!a && a.status === b.status && a.expiresAt === b.expiresAt;

/** What turns list `from` into list `to`: changed and new entries with their status, removed ones without. */
export function localListDiff(from: LocalListEntry[], to: LocalListEntry[]): LocalListChange[] {
  const before = new Map(from.map((e) => [e.id, e]));
  const changes: LocalListChange[] = [];
  for (const entry of to) {
    if (!sameEntry(before.get(entry.id), entry)) changes.push({ ...entry });
    before.delete(entry.id);
  }
  for (const id of before.keys()) changes.push({ id });
  return changes.sort(byEntryId);
}

/** What the hub knows of a charger's list: the version it set and the entries the charger then held. */
export interface SentLocalList {
  version: number;
  /** Undefined when the hub does not know them (a sync broke off, or the operator asked for a full list). */
  entries?: LocalListEntry[];
}

export interface LocalListUpdateInput {
  wanted: LocalListEntry[];
  /** What the hub last sent; undefined when it never sent a list to the charger. */
  sent?: SentLocalList;
  /** The version the charger reports (GetLocalListVersion), when asked. */
  chargerVersion?: number;
  /** Entries per SendLocalList (1.6 SendLocalListMaxLength, 2.0.1 ItemsPerMessageSendLocalList). */
  itemsPerMessage: number;
}

export type LocalListUpdate =
  | { kind: 'none' }
  | { kind: 'full' | 'differential'; reason: string; messages: LocalListMessage[]; changes: number };

/** The default entries per message when the charger did not tell (both versions leave it to the charger). */
export const DEFAULT_ITEMS_PER_MESSAGE = 500;

/** The next update of a charger's list, or none when it already holds the wanted one. */
export function localListUpdate(input: LocalListUpdateInput): LocalListUpdate {
  const per = Math.max(1, Math.floor(input.itemsPerMessage) || DEFAULT_ITEMS_PER_MESSAGE);
  const base = Math.max(input.sent?.version ?? 0, input.chargerVersion ?? 0, 0);
  const full = (reason: string): LocalListUpdate => {
    const messages: LocalListMessage[] = [];
    for (let i = 0; i === 0 || i < input.wanted.length; i += per) {
      messages.push({ updateType: i === 0 ? 'Full' : 'Differential', version: base + messages.length + 1, entries: input.wanted.slice(i, i + per).map((e) => ({ ...e })) });
    }
    return { kind: 'full', reason, messages, changes: input.wanted.length };
  };
  const sent = input.sent;
  if (!sent) return full('the hub never sent this charger a list');
  if (!sent.entries) return full('the hub does not know what the charger holds');
  if (input.chargerVersion !== undefined && input.chargerVersion !== sent.version) {
    return full(`the charger reports list version ${input.chargerVersion}, the hub set ${sent.version}`);
  }
  const diff = localListDiff(sent.entries, input.wanted);
  if (diff.length === 0) return { kind: 'none' };
  if (diff.length >= input.wanted.length) return full(`${diff.length} changes are no fewer than the ${input.wanted.length} entries of a full list`);
  const messages: LocalListMessage[] = [];
  for (let i = 0; i < diff.length; i += per) messages.push({ updateType: 'Differential', version: base + messages.length + 1, entries: diff.slice(i, i + per) });
  return { kind: 'differential', reason: `${diff.length} changed entries`, messages, changes: diff.length };
}

/** The list a charger holds after it accepted `message` (what OCPP says it does with one). */
export function applyLocalListMessage(list: LocalListEntry[], message: LocalListMessage): LocalListEntry[] {
  const held = new Map(message.updateType === 'Full' ? [] : list.map((e) => [e.id, e]));
  for (const change of message.entries) {
    if (change.status) held.set(change.id, change.expiresAt ? { id: change.id, status: change.status, expiresAt: change.expiresAt } : { id: change.id, status: change.status });
    else held.delete(change.id);
  }
  return [...held.values()].sort(byEntryId);
}
