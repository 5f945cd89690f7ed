import type { DataSource, EntityManager } from 'typeorm';
import { QueryBatches } from '../../db/query-batches';
import type { Page } from '../ocpi/pagination';
import type { PartyAddress } from '../ocpi/party-address';
import type { BodyOrigin } from '../../core/ocpi-versions/translate';

/** The identity of a client-owned OCPI object: module, owner and id (and token type for tokens). */
export interface ObjectKey {
  module: string;
  countryCode: string;
  partyId: string;
  objectId: string;
  /** Tokens are identified by uid and type; empty for every other module. */
  objectType?: string;
}

export interface StoredObject<T = Record<string, unknown>> {
  key: Required<ObjectKey>;
  /** The object in the hub form. */
  data: T;
  lastUpdated: Date;
  /**
   * The object as its owner sent it, in its own version, when that is not the hub form: GETs of the
   * same version answer it unchanged (undocumented fields included), and it is there for audit.
   */
  original?: BodyOrigin;
}

export interface ListQuery {
  module: string;
  /** Only objects of these owners (the counterparts the caller has agreements with). */
  owners: PartyAddress[];
  /**
   * Only objects whose `cdr_token` was issued by the party paired with their owner: sessions and CDRs
   * are private to the eMSP whose token they carry.
   */
  issuedTo?: { owner: PartyAddress; issuer: PartyAddress }[];
  /** Only objects of these types (the payments module keeps an object sent to one CPO under that CPO). */
  objectTypes?: string[];
  /** Not these objects (ids compared case-insensitively): an owner's tariffs the caller may not see (tariff-audiences.ts). */
  excludedIds?: { owner: PartyAddress; objectIds: string[] }[];
  /** Only Locations with `publish: true` (what a National Access Point may see). */
  publishedOnly?: boolean;
  dateFrom?: Date;
  dateTo?: Date;
  offset: number;
  limit: number;
}

interface Row {
  module: string;
  country_code: string;
  party_id: string;
  object_id: string;
  object_type: string;
  data: Record<string, unknown>;
  last_updated: Date;
  original: unknown;
  original_version: string | null;
}

function fromRow<T>(row: Row): StoredObject<T> {
  return {
    key: { module: row.module, countryCode: row.country_code, partyId: row.party_id, objectId: row.object_id, objectType: row.object_type },
    data: row.data as T,
    lastUpdated: row.last_updated,
    ...(row.original_version ? { original: { version: row.original_version as BodyOrigin['version'], body: row.original } } : {}),
  };
}

/**
 * The original an object keeps after a change: the body of a whole-object replacement; a partial
 * change (PATCH, or a PUT of an EVSE or connector) merged into the original by `merge` when both are
 * of one version; none when the change came in the hub form or in another version than the kept
 * original (the history is then no longer one version's, and GETs answer the hub form translated).
 */
export function originalAfterChange(
  current: BodyOrigin | undefined,
  origin: BodyOrigin | undefined,
  replaces: boolean,
  merge: (original: unknown, change: unknown) => unknown,
): BodyOrigin | undefined {
  if (!origin) return undefined;
  if (replaces) return origin;
  if (current?.version !== origin.version) return undefined;
  try {
    return { version: origin.version, body: merge(current.body, origin.body) };
  } catch {
    return undefined; // the original lacks what the change names (its translation had dropped it)
  }
}

const originalValues = (original?: BodyOrigin) => [original ? JSON.stringify(original.body) : null, original?.version ?? null];

/** The `owner` column: `CC/PID`. */
const ownerKeys = (owners: PartyAddress[]) => owners.map((o) => `${o.countryCode}/${o.partyId}`);

/** Reads of many callers in one query: up to 200 keys, four queries at a time (the pool has 20 connections). */
const STORE_READ_BATCHES = { maxItems: 200, maxWaitMs: 0, concurrency: 4 };

const KEY_WHERE = 'module = $1 AND country_code = $2 AND party_id = $3 AND object_id = $4 AND object_type = $5';
const keyValues = (k: ObjectKey) => [k.module, k.countryCode, k.partyId, k.objectId, k.objectType ?? ''];

/** The modules whose objects ocpi_object_counts counts per owner (migrations/1763705600000-ObjectCounts.ts). */
const COUNTED_MODULES = new Set(['locations', 'tariffs']);

/**
 * The WHERE of a list (`$1`… in `params`): owners, token issuers, types, exclusions, publication and
 * dates; and the statement of its total: the kept count of the owners' objects when nothing but the
 * owners filters (an unfiltered GET-all), else a count of the matches.
 */
function listFilter(query: ListQuery): { where: string; params: unknown[]; total: string } {
  // One owner by equality: the (module, owner, last_updated, seq) index then gives the order itself,
  // where `= ANY` of several owners needs a sort of all their matches first.
  const single = query.owners.length === 1;
  const params: unknown[] = [query.module, single ? ownerKeys(query.owners)[0] : ownerKeys(query.owners)];
  const ofOwners = single ? `module = $1 AND owner = $2` : `module = $1 AND owner = ANY($2::text[])`;
  let where = ofOwners;
  if (query.issuedTo) {
    params.push(ownerKeys(query.issuedTo.map((p) => p.owner)), ownerKeys(query.issuedTo.map((p) => p.issuer)));
    where += ` AND (owner, upper(data->'cdr_token'->>'country_code') || '/' || upper(data->'cdr_token'->>'party_id'))
               IN (SELECT * FROM unnest($${params.length - 1}::text[], $${params.length}::text[]))`;
  }
  if (query.objectTypes) {
    params.push(query.objectTypes);
    where += ` AND object_type = ANY($${params.length}::text[])`;
  }
  if (query.excludedIds?.length) {
    const pairs = query.excludedIds.flatMap((e) => e.objectIds.map((id) => [ownerKeys([e.owner])[0], id.toUpperCase()]));
    params.push(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    where += ` AND (owner, upper(object_id)) NOT IN (SELECT * FROM unnest($${params.length - 1}::text[], $${params.length}::text[]))`;
  }
  if (query.publishedOnly) where += ` AND data->'publish' = 'true'::jsonb`;
  if (query.dateFrom) {
    params.push(query.dateFrom);
    where += ` AND last_updated >= $${params.length}`;
  }
  if (query.dateTo) {
    params.push(query.dateTo);
    where += ` AND last_updated < $${params.length}`;
  }
  const unfiltered = params.length === 2 && !query.publishedOnly && COUNTED_MODULES.has(query.module);
  const total = unfiltered
    ? `SELECT coalesce(sum(objects), 0)::int FROM ocpi_object_counts WHERE ${ofOwners}`
    : `SELECT count(*)::int FROM ocpi_objects WHERE ${where}`;
  return { where, params, total };
}

/**
 * Client-owned objects pushed to the hub, kept as the owner sent them (JSON-equal when read back, the
 * hub never changes last_updated), so eMSPs and CPOs can pull them through the hub (GET-all merged
 * across owners, oldest first) and late receivers can catch up.
 */
export class ObjectStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Reads outside a transaction arriving in the same turn of the event loop go in one query (a fleet
   * of chargers reconnecting reads its locations, tokens and the like at once); in a transaction a
   * read is the transaction's own statement.
   */
  private readonly keyReads = new QueryBatches<ObjectKey, Row | undefined>(
    async (keys) => {
      const rows: (Row & { i: string })[] = await this.db.query(
        `SELECT v.i, o.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS v(module, country_code, party_id, object_id, object_type, i)
           JOIN ocpi_objects o ON o.module = v.module AND o.country_code = v.country_code AND o.party_id = v.party_id
                              AND o.object_id = v.object_id AND o.object_type = v.object_type`,
        [0, 1, 2, 3, 4].map((column) => keys.map((k) => keyValues(k)[column])),
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
      return keys.map((_, index) => byIndex.get(index + 1));
    },
    STORE_READ_BATCHES,
  );
  private readonly idReads = new QueryBatches<{ module: string; objectId: string; objectType: string | null; owners: string[] }, Row[]>(
    async (asked) => {
      const rows: (Row & { i: string })[] = await this.db.query(
        `SELECT v.i, o.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS v(module, object_id, object_type, owners, i)
           JOIN ocpi_objects o ON o.module = v.module AND o.object_id = v.object_id
                              AND (v.object_type IS NULL OR o.object_type = v.object_type) AND o.owner = ANY(string_to_array(v.owners, E'\\n'))
          ORDER BY v.i, o.seq`,
        [asked.map((a) => a.module), asked.map((a) => a.objectId), asked.map((a) => a.objectType), asked.map((a) => a.owners.join('\n'))],
      );
      const byIndex = new Map<number, Row[]>();
      for (const row of rows) byIndex.set(Number(row.i), [...(byIndex.get(Number(row.i)) ?? []), row]);
      return asked.map((_, index) => byIndex.get(index + 1) ?? []);
    },
    STORE_READ_BATCHES,
  );

  async get<T = Record<string, unknown>>(key: ObjectKey, manager: EntityManager = this.db.manager): Promise<StoredObject<T> | null> {
    if (manager === this.db.manager) {
      const row = await this.keyReads.add(key);
      return row ? fromRow<T>(row) : null;
    }
    const rows: Row[] = await manager.query(`SELECT * FROM ocpi_objects WHERE ${KEY_WHERE}`, keyValues(key));
    return rows[0] ? fromRow<T>(rows[0]) : null;
  }

  /** Creates or replaces an object; says which. */
  async put(key: ObjectKey, data: object, lastUpdated: Date, manager: EntityManager = this.db.manager, original?: BodyOrigin): Promise<'created' | 'updated'> {
    const rows: { created: boolean }[] = await manager.query(
      `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, object_type, data, last_updated, original, original_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (module, country_code, party_id, object_id, object_type)
       DO UPDATE SET data = EXCLUDED.data, last_updated = EXCLUDED.last_updated,
                     original = EXCLUDED.original, original_version = EXCLUDED.original_version
       RETURNING (xmax = 0) AS created`,
      [...keyValues(key), JSON.stringify(data), lastUpdated, ...originalValues(original)],
    );
    return rows[0].created ? 'created' : 'updated';
  }

  /** Stores an object only if none has its key; says whether it did (one statement, race-free). */
  async insert(key: ObjectKey, data: object, lastUpdated: Date, manager: EntityManager = this.db.manager, original?: BodyOrigin): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, object_type, data, last_updated, original, original_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING seq`,
      [...keyValues(key), JSON.stringify(data), lastUpdated, ...originalValues(original)],
    );
    return rows.length === 1;
  }

  /**
   * Reads an object under a row lock and stores what `change` makes of it, in the caller's
   * transaction (the one that also queues the change's deliveries), so concurrent PATCHes of one
   * object do not lose each other's changes. `change` may throw to abort.
   */
  async update<T, R>(
    key: ObjectKey,
    change: (current: StoredObject<T> | null) => { data: object; lastUpdated: Date; result: R; original?: BodyOrigin },
    tx: EntityManager,
  ): Promise<R> {
    const rows: Row[] = await tx.query(`SELECT * FROM ocpi_objects WHERE ${KEY_WHERE} FOR UPDATE`, keyValues(key));
    const next = change(rows[0] ? fromRow<T>(rows[0]) : null);
    await this.put(key, next.data, next.lastUpdated, tx, next.original);
    return next.result;
  }

  async delete(key: ObjectKey, manager: EntityManager = this.db.manager): Promise<boolean> {
    const [, affected] = await manager.query(`DELETE FROM ocpi_objects WHERE ${KEY_WHERE}`, keyValues(key));
    return affected > 0;
  }

  /** Objects of the given owners, oldest last_updated first (stable: then by insertion order). */
  async list<T = Record<string, unknown>>(query: ListQuery): Promise<Page<StoredObject<T>>> {
    if (query.owners.length === 0) return { items: [], total: 0 };
    const { where, params, total } = listFilter(query);
    // One statement: the total as a sub-select beside the page (one snapshot, one round trip), the
    // page sorted and skipped in the (module, owner, last_updated, seq) index before its JSON is read.
    // A page past the end still answers its one row of the total (the LEFT JOIN).
    const rows: (Partial<Row> & { total: number })[] = await this.db.query(
      `SELECT t.total, o.module, o.country_code, o.party_id, o.object_id, o.object_type, o.data, o.last_updated, o.original, o.original_version
         FROM (${total}) t(total)
         LEFT JOIN (SELECT seq, last_updated FROM ocpi_objects WHERE ${where} ORDER BY last_updated, seq OFFSET $${params.length + 1} LIMIT $${params.length + 2}) page ON true
         LEFT JOIN ocpi_objects o USING (seq)
        ORDER BY page.last_updated, page.seq`,
      [...params, query.offset, query.limit],
    );
    return { items: rows.filter((r) => r.module !== null && r.module !== undefined).map((r) => fromRow<T>(r as Row)), total: rows[0]?.total ?? 0 };
  }

  /**
   * The same page as `list`, each object as the JSON text a GET of `routeVersion` answers (the
   * sender's original when it is of that version, else the hub form: `answerOf`), joined by ',' in
   * the database: a page is written into its envelope without parsing and serialising each object
   * (PostgreSQL's jsonb text: JSON-equal to what `list` gives, keys in the same order).
   */
  async listTexts(query: ListQuery, routeVersion: string): Promise<{ joined: string; total: number }> {
    if (query.owners.length === 0) return { joined: '', total: 0 };
    const { where, params, total } = listFilter(query);
    const n = params.length;
    const [row]: { total: number; joined: string | null }[] = await this.db.query(
      `SELECT (${total}) AS total,
              string_agg(CASE WHEN o.original_version = $${n + 3} THEN o.original::text ELSE o.data::text END, ',' ORDER BY page.last_updated, page.seq) AS joined
         FROM (SELECT seq, last_updated FROM ocpi_objects WHERE ${where} ORDER BY last_updated, seq OFFSET $${n + 1} LIMIT $${n + 2}) page
         JOIN ocpi_objects o USING (seq)`,
      [...params, query.offset, query.limit, routeVersion],
    );
    return { joined: row.joined ?? '', total: row.total };
  }

  /** Objects with this id among the given owners (an id alone is unique only per owner). */
  async findById<T = Record<string, unknown>>(
    module: string,
    objectId: string,
    owners: PartyAddress[],
    objectType?: string,
  ): Promise<StoredObject<T>[]> {
    if (owners.length === 0) return [];
    const rows = await this.idReads.add({ module, objectId, objectType: objectType ?? null, owners: ownerKeys(owners) });
    return rows.map((r) => fromRow<T>(r));
  }

  /**
   * The owners, among `owners`, of an object of one of `modules` whose top-level `field` is `value`:
   * open routing by a reference the object carries (a payment confirmation's authorization_reference
   * finds the CPO whose session or CDR has it).
   */
  async ownersWith(modules: string[], field: string, value: string, owners: PartyAddress[]): Promise<PartyAddress[]> {
    if (owners.length === 0) return [];
    const rows: { country_code: string; party_id: string }[] = await this.db.query(
      `SELECT DISTINCT country_code, party_id FROM ocpi_objects
        WHERE module = ANY($1::text[]) AND owner = ANY($2::text[]) AND data->>$3 = $4
        ORDER BY country_code, party_id`,
      [modules, ownerKeys(owners), field, value],
    );
    return rows.map((r) => ({ countryCode: r.country_code, partyId: r.party_id }));
  }
}
