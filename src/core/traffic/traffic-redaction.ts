/**
 * What the traffic recorder may keep of a request: pure rules, no I/O (docs/traffic.md).
 *
 * Secrets never reach the table. The Authorization header keeps its scheme only; in credentials
 * bodies (both directions: token B and C travel there) every field named like a token, secret or
 * password is replaced at any depth; in every other module only fields named like a secret or a
 * password are, since `token` there is an OCPI Token object or a cdr_token, which the operator needs
 * to see, and `authorization_reference` is an id, not a secret.
 */
export const REDACTED = '[redacted]';

const CREDENTIALS_SECRET = /token|secret|password|passwd|api[_-]?key/i;
const ANY_MODULE_SECRET = /secret|password|passwd|api[_-]?key/i;

/** `Token abc…` → `Token [redacted]`: the scheme says how the partner encodes, never the value. */
export function redactAuthorization(value: string): string {
  const scheme = /^\s*(\S+)\s+\S/.exec(value)?.[1];
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** A copy of a JSON value with the secret fields of `module` replaced (the input is not changed). */
export function redactBody(value: unknown, module: string): unknown {
  const secret = module === 'credentials' ? CREDENTIALS_SECRET : ANY_MODULE_SECRET;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, inner]) => [k, secret.test(k) ? REDACTED : walk(inner)]));
  };
  return walk(value);
}

/**
 * A body as stored: redacted JSON text, cut at `maxBytes` (UTF-8) with a note of the full size, so a
 * 1 MB location list costs the table no more than the cap. Undefined/empty bodies are kept as null.
 */
export function storedBody(value: unknown, module: string, maxBytes: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' || Buffer.isBuffer(value) ? String(value) : JSON.stringify(redactBody(value, module));
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return storableText(text);
  // Cut on a byte boundary, then drop a partial UTF-8 character the cut may have left at the end.
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return `${storableText(cut)}… [cut: ${bytes} bytes]`;
}

/** NUL and a surrogate half without its other half: text PostgreSQL cannot store (json or text). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text as it can be stored: what PostgreSQL refuses becomes U+FFFD (a partner's answer may hold anything). */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** Which bodies are kept: none, those of failed requests, or all. */
export type TrafficBodies = 'off' | 'errors' | 'all';

export function keepsBodies(mode: TrafficBodies, failed: boolean): boolean {
  return mode === 'all' || (mode === 'errors' && failed);
}

/**
 * The object a request is about: the path below the module's segment, e.g.
 * `/ocpi/2.2.1/receiver/locations/NL/CPO/LOC1/EVSE1` → `NL/CPO/LOC1/EVSE1`, `…/sender/cdrs` → null.
 * The hub's own hubclientinfo endpoint is `clientinfo`. Segments are shown decoded.
 */
export function trafficObjectId(pathname: string, module: string): string | null {
  const segments = pathname.split('/').filter(Boolean);
  const names = module === 'hubclientinfo' ? ['hubclientinfo', 'clientinfo'] : [module];
  const at = segments.findIndex((s) => names.includes(s));
  if (at < 0 || at === segments.length - 1) return null;
  const rest = segments.slice(at + 1).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return storableText(rest.join('/').slice(0, 300));
}

/** A request failed when it was not answered, or answered an HTTP error or an OCPI status other than 1xxx. */
export function trafficFailed(call: { httpStatus?: number | null; ocpiStatus?: number | null; error?: unknown }): boolean {
  if (call.error) return true;
  if (call.httpStatus === undefined || call.httpStatus === null || call.httpStatus >= 400) return true;
  return call.ocpiStatus !== undefined && call.ocpiStatus !== null && (call.ocpiStatus < 1000 || call.ocpiStatus > 1999);
}
