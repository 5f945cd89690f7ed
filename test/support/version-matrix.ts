/**
 * The version matrix (docs/versions.md, "Tested"): one CPO and one eMSP partner server per OCPI version,
 * all registered with one hub, so every (CPO version × eMSP version) pair can be driven through it.
 *
 * A version enters the matrix through its **partner flavour** (`FLAVOURS`): how a partner of that version
 * writes each object (fixtures from that version's own examples), where it calls the hub and where the
 * hub calls it (paths), which schema a body it receives must pass, and the version-neutral key figures
 * (`facts`) that must survive any translation. The tests know nothing of versions beyond this file.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { VERSION_TRANSPORT } from '../../src/core/ocpi-versions/ocpi-versions';
import { CdrV211 } from '../../src/core/ocpi-versions/v2.1.1/cdrs.v211.schema';
import { CommandResponseV211, StartSessionV211 } from '../../src/core/ocpi-versions/v2.1.1/commands.v211.schema';
import { LocationV211 } from '../../src/core/ocpi-versions/v2.1.1/locations.v211.schema';
import { SessionPatchV211, SessionV211 } from '../../src/core/ocpi-versions/v2.1.1/sessions.v211.schema';
import { TariffV211 } from '../../src/core/ocpi-versions/v2.1.1/tariffs.v211.schema';
import { AuthorizationInfoV211, LocationReferencesV211, TokenV211 } from '../../src/core/ocpi-versions/v2.1.1/tokens.v211.schema';
import { AuthorizationInfoV230, LocationReferencesV230, TokenV230 } from '../../src/core/ocpi-versions/v2.3.0/tokens.v230.schema';
import { LocationV230 } from '../../src/core/ocpi-versions/v2.3.0/locations.v230.schema';
import { TariffV230 } from '../../src/core/ocpi-versions/v2.3.0/tariffs.v230.schema';
import { SessionPatchV230, SessionV230 } from '../../src/core/ocpi-versions/v2.3.0/sessions.v230.schema';
import { CdrV230 } from '../../src/core/ocpi-versions/v2.3.0/cdrs.v230.schema';
import { CommandResponseV230, CommandResultV230, StartSessionV230 } from '../../src/core/ocpi-versions/v2.3.0/commands.v230.schema';
import { Location } from '../../src/hub/modules/locations/locations.schema';
import { Tariff } from '../../src/hub/modules/tariffs/tariffs.schema';
import { LocationReferences, Token } from '../../src/hub/modules/tokens/tokens.schema';
import { Session, SessionPatch } from '../../src/hub/modules/sessions/sessions.schema';
import { Cdr } from '../../src/hub/modules/cdrs/cdrs.schema';
import { CommandResponse, CommandResult, StartSession } from '../../src/hub/modules/commands/commands.schema';
import type { RecordedRequest } from './partner';
import { OCPI_2_1_1_EXAMPLES, OCPI_2_2_1_EXAMPLES, OCPI_2_3_0_EXAMPLES } from './spec-examples';
import { startNetwork, type NetworkSpec, type TestNetwork } from './network';
import type { TestHubOptions } from './test-hub';

/**
 * The versions of the matrix: every CPO of one of them meets every eMSP of one of them. Adding a
 * version is adding it here and its flavour in FLAVOURS.
 */
export const MATRIX_VERSIONS = ['2.1.1', '2.2.1', '2.3.0'] as const;
export type MatrixVersion = (typeof MATRIX_VERSIONS)[number];

/** Every (CPO version, eMSP version) pair, in the order of MATRIX_VERSIONS. */
export const MATRIX_PAIRS: [cpo: MatrixVersion, emsp: MatrixVersion][] = MATRIX_VERSIONS.flatMap((c) => MATRIX_VERSIONS.map((e) => [c, e] as [MatrixVersion, MatrixVersion]));

type Json = Record<string, any>;
export interface Owner {
  country_code: string;
  party_id: string;
}

/** The bodies a matrix test checks, by what they are. */
export type MatrixBody =
  | 'location'
  | 'tariff'
  | 'token'
  | 'session'
  | 'sessionPatch'
  | 'cdr'
  | 'startSession'
  | 'commandResponse'
  | 'commandResult'
  | 'locationReferences'
  | 'authorizationInfo';

/** The EVSE and connector of the matrix location every session, CDR and command names (all three versions' examples have them). */
export const MATRIX_EVSE = '3256';
export const MATRIX_CONNECTOR = '1';

/** What a partner of one version looks like to the matrix: the seam a new version plugs into. */
export interface PartnerFlavour {
  version: MatrixVersion;
  /** The schema a body of each kind must pass when a partner of this version receives it. */
  schemas: Record<MatrixBody, z.ZodType>;
  /** Objects as a sender of this version writes them. */
  fixtures: {
    location(owner: Owner, id: string): Json;
    tariff(owner: Owner, id: string): Json;
    /** A token whose contract id is its own (a 2.1.1 CPO's session names its token by contract id alone). */
    token(owner: Owner, uid: string): Json;
    /** A finished session of `owner` charged with `token` (in this version's form) at the matrix EVSE of `locationId`. */
    session(owner: Owner, id: string, token: Json, locationId: string): Json;
    sessionPatch(kwh: number, lastUpdated: string): Json;
    cdr(owner: Owner, id: string, token: Json, locationId: string): Json;
    startSession(responseUrl: string, token: Json, locationId: string, evseUid: string): Json;
    /** What this version's CPO answers a command with, synchronously. */
    commandResponse(): Json;
    /** The result a CPO of this version POSTs to the response_url. */
    commandResult(): Json;
    locationReferences(locationId: string): Json;
    /** An eMSP of this version answering a real-time authorization for `token`. */
    authorizationInfo(token: Json, reference: string): Json;
  };
  /**
   * The key figures of a body, version-neutral: what must come out of any translation unchanged (ids,
   * amounts excl. VAT, energy). Two bodies of different versions carry the same content when their facts
   * are equal, leaving out those either version `lacks`.
   */
  facts: Record<MatrixBody, (body: Json) => Json>;
  /**
   * Facts this version's bodies cannot carry (2.1.1: an object's owner is in the URL, a CommandResponse
   * has no timeout): not compared when either side's version lacks them.
   */
  lacks: Partial<Record<MatrixBody, string[]>>;
  /** A body may carry no top-level field the version's text does not define (2.1.1, whose receivers are not told to accept them). */
  closedObjects?: boolean;
  /** Where a partner of this version calls the hub (under the hub's /ocpi/{version}). */
  hubPaths: {
    location(owner: Owner, id: string): string;
    tariff(owner: Owner, id: string): string;
    token(owner: Owner, uid: string): string;
    session(owner: Owner, id: string): string;
    cdrs(): string;
    /** An eMSP's GET of one location through the hub (the owner in the routing headers where the version has them). */
    locationGet(owner: Owner, id: string): string;
    command(type: string): string;
    authorize(uid: string): string;
  };
  /**
   * For a version whose version details list one URL per module and no role (2.1.1): the module URLs
   * (under /ocpi/{version}) the hub must list to a CPO and to an eMSP, which `hubPaths` are built on;
   * startMatrixNetwork checks them against what the hub listed.
   */
  listedEndpoints?: Record<'CPO' | 'EMSP', Record<string, string>>;
  /** Where the hub calls a partner of this version (paths on its own server). */
  partnerPaths: {
    location(owner: Owner, id: string): string;
    tariff(owner: Owner, id: string): string;
    token(owner: Owner, uid: string): string;
    session(owner: Owner, id: string): string;
    cdrs(): string;
    command(type: string): string;
    authorize(uid: string): string;
    /** The response_url an eMSP of this version gives in a command. */
    commandResult(type: string, id: string): string;
  };
}

const readExample = (dir: string) => (name: string): Json => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Json;
const NOW = '2026-01-02T03:04:05Z';

/**
 * Where the hub calls a partner: each version's test partner serves one URL per module under its
 * /ocpi/{version} (2.1.1 ones too, test/support/partner-v211.ts), objects under /{country_code}/{party_id}/{id}.
 */
const partnerPathsOf = (version: MatrixVersion): PartnerFlavour['partnerPaths'] => ({
  location: (o, id) => `/ocpi/${version}/locations/${o.country_code}/${o.party_id}/${id}`,
  tariff: (o, id) => `/ocpi/${version}/tariffs/${o.country_code}/${o.party_id}/${id}`,
  token: (o, uid) => `/ocpi/${version}/tokens/${o.country_code}/${o.party_id}/${uid}`,
  session: (o, id) => `/ocpi/${version}/sessions/${o.country_code}/${o.party_id}/${id}`,
  cdrs: () => `/ocpi/${version}/cdrs`,
  command: (type) => `/ocpi/${version}/commands/${type}`,
  authorize: (uid) => `/ocpi/${version}/tokens/${uid}/authorize`,
  commandResult: (type, id) => `/ocpi/${version}/commands/${type}/${id}`,
});

/** 2.2.1 and 2.3.0 share the module URLs: receiver/sender interfaces with the owner in the path. */
const rolePaths = (version: MatrixVersion): Pick<PartnerFlavour, 'hubPaths' | 'partnerPaths'> => ({
  hubPaths: {
    location: (o, id) => `/receiver/locations/${o.country_code}/${o.party_id}/${id}`,
    tariff: (o, id) => `/receiver/tariffs/${o.country_code}/${o.party_id}/${id}`,
    token: (o, uid) => `/receiver/tokens/${o.country_code}/${o.party_id}/${uid}`,
    session: (o, id) => `/receiver/sessions/${o.country_code}/${o.party_id}/${id}`,
    cdrs: () => '/receiver/cdrs',
    // The Sender interface names the object by its id alone; the owner goes in OCPI-to-* (MatrixParty.routingTo).
    locationGet: (_o, id) => `/sender/locations/${id}`,
    command: (type) => `/receiver/commands/${type}`,
    authorize: (uid) => `/sender/tokens/${uid}/authorize`,
  },
  partnerPaths: partnerPathsOf(version),
});

/**
 * What the hub's 2.1.1 version details list to each role (docs/versions.md, "URL shape"): the side
 * facing the party's one role, one URL per module, no role.
 */
const LISTED_V211: Record<'CPO' | 'EMSP', Record<string, string>> = {
  CPO: {
    credentials: '/credentials',
    locations: '/receiver/locations',
    tariffs: '/receiver/tariffs',
    sessions: '/receiver/sessions',
    cdrs: '/receiver/cdrs',
    tokens: '/sender/tokens',
    commands: '/sender/commands',
  },
  EMSP: {
    credentials: '/credentials',
    locations: '/sender/locations',
    tariffs: '/sender/tariffs',
    sessions: '/sender/sessions',
    cdrs: '/sender/cdrs',
    tokens: '/receiver/tokens',
    commands: '/receiver/commands',
  },
};

/** 2.1.1 module URLs as the hub lists them; a 2.1.1 client sends no routing headers (its GET of a location names the id alone). */
const V211_HUB_PATHS: PartnerFlavour['hubPaths'] = {
  location: (o, id) => `${LISTED_V211.CPO.locations}/${o.country_code}/${o.party_id}/${id}`,
  tariff: (o, id) => `${LISTED_V211.CPO.tariffs}/${o.country_code}/${o.party_id}/${id}`,
  token: (o, uid) => `${LISTED_V211.EMSP.tokens}/${o.country_code}/${o.party_id}/${uid}`,
  session: (o, id) => `${LISTED_V211.CPO.sessions}/${o.country_code}/${o.party_id}/${id}`,
  cdrs: () => LISTED_V211.CPO.cdrs,
  locationGet: (_o, id) => `${LISTED_V211.EMSP.locations}/${id}`,
  command: (type) => `${LISTED_V211.EMSP.commands}/${type}`,
  authorize: (uid) => `${LISTED_V211.CPO.tokens}/${uid}/authorize`,
};

/** The amount excl. VAT / before taxes of a Price of any version (the figure settlement reads; 2.1.1 has a bare number). */
const netAmount = (price: Json | number | undefined) => (price === undefined || typeof price === 'number' ? price : (price.excl_vat ?? price.before_taxes));
const tokenFacts = (t: Json) => ({ uid: t.uid, contract_id: t.contract_id, country_code: t.country_code, party_id: t.party_id });
const cdrTokenOf = (token: Json) => ({ country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id });
/** A contract id of the token's own, so a contract id names one token among every eMSP's (the examples share one). */
const contractIdOf = (owner: Owner, uid: string) => `${owner.country_code}-${owner.party_id}-${uid}`;

/**
 * Version-neutral facts, the same readers for 2.2.1 and 2.3.0. A session or CDR names its token by
 * contract id, the one reference every version carries (2.1.1's auth_id).
 */
const FACTS: PartnerFlavour['facts'] = {
  location: (l) => ({ id: l.id, owner: `${l.country_code}/${l.party_id}`, coordinates: l.coordinates, evses: (l.evses ?? []).map((e: Json) => [e.uid, (e.connectors ?? []).map((c: Json) => c.id)]) }),
  tariff: (t) => ({ id: t.id, currency: t.currency, prices: t.elements.flatMap((e: Json) => e.price_components.map((p: Json) => [p.type, p.price, p.step_size])) }),
  token: tokenFacts,
  session: (s) => ({ id: s.id, kwh: s.kwh, total_cost: netAmount(s.total_cost), contract: s.cdr_token.contract_id, location_id: s.location_id, evse: s.evse_uid, connector: s.connector_id }),
  sessionPatch: (p) => ({ kwh: p.kwh, last_updated: p.last_updated }),
  cdr: (c) => ({ id: c.id, total_energy: c.total_energy, total_time: c.total_time, total_cost: netAmount(c.total_cost), contract: c.cdr_token.contract_id, location_id: c.cdr_location.id, evse: c.cdr_location.evse_uid, connector: c.cdr_location.connector_id }),
  startSession: (s) => ({ token: s.token.uid, location_id: s.location_id, evse_uid: s.evse_uid }),
  commandResponse: (r) => ({ result: r.result, timeout: r.timeout }),
  commandResult: (r) => ({ result: r.result }),
  locationReferences: (r) => ({ location_id: r.location_id }),
  authorizationInfo: (a) => ({ allowed: a.allowed, authorization_reference: a.authorization_reference, token: a.token.uid }),
};

/** The one EVSE and connector of a 2.1.1 session's or CDR's whole location (mod_sessions.md: "including only the relevant EVSE and connector"). */
const onlyEvse = (location: Json): Json => {
  const evse = (location.evses as Json[]).find((e) => e.uid === MATRIX_EVSE)!;
  return { ...location, evses: [{ ...evse, connectors: (evse.connectors as Json[]).filter((c) => c.id === MATRIX_CONNECTOR) }] };
};

/**
 * 2.1.1 facts: the same figures read where 2.1.1 keeps them — `auth_id` for the contract id, the
 * session's and CDR's whole `location` for the location, EVSE and connector, a number for a cost.
 */
const FACTS_V211: PartnerFlavour['facts'] = {
  ...FACTS,
  location: (l) => ({ id: l.id, coordinates: l.coordinates, evses: (l.evses ?? []).map((e: Json) => [e.uid, (e.connectors ?? []).map((c: Json) => c.id)]) }),
  token: (t) => ({ uid: t.uid, contract_id: t.auth_id }),
  session: (s) => ({ id: s.id, kwh: s.kwh, total_cost: netAmount(s.total_cost), contract: s.auth_id, location_id: s.location.id, evse: s.location.evses[0].uid, connector: s.location.evses[0].connectors[0].id }),
  cdr: (c) => ({ id: c.id, total_energy: c.total_energy, total_time: c.total_time, total_cost: netAmount(c.total_cost), contract: c.auth_id, location_id: c.location.id, evse: c.location.evses[0].uid, connector: c.location.evses[0].connectors[0].id }),
  commandResponse: (r) => ({ result: r.result }),
  authorizationInfo: (a) => ({ allowed: a.allowed }),
};

/** Fixtures of 2.2.1 and 2.3.0 come from each version's own examples, with the matrix's owners and ids. */
const exampleFixtures = (read: (name: string) => Json): PartnerFlavour['fixtures'] => ({
  location: (owner, id) => ({ ...read('location_example.json'), ...owner, id }),
  tariff: (owner, id) => ({ ...read('tariff_1_simple_2hour.json'), ...owner, id }),
  token: (owner, uid) => ({ ...read('token_example_2_full_rfid.json'), ...owner, uid, contract_id: contractIdOf(owner, uid) }),
  session: (owner, id, token, locationId) => ({
    ...read('session_example_2_short_finished.json'),
    ...owner,
    id,
    cdr_token: cdrTokenOf(token),
    location_id: locationId,
    evse_uid: MATRIX_EVSE,
    connector_id: MATRIX_CONNECTOR,
  }),
  sessionPatch: (kwh, lastUpdated) => ({ kwh, last_updated: lastUpdated }),
  cdr: (owner, id, token, locationId) => {
    const cdr = read('cdr_example.json');
    return { ...cdr, ...owner, id, cdr_token: cdrTokenOf(token), cdr_location: { ...cdr.cdr_location, id: locationId, evse_uid: MATRIX_EVSE, connector_id: MATRIX_CONNECTOR } };
  },
  startSession: (responseUrl, token, locationId, evseUid) => ({ response_url: responseUrl, token, location_id: locationId, evse_uid: evseUid }),
  commandResponse: () => ({ result: 'ACCEPTED', timeout: 30 }),
  commandResult: () => ({ result: 'ACCEPTED' }),
  locationReferences: (locationId) => ({ location_id: locationId }),
  authorizationInfo: (token, reference) => ({ allowed: 'ALLOWED', token, authorization_reference: reference }),
});

/**
 * The CDR of the 2.1.1 text (mod_cdrs.md, "Example of a CDR"), written out by hand because the example
 * is not JSON (a trailing comma after the tariff element's price_components) — everything else as the
 * text has it but two repairs its own types ask for: the tariff price as a number (the text: decimal,
 * the example: "2.00") and the location, which the matrix gives whole from the CPO's own pushed
 * Location (the example's has a 2-letter `country` where the text asks ISO 3166-1 alpha-3).
 */
const cdrV211 = (id: string, authId: string, location: Json): Json => ({
  id,
  start_date_time: '2015-06-29T21:39:09Z',
  stop_date_time: '2015-06-29T23:37:32Z',
  auth_id: authId,
  auth_method: 'WHITELIST',
  location,
  currency: 'EUR',
  tariffs: [{ id: '12', currency: 'EUR', elements: [{ price_components: [{ type: 'TIME', price: 2.0, step_size: 300 }] }], last_updated: '2015-02-02T14:15:01Z' }],
  charging_periods: [{ start_date_time: '2015-06-29T21:39:09Z', dimensions: [{ type: 'TIME', volume: 1.973 }] }],
  total_cost: 4.0,
  total_energy: 15.342,
  total_time: 1.973,
  last_updated: '2015-06-29T22:01:13Z',
});

/**
 * Fixtures of 2.1.1 from the 2.1.1 text's examples (test/fixtures/ocpi-2.1.1-examples, INDEX.md): no
 * owner in any object (it is the sender's credentials and the push URL), tokens named by `auth_id`,
 * sessions and CDRs with `auth_id` and a whole `location`, costs as numbers, CommandResponse as both the
 * answer and the result.
 */
const v211Fixtures = (read: (name: string) => Json): PartnerFlavour['fixtures'] => {
  const location = (id: string) => ({ ...read('mod_locations-6.json'), id });
  return {
    location: (_owner, id) => location(id),
    tariff: (_owner, id) => ({ ...read('mod_tariffs-3.json'), id }),
    token: (owner, uid) => ({ ...read('mod_tokens-3.json'), uid, auth_id: contractIdOf(owner, uid) }),
    session: (_owner, id, token, locationId) => ({ ...read('mod_sessions-3.json'), id, auth_id: token.auth_id, location: onlyEvse(location(locationId)) }),
    sessionPatch: (kwh, lastUpdated) => ({ kwh, last_updated: lastUpdated }),
    cdr: (_owner, id, token, locationId) => cdrV211(id, token.auth_id, onlyEvse(location(locationId))),
    startSession: (responseUrl, token, locationId, evseUid) => ({ response_url: responseUrl, token, location_id: locationId, evse_uid: evseUid }),
    commandResponse: () => ({ result: 'ACCEPTED' }),
    commandResult: () => ({ result: 'ACCEPTED' }),
    locationReferences: (locationId) => ({ location_id: locationId }),
    authorizationInfo: () => ({ allowed: 'ALLOWED' }),
  };
};

/**
 * AuthorizationInfo of 2.2.1 (mod_tokens.asciidoc): the hub only checks `allowed` of what it forwards
 * (looksLikeAuthorizationInfo), so the matrix holds the text's whole object here.
 */
export const AuthorizationInfoV221 = z.looseObject({
  allowed: z.enum(['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']),
  token: Token,
  location: LocationReferences.optional(),
  authorization_reference: z.string().min(1).max(36).optional(),
  info: z.looseObject({ language: z.string().length(2), text: z.string().max(512) }).optional(),
});

export const FLAVOURS: Record<MatrixVersion, PartnerFlavour> = {
  '2.1.1': {
    version: '2.1.1',
    schemas: {
      location: LocationV211,
      tariff: TariffV211,
      token: TokenV211,
      session: SessionV211,
      sessionPatch: SessionPatchV211,
      cdr: CdrV211,
      startSession: StartSessionV211,
      commandResponse: CommandResponseV211,
      // 2.1.1 has no CommandResult: the CPO POSTs a CommandResponse to the response_url (mod_commands.md).
      commandResult: CommandResponseV211,
      locationReferences: LocationReferencesV211,
      authorizationInfo: AuthorizationInfoV211,
    },
    fixtures: v211Fixtures(readExample(OCPI_2_1_1_EXAMPLES)),
    facts: FACTS_V211,
    lacks: {
      // The owner is in the push URL (the matrix reads the delivery at /{country_code}/{party_id}/{id}).
      location: ['owner'],
      token: ['country_code', 'party_id'],
      // 2.1.1 has no timeout (the hub answers a 2.2+ eMSP with its own wait) ...
      commandResponse: ['timeout'],
      // ... and its AuthorizationInfo no token (the hub adds the one it holds) nor reference.
      authorizationInfo: ['token', 'authorization_reference'],
    },
    closedObjects: true,
    hubPaths: V211_HUB_PATHS,
    listedEndpoints: LISTED_V211,
    partnerPaths: partnerPathsOf('2.1.1'),
  },
  '2.2.1': {
    version: '2.2.1',
    schemas: {
      location: Location,
      tariff: Tariff,
      token: Token,
      session: Session,
      sessionPatch: SessionPatch,
      cdr: Cdr,
      startSession: StartSession,
      commandResponse: CommandResponse,
      commandResult: CommandResult,
      locationReferences: LocationReferences,
      authorizationInfo: AuthorizationInfoV221,
    },
    fixtures: exampleFixtures(readExample(OCPI_2_2_1_EXAMPLES)),
    facts: FACTS,
    lacks: {},
    ...rolePaths('2.2.1'),
  },
  '2.3.0': {
    version: '2.3.0',
    schemas: {
      location: LocationV230,
      tariff: TariffV230,
      token: TokenV230,
      session: SessionV230,
      sessionPatch: SessionPatchV230,
      cdr: CdrV230,
      startSession: StartSessionV230,
      commandResponse: CommandResponseV230,
      commandResult: CommandResultV230,
      locationReferences: LocationReferencesV230,
      authorizationInfo: AuthorizationInfoV230,
    },
    fixtures: exampleFixtures(readExample(OCPI_2_3_0_EXAMPLES)),
    facts: FACTS,
    lacks: {},
    ...rolePaths('2.3.0'),
  },
};

/** The party id of the matrix's partner of a role and version: C22 is the 2.2.1 CPO, E23 the 2.3.0 eMSP. */
export function matrixPartyId(role: 'CPO' | 'EMSP', version: MatrixVersion): string {
  return `${role === 'CPO' ? 'C' : 'E'}${version.replace(/\./g, '').slice(0, 2)}`;
}
const CPO_COUNTRY = 'NL';
const EMSP_COUNTRY = 'DE';
/** The zone the operator configures for a 2.1.1 CPO, whose Locations need not say theirs (the examples are in Gent). */
export const MATRIX_V211_TIME_ZONE = 'Europe/Brussels';

/** Problems of `body` against the schema of `kind` in `version`; empty when valid. */
export function schemaProblems(version: MatrixVersion, kind: MatrixBody, body: unknown): string[] {
  const schema = FLAVOURS[version].schemas[kind];
  // 2.1.1 has no rule that a receiver accepts fields its text does not define (2.3.0 has one): nothing else may reach it.
  const closed = FLAVOURS[version].closedObjects && schema instanceof z.ZodObject ? schema.strict() : schema;
  const result = closed.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${kind} ${version} ${i.path.join('.')}: ${i.message}`);
}

/**
 * The facts of a body of `kind` received in `version` and of what was sent in `sentVersion`, each
 * without the facts either version lacks: equal when the content was carried.
 */
export function comparableFacts(kind: MatrixBody, received: unknown, version: MatrixVersion, sent: unknown, sentVersion: MatrixVersion): [received: Json, sent: Json] {
  const lacking = new Set([...(FLAVOURS[version].lacks[kind] ?? []), ...(FLAVOURS[sentVersion].lacks[kind] ?? [])]);
  const read = (v: MatrixVersion, body: unknown) => Object.fromEntries(Object.entries(FLAVOURS[v].facts[kind](body as Json)).filter(([key]) => !lacking.has(key)));
  return [read(version, received), read(sentVersion, sent)];
}

/** A matrix partner of any version, as the tests drive it. */
export interface MatrixParty {
  id: string;
  version: MatrixVersion;
  countryCode: string;
  partyId: string;
  role: 'CPO' | 'EMSP';
  /** Token C: what this partner uses to call the hub. */
  token: string;
  /** Its server: what the hub sent it, and answers the tests take over. */
  partner: {
    url: string;
    received(method: string, pathPrefix: string): RecordedRequest[];
    intercept?: (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;
  };
  /** axios to the hub's /ocpi/{version} as this party calls it (2.1.1: its raw token, no routing headers); never throws on HTTP errors. */
  ocpi: AxiosInstance;
  /** OCPI-to-* naming `to`, where this party's version has routing headers (none in 2.1.1). */
  routingTo(to: Owner): Record<string, string>;
  /** The headers of a call of this party to a URL the hub gave it (a response_url): its Authorization, and OCPI-from/to-* where its version has them. */
  callHeaders(to: Owner): Record<string, string>;
}

export interface MatrixNetwork {
  net: TestNetwork;
  cpo(version: MatrixVersion): MatrixParty;
  emsp(version: MatrixVersion): MatrixParty;
  owner(party: MatrixParty): Owner;
  close(): Promise<void>;
}

/** The matrix parties of a started network, each of the version it was started in. */
function matrixParties(net: TestNetwork, versions: readonly MatrixVersion[], address: (role: 'CPO' | 'EMSP', v: MatrixVersion) => string): Map<string, MatrixParty> {
  const parties = new Map<string, MatrixParty>();
  for (const version of versions) {
    for (const role of ['CPO', 'EMSP'] as const) {
      const key = address(role, version);
      const routing = VERSION_TRANSPORT[version].routingHeaders;
      const routingTo = (to: Owner): Record<string, string> => (routing ? { 'OCPI-to-country-code': to.country_code, 'OCPI-to-party-id': to.party_id } : {});
      const v211 = net.v211[key];
      if (v211) {
        const listed = FLAVOURS[version].listedEndpoints?.[role];
        const expected = listed && Object.fromEntries(Object.entries(listed).map(([module, p]) => [module, `${net.hub.url}/ocpi/${version}${p}`]));
        if (JSON.stringify(expected) !== JSON.stringify(v211.endpoints)) {
          throw new Error(`the hub lists ${key} (${version}) ${JSON.stringify(v211.endpoints)}, the matrix's hubPaths are built on ${JSON.stringify(expected)}`);
        }
        parties.set(key, {
          id: v211.id,
          version,
          countryCode: v211.countryCode,
          partyId: v211.partyId,
          role,
          token: v211.token,
          partner: v211.partner,
          ocpi: v211.partner.hub(`${net.hub.url}/ocpi/${version}`, false),
          routingTo,
          callHeaders: () => ({ Authorization: v211.partner.authorizationHeader(v211.token) }),
        });
        continue;
      }
      const party = net.parties[key];
      parties.set(key, {
        id: party.id,
        version,
        countryCode: party.countryCode,
        partyId: party.partyId,
        role,
        token: party.token,
        partner: party.partner,
        ocpi: party.ocpi,
        routingTo,
        callHeaders: (to) => ({
          Authorization: party.partner.authorization(party.token),
          ...(routing ? { 'OCPI-from-country-code': party.countryCode, 'OCPI-from-party-id': party.partyId } : {}),
          ...routingTo(to),
        }),
      });
    }
  }
  return parties;
}

/**
 * A hub offering every matrix version, with a CPO and an eMSP partner of each, every CPO in agreement
 * with every eMSP (a 2.1.1 CPO with the time zone its Locations may leave out). Each CPO answers
 * START_SESSION with its version's CommandResponse; each eMSP answers a real-time authorization with
 * its version's AuthorizationInfo for the token it is asked about, which it must have pushed before
 * (`tokensIssued`).
 */
export async function startMatrixNetwork(options: { hub?: TestHubOptions; versions?: readonly MatrixVersion[] } = {}): Promise<MatrixNetwork & { tokensIssued: Map<string, Json> }> {
  const versions = options.versions ?? MATRIX_VERSIONS;
  const address = (role: 'CPO' | 'EMSP', v: MatrixVersion) => `${role === 'CPO' ? CPO_COUNTRY : EMSP_COUNTRY}/${matrixPartyId(role, v)}`;
  const spec: NetworkSpec = {
    cpos: versions.map((v) => address('CPO', v)),
    emsps: versions.map((v) => address('EMSP', v)),
    agreements: 'all',
    versions: Object.fromEntries(versions.flatMap((v) => [[address('CPO', v), v], [address('EMSP', v), v]])),
    timeZones: versions.includes('2.1.1') ? { [address('CPO', '2.1.1')]: MATRIX_V211_TIME_ZONE } : {},
    hub: { ...options.hub, env: { OCPI_VERSIONS: versions.join(','), ...options.hub?.env } },
  };
  const net = await startNetwork(spec);
  const parties = matrixParties(net, versions, address);
  const tokensIssued = new Map<string, Json>();
  const reply = (res: ServerResponse, data: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
    return true;
  };
  for (const v of versions) {
    const flavour = FLAVOURS[v];
    parties.get(address('CPO', v))!.partner.intercept = (req: RecordedRequest, res) =>
      req.method === 'POST' && req.path === flavour.partnerPaths.command('START_SESSION') ? reply(res, flavour.fixtures.commandResponse()) : false;
    parties.get(address('EMSP', v))!.partner.intercept = (req: RecordedRequest, res) => {
      const uid = /\/tokens\/([^/?]+)\/authorize/.exec(req.path)?.[1];
      if (req.method !== 'POST' || !uid || !req.path.startsWith(flavour.partnerPaths.authorize(uid))) return false;
      const token = tokensIssued.get(`${v} ${uid}`);
      return token ? reply(res, flavour.fixtures.authorizationInfo(token, `AUTH-${uid}`)) : false;
    };
  }
  return {
    net,
    tokensIssued,
    cpo: (v) => parties.get(address('CPO', v))!,
    emsp: (v) => parties.get(address('EMSP', v))!,
    owner: (p) => ({ country_code: p.countryCode, party_id: p.partyId }),
    close: () => net.close(),
  };
}

export { NOW as MATRIX_NOW };
