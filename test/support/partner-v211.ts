import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import type { RecordedRequest } from './partner';

/**
 * A partner platform that speaks OCPI 2.1.1 only, written from the 2.1.1 text (ocpi/ocpi tag
 * 2.1.1-d2), as a real HTTP server on 127.0.0.1:
 * - transport_and_format.md: `Authorization: Token <token>` with the token as it is (no Base64, which
 *   2.2 introduced); no OCPI-to/from-* headers, no X-Request-ID/X-Correlation-ID;
 * - version_information_endpoint.md: versions list `[{version: '2.1.1', url}]`, version details whose
 *   endpoints have `identifier` and `url` only (no role);
 * - credentials.md: one party per credentials object, `{token, url, business_details, party_id,
 *   country_code}`, in both directions (it registers with the hub, or the hub connects to it);
 * - its module endpoints (one URL per module, for its one role) record and accept what the hub sends;
 *   a CPO's commands endpoint answers `CommandResponse {result}` (mod_commands.md 2.1.1), which
 *   `commandResult` changes, and `postCommandResult` POSTs a result to a response_url; an eMSP's
 *   tokens endpoint answers real-time authorization `POST {tokens}/{token_uid}/authorize` with
 *   `AuthorizationInfo {allowed}` (mod_tokens.md 2.2.2), which `authorization` changes.
 *
 * Beside 2.2.1 partners (test/support/partner.ts) through startNetwork({ versions: { 'NL/CP1': '2.1.1' } }),
 * or alone: `await startPartnerV211({ countryCode, partyId, role: 'CPO' })`, then `registerWith` or
 * the hub's `/admin/parties/{id}/connect` with `versionsUrl` and `newToken()`.
 */

export interface PartnerV211Options {
  countryCode: string;
  partyId: string;
  role: 'CPO' | 'EMSP';
  name?: string;
  /** The modules it lists besides credentials (the 2.1.1 modules of its role when not given). */
  modules?: string[];
}

/** The 2.1.1 modules: a CPO and an eMSP each implement their side of every one (an eMSP's commands endpoint takes results). */
const MODULES = ['locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands'];

export const V211 = '2.1.1';

const ok = (data?: unknown) => ({ ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() });

export class PartnerV211 {
  readonly version = V211;
  readonly requests: RecordedRequest[] = [];
  readonly acceptedTokens = new Set<string>();
  /** The token the hub gave this partner, once registered. */
  hubToken?: string;
  /** The hub's credentials as this partner received them (2.1.1 form). */
  hubCredentials?: { token: string; url: string; business_details: unknown; party_id: string; country_code: string };
  /** The answer of the CPO's commands endpoint (mod_commands.md CommandResponseType). */
  commandResult = 'ACCEPTED';
  /** The eMSP's real-time authorization answer (mod_tokens.md AuthorizationInfo). */
  authorization: Record<string, unknown> = { allowed: 'ALLOWED' };
  /** Override answers: return true after writing a response to take over a request. */
  intercept?: (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;
  private server?: Server;
  url = '';

  constructor(readonly options: PartnerV211Options) {}

  get versionsUrl(): string {
    return `${this.url}/ocpi/versions`;
  }

  get base(): string {
    return `${this.url}/ocpi/${V211}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  /** 2.1.1 sends the token as it is (transport_and_format.md, Authorization). */
  authorizationHeader(token: string): string {
    return `Token ${token}`;
  }

  newToken(): string {
    const token = randomBytes(16).toString('hex');
    this.acceptedTokens.add(token);
    return token;
  }

  /** Its credentials: one party, no role (credentials.md 2.1). */
  credentials(token: string) {
    const { countryCode, partyId, name } = this.options;
    return { token, url: this.versionsUrl, business_details: { name: name ?? `${partyId} 2.1.1 test partner` }, party_id: partyId, country_code: countryCode };
  }

  /** The partner registers with the hub (it is the credentials client): versions, details, POST credentials. */
  async registerWith(hubVersionsUrl: string, tokenA: string, token = this.newToken()): Promise<{ status: number; body: any }> {
    this.acceptedTokens.add(token);
    const http = axios.create({ validateStatus: () => true, timeout: 30_000, headers: { Authorization: this.authorizationHeader(tokenA) } });
    const versions = await http.get(hubVersionsUrl);
    const ours = (versions.data.data as { version: string; url: string }[]).find((v) => v.version === V211);
    if (!ours) return { status: versions.status, body: { status_code: 3002, status_message: 'the hub offers no 2.1.1', data: versions.data.data } };
    const details = await http.get(ours.url);
    const credentialsUrl = details.data.data.endpoints.find((e: { identifier: string }) => e.identifier === 'credentials').url;
    const reply = await http.post(credentialsUrl, this.credentials(token));
    if (reply.data?.status_code === 1000) {
      this.hubToken = reply.data.data.token;
      this.hubCredentials = reply.data.data;
    }
    return { status: reply.status, body: reply.data };
  }

  /** PUT new credentials (credentials.md 1.3): the hub reads this partner's versions again. */
  async updateWith(hubCredentialsUrl: string, token = this.newToken()): Promise<{ status: number; body: any }> {
    this.acceptedTokens.add(token);
    const reply = await this.hub(hubCredentialsUrl.replace(/\/credentials$/, ''), false).put('/credentials', this.credentials(token));
    if (reply.data?.status_code === 1000) {
      this.hubToken = reply.data.data.token;
      this.hubCredentials = reply.data.data;
    }
    return { status: reply.status, body: reply.data };
  }

  received(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /**
   * axios to one of the hub's 2.1.1 URLs (its version base, or an endpoint the hub listed), with the
   * hub's token; `strict` throws on anything but status 1000. No routing headers: 2.1.1 has none.
   */
  hub(baseURL: string, strict = true): AxiosInstance {
    const http = axios.create({ baseURL, timeout: 10_000, validateStatus: () => true, headers: { Authorization: this.authorizationHeader(this.hubToken ?? '') } });
    if (strict) {
      http.interceptors.response.use((response) => {
        if (response.data?.status_code !== 1000) {
          throw new Error(`${response.config.method?.toUpperCase()} ${response.config.url}: ${JSON.stringify(response.data).slice(0, 300)}`);
        }
        return response;
      });
    }
    return http;
  }

  /** The CPO posts the asynchronous result of a command to the eMSP's response_url (mod_commands.md 2.2). */
  async postCommandResult(responseUrl: string, result: string): Promise<{ status: number; body: any }> {
    const reply = await this.hub(responseUrl, false).post('', { result });
    return { status: reply.status, body: reply.data };
  }

  private tokenOf(req: IncomingMessage): string | undefined {
    return /^Token (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    this.requests.push(recorded);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.intercept && (await this.intercept(recorded, res))) return;
    const token = this.tokenOf(req);
    if (!token || !this.acceptedTokens.has(token)) return send(401, { status_code: 2000, status_message: 'unknown token', timestamp: new Date().toISOString() });

    const basePath = `/ocpi/${V211}`;
    if (req.method === 'GET' && url.pathname === '/ocpi/versions') return send(200, ok([{ version: V211, url: this.base }]));
    if (req.method === 'GET' && url.pathname === basePath) {
      const modules = this.options.modules ?? MODULES;
      const endpoints = ['credentials', ...modules].map((identifier) => ({ identifier, url: `${this.base}/${identifier}` }));
      return send(200, ok({ version: V211, endpoints }));
    }
    if (url.pathname === `${basePath}/credentials` && (req.method === 'POST' || req.method === 'PUT')) {
      // The hub connects to us: read its versions with the token it gave us, then answer our credentials.
      const hubCredentials = recorded.body as NonNullable<PartnerV211['hubCredentials']>;
      const check = await axios.get(hubCredentials.url, { headers: { Authorization: this.authorizationHeader(hubCredentials.token) }, validateStatus: () => true });
      if (check.status !== 200) return send(200, { status_code: 3001, status_message: 'cannot read your versions', timestamp: new Date().toISOString() });
      this.acceptedTokens.delete(token);
      this.hubToken = hubCredentials.token;
      this.hubCredentials = hubCredentials;
      return send(200, ok(this.credentials(this.newToken())));
    }
    if (url.pathname === `${basePath}/credentials` && req.method === 'DELETE') {
      this.acceptedTokens.delete(token);
      return send(200, ok());
    }
    if (this.options.role === 'CPO' && req.method === 'POST' && url.pathname.startsWith(`${basePath}/commands/`)) {
      return send(200, ok({ result: this.commandResult }));
    }
    if (this.options.role === 'EMSP' && req.method === 'POST' && /\/tokens\/[^/]+\/authorize$/.test(url.pathname)) {
      return send(200, ok(this.authorization));
    }
    // A Sender's GET-all of its own objects: the test partners keep theirs at the hub (an empty page).
    if (req.method === 'GET' && url.pathname.startsWith(`${basePath}/`)) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Total-Count': '0', 'X-Limit': '100' });
      return void res.end(JSON.stringify(ok([])));
    }
    // Pushes to any module endpoint are accepted (and recorded above).
    if (url.pathname.startsWith(`${basePath}/`)) return send(200, ok());
    return send(404, { status_code: 2000, status_message: `no ${url.pathname}`, timestamp: new Date().toISOString() });
  }
}

export async function startPartnerV211(options: PartnerV211Options): Promise<PartnerV211> {
  return new PartnerV211(options).start();
}
