/**
 * What the audit log keeps of one admin request (docs/dashboard.md, "Audit log"): pure, no I/O.
 * The adapter (http/admin-audit.ts) reads the target before and after and writes the row.
 */

/** Field names whose values are secrets: never kept, at any depth (token A is shown once, then gone). */
const SECRET_FIELD = /token|secret|password|api_?key|hash|encrypted|^key$|authorization/i;

/** An OCPI token object's uid/contract id is data the operator needs; these names are kept. */
const KEPT_FIELDS = new Set(['token_uid', 'token_type', 'cdr_token', 'token_encoding', 'tokens']);

export const REDACTED = '[redacted]';

/** A copy of `value` with every secret-named field replaced; at most `depth` levels are kept. */
export function redactAuditValue(value: unknown, depth = 8): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth === 0) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactAuditValue(v, depth - 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_FIELD.test(k) && !KEPT_FIELDS.has(k) && (v === null || typeof v !== 'object') ? (v === null ? null : REDACTED) : redactAuditValue(v, depth - 1),
    ]),
  );
}

/** Whether a request changes something and is therefore audited (reads are not). */
export function isMutatingMethod(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
}

/**
 * The action and the target of a request, from the route pattern the router matched
 * (`/admin/parties/:id/suspend` with `{id}`): the action is the pattern, the target the pattern up to
 * its last parameter with the values filled in (`parties/<uuid>`), or the collection (`agreements`).
 */
export function auditActionOf(method: string, path: string, pattern: string | undefined, params: Record<string, string>): { action: string; target: string } {
  if (!pattern) return { action: `${method} ${path}`, target: path.replace(/^\/admin\/?/, '') || 'admin' };
  const segments = pattern.replace(/^\/admin\/?/, '').split('/').filter(Boolean);
  let last = -1;
  segments.forEach((s, i) => {
    if (s.startsWith(':')) last = i;
  });
  const upTo = last >= 0 ? segments.slice(0, last + 1) : segments.slice(0, 1);
  const target = upTo.map((s) => (s.startsWith(':') ? (params[s.slice(1)] ?? s) : s)).join('/');
  return { action: `${method} /admin/${segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`, target };
}

/** ok: 2xx/3xx; refused: the hub said no (4xx) and changed nothing; failed: 5xx. */
export function auditOutcomeOf(httpStatus: number): 'ok' | 'refused' | 'failed' {
  return httpStatus >= 500 ? 'failed' : httpStatus >= 400 ? 'refused' : 'ok';
}
