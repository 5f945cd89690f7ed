import axios, { type AxiosResponse } from 'axios';
import { ocpiOk, script } from '../hub/modules/commands/forwarding-helpers';
import { example } from '../support/network';
import { databaseDigest, digestDifferences, type TableDigest } from './db-digest';
import { b64, type FuzzNetwork, startFuzzNetwork } from './fuzz-network';
import { callerRole } from './ocpi-fuzz';
import { type OcpiRoute, ocpiRoutes } from './ocpi-routes';

/**
 * Isolation between parties, for every OCPI route the routers declare. The victims are CP2 and EM2
 * (an agreement pair); the attackers are CP1 and EM1 (the other pair, no agreement with the victims),
 * a party holding the other role, a suspended party and an unregistered party with its token A.
 * Generic rules give most expectations; TARGETS says, per route, which of the victims' objects a
 * request aims at and what a party without an agreement gets. A route missing there fails.
 */

interface Target {
  params: Record<string, string>;
  body?: unknown;
  query?: string;
  headers?: Record<string, string>;
}

/** What a party without a roaming agreement with the victims gets: an exact answer, or a list without their objects. */
type Outcome = { http: number; code: number } | { listWithout: string };

interface RouteSpec {
  /** The request, aimed at the victims' objects (party in the URL or body = the victim of the caller's role). */
  target: Target;
  /** A party of the route's role without an agreement with the victims (same URL rules as the caller's own). */
  noAgreement?: Outcome;
  /** EM3, an eMSP with an agreement with CP2 too, aiming at EM2's session or its objects at CP2. */
  sharedCpo?: Outcome;
  /** More requests on the same route (another command, OCPI-to-* naming the CPO), each judged like the first. */
  more?: Omit<RouteSpec, 'more'>[];
}

const V = { cpo: { cc: 'DE', pid: 'CP2' }, emsp: { cc: 'DE', pid: 'EM2' } };
const LOCATION = 'LOC-CP2';
const SESSION = 'SES-CP2';
const TOKEN = 'TOK-EM2';
const RESPONSE_URL = 'http://127.0.0.1:9/ocpi/2.2.1/result';
/** Placeholders for the ids of a STOP_SESSION and a charging profile EM2 sent CP2 through the hub (set up before the table runs). */
const COMMAND_ID = '{command request of EM2 to CP2}';
const PROFILE_ID = '{profile request of EM2 to CP2}';
const toVictim = (side: 'cpo' | 'emsp') => ({ 'OCPI-to-country-code': V[side].cc, 'OCPI-to-party-id': V[side].pid });
const cpoOwned = { country_code: V.cpo.cc, party_id: V.cpo.pid };
const location = () => ({ ...example('location_example.json'), ...cpoOwned, id: LOCATION, name: 'taken over' });
const evse = () => (example('location_example.json').evses as Record<string, unknown>[])[0];
const connector = () => (evse().connectors as Record<string, unknown>[])[0];
const session = () => ({ ...example('session_example_1_simple_start.json'), ...cpoOwned, id: SESSION, kwh: 99 });
const token = () => ({ ...example('token_example_2_full_rfid.json'), country_code: V.emsp.cc, party_id: V.emsp.pid, uid: TOKEN, valid: false });
const locationIds = { country_code: V.cpo.cc, party_id: V.cpo.pid, location_id: LOCATION };
const NOT_FOUND_LOCATION = { http: 404, code: 2003 };
/** Another eMSP's session is unknown to the caller, as if it were not there: each route's "unknown session". */
const UNKNOWN_SESSION = { http: 404, code: 2000 };
const UNKNOWN_SESSION_IN_COMMAND = { http: 200, code: 2001 };
const stopSession = { params: { command: 'STOP_SESSION' }, body: { response_url: RESPONSE_URL, session_id: SESSION } };
const profileGet = { params: { session_id: SESSION }, query: `duration=60&response_url=${encodeURIComponent(RESPONSE_URL)}` };
const profilePut = { params: { session_id: SESSION }, body: { charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 1000 }] }, response_url: RESPONSE_URL } };
const profileDelete = { params: { session_id: SESSION }, query: `response_url=${encodeURIComponent(RESPONSE_URL)}` };
/** The same request naming the victim CPO in OCPI-to-*: a party without an agreement gets 4001, EM3 still its "unknown session". */
const direct = (target: Target, sharedCpo: Outcome) => ({ target: { ...target, headers: toVictim('cpo') }, noAgreement: UNKNOWN_RECEIVER, sharedCpo });
const UNKNOWN_RECEIVER = { http: 200, code: 4001 };

/** The expectation table: every route of the routers must be here. */
const TARGETS: Record<string, RouteSpec> = {
  'GET /ocpi/versions': { target: { params: {} } },
  'GET /ocpi/2.2.1': { target: { params: {} } },
  'GET /ocpi/2.2.1/credentials': { target: { params: {} } },
  'POST /ocpi/2.2.1/credentials': { target: { params: {}, body: {} } },
  'PUT /ocpi/2.2.1/credentials': { target: { params: {}, body: {} } },
  'DELETE /ocpi/2.2.1/credentials': { target: { params: {} } },
  'GET /ocpi/2.2.1/hubclientinfo': { target: { params: {} } },

  'GET /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id': { target: { params: locationIds } },
  'PUT /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id': { target: { params: locationIds, body: location(), headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'PATCH /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id': { target: { params: locationIds, body: { name: 'taken over', last_updated: '2030-01-01T00:00:00Z' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/sender/locations/:location_id': { target: { params: { location_id: LOCATION } }, noAgreement: NOT_FOUND_LOCATION },
  'GET /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid': { target: { params: { ...locationIds, evse_uid: '3256' } } },
  'PUT /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid': { target: { params: { ...locationIds, evse_uid: '3256' }, body: evse(), headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'PATCH /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid': { target: { params: { ...locationIds, evse_uid: '3256' }, body: { status: 'OUTOFORDER', last_updated: '2030-01-01T00:00:00Z' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/sender/locations/:location_id/:evse_uid': { target: { params: { location_id: LOCATION, evse_uid: '3256' } }, noAgreement: NOT_FOUND_LOCATION },
  'GET /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id': { target: { params: { ...locationIds, evse_uid: '3256', connector_id: '1' } } },
  'PUT /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id': { target: { params: { ...locationIds, evse_uid: '3256', connector_id: '1' }, body: connector(), headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'PATCH /ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id': { target: { params: { ...locationIds, evse_uid: '3256', connector_id: '1' }, body: { max_amperage: 1, last_updated: '2030-01-01T00:00:00Z' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/sender/locations/:location_id/:evse_uid/:connector_id': { target: { params: { location_id: LOCATION, evse_uid: '3256', connector_id: '1' } }, noAgreement: NOT_FOUND_LOCATION },
  'GET /ocpi/2.2.1/sender/locations': { target: { params: {} }, noAgreement: { listWithout: LOCATION } },

  'GET /ocpi/2.2.1/receiver/tariffs/:country_code/:party_id/:tariff_id': { target: { params: { ...cpoParams(), tariff_id: 'TAR-CP2' } } },
  'PUT /ocpi/2.2.1/receiver/tariffs/:country_code/:party_id/:tariff_id': { target: { params: { ...cpoParams(), tariff_id: 'TAR-CP2' }, body: { ...example<Record<string, unknown>>('tariff_1_simple_2hour.json'), ...cpoOwned, id: 'TAR-CP2' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'DELETE /ocpi/2.2.1/receiver/tariffs/:country_code/:party_id/:tariff_id': { target: { params: { ...cpoParams(), tariff_id: 'TAR-CP2' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/sender/tariffs': { target: { params: {} }, noAgreement: { listWithout: 'TAR-CP2' } },

  'GET /ocpi/2.2.1/receiver/sessions/:country_code/:party_id/:session_id': { target: { params: { ...cpoParams(), session_id: SESSION } } },
  'PUT /ocpi/2.2.1/receiver/sessions/:country_code/:party_id/:session_id': { target: { params: { ...cpoParams(), session_id: SESSION }, body: session(), headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'PATCH /ocpi/2.2.1/receiver/sessions/:country_code/:party_id/:session_id': { target: { params: { ...cpoParams(), session_id: SESSION }, body: { kwh: 99, last_updated: '2030-01-01T00:00:00Z' }, headers: toVictim('emsp') },
    // A PATCH needs the session first: the attacker has none by that id, so 404 comes before the receiver check.
    noAgreement: { http: 404, code: 2000 } },
  'GET /ocpi/2.2.1/sender/sessions': { target: { params: {} }, noAgreement: { listWithout: SESSION }, sharedCpo: { listWithout: SESSION } },
  'PUT /ocpi/2.2.1/sender/sessions/:session_id/charging_preferences': { target: { params: { session_id: SESSION }, body: { profile_type: 'FAST' } }, noAgreement: UNKNOWN_SESSION, sharedCpo: UNKNOWN_SESSION,
    more: [{ target: { params: { session_id: SESSION }, body: { profile_type: 'FAST' }, headers: toVictim('cpo') }, noAgreement: UNKNOWN_SESSION, sharedCpo: UNKNOWN_SESSION }] },

  'POST /ocpi/2.2.1/receiver/cdrs': { target: { params: {}, body: { ...example<Record<string, unknown>>('cdr_example.json'), ...cpoOwned, id: 'CDR-NEW' }, headers: toVictim('emsp') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/receiver/cdrs/:country_code/:party_id/:cdr_id': { target: { params: { ...cpoParams(), cdr_id: 'CDR-CP2' } } },
  'GET /ocpi/2.2.1/sender/cdrs': { target: { params: {} }, noAgreement: { listWithout: 'CDR-CP2' }, sharedCpo: { listWithout: 'CDR-CP2' } },

  'GET /ocpi/2.2.1/receiver/tokens/:country_code/:party_id/:token_uid': { target: { params: { ...emspParams(), token_uid: TOKEN } } },
  'PUT /ocpi/2.2.1/receiver/tokens/:country_code/:party_id/:token_uid': { target: { params: { ...emspParams(), token_uid: TOKEN }, body: token(), headers: toVictim('cpo') }, noAgreement: UNKNOWN_RECEIVER },
  'PATCH /ocpi/2.2.1/receiver/tokens/:country_code/:party_id/:token_uid': { target: { params: { ...emspParams(), token_uid: TOKEN }, body: { valid: false, last_updated: '2030-01-01T00:00:00Z' }, headers: toVictim('cpo') }, noAgreement: UNKNOWN_RECEIVER },
  'GET /ocpi/2.2.1/sender/tokens': { target: { params: {} }, noAgreement: { listWithout: TOKEN } },
  'POST /ocpi/2.2.1/sender/tokens/:token_uid/authorize': { target: { params: { token_uid: TOKEN }, body: { location_id: 'LOC-CP1' } }, noAgreement: { http: 404, code: 2004 } },

  'POST /ocpi/2.2.1/receiver/commands/:command': {
    // The attacker's own token (an eMSP may only use its own), at the victim CPO's location.
    target: { params: { command: 'START_SESSION' }, body: { response_url: RESPONSE_URL, token: { ...token(), country_code: 'NL', party_id: 'EM1', uid: 'TOK-EM1', valid: true }, location_id: LOCATION, evse_uid: '3256' } },
    // The URL names a resource that exists (the command): the unknown location is 2003 inside HTTP 200.
    noAgreement: { http: 200, code: 2003 },
    more: [
      { target: stopSession, noAgreement: UNKNOWN_SESSION_IN_COMMAND, sharedCpo: UNKNOWN_SESSION_IN_COMMAND },
      direct(stopSession, UNKNOWN_SESSION_IN_COMMAND),
    ],
  },
  // A result for CP2's real pending STOP_SESSION (and, below, for an id nobody issued).
  'POST /ocpi/2.2.1/sender/commands/:command/:id': { target: { params: { command: 'STOP_SESSION', id: COMMAND_ID }, body: { result: 'ACCEPTED' } }, noAgreement: { http: 404, code: 2000 },
    more: [{ target: { params: { command: 'START_SESSION', id: '00000000-0000-4000-8000-000000000000' }, body: { result: 'ACCEPTED' } }, noAgreement: { http: 404, code: 2000 } }] },

  'GET /ocpi/2.2.1/receiver/chargingprofiles/:session_id': { target: profileGet, noAgreement: UNKNOWN_SESSION, sharedCpo: UNKNOWN_SESSION, more: [direct(profileGet, UNKNOWN_SESSION)] },
  'PUT /ocpi/2.2.1/receiver/chargingprofiles/:session_id': { target: profilePut, noAgreement: UNKNOWN_SESSION, sharedCpo: UNKNOWN_SESSION, more: [direct(profilePut, UNKNOWN_SESSION)] },
  'DELETE /ocpi/2.2.1/receiver/chargingprofiles/:session_id': { target: profileDelete, noAgreement: UNKNOWN_SESSION, sharedCpo: UNKNOWN_SESSION, more: [direct(profileDelete, UNKNOWN_SESSION)] },
  'POST /ocpi/2.2.1/sender/chargingprofiles/results/:id': { target: { params: { id: PROFILE_ID }, body: { result: 'ACCEPTED' } }, noAgreement: { http: 404, code: 2000 },
    more: [{ target: { params: { id: '00000000-0000-4000-8000-000000000000' }, body: { result: 'ACCEPTED' } }, noAgreement: { http: 404, code: 2000 } }] },
  'PUT /ocpi/2.2.1/sender/chargingprofiles/:session_id': { target: { params: { session_id: SESSION }, body: { start_date_time: '2030-01-01T00:00:00Z', charging_profile: { charging_rate_unit: 'W' } } }, noAgreement: { http: 404, code: 2000 } },
};

function cpoParams() {
  return { country_code: V.cpo.cc, party_id: V.cpo.pid };
}
function emspParams() {
  return { country_code: V.emsp.cc, party_id: V.emsp.pid };
}

type CallerKind = 'token A' | 'suspended' | 'wrong role' | 'other party' | 'no agreement' | 'shared CPO';

interface Row {
  route: OcpiRoute;
  spec: RouteSpec;
  kind: CallerKind;
  expected: Outcome | 'reached' | 'success';
}

/** The generated table: every route × every caller kind that applies to it, with its expected outcome. */
function table(routes: OcpiRoute[]): { rows: Row[]; missing: string[] } {
  const rows: Row[] = [];
  const missing: string[] = [];
  for (const route of routes) {
    const spec = TARGETS[route.key];
    if (!spec) {
      missing.push(route.key);
      continue;
    }
    const configuration = route.side === 'configuration';
    const tokenAOpens = route.module === 'versions' || route.module === 'credentials';
    for (const one of [spec, ...(spec.more ?? [])]) {
      const row = (kind: CallerKind, expected: Row['expected']) => rows.push({ route, spec: one, kind, expected });
      row('token A', tokenAOpens ? (route.module === 'versions' ? 'success' : 'reached') : { http: 401, code: 2000 });
      row('suspended', { http: 403, code: 2000 });
      if (configuration) continue;
      const cdrPost = route.key === 'POST /ocpi/2.2.1/receiver/cdrs';
      row('wrong role', cdrPost ? { http: 404, code: 2001 } : { http: 404, code: 2000 });
      row('other party', cdrPost ? { http: 404, code: 2001 } : { http: 404, code: 2000 });
      if (one.noAgreement) row('no agreement', one.noAgreement);
      if (one.sharedCpo) row('shared CPO', one.sharedCpo);
    }
  }
  return { rows, missing };
}

describe('isolation between parties, for every route of the routers', () => {
  let network: FuzzNetwork;
  let routes: OcpiRoute[];
  let before: Record<string, TableDigest>;
  const realIds: Record<string, string> = {};
  const http = axios.create({ validateStatus: () => true });

  beforeAll(async () => {
    network = await startFuzzNetwork();
    routes = ocpiRoutes(network.net.hub.services);
    // EM2 stops its session and sets a profile on it at CP2 (which accepts both): the attackers then
    // post results for those real requests. The long timeout keeps them pending through the table.
    const cp2 = party('CP2').partner;
    script(cp2, '/ocpi/2.2.1/', (r) => (/^\/ocpi\/2\.2\.1\/(commands|chargingprofiles)\//.test(r.path) ? ocpiOk({ result: 'ACCEPTED', timeout: 600 }) : undefined));
    const stop = await party('EM2').ocpi.post('/receiver/commands/STOP_SESSION', { response_url: RESPONSE_URL, session_id: SESSION });
    const profile = await party('EM2').ocpi.put(`/receiver/chargingprofiles/${SESSION}`, { charging_profile: { charging_rate_unit: 'W' }, response_url: RESPONSE_URL });
    if (stop.data.status_code !== 1000 || profile.data.status_code !== 1000) throw new Error(`setting up requests failed: ${JSON.stringify([stop.data, profile.data])}`);
    const hubUrl = (prefix: string) => (cp2.requests.filter((r) => r.path.startsWith(prefix)).at(-1)!.body as { response_url: string }).response_url;
    realIds[COMMAND_ID] = hubUrl('/ocpi/2.2.1/commands/STOP_SESSION').split('/').pop()!;
    realIds[PROFILE_ID] = hubUrl(`/ocpi/2.2.1/chargingprofiles/${SESSION}`).split('/').pop()!;
    before = await databaseDigest(network.net.hub.services.db);
  }, 60_000);
  afterAll(() => network.close());

  const party = (key: string) => network.net.parties[key];

  /** Sends a row's request as its caller. */
  async function send(row: Row): Promise<AxiosResponse> {
    const { route, kind } = row;
    const spec = row.spec.target;
    const role = callerRole(route);
    // The attacker of the route's role (CP1 or EM1), and the victim of that role (CP2 or EM2).
    const attacker = party(role === 'EMSP' ? 'EM1' : 'CP1');
    const otherRole = party(role === 'EMSP' ? 'CP1' : 'EM1');
    const victim = party(role === 'EMSP' ? 'EM2' : 'CP2');
    let token = attacker.token;
    let params = Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, realIds[v] ?? v]));
    let body = spec.body;
    const headers: Record<string, string> = { ...(kind === 'no agreement' || kind === 'shared CPO' ? spec.headers : {}) };
    const own = (p: typeof attacker) => {
      if ('country_code' in params) params = { ...params, country_code: p.countryCode, party_id: p.partyId };
      if (body && typeof body === 'object' && 'country_code' in body) body = { ...body, country_code: p.countryCode, party_id: p.partyId };
    };
    switch (kind) {
      case 'token A':
        token = network.unregistered.tokenA;
        break;
      case 'suspended':
        token = network.suspended.token;
        break;
      case 'wrong role':
        token = otherRole.token;
        own(otherRole);
        break;
      case 'other party':
        // The URL or body already names the victim; routes without a party in them name it in OCPI-from-*.
        if (!('country_code' in params) && !(body && typeof body === 'object' && 'country_code' in body)) {
          Object.assign(headers, { 'OCPI-from-country-code': victim.countryCode, 'OCPI-from-party-id': victim.partyId });
        }
        break;
      case 'no agreement':
        own(attacker);
        break;
      case 'shared CPO':
        token = party('EM3').token;
        own(party('EM3'));
        break;
    }
    const path = route.pattern.replace(/:([a-z_]+)/g, (_, name: string) => encodeURIComponent(params[name]));
    return http.request({
      method: route.method,
      url: `${network.net.hub.url}${path}${spec.query ? `?${spec.query}` : ''}`,
      headers: { Authorization: b64(token), ...headers },
      data: body,
    });
  }

  it('has an expectation for every route, and every advertised module has routes', () => {
    const { missing } = table(routes);
    expect(missing).toEqual([]);
    const modules = new Set(routes.map((r) => r.module));
    for (const module of ['versions', 'credentials', 'hubclientinfo', 'locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands', 'chargingprofiles']) {
      expect(modules).toContain(module);
    }
  });

  it('gives every (route, method, caller kind) its expected answer', async () => {
    const { rows } = table(routes);
    const wrong: string[] = [];
    for (const row of rows) {
      const response = await send(row);
      const got = `${response.status}/${response.data?.status_code}`;
      const variant = `${row.spec.target.params.command ?? ''}${row.spec.target.headers ? ' OCPI-to' : ''}`;
      const label = `${row.kind.padEnd(12)} ${row.route.key}${variant ? ` [${variant.trim()}]` : ''}`;
      if (row.expected === 'success') {
        if (got !== '200/1000') wrong.push(`${label}: ${got}, expected 200/1000`);
      } else if (row.expected === 'reached') {
        // Token A reaches the credentials module: whatever it answers, it is not 401/403.
        if (response.status === 401 || response.status === 403) wrong.push(`${label}: ${got}, expected the module to answer`);
      } else if ('listWithout' in row.expected) {
        const ids = Array.isArray(response.data?.data) ? response.data.data.map((o: { id?: string; uid?: string }) => o.id ?? o.uid) : undefined;
        if (got !== '200/1000' || !ids || ids.includes(row.expected.listWithout)) wrong.push(`${label}: ${got} ${JSON.stringify(ids)}, expected a list without ${row.expected.listWithout}`);
      } else if (got !== `${row.expected.http}/${row.expected.code}`) {
        wrong.push(`${label}: ${got} (${response.data?.status_message}), expected ${row.expected.http}/${row.expected.code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(rows.length).toBeGreaterThan(150);
  }, 60_000);

  it('lets the victims themselves see the objects the attacks aimed at (the refusals are not mere absences)', async () => {
    const cp2 = party('CP2').ocpi;
    const em2 = party('EM2').ocpi;
    expect((await cp2.get(`/receiver/locations/DE/CP2/${LOCATION}/3256/1`)).data.status_code).toBe(1000);
    expect((await cp2.get('/receiver/tariffs/DE/CP2/TAR-CP2')).data.status_code).toBe(1000);
    expect((await cp2.get(`/receiver/sessions/DE/CP2/${SESSION}`)).data.status_code).toBe(1000);
    expect((await cp2.get('/receiver/cdrs/DE/CP2/CDR-CP2')).data.status_code).toBe(1000);
    expect((await em2.get(`/receiver/tokens/DE/EM2/${TOKEN}`)).data.status_code).toBe(1000);
    // EM2 has the agreement with CP2: it sees what EM1 may not.
    expect((await em2.get('/sender/locations')).data.data.map((l: { id: string }) => l.id)).toContain(LOCATION);
    expect((await em2.get(`/sender/locations/${LOCATION}`)).data.status_code).toBe(1000);
    expect((await em2.get('/sender/sessions')).data.data.map((s: { id: string }) => s.id)).toContain(SESSION);
    expect((await party('CP2').ocpi.get('/sender/tokens')).data.data.map((t: { uid: string }) => t.uid)).toContain(TOKEN);
  });

  it('left every table as it was: no refused request changed anything', async () => {
    expect(digestDifferences(before, await databaseDigest(network.net.hub.services.db))).toEqual([]);
  });

  it('takes the results the attackers could not post from CP2, the CPO the requests went to (the ids were real)', async () => {
    const cp2 = party('CP2').ocpi;
    expect((await cp2.post(`/sender/commands/STOP_SESSION/${realIds[COMMAND_ID]}`, { result: 'ACCEPTED' })).data.status_code).toBe(1000);
    expect((await cp2.post(`/sender/chargingprofiles/results/${realIds[PROFILE_ID]}`, { result: 'ACCEPTED' })).data.status_code).toBe(1000);
  });
});
