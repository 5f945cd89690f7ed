import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';

export type Encoding = 'base64' | 'raw';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface PartnerOptions {
  countryCode: string;
  partyId: string;
  role: string;
  /** How this partner writes and reads Authorization headers. */
  encoding?: Encoding;
  /** Modules (besides credentials) whose endpoints the partner lists; `path` under its /ocpi/2.2.1, or an absolute URL. */
  endpoints?: { identifier: string; role: 'SENDER' | 'RECEIVER'; path: string }[];
}

function ok(data?: unknown) {
  return { ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() };
}

/**
 * A partner platform as a real HTTP server on 127.0.0.1: versions, version details, credentials (so
 * the hub can connect to it), a hubclientinfo Receiver; it records every request it gets.
 */
export class TestPartner {
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

  get encoding(): Encoding {
    return this.options.encoding ?? 'base64';
  }

  get versionsUrl(): string {
    return `${this.url}/ocpi/versions`;
  }

  /** Starts listening; after a stop(), on the same port again (the partner is back). */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    const port = this.url ? Number(new URL(this.url).port) : 0;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
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
    const { countryCode, partyId, role } = this.options;
    return {
      token,
      url: this.versionsUrl,
      roles: [{ role, country_code: countryCode, party_id: partyId, business_details: { name: `${partyId} test partner` } }],
    };
  }

  /** The partner side of the handshake (the partner is the Sender): returns the token C the hub issued. */
  async registerWith(hubVersionsUrl: string, tokenA: string): Promise<{ status: number; body: any }> {
    const http = axios.create({ validateStatus: () => true, headers: { Authorization: this.authorization(tokenA) } });
    const versions = await http.get(hubVersionsUrl);
    const v221 = versions.data.data.find((v: { version: string }) => v.version === '2.2.1');
    const details = await http.get(v221.url);
    const credentialsUrl = details.data.data.endpoints.find((e: { identifier: string }) => e.identifier === 'credentials').url;
    const reply = await http.post(credentialsUrl, this.credentials(this.newToken()));
    if (reply.data?.status_code === 1000) {
      this.hubToken = reply.data.data.token;
      this.hubCredentials = reply.data.data;
    }
    return { status: reply.status, body: reply.data };
  }

  received(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
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
    this.requests.push(recorded);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'X-Request-ID': String(req.headers['x-request-id'] ?? ''),
        'X-Correlation-ID': String(req.headers['x-correlation-id'] ?? ''),
      });
      res.end(JSON.stringify(body));
    };
    if (this.intercept && (await this.intercept(recorded, res))) return;
    const token = this.tokenOf(req);
    if (!token || !this.acceptedTokens.has(token)) return send(401, { status_code: 2000, status_message: 'unknown token', timestamp: new Date().toISOString() });

    const base = `${this.url}/ocpi/2.2.1`;
    if (req.method === 'GET' && url.pathname === '/ocpi/versions') return send(200, ok([{ version: '2.2.1', url: base }]));
    if (req.method === 'GET' && url.pathname === '/ocpi/2.2.1') {
      const endpoints = [
        { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
        ...(this.options.endpoints ?? [{ identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' }]).map((e) => ({
          identifier: e.identifier,
          role: e.role,
          // An absolute URL puts the endpoint on another server (benchmarks use a separate process).
          url: /^https?:/.test(e.path) ? e.path : `${base}${e.path}`,
        })),
      ];
      return send(200, ok({ version: '2.2.1', endpoints }));
    }
    if (url.pathname === '/ocpi/2.2.1/credentials' && (req.method === 'POST' || req.method === 'PUT')) {
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
    if (url.pathname === '/ocpi/2.2.1/credentials' && req.method === 'DELETE') {
      this.acceptedTokens.delete(token);
      return send(200, ok());
    }
    // Pushes to any Receiver endpoint are accepted (and recorded above).
    if (req.method !== 'GET' && url.pathname.startsWith('/ocpi/2.2.1/')) return send(200, ok());
    return send(404, { status_code: 2000, status_message: `no ${url.pathname}`, timestamp: new Date().toISOString() });
  }
}

export async function startPartner(options: PartnerOptions): Promise<TestPartner> {
  return new TestPartner(options).start();
}
