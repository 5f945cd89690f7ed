import axios, { type AxiosInstance } from 'axios';
import { example, startNetwork, type TestNetwork } from '../support/network';
import { startPartner, type TestPartner } from '../support/partner';
import type { TestHubOptions } from '../support/test-hub';

/** A party address as `{countryCode, partyId}`. */
export interface Address {
  countryCode: string;
  partyId: string;
}

/** Objects the network's parties pushed before fuzzing, so bad input also meets existing objects. */
export interface SeededObjects {
  /** By owner key ('CP1', 'CP2', 'EM1', 'EM2'): location, tariff, session, cdr and token ids. */
  locations: Record<string, string>;
  tariffs: Record<string, string>;
  sessions: Record<string, string>;
  cdrs: Record<string, string>;
  tokens: Record<string, string>;
}

export interface FuzzNetwork {
  net: TestNetwork;
  /** Agreements CP1–EM1, CP2–EM2 and CP2–EM3; the cross pairs (CP1–EM2, CP2–EM1) have none. */
  cpo: string;
  emsp: string;
  otherCpo: string;
  otherEmsp: string;
  /** Onboarded, never registered: its token A is live (opens versions and credentials only). */
  unregistered: { address: Address; tokenA: string; partner: TestPartner };
  /** A registered CPO the operator suspended: its token C is refused everywhere. */
  suspended: { address: Address; token: string; partner: TestPartner };
  /** The token A FR/DED registered with: dead since that registration. */
  deadTokenA: string;
  seeded: SeededObjects;
  /** axios to the hub's OCPI base with a raw Authorization header (no routing headers). */
  as(token: string): AxiosInstance;
  close(): Promise<void>;
}

export const b64 = (token: string) => `Token ${Buffer.from(token).toString('base64')}`;

function ok(response: { status: number; data: any }, what: string): void {
  if (response.data?.status_code !== 1000) throw new Error(`seeding ${what} failed: ${response.status} ${JSON.stringify(response.data)}`);
}

/**
 * The network the fuzz and isolation tests attack: two CPOs and two eMSPs (two agreement pairs, and
 * the cross pairs without), a third eMSP sharing the second CPO, an unregistered party, a suspended party, and one object of every client-owned module
 * per party. The outbox is off unless asked for, so the database only changes when a request changes it.
 */
export async function startFuzzNetwork(hub: TestHubOptions = {}): Promise<FuzzNetwork> {
  const net = await startNetwork({
    cpos: ['NL/CP1', 'DE/CP2'],
    // EM3 shares CP2 with EM2: it may reach CP2, but not EM2's sessions.
    emsps: ['NL/EM1', 'DE/EM2', 'DE/EM3'],
    agreements: [['NL/CP1', 'NL/EM1'], ['DE/CP2', 'DE/EM2'], ['DE/CP2', 'DE/EM3']],
    hub: { startOutbox: false, ...hub },
  });
  const { admin } = net.hub;
  const as = (token: string) =>
    axios.create({ baseURL: `${net.hub.url}/ocpi/2.2.1`, validateStatus: () => true, headers: { Authorization: b64(token) } });

  // A token A is dead once its party registered with it: FR/DED shows one.
  const dead = await admin.post('/admin/parties', { country_code: 'FR', party_id: 'DED', roles: ['EMSP'], name: 'dead token A' });
  const deadPartner = await startPartner({ countryCode: 'FR', partyId: 'DED', role: 'EMSP' });
  const deadRegistration = await deadPartner.registerWith(net.hub.versionsUrl, dead.data.token_a);
  if (deadRegistration.body.status_code !== 1000) throw new Error('could not register FR/DED');

  const fresh = await admin.post('/admin/parties', { country_code: 'BE', party_id: 'NEW', roles: ['EMSP'], name: 'not registered yet' });
  const freshPartner = await startPartner({ countryCode: 'BE', partyId: 'NEW', role: 'EMSP' });

  const sus = await admin.post('/admin/parties', { country_code: 'FR', party_id: 'SUS', roles: ['CPO'], name: 'suspended CPO' });
  const susPartner = await startPartner({ countryCode: 'FR', partyId: 'SUS', role: 'CPO' });
  const susRegistration = await susPartner.registerWith(net.hub.versionsUrl, sus.data.token_a);
  if (susRegistration.body.status_code !== 1000) throw new Error('could not register FR/SUS');
  if ((await admin.post(`/admin/parties/${sus.data.id}/suspend`)).status !== 200) throw new Error('could not suspend FR/SUS');

  const seeded: SeededObjects = { locations: {}, tariffs: {}, sessions: {}, cdrs: {}, tokens: {} };
  const p = net.parties;
  for (const [cpo, emsp] of [['CP1', 'EM1'], ['CP2', 'EM2']] as const) {
    const owner = { country_code: p[cpo].countryCode, party_id: p[cpo].partyId };
    const holder = { country_code: p[emsp].countryCode, party_id: p[emsp].partyId };
    const token = { ...example('token_example_2_full_rfid.json'), ...holder, uid: `TOK-${emsp}` };
    ok(await p[emsp].ocpi.put(`/receiver/tokens/${holder.country_code}/${holder.party_id}/${token.uid}`, token), `${emsp} token`);
    seeded.tokens[emsp] = token.uid;

    const location = { ...example('location_example.json'), ...owner, id: `LOC-${cpo}` };
    ok(await p[cpo].ocpi.put(`/receiver/locations/${owner.country_code}/${owner.party_id}/${location.id}`, location), `${cpo} location`);
    seeded.locations[cpo] = location.id;
    const tariff = { ...example('tariff_1_simple_2hour.json'), ...owner, id: `TAR-${cpo}` };
    ok(await p[cpo].ocpi.put(`/receiver/tariffs/${owner.country_code}/${owner.party_id}/${tariff.id}`, tariff), `${cpo} tariff`);
    seeded.tariffs[cpo] = tariff.id;
    const cdrToken = { ...(example('session_example_1_simple_start.json').cdr_token as object), ...holder, uid: token.uid };
    const session = { ...example('session_example_1_simple_start.json'), ...owner, id: `SES-${cpo}`, location_id: location.id, cdr_token: cdrToken };
    ok(await p[cpo].ocpi.put(`/receiver/sessions/${owner.country_code}/${owner.party_id}/${session.id}`, session, { headers: { 'OCPI-to-country-code': holder.country_code, 'OCPI-to-party-id': holder.party_id } }), `${cpo} session`);
    seeded.sessions[cpo] = session.id;
    const cdr = { ...example('cdr_example.json'), ...owner, id: `CDR-${cpo}`, session_id: session.id, cdr_token: cdrToken };
    ok(await p[cpo].ocpi.post('/receiver/cdrs', cdr, { headers: { 'OCPI-to-country-code': holder.country_code, 'OCPI-to-party-id': holder.party_id } }), `${cpo} cdr`);
    seeded.cdrs[cpo] = cdr.id;
  }

  return {
    net,
    cpo: 'CP1',
    emsp: 'EM1',
    otherCpo: 'CP2',
    otherEmsp: 'EM2',
    unregistered: { address: { countryCode: 'BE', partyId: 'NEW' }, tokenA: fresh.data.token_a, partner: freshPartner },
    suspended: { address: { countryCode: 'FR', partyId: 'SUS' }, token: susRegistration.body.data.token, partner: susPartner },
    deadTokenA: dead.data.token_a,
    seeded,
    as,
    async close() {
      await Promise.all([freshPartner.stop(), susPartner.stop(), deadPartner.stop()]);
      await net.close();
    },
  };
}
