import { createHash, randomBytes } from 'node:crypto';

/**
 * The keys the operator issues to outside callers (partner finance keys, site EMS keys, fleet keys):
 * a prefix naming the kind, then 192 random bits; shown once, only the SHA-256 is stored. A key is
 * found by its digest (an indexed equality lookup), so no secret is ever compared byte by byte.
 */
export interface ApiKeyView {
  id: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** A new key of a kind, e.g. `newApiKey('flt_')`. */
export function newApiKey(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/** What is stored of a key: its SHA-256, hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key of `Authorization: Bearer <key>` when it is of the kind `prefix`, else null. */
export function bearerKeyOf(authorization: string | undefined, prefix: string): string | null {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  return match && match[1].startsWith(prefix) ? match[1] : null;
}
