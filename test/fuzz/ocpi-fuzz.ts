import http from 'node:http';
import net from 'node:net';
import axios from 'axios';
import fc from 'fast-check';
import { COMMAND_TYPES } from '../../src/hub/modules/commands/commands.schema';
import { databaseDigest, digestDifferences } from './db-digest';
import { type Address, b64, type FuzzNetwork } from './fuzz-network';
import { disallowedMethods, type ModuleSchema, moduleSchemas, type OcpiRoute, ocpiRoutes } from './ocpi-routes';
import { invalidValue, validValue } from './schema-values';

/**
 * The OCPI fuzzer: hostile requests generated from the hub's routers (every route, method and path
 * parameter) and the modules' zod schemas, sent over HTTP to a real test hub. The oracle: no 5xx,
 * every answer a well-formed OCPI error of the expected class, a replayed request answered the same,
 * no error logged, no prototype polluted, and the database digest unchanged.
 */

/**
 * Which role sends each functional module's data (and so calls the hub's Receiver interface); the
 * other side calls the hub's Sender interface. From the module chapters of OCPI 2.2.1. A module
 * missing here fails the fuzz and isolation tests, so a new module must be placed.
 */
export const SENDING_ROLE: Record<string, 'CPO' | 'EMSP'> = {
  locations: 'CPO',
  tariffs: 'CPO',
  sessions: 'CPO',
  cdrs: 'CPO',
  tokens: 'EMSP',
  commands: 'EMSP',
  chargingprofiles: 'EMSP',
};

/** The role a route's caller must hold; undefined for the configuration modules (any party). */
export function callerRole(route: OcpiRoute): 'CPO' | 'EMSP' | undefined {
  if (route.side === 'configuration') return undefined;
  const sender = SENDING_ROLE[route.module];
  if (!sender) throw new Error(`module ${route.module} has no sending role in SENDING_ROLE (test/fuzz/ocpi-fuzz.ts)`);
  return route.side === 'receiver' ? sender : sender === 'CPO' ? 'EMSP' : 'CPO';
}

/** What a refusal may look like: HTTP statuses and, per status, the OCPI status-code classes. */
interface Expectation {
  http: number[];
  /** Allowed OCPI status_code ranges for HTTP 200 (transport errors are always 2xxx). */
  codes: [number, number][];
}

const CLIENT_ERRORS: [number, number] = [2000, 2999];
const HUB_ERRORS: [number, number] = [4000, 4999];

export interface FuzzCase {
  category: string;
  detail: string;
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Raw request body text. */
  body?: string;
  expect: Expectation;
  /** Send twice with the same X-Request-ID; both answers must agree. */
  replay?: boolean;
  /**
   * How it is sent: through axios (default); `raw`, the path and method exactly as written (axios,
   * through WHATWG URL, resolves dot segments); `socket`, a chunked body over the limit followed by a
   * GET of the versions on the same socket, whose answer is the one judged.
   */
  transport?: 'raw' | 'socket';
}

export interface FuzzContext {
  routes: OcpiRoute[];
  schemas: Map<string, ModuleSchema[]>;
  network: FuzzNetwork;
  hugeStringLength: number;
  maxBodyBytes: number;
}

const ID = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKMNPQRSTUVWXYZ0123456789-'.split('')), minLength: 12, maxLength: 24 }).map((s) => `FZ${s}`);
const HOSTILE_IDS = [
  'x'.repeat(37),
  'x'.repeat(5000),
  'ünïcødé',
  '😀',
  'a b',
  // ('..' is left out: axios, through WHATWG URL, resolves dot segments before sending.)
  '...',
  '%00',
  '<script>',
  "' OR '1'='1",
  '\u202E',
];

function addressOf(network: FuzzNetwork, key: string): Address {
  const p = network.net.parties[key];
  return { countryCode: p.countryCode, partyId: p.partyId };
}

function callerKey(network: FuzzNetwork, role: 'CPO' | 'EMSP' | undefined): string {
  return role === 'EMSP' ? network.emsp : network.cpo;
}

function routingHeaders(prefix: 'from' | 'to', a: Address): Record<string, string> {
  return { [`OCPI-${prefix}-country-code`]: a.countryCode, [`OCPI-${prefix}-party-id`]: a.partyId };
}

/** The concrete path of a route; `raw` values are put in as they are (already encoded or hostile). */
function pathOf(route: OcpiRoute, values: Record<string, string>, raw = false): string {
  return route.pattern.replace(/:([a-z_]+)/g, (_, name: string) => (raw ? values[name] : encodeURIComponent(values[name])));
}

/** Path parameter values for a route, as its owning caller would use them (ids: seeded or unknown). */
function paramsArbitrary(ctx: FuzzContext, route: OcpiRoute, owner: Address): fc.Arbitrary<Record<string, string>> {
  const seeded = Object.values(ctx.network.seeded).flatMap((byOwner) => Object.values(byOwner));
  const record: Record<string, fc.Arbitrary<string>> = {};
  for (const name of route.params) {
    if (name === 'country_code') record[name] = fc.constant(owner.countryCode);
    else if (name === 'party_id') record[name] = fc.constant(owner.partyId);
    else if (name === 'command') record[name] = fc.constantFrom(...COMMAND_TYPES);
    else record[name] = fc.oneof(fc.constantFrom(...seeded), ID) as fc.Arbitrary<string>;
  }
  return fc.record(record);
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function bodyMethods(route: OcpiRoute): boolean {
  return route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
}

// Building an arbitrary from a schema walks the whole schema: once per module, not per value.
const invalidBodies = new Map<string, fc.Arbitrary<{ value: unknown; mutation: string }>>();
const validBodies = new Map<string, fc.Arbitrary<unknown>>();

/** A body every schema of the route's module refuses (so no route of the module can accept it). */
function invalidBody(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<{ value: unknown; mutation: string }> {
  const schemas = ctx.schemas.get(route.module) ?? [];
  if (schemas.length === 0) return fc.constant({ value: { unexpected: true }, mutation: 'a body for a module without schemas' });
  const cached = invalidBodies.get(route.module);
  if (cached) return cached;
  const acceptedByAny = (value: unknown) => schemas.some((s) => s.zod.safeParse(value).success);
  const made = fc.oneof(
    ...schemas.map((s) => invalidValue(s.json, acceptedByAny, { hugeStringLength: ctx.hugeStringLength }).map((m) => ({ ...m, mutation: `${s.name} ${m.mutation}` }))),
  );
  invalidBodies.set(route.module, made);
  return made;
}

/** A body a schema of the module accepts (refusals must then come from something else). */
function validBody(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<unknown> {
  const schemas = ctx.schemas.get(route.module) ?? [];
  if (schemas.length === 0) return fc.constant({});
  const cached = validBodies.get(route.module);
  if (cached) return cached;
  const made = fc.oneof(...schemas.map((s) => validValue(s.json)));
  validBodies.set(route.module, made);
  return made;
}

function stringify(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Bad bodies from the right caller at its own URL: 2001 (or another 2xxx, or 404 for an unknown object). */
function badBodyCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> {
  const caller = callerKey(ctx.network, callerRole(route));
  const owner = addressOf(ctx.network, caller);
  return fc.tuple(paramsArbitrary(ctx, route, owner), invalidBody(ctx, route), fc.nat(9)).map(([params, body, pick]) => {
    let text = stringify(body.value);
    // Now and then with prototype keys in front: JSON.parse makes them own properties; nothing may merge them.
    if (pick === 0 && text.startsWith('{')) text = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}${text === '{}' ? '' : ','}${text.slice(1)}`;
    return {
      category: 'bad body',
      detail: pick === 0 ? `${body.mutation} (+ prototype keys)` : body.mutation,
      route: route.key,
      method: route.method,
      path: pathOf(route, params),
      headers: { Authorization: b64(ctx.network.net.parties[caller].token), ...routingHeaders('from', owner), ...JSON_HEADERS },
      body: text,
      expect: { http: [200, 404], codes: [CLIENT_ERRORS] },
    };
  });
}

/** Another party in the URL (or in the CDR body, or in OCPI-from-*): never the caller's objects. */
function wrongPartyCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  const role = callerRole(route);
  if (!role) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, role);
  const own = addressOf(network, caller);
  const others: Address[] = [
    addressOf(network, network.otherCpo),
    addressOf(network, network.otherEmsp),
    addressOf(network, role === 'CPO' ? network.emsp : network.cpo),
    { countryCode: 'ZZ', partyId: 'ZZZ' },
    { countryCode: 'NL', partyId: 'HUB' },
    network.suspended.address,
    network.unregistered.address,
  ];
  const inUrl = route.params.includes('country_code');
  const cdrPost = route.module === 'cdrs' && route.method === 'POST';
  return fc.tuple(fc.constantFrom(...others), fc.boolean(), validBody(ctx, route), paramsArbitrary(ctx, route, own)).map(([other, lower, body, params]) => {
    const named = lower ? { countryCode: other.countryCode.toLowerCase(), partyId: other.partyId.toLowerCase() } : other;
    const headers: Record<string, string> = { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS };
    let path = pathOf(route, params);
    let sent = body;
    let where = 'OCPI-from-*';
    if (inUrl) {
      path = pathOf(route, { ...params, country_code: named.countryCode, party_id: named.partyId });
      where = 'URL';
    } else if (cdrPost && body && typeof body === 'object') {
      sent = { ...(body as object), country_code: named.countryCode, party_id: named.partyId };
      where = 'CDR body';
    } else {
      Object.assign(headers, routingHeaders('from', named));
    }
    return {
      category: 'wrong party',
      detail: `${where} names ${named.countryCode}/${named.partyId}`,
      route: route.key,
      method: route.method,
      path,
      headers,
      body: bodyMethods(route) ? stringify(sent) : undefined,
      // 404 with 2000 (not your role) or, when the body is checked first, 200 with 2001.
      expect: { http: [200, 404], codes: [CLIENT_ERRORS] },
    };
  });
}

const MALFORMED_ROUTING: Record<string, string>[] = [
  { 'OCPI-to-country-code': 'NL' },
  { 'OCPI-to-party-id': 'EM1' },
  { 'OCPI-to-country-code': 'NLD', 'OCPI-to-party-id': 'EM1' },
  { 'OCPI-to-country-code': '12', 'OCPI-to-party-id': 'EM1' },
  { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'EM' },
  { 'OCPI-to-country-code': 'NL', 'OCPI-to-party-id': 'E M1' },
  { 'OCPI-to-country-code': 'N\u00e9', 'OCPI-to-party-id': 'EM1' },
  { 'OCPI-from-country-code': 'NL' },
  { 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'x'.repeat(300) },
  { 'OCPI-to-country-code': '', 'OCPI-to-party-id': 'EM1' },
];

/** Malformed routing headers, or OCPI-to-* naming a party the caller may not reach. */
function routingCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  const role = callerRole(route);
  if (!role) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, role);
  const own = addressOf(network, caller);
  const unreachable: Address[] = [
    addressOf(network, role === 'CPO' ? network.otherEmsp : network.otherCpo),
    { countryCode: 'ZZ', partyId: 'ZZZ' },
    network.suspended.address,
    network.unregistered.address,
  ];
  // A well-formed but unreachable OCPI-to-* is only refused where the request has a receiver:
  // pushes and forwarded requests. GETs (which ignore it or find nothing) get only malformed ones.
  const receiverUnreachable = bodyMethods(route) || route.method === 'DELETE';
  const headerSets = fc.oneof(
    fc.constantFrom(...MALFORMED_ROUTING).map((h) => ({ headers: h, detail: `malformed ${Object.keys(h).join('+')}` })),
    ...(receiverUnreachable ? [fc.constantFrom(...unreachable).map((a) => ({ headers: routingHeaders('to', a), detail: `OCPI-to ${a.countryCode}/${a.partyId} unreachable` }))] : []),
  );
  // GET routes get unknown ids: a malformed header a route ignores must still meet a refusal.
  const params = route.method === 'GET' || route.method === 'DELETE'
    ? fc.record(Object.fromEntries(route.params.map((n) => [n, n === 'country_code' ? fc.constant(own.countryCode) : n === 'party_id' ? fc.constant(own.partyId) : ID])))
    : paramsArbitrary(ctx, route, own);
  return fc.tuple(headerSets, params, fc.oneof(validBody(ctx, route), invalidBody(ctx, route).map((m) => m.value))).map(([h, p, body]) => ({
    category: 'routing headers',
    detail: h.detail,
    route: route.key,
    method: route.method,
    path: pathOf(route, p),
    headers: { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS, ...h.headers },
    body: bodyMethods(route) ? stringify(route.module === 'cdrs' && body && typeof body === 'object' ? { ...(body as object), country_code: own.countryCode, party_id: own.partyId } : body) : undefined,
    expect: { http: [200, 404], codes: [CLIENT_ERRORS, HUB_ERRORS] },
  }));
}

/** Authorization headers that identify nobody (or a dead token A, or token A outside its modules). */
function badAuthCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> {
  const { network } = ctx;
  const good = network.net.parties[network.cpo].token;
  const flipped = good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a');
  const headers: [string, string | undefined][] = [
    ['no Authorization', undefined],
    ['bare scheme', 'Token'],
    ['Bearer scheme', `Bearer ${Buffer.from(good).toString('base64')}`],
    ['Basic scheme', `Basic ${Buffer.from(`CP1:${good}`).toString('base64')}`],
    ['unknown token', b64('no-such-token-0123456789')],
    ['one character changed', b64(flipped)],
    ['dead token A', b64(network.deadTokenA)],
    ['oversize token', `Token ${'A'.repeat(6000)}`],
    ['latin-1 token', `Token caf\u00e9`],
    ['token with a space', `Token ${good.slice(0, 5)} ${good.slice(5)}`],
    ['token of whitespace', 'Token    '],
  ];
  // Token A opens only versions and credentials.
  if (route.module !== 'versions' && route.module !== 'credentials') headers.push(['token A outside its modules', b64(network.unregistered.tokenA)]);
  const owner = addressOf(network, callerKey(network, callerRole(route)));
  return fc.tuple(fc.constantFrom(...headers), paramsArbitrary(ctx, route, owner), validBody(ctx, route)).map(([[name, value], params, body]) => ({
    category: 'bad Authorization',
    detail: name,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { ...(value === undefined ? {} : { Authorization: value }), ...JSON_HEADERS },
    body: bodyMethods(route) || route.method === 'DELETE' ? stringify(body) : undefined,
    expect: { http: [401], codes: [] },
  }));
}

const BAD_JSON = ['{"id": ', '{id: 1}', "{'id': 'x'}", 'NaN', '[1,]', '{"a":1}}', '\u0000', 'undefined', '{"a": 01}', '\uFEFF{"a":1', '"unterminated', '{"a":"\\x41"}', '[' .repeat(10) + ']'];

/** Bodies that are not JSON: HTTP 400 before anything reads them. */
function badJsonCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (!bodyMethods(route) && route.method !== 'DELETE') return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.constantFrom(...BAD_JSON), paramsArbitrary(ctx, route, owner)).map(([text, params]) => ({
    category: 'bad JSON',
    detail: JSON.stringify(text.slice(0, 20)),
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS },
    body: text,
    expect: { http: [400], codes: [] },
  }));
}

const CONTENT_TYPES: [string, (json: string) => string][] = [
  ['text/plain', (json) => json],
  ['application/xml', () => '<location><id>1</id></location>'],
  ['application/x-www-form-urlencoded', () => 'id=1&country_code=NL'],
  ['multipart/form-data; boundary=x', () => '--x\r\nContent-Disposition: form-data; name="id"\r\n\r\n1\r\n--x--'],
  ['application/json; charset=utf-16', (json) => json],
];

/** Other content types: their bodies are either not JSON (400) or a refused object (2xxx). */
function contentTypeCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (!bodyMethods(route)) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.constantFrom(...CONTENT_TYPES), invalidBody(ctx, route), paramsArbitrary(ctx, route, owner)).map(([[type, make], body, params]) => ({
    category: 'content type',
    detail: type,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), 'Content-Type': type },
    body: make(stringify(body.value)),
    expect: { http: [200, 400, 404, 415], codes: [CLIENT_ERRORS] },
  }));
}

/** Bodies over the hub's limit: 413. */
function oversizeCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (!bodyMethods(route)) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.integer({ min: 1, max: 3 }), paramsArbitrary(ctx, route, owner)).map(([times, params]) => ({
    category: 'oversize body',
    detail: `${times}× the limit`,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS },
    body: stringify({ padding: 'P'.repeat(ctx.maxBodyBytes * times) }),
    expect: { http: [413], codes: [] },
  }));
}

/** Hostile path parameters (overlong, unicode, traversal, injection): 2001 or 404. */
function hostileParamCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  const idParams = route.params.filter((p) => p !== 'country_code' && p !== 'party_id');
  if (idParams.length === 0) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE_IDS).map((v) => encodeURIComponent(v)),
    fc.constantFrom('%E0%A4%A', '%', '%ZZ', '%C0%AF', '%2F..%2F..', '%25'),
  );
  return fc.tuple(fc.constantFrom(...idParams), hostile, paramsArbitrary(ctx, route, owner), invalidBody(ctx, route)).map(([name, value, params, body]) => {
    const encoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
    return {
      category: 'hostile path parameter',
      detail: `${name}=${value.slice(0, 30)}`,
      route: route.key,
      method: route.method,
      path: pathOf(route, { ...encoded, [name]: value }, true),
      headers: { Authorization: b64(network.net.parties[caller].token), ...routingHeaders('from', owner), ...JSON_HEADERS },
      body: bodyMethods(route) ? stringify(body.value) : undefined,
      expect: { http: [200, 400, 404], codes: [CLIENT_ERRORS, HUB_ERRORS] },
    };
  });
}

const BAD_QUERIES = [
  'date_from=yesterday',
  'date_to=2024-13-01T00:00:00Z',
  'date_from=2024-02-30T00:00:00Z',
  'offset=-1',
  'offset=abc',
  'limit=1e3',
  'limit=-5',
  'limit=99999999999',
  'limit=1&limit=2',
  'date_from=2024-01-01T00:00:00Z&date_from=2024-01-02T00:00:00Z',
  'offset=0x10',
  'date_from=%E2%80%AE2024',
  'duration=-1&response_url=https://partner.example/r',
  'duration=abc&response_url=https://partner.example/r',
  'duration=60&response_url=ftp://partner.example/r',
  'duration=60',
  'response_url=javascript:alert(1)',
  'type=NOT_A_TYPE',
  'type=rfid&type=RFID',
];

/** GET (and DELETE) with query parameters that are wrong: 2001, or 404 for an unknown object. */
function badQueryCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.method !== 'GET' && route.method !== 'DELETE') return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  // Only where some query parameter is read: lists (pagination), chargingprofiles, tokens (type).
  const lists = route.params.length === 0 && route.module !== 'versions' && route.module !== 'credentials';
  if (!lists && route.module !== 'chargingprofiles' && route.module !== 'tokens') return undefined;
  const unknownIds = fc.record(Object.fromEntries(route.params.map((n) => [n, n === 'country_code' ? fc.constant(owner.countryCode) : n === 'party_id' ? fc.constant(owner.partyId) : ID])));
  const queries = lists ? BAD_QUERIES.slice(0, 12) : BAD_QUERIES.slice(12);
  return fc.tuple(fc.constantFrom(...queries), unknownIds).map(([query, params]) => ({
    category: 'bad query',
    detail: query,
    route: route.key,
    method: route.method,
    path: `${pathOf(route, params)}?${query}`,
    headers: { Authorization: b64(network.net.parties[caller].token), ...routingHeaders('from', owner) },
    expect: { http: [200, 404], codes: [CLIENT_ERRORS, HUB_ERRORS] },
  }));
}

/** A method the route's path does not offer: 405. */
function methodCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  const methods = disallowedMethods(ctx.routes, route.pattern);
  if (methods.length === 0) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.constantFrom(...methods), paramsArbitrary(ctx, route, owner), validBody(ctx, route)).map(([method, params, body]) => ({
    category: 'method not allowed',
    detail: `${method} on ${route.pattern}`,
    route: `${method} ${route.pattern}`,
    method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS },
    body: method === 'GET' ? undefined : stringify(body),
    expect: { http: [405], codes: [] },
  }));
}

/** A suspended party, with requests that would otherwise be fine: 403 everywhere. */
function suspendedCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> {
  const { network } = ctx;
  return fc.tuple(paramsArbitrary(ctx, route, network.suspended.address), validBody(ctx, route)).map(([params, body]) => ({
    category: 'suspended party',
    detail: `${network.suspended.address.countryCode}/${network.suspended.address.partyId}`,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.suspended.token), ...routingHeaders('from', network.suspended.address), ...JSON_HEADERS },
    body: bodyMethods(route) ? stringify(body) : undefined,
    expect: { http: [403], codes: [] },
  }));
}

const UNKNOWN_PATHS = [
  '/ocpi/2.2.1/receiver/nothing',
  '/ocpi/3.0/versions',
  '/ocpi/2.2.1/sender',
  '/ocpi/2.2.1/receiver/locations',
  '/ocpi/2.2.1/receiver/locations/NL',
  // (Dot segments are left out: axios, through WHATWG URL, resolves them before sending.)
  '/ocpi//2.2.1//credentials',
  '/ocpi/2.2.1/sender/locations/a/b/c/d',
  '/ocpi/%E0%A4%A',
  '/ocpi/2.2.1/credentials/extra',
];

/** Paths no route matches: 404 as an OCPI envelope. */
function unknownPathCases(ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const token = ctx.network.net.parties[ctx.network.cpo].token;
  return fc.tuple(fc.constantFrom(...UNKNOWN_PATHS), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE')).map(([path, method]) => ({
    category: 'unknown path',
    detail: `${method} ${path}`,
    route: 'none',
    method,
    path,
    headers: { Authorization: b64(token), ...JSON_HEADERS },
    body: method === 'GET' ? undefined : '{}',
    // 405 where a prefix of the path is a route with other methods (e.g. PUT /receiver/locations).
    expect: { http: [400, 404, 405], codes: [] },
  }));
}


/**
 * Text no OCPI string may hold: what the database cannot store (NUL, lone surrogates) and what is
 * not printable (C0 controls, DEL, C1, non-characters). The jsonBody check refuses it before any
 * route: 200/2001 whoever sends it.
 */
export const UNICODE_CLASSES: Record<string, string[]> = {
  NUL: ['\u0000'],
  'lone surrogate': ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d'],
  'control character': ['\t', '\n', '\r', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f'],
  'non-character': ['\ufffe', '\uffff', '\ufdd0', '\ufdef', '\u{1fffe}', '\u{10ffff}'],
};

/** Puts `text` into one string of `value` (or a new property when it has none), or makes it a key. */
function withText(value: unknown, text: string, pick: number): unknown {
  const strings: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((c, i) => (typeof c === 'string' ? strings.push({ holder: v, key: i }) : walk(c)));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) typeof c === 'string' ? strings.push({ holder: v as Record<string, unknown>, key: k }) : walk(c);
  };
  const copy = JSON.parse(JSON.stringify(value ?? {})) as unknown;
  walk(copy);
  const root = copy && typeof copy === 'object' && !Array.isArray(copy) ? (copy as Record<string, unknown>) : { value: copy };
  if (pick % 5 === 0 || strings.length === 0) {
    root[pick % 2 ? `note${text}` : 'note'] = `before${text}after`;
    return root;
  }
  const { holder, key } = strings[pick % strings.length];
  (holder as Record<string, unknown>)[key as string] = `${String((holder as Record<string, unknown>)[key as string]).slice(0, 8)}${text}`;
  return root;
}

/** A valid body from the right caller with one string holding text of a Unicode class: 2001. */
function unicodeCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (!bodyMethods(route)) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  // The class first, then one of its characters: each class is sent about as often.
  const text = fc.constantFrom(...Object.keys(UNICODE_CLASSES)).chain((name) => fc.constantFrom(...UNICODE_CLASSES[name]).map((c) => [name, c] as const));
  return fc.tuple(paramsArbitrary(ctx, route, owner), validBody(ctx, route), text, fc.nat(99)).map(([params, body, [name, char], pick]) => ({
    category: `unicode text: ${name}`,
    detail: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...routingHeaders('from', owner), ...JSON_HEADERS },
    body: stringify(withText(body, char, pick)),
    expect: { http: [200], codes: [[2001, 2001]] },
  }));
}

/** Ids that would change the path they are put in, and ids one over their limit, sent as written: 2001 or 404. */
function pathLikeIdCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  const idParams = route.params.filter((p) => p !== 'country_code' && p !== 'party_id' && p !== 'command');
  if (idParams.length === 0) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  const ids = fc.constantFrom('.', '..', '%2e', '%2E%2E', '.%2e', '%2e.', 'x'.repeat(37), 'x'.repeat(40), '%2F', 'a%2Fb', '%3F', '%23');
  return fc.tuple(fc.constantFrom(...idParams), ids, paramsArbitrary(ctx, route, owner), validBody(ctx, route)).map(([name, value, params, body]) => {
    const encoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
    return {
      category: 'path-like or over-long id',
      detail: `${name}=${value.slice(0, 12)}`,
      route: route.key,
      method: route.method,
      path: pathOf(route, { ...encoded, [name]: value }, true),
      headers: { Authorization: b64(network.net.parties[caller].token), ...routingHeaders('from', owner), ...JSON_HEADERS },
      body: bodyMethods(route) ? stringify(body) : undefined,
      // An id the spec allows (%2F is "/") may be an unknown object (404), or refused in a body that names another id.
      expect: { http: [200, 404], codes: [CLIENT_ERRORS, HUB_ERRORS] },
      transport: 'raw' as const,
    };
  });
}

/** The right token and URL, but OCPI-from-* naming another party (registered or not): 404/2000 on every route. */
function spoofedSenderCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.side === 'configuration') return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  const others = ['CP1', 'CP2', 'EM1', 'EM2', 'EM3'].filter((k) => k !== caller).map((k) => addressOf(network, k));
  const spoofed = fc.constantFrom(...others, { countryCode: 'ZZ', partyId: 'ZZZ' }, network.suspended.address);
  return fc.tuple(paramsArbitrary(ctx, route, owner), validBody(ctx, route), spoofed).map(([params, body, from]) => ({
    category: 'spoofed sender',
    detail: `OCPI-from ${from.countryCode}/${from.partyId}`,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...routingHeaders('from', from), ...JSON_HEADERS },
    body: bodyMethods(route) ? stringify(body) : undefined,
    expect: { http: [404], codes: [] },
  }));
}

/** Methods the hub implements on no route (koa-router knows only GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE): 501. */
export const UNIMPLEMENTED_METHODS = ['TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'PURGE', 'LINK', 'UNLINK', 'MKCALENDAR', 'NOTIFY', 'SUBSCRIBE', 'M-SEARCH', 'QUERY'];

function unimplementedMethodCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> {
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.constantFrom(...UNIMPLEMENTED_METHODS), paramsArbitrary(ctx, route, owner)).map(([method, params]) => ({
    category: 'method implemented nowhere',
    detail: method,
    route: route.key,
    method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token) },
    expect: { http: [501], codes: [] },
    transport: 'raw' as const,
  }));
}

/** A chunked body over the limit on a keep-alive socket, then a GET of the versions on the same socket: answered. */
function chunkedOversizeCases(ctx: FuzzContext, route: OcpiRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (!bodyMethods(route)) return undefined;
  const { network } = ctx;
  const caller = callerKey(network, callerRole(route));
  const owner = addressOf(network, caller);
  return fc.tuple(fc.integer({ min: 11, max: 20 }), paramsArbitrary(ctx, route, owner)).map(([tenths, params]) => ({
    category: 'chunked oversize, then a request on the same socket',
    detail: `${tenths / 10}× the limit`,
    route: route.key,
    method: route.method,
    path: pathOf(route, params),
    headers: { Authorization: b64(network.net.parties[caller].token), ...JSON_HEADERS },
    body: 'P'.repeat(Math.ceil((ctx.maxBodyBytes * tenths) / 10)),
    // The versions GET after the 413: HTTP 200 with 1000.
    expect: { http: [200], codes: [[1000, 1000]] },
    transport: 'socket' as const,
  }));
}

/**
 * EM3 (an agreement with CP2, like EM2) on EM2's session at CP2: STOP_SESSION, charging profile
 * GET/PUT/DELETE and charging preferences, with and without OCPI-to-* naming CP2. Each is the
 * route's "unknown session": 200/2001 (STOP_SESSION) or 404/2000; nothing is forwarded.
 */
function crossPartySessionCases(ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const { network } = ctx;
  const em3 = network.net.parties.EM3;
  const session = network.seeded.sessions.CP2;
  const responseUrl = encodeURIComponent('http://127.0.0.1:9/ocpi/2.2.1/result');
  const requests: [string, string, unknown][] = [
    ['POST', '/ocpi/2.2.1/receiver/commands/STOP_SESSION', { response_url: decodeURIComponent(responseUrl), session_id: session }],
    ['GET', `/ocpi/2.2.1/receiver/chargingprofiles/${session}?duration=60&response_url=${responseUrl}`, undefined],
    ['PUT', `/ocpi/2.2.1/receiver/chargingprofiles/${session}`, { charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 1000 }] }, response_url: decodeURIComponent(responseUrl) }],
    ['DELETE', `/ocpi/2.2.1/receiver/chargingprofiles/${session}?response_url=${responseUrl}`, undefined],
    ['PUT', `/ocpi/2.2.1/sender/sessions/${session}/charging_preferences`, { profile_type: 'FAST' }],
  ];
  return fc.tuple(fc.constantFrom(...requests), fc.boolean()).map(([[method, path, body], direct]) => ({
    category: 'cross-party session',
    detail: `${method} ${path.split('?')[0].split('/').slice(-2).join('/')}${direct ? ' OCPI-to' : ''}`,
    route: `${method} ${path.split('?')[0]}`,
    method,
    path,
    headers: {
      Authorization: b64(em3.token),
      ...routingHeaders('from', addressOf(network, 'EM3')),
      ...(direct ? routingHeaders('to', addressOf(network, 'CP2')) : {}),
      ...JSON_HEADERS,
    },
    body: body === undefined ? undefined : stringify(body),
    expect: { http: [200, 404], codes: [[2001, 2001]] },
  }));
}

/** Every kind of hostile request for every route, weighted so bodies get the most attention. */
export function ocpiCaseArbitrary(ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const perRoute = ctx.routes.map((route) => {
    const kinds = [
      bodyMethods(route) ? { weight: 8, arbitrary: badBodyCases(ctx, route) } : undefined,
      ...[
        [3, wrongPartyCases(ctx, route)],
        [3, routingCases(ctx, route)],
        [2, badAuthCases(ctx, route)],
        [1, badJsonCases(ctx, route)],
        [1, contentTypeCases(ctx, route)],
        [1, hostileParamCases(ctx, route)],
        [2, badQueryCases(ctx, route)],
        [1, methodCases(ctx, route)],
        [1, suspendedCases(ctx, route)],
        [2, unicodeCases(ctx, route)],
        [1, pathLikeIdCases(ctx, route)],
        [1, spoofedSenderCases(ctx, route)],
        [1, unimplementedMethodCases(ctx, route)],
      ].map(([weight, arbitrary]) => (arbitrary ? { weight: weight as number, arbitrary: arbitrary as fc.Arbitrary<FuzzCase> } : undefined)),
    ].filter((k): k is { weight: number; arbitrary: fc.Arbitrary<FuzzCase> } => k !== undefined);
    // GET routes need a refusal from something: unknown ids in bad-param/query/party/auth cases.
    return fc.oneof(...kinds);
  });
  const rare = fc.oneof(
    unknownPathCases(ctx),
    { weight: 10, arbitrary: crossPartySessionCases(ctx) },
    ...ctx.routes.filter(bodyMethods).map((r) => oversizeCases(ctx, r)!),
    ...ctx.routes.filter(bodyMethods).map((r) => chunkedOversizeCases(ctx, r)!),
  );
  const replayed = fc.tuple(fc.oneof(...perRoute), fc.integer({ min: 1, max: 5 })).map(([c, n]) => ({ ...c, replay: true, headers: { ...c.headers, 'X-Request-ID': `fuzz-replay-${n}` } }));
  return fc.oneof({ weight: 20, arbitrary: fc.oneof(...perRoute) }, { weight: 1, arbitrary: rare }, { weight: 2, arbitrary: replayed });
}

export interface Answer {
  status: number;
  statusCode?: number;
  problem?: string;
}

/** Checks one answer against the case's expectation: a well-formed OCPI error of the right class. */
export function judge(c: FuzzCase, status: number, contentType: string | undefined, text: string, requestIdHeader: string | undefined): Answer {
  // 501 is the one 5xx a case may expect: a method no route of the hub implements (RFC 9110 15.6.2).
  if (status >= 500 && !(status === 501 && c.expect.http.includes(501))) return { status, problem: `HTTP ${status}` };
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, problem: `not JSON (${contentType}): ${text.slice(0, 80)}` };
  }
  const statusCode = body?.status_code;
  if (typeof statusCode !== 'number') return { status, problem: 'no status_code in the answer' };
  if (typeof body.timestamp !== 'string' || Number.isNaN(Date.parse(body.timestamp))) return { status, statusCode, problem: 'no timestamp' };
  if (typeof body.status_message !== 'string' || body.status_message.length === 0) return { status, statusCode, problem: 'no status_message' };
  if (!requestIdHeader) return { status, statusCode, problem: 'no X-Request-ID header' };
  // The credentials module answers its method rules with 405 (POST when registered, PUT/DELETE before).
  const http = c.route.includes('/credentials') ? [...c.expect.http, 405] : c.expect.http;
  if (!http.includes(status)) return { status, statusCode, problem: `HTTP ${status} (expected ${http.join('/')}): ${body.status_message}` };
  const ranges = status === 200 ? c.expect.codes : [CLIENT_ERRORS];
  if (!ranges.some(([lo, hi]) => statusCode >= lo && statusCode <= hi)) {
    return { status, statusCode, problem: `status_code ${statusCode} with HTTP ${status}: ${body.status_message}` };
  }
  return { status, statusCode };
}

export interface FuzzReport {
  /** Time spent generating the cases, and sending and judging them. */
  generationMs: number;
  sendingMs: number;
  sent: number;
  /** `HTTP <status> / <status_code>` → count. */
  byOutcome: Record<string, number>;
  byCategory: Record<string, number>;
  /** Milliseconds spent waiting for answers, per category (summed over the concurrent workers). */
  msByCategory: Record<string, number>;
  failures: { case: FuzzCase; answer: Answer }[];
  databaseChanges: string[];
  errorLogs: string[];
  routesCovered: number;
  routesTotal: number;
}

type Response = { status: number; headers: Record<string, string | string[] | undefined>; data: string };

/** A request with its method and path exactly as written. */
function rawHttp(base: string, c: FuzzCase): Promise<Response> {
  const { hostname, port } = new URL(base);
  const data = c.body === undefined ? undefined : Buffer.from(c.body);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method: c.method, path: c.path, headers: { ...c.headers, ...(data ? { 'Content-Length': String(data.length) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, data: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * The case's body chunked (so the hub learns its size only by reading) on a fresh socket, then a GET
 * of /ocpi/versions on the same socket: resolves with that second answer; rejects if the first is not
 * a 413 or the socket is reset or stalls.
 */
function chunkedThenVersions(base: string, c: FuzzCase): Promise<Response> {
  const { hostname, port } = new URL(base);
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  const headers = Object.entries(c.headers).map(([k, v]) => `${k}: ${v}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => done(new Error(`no answer to the request after the 413 within 5 s: ${text.slice(0, 40)}`)), 5000);
    const done = (error?: Error, response?: Response) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const answers = text.split(/(?=HTTP\/1\.1 \d{3} )/);
      if (answers.length < 2) return;
      if (!answers[0].startsWith('HTTP/1.1 413')) return done(new Error(`first answer ${answers[0].slice(0, 20)}, expected 413`));
      const second = answers[1];
      const [rawHead, body = ''] = second.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(rawHead)?.[1] ?? NaN);
      if (Buffer.byteLength(body) < length) return;
      const headerMap = Object.fromEntries(rawHead.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      done(undefined, { status: Number(rawHead.slice(9, 12)), headers: headerMap, data: body });
    });
    socket.on('error', (e) => done(e));
    socket.on('connect', () => {
      socket.write(head([`${c.method} ${c.path} HTTP/1.1`, 'Host: hub', ...headers, 'Transfer-Encoding: chunked']));
      const body = Buffer.from(c.body ?? '');
      for (let at = 0; at < body.length; at += 65536) {
        const chunk = body.subarray(at, at + 65536);
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
      }
      socket.write('0\r\n\r\n');
      socket.write(head(['GET /ocpi/versions HTTP/1.1', 'Host: hub', `Authorization: ${c.headers.Authorization}`]));
    });
  });
}

/** Runs `count` generated requests against the network's hub (`concurrency` at a time) and judges them. */
export async function runOcpiFuzz(network: FuzzNetwork, options: { count: number; seed: number; concurrency?: number; maxBodyBytes: number }): Promise<FuzzReport> {
  const services = network.net.hub.services;
  const ctx: FuzzContext = {
    routes: ocpiRoutes(services),
    schemas: moduleSchemas(),
    network,
    hugeStringLength: Math.floor(options.maxBodyBytes / 4),
    maxBodyBytes: options.maxBodyBytes,
  };
  const generating = Date.now();
  const cases = fc.sample(ocpiCaseArbitrary(ctx), { numRuns: options.count, seed: options.seed });
  const generationMs = Date.now() - generating;
  const client = axios.create({ baseURL: network.net.hub.url, validateStatus: () => true, transformRequest: [(d) => d], transformResponse: [(d) => d], responseType: 'text', maxBodyLength: Infinity, maxContentLength: Infinity });
  const logStart = network.net.hub.logLines.length;
  const before = await databaseDigest(services.db);
  const report: FuzzReport = { generationMs, sendingMs: 0, sent: 0, byOutcome: {}, byCategory: {}, msByCategory: {}, failures: [], databaseChanges: [], errorLogs: [], routesCovered: 0, routesTotal: ctx.routes.length };
  const covered = new Set<string>();

  const send = async (c: FuzzCase): Promise<Answer> => {
    const response = await (c.transport === 'raw' ? rawHttp(network.net.hub.url, c) : c.transport === 'socket' ? chunkedThenVersions(network.net.hub.url, c) : client.request({ method: c.method, url: c.path, headers: c.headers, data: c.body })).catch((error: Error) => error);
    report.sent++;
    if (response instanceof Error) return { status: 0, problem: `transport failure: ${response.message}` };
    return judge(c, response.status, response.headers['content-type'] as string | undefined, String(response.data), response.headers['x-request-id'] as string | undefined);
  };

  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const started = Date.now();
      let answer = await send(c);
      if (c.replay && !answer.problem) {
        const again = await send(c);
        if (again.status !== answer.status || again.statusCode !== answer.statusCode) {
          answer = { ...again, problem: `replay answered ${again.status}/${again.statusCode}, first ${answer.status}/${answer.statusCode}` };
        }
      }
      covered.add(c.route);
      const outcome = answer.problem ? 'FAILED' : `HTTP ${answer.status} / ${answer.statusCode}`;
      report.byOutcome[outcome] = (report.byOutcome[outcome] ?? 0) + 1;
      report.byCategory[c.category] = (report.byCategory[c.category] ?? 0) + 1;
      report.msByCategory[c.category] = (report.msByCategory[c.category] ?? 0) + (Date.now() - started);
      if (answer.problem) report.failures.push({ case: { ...c, body: c.body?.slice(0, 300) }, answer });
    }
  };
  const sending = Date.now();
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  report.sendingMs = Date.now() - sending;

  report.routesCovered = ctx.routes.filter((r) => covered.has(r.key)).length;
  report.databaseChanges = digestDifferences(before, await databaseDigest(services.db));
  report.errorLogs = network.net.hub.logLines.slice(logStart).filter((line) => (JSON.parse(line) as { level: number }).level >= 50).slice(0, 20);
  if (({} as Record<string, unknown>).polluted !== undefined) report.errorLogs.push('Object.prototype was polluted');
  return report;
}
