import type { DataSource } from 'typeorm';
import { hashApiKey, newApiKey, type ApiKeyView } from '../../foundation/api-keys';
import { HubError } from '../../foundation/hub-errors';

/**
 * Fleets that book at the own CPO's locations (docs/scheduling.md, "Bookings by a fleet"): a name and
 * the tokens it owns (OCPP id tokens / OCPI token uids), kept by the operator, and the keys the
 * operator issued to it. A fleet key opens the bookings API, for the fleet's own tokens only.
 */
export interface FleetView {
  id: string;
  name: string;
  tokens: string[];
  created_at: Date;
  updated_at: Date;
}

export interface FleetKeyView extends ApiKeyView {
  fleet_id: string;
}

/** The fleet a key stands for, with its tokens as they are now. */
export interface FleetCaller {
  keyId: string;
  fleetId: string;
  name: string;
  tokens: string[];
}

export const FLEET_KEY_PREFIX = 'flt_';
const KEY_COLUMNS = `id::text, fleet_id, label, created_at, revoked_at`;

export class Fleets {
  constructor(private readonly db: DataSource) {}

  /** Creates or replaces a fleet's name and tokens; a token belongs to one fleet at most (409 otherwise). */
  async put(id: string, body: { name: string; tokens: string[] }): Promise<{ fleet: FleetView; created: boolean }> {
    const tokens = [...new Set(body.tokens)].sort();
    const [taken] = await this.db.query(
      `SELECT id, array(SELECT unnest(tokens) INTERSECT SELECT unnest($2::text[]) ORDER BY 1) AS shared FROM fleets WHERE id <> $1 AND tokens && $2::text[] ORDER BY id LIMIT 1`,
      [id, tokens],
    );
    if (taken) throw new HubError('conflict', `Token(s) ${taken.shared.join(', ')} belong to fleet ${taken.id}`);
    const [row] = await this.db.query(
      `INSERT INTO fleets (id, name, tokens) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, tokens = EXCLUDED.tokens, updated_at = now()
       RETURNING id, name, tokens, created_at, updated_at, (xmax = 0) AS created`,
      [id, body.name, tokens],
    );
    const { created, ...fleet } = row;
    return { fleet, created };
  }

  async list(): Promise<FleetView[]> {
    return this.db.query(`SELECT id, name, tokens, created_at, updated_at FROM fleets ORDER BY id`);
  }

  async require(id: string): Promise<FleetView> {
    const [row] = await this.db.query(`SELECT id, name, tokens, created_at, updated_at FROM fleets WHERE id = $1`, [id]);
    if (!row) throw new HubError('not_found', `No fleet ${id}`);
    return row;
  }

  /** A new key for a fleet; the key itself is in the answer only. */
  async issueKey(fleetId: string, label: string): Promise<FleetKeyView & { key: string }> {
    await this.require(fleetId);
    const key = newApiKey(FLEET_KEY_PREFIX);
    const [row] = await this.db.query(`INSERT INTO fleet_keys (fleet_id, label, key_hash) VALUES ($1, $2, $3) RETURNING ${KEY_COLUMNS}`, [
      fleetId,
      label,
      hashApiKey(key),
    ]);
    return { ...row, key };
  }

  async keys(fleetId: string): Promise<FleetKeyView[]> {
    await this.require(fleetId);
    return this.db.query(`SELECT ${KEY_COLUMNS} FROM fleet_keys WHERE fleet_id = $1 ORDER BY created_at, id`, [fleetId]);
  }

  /** Revokes a key at once; a revoked key stays listed. */
  async revokeKey(fleetId: string, keyId: string): Promise<FleetKeyView> {
    const notFound = new HubError('not_found', `No key ${keyId} of fleet ${fleetId}`);
    if (!/^[0-9a-f-]{36}$/i.test(keyId)) throw notFound;
    const [rows] = await this.db.query(
      `UPDATE fleet_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND fleet_id = $2 RETURNING ${KEY_COLUMNS}`,
      [keyId, fleetId],
    );
    if (!rows?.length) throw notFound;
    return rows[0];
  }

  /** The fleet a key stands for, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<FleetCaller | null> {
    if (!key.startsWith(FLEET_KEY_PREFIX)) return null;
    const [row] = await this.db.query(
      `SELECT k.id::text AS key_id, f.id AS fleet_id, f.name, f.tokens FROM fleet_keys k JOIN fleets f ON f.id = k.fleet_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    return row ? { keyId: row.key_id, fleetId: row.fleet_id, name: row.name, tokens: row.tokens } : null;
  }
}
