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
import path from 'node:path';
import { z } from 'zod';
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
import { OCPI_2_2_1_EXAMPLES, OCPI_2_3_0_EXAMPLES } from './spec-examples';
import { startNetwork, type NetworkParty, type NetworkSpec, type TestNetwork } from './network';
import type { TestHubOptions } from './test-hub';

/**
 * The versions of the matrix: every CPO of one of them meets every eMSP of one of them. Adding a
 * version is adding it here and its flavour in FLAVOURS.
 */
export const MATRIX_VERSIONS = ['2.2.1', '2.3.0'] as const;
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

/** What a partner of one version looks like to the matrix: the seam a new version plugs into. */
export interface PartnerFlavour {
  version: MatrixVersion;
  /** The schema a body of each kind must pass when a partner of this version receives it. */
  schemas: Record<MatrixBody, z.ZodType>;
  /** Objects as a sender of this version writes them. */
  fixtures: {
    location(owner: Owner, id: string): Json;
    tariff(owner: Owner, id: string): Json;
    token(owner: Owner, uid: string): Json;
    /** A finished session of `owner` charged with `token` (in this version's form). */
    session(owner: Owner, id: string, token: Json): Json;
    sessionPatch(kwh: number, lastUpdated: string): Json;
    cdr(owner: Owner, id: string, token: Json): Json;
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
   * are equal.
   */
  facts: Record<MatrixBody, (body: Json) => Json>;
  /** Where a partner of this version calls the hub (under the hub's /ocpi/{version}). */
  hubPaths: {
    location(owner: Owner, id: string): string;
    tariff(owner: Owner, id: string): string;
    token(owner: Owner, uid: string): string;
    session(owner: Owner, id: string): string;
    cdrs(): string;
    /** An eMSP's GET of one location through the hub (the owner in the routing headers). */
    locationGet(owner: Owner, id: string): string;
    command(type: string): string;
    authorize(uid: string): string;
  };
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
 * 2.2.1 and 2.3.0 share the module URLs (receiver/sender interfaces with the owner in the path, and
 * the same Receiver endpoints at the partner); 2.1.1 does not (its own flavour will say where).
 */
const rolePaths = (version: MatrixVersion): Pick<PartnerFlavour, 'hubPaths' | 'partnerPaths'> => ({
  hubPaths: {
    location: (o, id) => `/receiver/locations/${o.country_code}/${o.party_id}/${id}`,
    tariff: (o, id) => `/receiver/tariffs/${o.country_code}/${o.party_id}/${id}`,
    token: (o, uid) => `/receiver/tokens/${o.country_code}/${o.party_id}/${uid}`,
    session: (o, id) => `/receiver/sessions/${o.country_code}/${o.party_id}/${id}`,
    cdrs: () => '/receiver/cdrs',
    // The Sender interface names the object by its id alone; the owner goes in OCPI-to-* (matrixHeaders).
    locationGet: (_o, id) => `/sender/locations/${id}`,
    command: (type) => `/receiver/commands/${type}`,
    authorize: (uid) => `/sender/tokens/${uid}/authorize`,
  },
  partnerPaths: {
    location: (o, id) => `/ocpi/${version}/locations/${o.country_code}/${o.party_id}/${id}`,
    tariff: (o, id) => `/ocpi/${version}/tariffs/${o.country_code}/${o.party_id}/${id}`,
    token: (o, uid) => `/ocpi/${version}/tokens/${o.country_code}/${o.party_id}/${uid}`,
    session: (o, id) => `/ocpi/${version}/sessions/${o.country_code}/${o.party_id}/${id}`,
    cdrs: () => `/ocpi/${version}/cdrs`,
    command: (type) => `/ocpi/${version}/commands/${type}`,
    authorize: (uid) => `/ocpi/${version}/tokens/${uid}/authorize`,
    commandResult: (type, id) => `/ocpi/${version}/commands/${type}/${id}`,
  },
});

/** The amount excl. VAT / before taxes of a Price of any version (the figure settlement reads; 2.1.1 has a bare number). */
const netAmount = (price: Json | number | undefined) => (price === undefined || typeof price === 'number' ? price : (price.excl_vat ?? price.before_taxes));
const tokenFacts = (t: Json) => ({ uid: t.uid, contract_id: t.contract_id, country_code: t.country_code, party_id: t.party_id });
const cdrTokenOf = (token: Json) => ({ country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id });

/**
 * Version-neutral facts, the same readers for 2.2.1 and 2.3.0. A session or CDR names its token by
 * contract id, the one reference every version carries (2.1.1's auth_id).
 */
const FACTS: PartnerFlavour['facts'] = {
  location: (l) => ({ id: l.id, owner: `${l.country_code}/${l.party_id}`, coordinates: l.coordinates, evses: (l.evses ?? []).map((e: Json) => [e.uid, (e.connectors ?? []).map((c: Json) => c.id)]) }),
  tariff: (t) => ({ id: t.id, currency: t.currency, prices: t.elements.flatMap((e: Json) => e.price_components.map((p: Json) => [p.type, p.price, p.step_size])) }),
  token: tokenFacts,
  session: (s) => ({ id: s.id, kwh: s.kwh, total_cost: netAmount(s.total_cost), contract: s.cdr_token.contract_id, location_id: s.location_id }),
  sessionPatch: (p) => ({ kwh: p.kwh, last_updated: p.last_updated }),
  cdr: (c) => ({ id: c.id, total_energy: c.total_energy, total_time: c.total_time, total_cost: netAmount(c.total_cost), contract: c.cdr_token.contract_id, evse: c.cdr_location.evse_uid }),
  startSession: (s) => ({ token: s.token.uid, location_id: s.location_id, evse_uid: s.evse_uid }),
  commandResponse: (r) => ({ result: r.result, timeout: r.timeout }),
  commandResult: (r) => ({ result: r.result }),
  locationReferences: (r) => ({ location_id: r.location_id }),
  authorizationInfo: (a) => ({ allowed: a.allowed, authorization_reference: a.authorization_reference, token: a.token.uid }),
};

/** Fixtures of 2.2.1 and 2.3.0 come from each version's own examples, with the matrix's owners and ids. */
const exampleFixtures = (read: (name: string) => Json): PartnerFlavour['fixtures'] => ({
  location: (owner, id) => ({ ...read('location_example.json'), ...owner, id }),
  tariff: (owner, id) => ({ ...read('tariff_1_simple_2hour.json'), ...owner, id }),
  token: (owner, uid) => ({ ...read('token_example_2_full_rfid.json'), ...owner, uid }),
  session: (owner, id, token) => ({ ...read('session_example_2_short_finished.json'), ...owner, id, cdr_token: cdrTokenOf(token) }),
  sessionPatch: (kwh, lastUpdated) => ({ kwh, last_updated: lastUpdated }),
  cdr: (owner, id, token) => ({ ...read('cdr_example.json'), ...owner, id, cdr_token: cdrTokenOf(token) }),
  startSession: (responseUrl, token, locationId, evseUid) => ({ response_url: responseUrl, token, location_id: locationId, evse_uid: evseUid }),
  commandResponse: () => ({ result: 'ACCEPTED', timeout: 30 }),
  commandResult: () => ({ result: 'ACCEPTED' }),
  locationReferences: (locationId) => ({ location_id: locationId }),
  authorizationInfo: (token, reference) => ({ allowed: 'ALLOWED', token, authorization_reference: reference }),
});

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
    ...rolePaths('2.3.0'),
  },
};

/** The party id of the matrix's partner of a role and version: C22 is the 2.2.1 CPO, E23 the 2.3.0 eMSP. */
export function matrixPartyId(role: 'CPO' | 'EMSP', version: MatrixVersion): string {
  return `${role === 'CPO' ? 'C' : 'E'}${version.replace(/\./g, '').slice(0, 2)}`;
}
const CPO_COUNTRY = 'NL';
const EMSP_COUNTRY = 'DE';

/** Problems of `body` against the schema of `kind` in `version`; empty when valid. */
export function schemaProblems(version: MatrixVersion, kind: MatrixBody, body: unknown): string[] {
  const result = FLAVOURS[version].schemas[kind].safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${kind} ${version} ${i.path.join('.')}: ${i.message}`);
}

export interface MatrixNetwork {
  net: TestNetwork;
  cpo(version: MatrixVersion): NetworkParty;
  emsp(version: MatrixVersion): NetworkParty;
  owner(party: NetworkParty): Owner;
  close(): Promise<void>;
}

/**
 * A hub offering every matrix version, with a CPO and an eMSP partner of each, every CPO in agreement
 * with every eMSP. Each CPO answers START_SESSION with its version's CommandResponse; each eMSP answers
 * a real-time authorization with its version's AuthorizationInfo for the token it is asked about,
 * which it must have pushed before (`tokensIssued`).
 */
export async function startMatrixNetwork(options: { hub?: TestHubOptions; versions?: readonly MatrixVersion[] } = {}): Promise<MatrixNetwork & { tokensIssued: Map<string, Json> }> {
  const versions = options.versions ?? MATRIX_VERSIONS;
  const address = (role: 'CPO' | 'EMSP', v: MatrixVersion) => `${role === 'CPO' ? CPO_COUNTRY : EMSP_COUNTRY}/${matrixPartyId(role, v)}`;
  const spec: NetworkSpec = {
    cpos: versions.map((v) => address('CPO', v)),
    emsps: versions.map((v) => address('EMSP', v)),
    agreements: 'all',
    versions: Object.fromEntries(versions.flatMap((v) => [[address('CPO', v), v], [address('EMSP', v), v]])),
    hub: { ...options.hub, env: { OCPI_VERSIONS: versions.join(','), ...options.hub?.env } },
  };
  const net = await startNetwork(spec);
  const tokensIssued = new Map<string, Json>();
  const reply = (res: Parameters<NonNullable<NetworkParty['partner']['intercept']>>[1], data: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
    return true;
  };
  for (const v of versions) {
    const flavour = FLAVOURS[v];
    net.parties[matrixPartyId('CPO', v)].partner.intercept = (req: RecordedRequest, res) =>
      req.method === 'POST' && req.path === flavour.partnerPaths.command('START_SESSION') ? reply(res, flavour.fixtures.commandResponse()) : false;
    net.parties[matrixPartyId('EMSP', v)].partner.intercept = (req: RecordedRequest, res) => {
      const uid = /\/tokens\/([^/?]+)\/authorize/.exec(req.path)?.[1];
      if (req.method !== 'POST' || !uid || !req.path.startsWith(flavour.partnerPaths.authorize(uid))) return false;
      const token = tokensIssued.get(`${v} ${uid}`);
      return token ? reply(res, flavour.fixtures.authorizationInfo(token, `AUTH-${uid}`)) : false;
    };
  }
  return {
    net,
    tokensIssued,
    cpo: (v) => net.parties[matrixPartyId('CPO', v)],
    emsp: (v) => net.parties[matrixPartyId('EMSP', v)],
    owner: (p) => ({ country_code: p.countryCode, party_id: p.partyId }),
    close: () => net.close(),
  };
}

export { NOW as MATRIX_NOW };
