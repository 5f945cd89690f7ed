import type { DataSource } from 'typeorm';

/**
 * Columns a refused request may legitimately change, left out of the digest:
 * - parties.last_seen_at / updated_at: any authenticated call, refused or not, is traffic from that
 *   partner and keeps it CONNECTED (PartyRegistry.recordActivity; TypeORM bumps updated_at with it).
 * - chargers.last_connected_at / connected_instance / disconnected_at: the connection bookkeeping a charger's
 *   (re)connection writes; the OCPP fuzzer reconnects after the hub closes a connection for garbage.
 */
export const VOLATILE_COLUMNS: Record<string, string[]> = {
  parties: ['last_seen_at', 'updated_at'],
  chargers: ['last_connected_at', 'connected_instance', 'disconnected_at'],
};

/**
 * Tables a refused request legitimately writes, left out whole: traffic_records keeps every request,
 * refused ones above all (docs/traffic.md).
 */
// charger_local_lists / local_list_contents: the hub's own record of the local-list syncs a charger's
// boot starts (what it sent and how the charger answered), not a change a fuzz frame made.
// charger_connection_log / charger_boots: every (re)connection and boot of a charger (the fuzzer reconnects
// and boots after the hub closes a connection for garbage), like the chargers' connection columns above.
export const VOLATILE_TABLES = new Set(['traffic_records', 'charger_local_lists', 'local_list_contents', 'charger_connection_log', 'charger_boots']);

export interface TableDigest {
  rows: number;
  md5: string;
  /** The rows as JSON text (sorted), to name what changed; kept for tables of up to 2,000 rows. */
  texts?: string[];
}

/**
 * A digest of every table's contents (read from the catalogue, so tables added by later migrations are
 * covered without listing them): per table the row count and an md5 of its rows as JSON, sorted.
 */
export async function databaseDigest(db: DataSource): Promise<Record<string, TableDigest>> {
  const tables: { name: string }[] = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const digest: Record<string, TableDigest> = {};
  for (const { name } of tables.filter((t) => !VOLATILE_TABLES.has(t.name))) {
    const dropped = (VOLATILE_COLUMNS[name] ?? []).map((c) => ` - '${c}'`).join('');
    const [row]: { rows: string; md5: string | null }[] = await db.query(
      `SELECT count(*) AS rows, md5(string_agg(r, E'\\n' ORDER BY r)) AS md5
         FROM (SELECT (to_jsonb(t)${dropped})::text AS r FROM "${name}" t) s`,
    );
    const rows = Number(row.rows);
    const texts = rows <= 2000 ? ((await db.query(`SELECT (to_jsonb(t)${dropped})::text AS r FROM "${name}" t ORDER BY 1`)) as { r: string }[]).map((x) => x.r) : undefined;
    digest[name] = { rows, md5: row.md5 ?? '', texts };
  }
  return digest;
}

/** The tables whose digests differ, e.g. `outbox: 3 rows → 4 rows`. */
export function digestDifferences(before: Record<string, TableDigest>, after: Record<string, TableDigest>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => before[n]?.md5 !== after[n]?.md5 || before[n]?.rows !== after[n]?.rows)
    .map((n) => {
      const gone = (before[n]?.texts ?? []).filter((t) => !after[n]?.texts?.includes(t));
      const added = (after[n]?.texts ?? []).filter((t) => !before[n]?.texts?.includes(t));
      const rows = [...gone.slice(0, 2).map((t) => `\n  - ${t.slice(0, 600)}`), ...added.slice(0, 2).map((t) => `\n  + ${t.slice(0, 600)}`)].join('');
      return `${n}: ${before[n]?.rows ?? 'no table'} rows → ${after[n]?.rows ?? 'no table'} rows (contents differ)${rows}`;
    });
}
