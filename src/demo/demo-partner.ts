import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';

/** How a partner writes and reads Authorization headers (credentials.asciidoc: Base64 from 2.2, raw before). */
export type TokenEncoding = 'base64' | 'raw';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface PartnerEndpoint {
  identifier: string;
  role: 'SENDER' | 'RECEIVER';
  /** Under the partner's /ocpi/{version}, or an absolute URL (an endpoint on another server). */
  path: string;
}

export interface PartnerOptions {
  countryCode: string;
  partyId: string;
  role: string;
  /** The business name in its credentials. */
  name: string;
  encoding?: TokenEncoding;
  /** Modules (besides credentials) whose endpoints the partner lists; a hubclientinfo Receiver when not given. */
  endpoints?: PartnerEndpoint[];
  /** Keep every request in `requests` (tests read them); a long-running demo partner does not. Default true. */
  record?: boolean;
  /** The OCPI version it speaks (default 2.2.1). */
  version?: '2.2.1' | '2.3.0';
  /** Answers of its own to requests with an accepted token: `data` is sent in a 1000 response. */
  answer?: (req: RecordedRequest) => { data: unknown; headers?: Record<string, string> } | undefined;
}

const ok = (data?: unknown) => ({ ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() });

/**
 * A partner platform as a real OCPI server of one version (2.2.1 unless told; 2.3.0 has the same
 * handshake and URLs) on 127.0.0.1: versions, version details, credentials
 * in both directions (it registers with the hub, or the hub connects to it), and Receiver endpoints
 * that take what the hub pushes. The demo's partners and the tests' partners are this one server.
 */
export class OcpiPartner {
  readonly requests: RecordedRequest[] = [];
  /** Tokens this partner accepts: token A it handed out for the hub, token B it gave the hub. */
  readonly acceptedTokens = new Set<string>();
  /** The token the hub gave this partner (token C), once registered. */
  hubToken?: string;
  hubCredentials?: { token: string; url: string; roles: unknown[] };
  /** Override answers: return true after writing a response to take over a request. */
  intercept?: (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;
  private server?: Server;
  url = '';

  constructor(readonly options: PartnerOptions) {}

  get encoding(): TokenEncoding {
    return this.options.encoding ?? 'base64';
  }

  get version(): '2.2.1' | '2.3.0' {
    return this.options.version ?? '2.2.1';
  }

  get versionsUrl(): string {
    return `${this.url}/ocpi/versions`;
  }

  /** Starts listening: on `port`, else the port of an earlier start (the partner is back), else a free one. */
  async start(port = this.url ? Number(new URL(this.url).port) : 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  authorization(token: string): string {
    return `Token ${this.encoding === 'base64' ? Buffer.from(token).toString('base64') : token}`;
  }

  newToken(): string {
    const token = randomBytes(16).toString('hex');
    this.acceptedTokens.add(token);
    return token;
  }

  credentials(token: string) {
    const { countryCode, partyId, role, name } = this.options;
    return { token, url: this.versionsUrl, roles: [{ role, country_code: countryCode, party_id: partyId, business_details: { name } }] };
  }

  /**
   * The partner's side of the handshake (it is the credentials Sender): reads the hub's versions and
   * endpoints with token A, POSTs its credentials (`token`, its token B, and its versions URL), keeps
   * the token C the hub answers.
   */
  async registerWith(hubVersionsUrl: string, tokenA: string, token = this.newToken()): Promise<{ status: number; body: any }> {
    this.acceptedTokens.add(token);
    const http = axios.create({ validateStatus: () => true, timeout: 30_000, headers: { Authorization: this.authorization(tokenA) } });
    const versions = await http.get(hubVersionsUrl);
    const ours = versions.data.data.find((v: { version: string }) => v.version === this.version);
    const details = await http.get(ours.url);
    const credentialsUrl = details.data.data.endpoints.find((e: { identifier: string }) => e.identifier === 'credentials').url;
    const reply = await http.post(credentialsUrl, this.credentials(token));
    if (reply.data?.status_code === 1000) {
      this.hubToken = reply.data.data.token;
      this.hubCredentials = reply.data.data;
    }
    return { status: reply.status, body: reply.data };
  }

  received(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /** axios to the hub's OCPI API in this partner's version (token C, OCPI-from-*); throws on anything but 1000. */
  hub(hubUrl: string): AxiosInstance {
    const http = axios.create({
      baseURL: `${hubUrl}/ocpi/${this.version}`,
      timeout: 10_000,
      headers: {
        Authorization: this.authorization(this.hubToken ?? ''),
        'OCPI-from-country-code': this.options.countryCode,
        'OCPI-from-party-id': this.options.partyId,
      },
    });
    http.interceptors.response.use((response) => {
      if (response.data?.status_code !== 1000) {
        throw new Error(`${response.config.method?.toUpperCase()} ${response.config.url}: ${JSON.stringify(response.data).slice(0, 300)}`);
      }
      return response;
    });
    return http;
  }

  private tokenOf(req: IncomingMessage): string | undefined {
    const match = /^Token (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) return undefined;
    return this.encoding === 'base64' ? Buffer.from(match[1], 'base64').toString('utf8') : match[1];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    if (this.options.record !== false) this.requests.push(recorded);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'application/json',
        'X-Request-ID': String(req.headers['x-request-id'] ?? ''),
        'X-Correlation-ID': String(req.headers['x-correlation-id'] ?? ''),
      });
      res.end(JSON.stringify(body));
    };
    if (this.intercept && (await this.intercept(recorded, res))) return;
    const token = this.tokenOf(req);
    if (!token || !this.acceptedTokens.has(token)) return send(401, { status_code: 2000, status_message: 'unknown token', timestamp: new Date().toISOString() });

    const own = this.options.answer?.(recorded);
    if (own) return send(200, ok(own.data), own.headers);
    const base = `${this.url}/ocpi/${this.version}`;
    const basePath = `/ocpi/${this.version}`;
    if (req.method === 'GET' && url.pathname === '/ocpi/versions') return send(200, ok([{ version: this.version, url: base }]));
    if (req.method === 'GET' && url.pathname === basePath) {
      const endpoints = [
        { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
        ...(this.options.endpoints ?? [{ identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' }]).map((e) => ({
          identifier: e.identifier,
          role: e.role,
          url: /^https?:/.test(e.path) ? e.path : `${base}${e.path}`,
        })),
      ];
      return send(200, ok({ version: this.version, endpoints }));
    }
    if (url.pathname === `${basePath}/credentials` && (req.method === 'POST' || req.method === 'PUT')) {
      // The hub connects to us: check its version details with the token it gave us, then answer ours.
      const hubCredentials = recorded.body as { token: string; url: string; roles: unknown[] };
      const check = await axios.get(hubCredentials.url, {
        headers: { Authorization: this.authorization(hubCredentials.token) },
        validateStatus: () => true,
      });
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
    // Pushes to any Receiver endpoint are accepted (and recorded above).
    if (req.method !== 'GET' && url.pathname.startsWith(`${basePath}/`)) return send(200, ok());
    return send(404, { status_code: 2000, status_message: `no ${url.pathname}`, timestamp: new Date().toISOString() });
  }
}

/** What a demo partner needs to come back after a restart with the same credentials. */
export interface DemoPartnerState {
  countryCode: string;
  partyId: string;
  role: 'CPO' | 'EMSP';
  name: string;
  port: number;
  /** Token B: what the hub uses to call this partner. */
  tokenB: string;
  /** Token C: what this partner uses to call the hub. */
  tokenC?: string;
}

const DEMO_MODULES: Record<DemoPartnerState['role'], { identifier: string; role: 'SENDER' | 'RECEIVER' }[]> = {
  CPO: [
    { identifier: 'hubclientinfo', role: 'RECEIVER' },
    { identifier: 'locations', role: 'SENDER' },
    { identifier: 'tokens', role: 'RECEIVER' },
    { identifier: 'commands', role: 'RECEIVER' },
  ],
  EMSP: [
    { identifier: 'hubclientinfo', role: 'RECEIVER' },
    { identifier: 'locations', role: 'RECEIVER' },
    { identifier: 'tariffs', role: 'RECEIVER' },
    { identifier: 'sessions', role: 'RECEIVER' },
    { identifier: 'cdrs', role: 'RECEIVER' },
    { identifier: 'tokens', role: 'SENDER' },
  ],
};

/**
 * The demo keeps its objects at the hub: a GET-all of the partner's own store is an empty page, and
 * commands to the partner CPO's chargers are not supported.
 */
function demoAnswer(req: RecordedRequest): { data: unknown; headers?: Record<string, string> } | undefined {
  const module = req.path.split('?')[0].split('/')[3];
  if (req.method === 'GET' && (module === 'locations' || module === 'tokens')) return { data: [], headers: { 'X-Total-Count': '0', 'X-Limit': '100' } };
  if (req.method === 'POST' && module === 'commands') return { data: { result: 'NOT_SUPPORTED', timeout: 30 } };
  return undefined;
}

/**
 * A partner platform of the demo: the OCPI partner with the endpoints of its role, whose credentials
 * are kept in the demo's state file so that it comes back on the same port after a restart.
 */
export class DemoPartner extends OcpiPartner {
  private readonly saved: DemoPartnerState;

  constructor(state: DemoPartnerState) {
    const { countryCode, partyId, role, name } = state;
    super({ countryCode, partyId, role, name, endpoints: DEMO_MODULES[role].map((m) => ({ ...m, path: `/${m.identifier}` })), record: false, answer: demoAnswer });
    this.saved = { ...state };
    this.acceptedTokens.add(state.tokenB);
    this.hubToken = state.tokenC;
    if (state.port) this.url = `http://127.0.0.1:${state.port}`;
  }

  static create(input: Omit<DemoPartnerState, 'port' | 'tokenB'>): DemoPartner {
    return new DemoPartner({ ...input, port: 0, tokenB: randomBytes(24).toString('base64url') });
  }

  /** What is saved to come back: the port it listens on and both tokens. */
  get state(): DemoPartnerState {
    return { ...this.saved, port: this.url ? Number(new URL(this.url).port) : 0, tokenC: this.hubToken };
  }

  /** Registers through the credentials handshake with its saved token B; a refusal stops the demo's start. */
  async register(hubVersionsUrl: string, tokenA: string): Promise<void> {
    const reply = await this.registerWith(hubVersionsUrl, tokenA, this.saved.tokenB);
    if (reply.body?.status_code !== 1000) throw new Error(`${this.options.partyId} could not register with the hub: ${JSON.stringify(reply.body)}`);
  }

}
