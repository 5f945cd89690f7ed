import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { startPartner, type TestPartner } from './partner';
import { type PartnerV211, startPartnerV211, V211 } from './partner-v211';
import { OCPI_2_2_1_EXAMPLES } from './spec-examples';
import { startTestHub, type TestHub, type TestHubOptions } from './test-hub';

/** Endpoints a partner of each role offers the hub (paths under its /ocpi/2.2.1). */
const ENDPOINTS: Record<string, { identifier: string; role: 'SENDER' | 'RECEIVER'; path: string }[]> = {
  CPO: [
    { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
    { identifier: 'locations', role: 'SENDER', path: '/locations' },
    { identifier: 'sessions', role: 'SENDER', path: '/sessions' },
    { identifier: 'tokens', role: 'RECEIVER', path: '/tokens' },
    { identifier: 'commands', role: 'RECEIVER', path: '/commands' },
    { identifier: 'chargingprofiles', role: 'RECEIVER', path: '/chargingprofiles' },
  ],
  EMSP: [
    { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
    { identifier: 'locations', role: 'RECEIVER', path: '/locations' },
    { identifier: 'tariffs', role: 'RECEIVER', path: '/tariffs' },
    { identifier: 'sessions', role: 'RECEIVER', path: '/sessions' },
    { identifier: 'cdrs', role: 'RECEIVER', path: '/cdrs' },
    { identifier: 'tokens', role: 'SENDER', path: '/tokens' },
  ],
};

export interface NetworkParty {
  id: string;
  countryCode: string;
  partyId: string;
  role: 'CPO' | 'EMSP';
  partner: TestPartner;
  /** Token C: what this partner uses to call the hub. */
  token: string;
  /** axios to the hub as this party: its token and OCPI-from-* headers; never throws on HTTP errors. */
  ocpi: AxiosInstance;
}

/** A party whose server speaks OCPI 2.1.1 (test/support/partner-v211.ts). */
export interface NetworkPartyV211 {
  id: string;
  countryCode: string;
  partyId: string;
  role: 'CPO' | 'EMSP';
  partner: PartnerV211;
  token: string;
  /** The hub's 2.1.1 endpoints as the hub listed them to this party (one URL per module, no roles). */
  endpoints: Record<string, string>;
  /** axios to the hub's endpoint of `module` as this party (its raw token, no routing headers); never throws on HTTP errors. */
  ocpi(module: string): AxiosInstance;
}

export interface TestNetwork {
  hub: TestHub;
  /** Each party under 'CC/PID' and, unless two share it, under its party id alone. */
  parties: Record<string, NetworkParty>;
  /** The parties of version 2.1.1, keyed as `parties`. */
  v211: Record<string, NetworkPartyV211>;
  /** Lets a CPO and an eMSP exchange data (by key in `parties`, e.g. agree('CP1', 'EM1')). */
  agree(cpo: string, emsp: string): Promise<void>;
  close(): Promise<void>;
}

export interface NetworkSpec {
  /** `COUNTRY/PARTY` ids, e.g. 'NL/CP1'. */
  cpos: string[];
  emsps: string[];
  /** Pairs of party ids given an agreement at start; 'all' for every CPO-eMSP pair. */
  agreements?: [string, string][] | 'all';
  hub?: TestHubOptions;
  /** The OCPI version a party's server speaks, by `COUNTRY/PARTY` (2.2.1 when not named); 2.1.1 ones are in `v211`. */
  versions?: Record<string, '2.1.1' | '2.2.1' | '2.3.0'>;
  /** The time zone the operator configures for a party (a 2.1.1 CPO's locations without time_zone), by `COUNTRY/PARTY`. */
  timeZones?: Record<string, string>;
}

/** A hub with real partner servers registered through the credentials handshake, and agreements. */
export async function startNetwork(spec: NetworkSpec): Promise<TestNetwork> {
  const hub = await startTestHub(spec.hub);
  const parties: Record<string, NetworkParty> = {};
  const v211: Record<string, NetworkPartyV211> = {};
  const entries = [...spec.cpos.map((a) => [a, 'CPO'] as const), ...spec.emsps.map((a) => [a, 'EMSP'] as const)];
  for (const [address, role] of entries) {
    const [countryCode, partyId] = address.split('/');
    const timeZone = spec.timeZones?.[address];
    const created = await hub.admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: `${partyId} test ${role}`, ...(timeZone ? { time_zone: timeZone } : {}) });
    if (created.status !== 201) throw new Error(`could not onboard ${address}: ${JSON.stringify(created.data)}`);
    const version = spec.versions?.[address];
    if (version === V211) {
      const party = await registerV211(hub, created.data, countryCode, partyId, role);
      v211[address] = party;
      v211[partyId] ??= party;
      continue;
    }
    const partner = await startPartner({ countryCode, partyId, role, endpoints: ENDPOINTS[role], version });
    const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
    if (body.status_code !== 1000) throw new Error(`could not register ${address}: ${JSON.stringify(body)}`);
    const token = body.data.token as string;
    const party: NetworkParty = {
      id: created.data.id,
      countryCode,
      partyId,
      role,
      partner,
      token,
      ocpi: axios.create({
        baseURL: `${hub.url}/ocpi/${partner.version}`,
        validateStatus: () => true,
        headers: {
          Authorization: `Token ${Buffer.from(token).toString('base64')}`,
          'OCPI-from-country-code': countryCode,
          'OCPI-from-party-id': partyId,
        },
      }),
    };
    parties[address] = party;
    parties[partyId] ??= party;
  }
  const agree = async (cpo: string, emsp: string) => {
    const a = parties[cpo] ?? v211[cpo];
    const e = parties[emsp] ?? v211[emsp];
    const response = await hub.admin.post('/admin/agreements', { cpo: `${a.countryCode}/${a.partyId}`, emsp: `${e.countryCode}/${e.partyId}` });
    if (response.status !== 201) throw new Error(`agreement ${cpo}-${emsp} failed: ${JSON.stringify(response.data)}`);
  };
  const pairs =
    spec.agreements === 'all'
      ? spec.cpos.flatMap((c) => spec.emsps.map((e) => [c, e] as [string, string]))
      : (spec.agreements ?? []);
  for (const [cpo, emsp] of pairs) await agree(cpo, emsp);
  return {
    hub,
    parties,
    v211,
    agree,
    async close() {
      await Promise.all([...new Set([...Object.values(parties), ...Object.values(v211)])].map((p) => p.partner.stop()));
      await hub.close();
    },
  };
}

/** Polls until `probe` returns a value, or fails naming what it waited for. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads a spec example from test/fixtures/ocpi-2.2.1-examples (unmodified copies). */
export function example<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(OCPI_2_2_1_EXAMPLES, name), 'utf8')) as T;
}

/** A 2.1.1 partner registered with the hub in 2.1.1 (it is the credentials client), with the endpoints the hub listed to it. */
async function registerV211(hub: TestHub, created: { id: string; token_a: string }, countryCode: string, partyId: string, role: 'CPO' | 'EMSP'): Promise<NetworkPartyV211> {
  const partner = await startPartnerV211({ countryCode, partyId, role });
  const { body } = await partner.registerWith(hub.versionsUrl, created.token_a);
  if (body.status_code !== 1000) throw new Error(`could not register ${countryCode}/${partyId} in 2.1.1: ${JSON.stringify(body)}`);
  const details = await partner.hub(`${hub.url}/ocpi/${V211}`).get('');
  const endpoints = Object.fromEntries((details.data.data.endpoints as { identifier: string; url: string }[]).map((e) => [e.identifier, e.url]));
  return {
    id: created.id,
    countryCode,
    partyId,
    role,
    partner,
    token: body.data.token as string,
    endpoints,
    ocpi: (module: string) => {
      if (!endpoints[module]) throw new Error(`the hub listed no ${module} endpoint to ${countryCode}/${partyId}`);
      return partner.hub(endpoints[module], false);
    },
  };
}
