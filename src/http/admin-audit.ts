import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { auditActionOf, auditOutcomeOf, isMutatingMethod, redactAuditValue } from '../core/audit/admin-audit-entry';

/**
 * How the audit log reads an admin target's state, by the path of the request (before routing, so
 * before the change): one SQL read per kind of target, the row as JSON (secrets removed afterwards).
 */
interface TargetReader {
  path: RegExp;
  sql: string;
  /** Parameters from the path's match (and the own CPO's address for its catalogue). */
  params: (match: RegExpExecArray, own: string) => unknown[];
}

const UUID = '[0-9a-fA-F-]{36}';
const SEGMENT = '[^/]+';
const TARGET_READERS: TargetReader[] = [
  { path: new RegExp(`^/admin/parties/(${UUID})(?:/|$)`), sql: `SELECT to_jsonb(p) AS state FROM parties p WHERE id = $1`, params: (m) => [m[1]] },
  { path: new RegExp(`^/admin/agreements/(${UUID})$`), sql: `SELECT to_jsonb(a) AS state FROM roaming_agreements a WHERE id = $1`, params: (m) => [m[1]] },
  { path: new RegExp(`^/admin/locations/(${SEGMENT})(?:/|$)`), sql: `SELECT data AS state FROM ocpi_objects WHERE module = 'locations' AND owner = $2 AND object_id = $1`, params: (m, own) => [decodeURIComponent(m[1]), own] },
  { path: new RegExp(`^/admin/tariffs/(${SEGMENT})(?:/|$)`), sql: `SELECT data AS state FROM ocpi_objects WHERE module = 'tariffs' AND owner = $2 AND object_id = $1`, params: (m, own) => [decodeURIComponent(m[1]), own] },
  { path: new RegExp(`^/admin/sites/(${SEGMENT})(?:/|$)`), sql: `SELECT to_jsonb(s) - 'last_allocation' AS state FROM sites s WHERE id = $1`, params: (m) => [decodeURIComponent(m[1])] },
  { path: new RegExp(`^/admin/chargers/(${SEGMENT})(?:/|$)`), sql: `SELECT to_jsonb(c) AS state FROM chargers c WHERE id = $1`, params: (m) => [decodeURIComponent(m[1])] },
  { path: new RegExp(`^/admin/settlement/statements/(${UUID})(?:/|$)`), sql: `SELECT to_jsonb(s) AS state FROM settlement_statements s WHERE id = $1`, params: (m) => [m[1]] },
  { path: new RegExp(`^/admin/settlement/disputes/(${UUID})(?:/|$)`), sql: `SELECT to_jsonb(d) AS state FROM settlement_disputes d WHERE id = $1`, params: (m) => [m[1]] },
  {
    path: /^\/admin\/outbox\/(\d{1,18})(?:\/|$)/,
    sql: `SELECT jsonb_build_object('id', id, 'party_uuid', party_uuid, 'module', module, 'method', method, 'path', path, 'status', status, 'attempts', attempts, 'last_error', last_error) AS state FROM outbox WHERE id = $1`,
    params: (m) => [m[1]],
  },
];

export interface AdminAuditOptions {
  db: DataSource;
  log: Logger;
  /** The own CPO as `CC/PID`: the owner of /admin/locations and /admin/tariffs. */
  ownOwner: string;
  /** Who holds the admin key. The hub has one key; its label, `admin` unless configured. */
  actor?: string;
}

/** The target's stored state; undefined when the path names no kind the log reads (or cannot be read). */
async function readTarget(opts: AdminAuditOptions, path: string): Promise<unknown> {
  try {
    for (const reader of TARGET_READERS) {
      const match = reader.path.exec(path);
      if (!match) continue;
      const rows: { state: unknown }[] = await opts.db.query(reader.sql, reader.params(match, opts.ownOwner));
      return rows[0]?.state ?? null;
    }
  } catch (error) {
    // A path the route will refuse anyway (a malformed escape, an id no column takes): the entry has no before/after.
    opts.log.debug({ err: error, path }, 'audit: the target could not be read');
  }
  return undefined;
}

function jsonOrNull(value: unknown): string | null {
  // Through JSON first: what the caller got (dates as text), then without its secrets.
  return value === undefined ? null : JSON.stringify(redactAuditValue(JSON.parse(JSON.stringify(value))));
}

/**
 * Every mutating admin request, whoever sends it (the console, the CLI, curl), is written to
 * `admin_audit_log` once its answer is known: refusals with their error message too. It runs outside
 * the admin error handler, so it sees the status and body the caller gets, and after the key check's
 * 401 (an unauthenticated request changed nothing and names no operator: not audited). A failure to
 * write the row is logged; the action it describes has happened and is not undone.
 */
export function auditAdminRequests(opts: AdminAuditOptions): Middleware {
  return async (ctx, next) => {
    if (!isMutatingMethod(ctx.method)) return next();
    const before = await readTarget(opts, ctx.path);
    await next();
    if (ctx.status === 401) return;
    try {
      const { action, target } = auditActionOf(ctx.method, ctx.path, (ctx as unknown as { _matchedRoute?: string })._matchedRoute, (ctx as unknown as { params?: Record<string, string> }).params ?? {});
      const outcome = auditOutcomeOf(ctx.status);
      const body = ctx.body as { error?: { message?: string } } | undefined;
      const json = body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? body : undefined;
      let after: unknown = undefined;
      if (outcome === 'ok') after = json ?? (before !== undefined ? await readTarget(opts, ctx.path) : undefined);
      await opts.db.query(
        `INSERT INTO admin_audit_log (actor, client, method, path, action, target, http_status, outcome, error, request_body, before, after, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          opts.actor ?? 'admin',
          clientOf(ctx.get('X-Admin-Client'), ctx.get('User-Agent')),
          ctx.method,
          ctx.path,
          action,
          target,
          ctx.status,
          outcome,
          outcome === 'ok' ? null : (json?.error?.message ?? null),
          jsonOrNull(ctx.request.body),
          jsonOrNull(before),
          jsonOrNull(after),
          ctx.state.requestId ?? null,
        ],
      );
    } catch (error) {
      opts.log.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, 'could not write the admin audit log');
    }
  };
}

/** `console` and `cli` name themselves (X-Admin-Client); anything else is known by its User-Agent. */
function clientOf(declared: string, userAgent: string): string | null {
  if (/^(console|cli)$/.test(declared)) return declared;
  return userAgent ? userAgent.slice(0, 100) : null;
}
