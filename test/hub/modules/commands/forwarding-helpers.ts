import axios, { type AxiosInstance } from 'axios';
import type { TestNetwork } from '../../../support/network';
import { type RecordedRequest, startPartner, type TestPartner } from '../../../support/partner';

/** Helpers for request/response-then-result tests (commands, charging profiles). */

export interface ScriptedAnswer {
  status?: number;
  body: unknown;
  /** Answer only after this long (a slow CPO). */
  delayMs?: number;
}

export const ocpiOk = (data: unknown): ScriptedAnswer => ({ body: { data, status_code: 1000, timestamp: new Date().toISOString() } });
export const ocpiFailure = (statusCode: number, message: string): ScriptedAnswer => ({
  body: { status_code: statusCode, status_message: message, timestamp: new Date().toISOString() },
});

/**
 * Makes a partner answer the requests under `pathPrefix` with `answer(request)`; everything else
 * (and requests for which `answer` returns undefined) gets the partner's usual handling.
 */
export function script(partner: TestPartner, pathPrefix: string, answer: (request: RecordedRequest) => ScriptedAnswer | undefined): void {
  partner.intercept = async (request, res) => {
    const scripted = request.path.startsWith(pathPrefix) ? answer(request) : undefined;
    if (!scripted) return false;
    if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (res.destroyed) return true;
    res.writeHead(scripted.status ?? 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(scripted.body));
    return true;
  };
}

export interface ExtraParty {
  countryCode: string;
  partyId: string;
  partner: TestPartner;
  /** axios to the hub as this party (token C, OCPI-from-*); never throws on HTTP errors. */
  ocpi: AxiosInstance;
}

/**
 * Onboards and registers one more party with the endpoints given (startNetwork gives eMSPs no
 * chargingprofiles endpoint and knows no SCSP). The caller stops its partner.
 */
export async function joinNetwork(
  net: TestNetwork,
  address: string,
  role: 'EMSP' | 'SCSP',
  endpoints: { identifier: string; role: 'SENDER' | 'RECEIVER'; path: string }[],
): Promise<ExtraParty> {
  const [countryCode, partyId] = address.split('/');
  const created = await net.hub.admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: `${partyId} test ${role}` });
  if (created.status !== 201) throw new Error(`could not onboard ${address}: ${JSON.stringify(created.data)}`);
  const partner = await startPartner({ countryCode, partyId, role, endpoints });
  const { body } = await partner.registerWith(net.hub.versionsUrl, created.data.token_a);
  if (body.status_code !== 1000) throw new Error(`could not register ${address}: ${JSON.stringify(body)}`);
  const ocpi = axios.create({
    baseURL: `${net.hub.url}/ocpi/2.2.1`,
    validateStatus: () => true,
    headers: {
      Authorization: `Token ${Buffer.from(body.data.token as string).toString('base64')}`,
      'OCPI-from-country-code': countryCode,
      'OCPI-from-party-id': partyId,
    },
  });
  return { countryCode, partyId, partner, ocpi };
}

/** The query of a recorded request, e.g. the response_url the hub forwarded. */
export function queryOf(request: RecordedRequest): URLSearchParams {
  return new URL(request.path, 'http://partner').searchParams;
}
