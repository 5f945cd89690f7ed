import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { type ApiKeyView, hashApiKey, newApiKey } from '../../foundation/api-keys';

/**
 * Finance keys: what a partner's finance team presents to read its own statements, dispute lines and
 * reconcile invoices (the partner finance API, /partner/v1). A key of its own rather than the OCPI
 * credentials token: the people who reconcile are not the machine that pushes CDRs, a key for
 * reading money must not be able to push OCPI objects (nor the other way round), and it is issued and
 * revoked by the operator without touching the OCPI connection. Only its SHA-256 is stored; the key
 * is shown once.
 */
export interface FinanceKeyView extends ApiKeyView {
  party_id: string;
}

/** The party a finance key belongs to, and the statement sides it may see: its CPO and eMSP roles as CC/PID. */
export interface FinanceCaller {
  keyId: string;
  partyUuid: string;
  cpos: string[];
  emsps: string[];
}

export const FINANCE_KEY_PREFIX = 'fin_';

export class FinanceKeys {
  constructor(private readonly db: DataSource) {}

  /** A new key for a party; the key itself is in the answer only. */
  async issue(partyUuid: string, label: string): Promise<FinanceKeyView & { key: string }> {
    const key = newApiKey(FINANCE_KEY_PREFIX);
    const [party] = await this.db.query(`SELECT 1 FROM parties WHERE id = $1`, [partyUuid]);
    if (!party) throw new HubError('not_found', `No party ${partyUuid}`);
    const [row] = await this.db.query(
      `INSERT INTO finance_keys (party_uuid, label, key_hash) VALUES ($1, $2, $3)
       RETURNING id, party_uuid AS party_id, label, created_at, revoked_at`,
      [partyUuid, label, hashApiKey(key)],
    );
    return { ...row, key };
  }

  async list(partyUuid: string): Promise<FinanceKeyView[]> {
    return this.db.query(
      `SELECT id, party_uuid AS party_id, label, created_at, revoked_at FROM finance_keys WHERE party_uuid = $1 ORDER BY created_at, id`,
      [partyUuid],
    );
  }

  /** Revokes a key at once; a revoked key stays listed. */
  async revoke(id: string): Promise<FinanceKeyView> {
    const [rows] = await this.db.query(
      `UPDATE finance_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
       RETURNING id, party_uuid AS party_id, label, created_at, revoked_at`,
      [id],
    );
    if (!rows?.length) throw new HubError('not_found', `No finance key ${id}`);
    return rows[0];
  }

  /** The caller a key stands for, or null for an unknown or revoked key (or a suspended party). */
  async authenticate(key: string): Promise<FinanceCaller | null> {
    if (!key.startsWith(FINANCE_KEY_PREFIX)) return null;
    const [row] = await this.db.query(
      `SELECT k.id AS key_id, p.id AS party_uuid,
              coalesce(array_agg(r.country_code || '/' || r.party_id) FILTER (WHERE r.role = 'CPO'), '{}') AS cpos,
              coalesce(array_agg(r.country_code || '/' || r.party_id) FILTER (WHERE r.role = 'EMSP'), '{}') AS emsps
         FROM finance_keys k
         JOIN parties p ON p.id = k.party_uuid AND p.suspended_at IS NULL
         LEFT JOIN party_roles r ON r.party_uuid = p.id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL
        GROUP BY k.id, p.id`,
      [hashApiKey(key)],
    );
    if (!row) return null;
    const upper = (list: string[]) => list.map((a) => a.toUpperCase());
    return { keyId: row.key_id, partyUuid: row.party_uuid, cpos: upper(row.cpos), emsps: upper(row.emsps) };
  }
}
