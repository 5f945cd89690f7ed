import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';

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

const MODULES: Record<DemoPartnerState['role'], { identifier: string; role: 'SENDER' | 'RECEIVER' }[]> = {
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

const ok = (data?: unknown) => ({ ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() });

/**
 * A partner platform for the demo: a small real OCPI 2.2.1 server on 127.0.0.1 (versions, version
 * details, credentials, and Receiver endpoints that take what the hub pushes), which registers with
 * the hub through the real credentials handshake and then calls the hub with its token C.
 */
export class DemoPartner {
  private server?: Server;
  /** Pushes received from the hub, per module (what a partner's back office would store). */
  readonly received = new Map<string, number>();

  constructor(readonly state: DemoPartnerState) {}

  static create(input: Omit<DemoPartnerState, 'port' | 'tokenB'>): DemoPartner {
    return new DemoPartner({ ...input, port: 0, tokenB: randomBytes(24).toString('base64url') });
  }

  get url(): string {
    return `http://127.0.0.1:${this.state.port}`;
  }

  get versionsUrl(): string {
    return `${this.url}/ocpi/versions`;
  }

  /** Listens on its saved port (a restart), or a free one the first time. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.state.port, '127.0.0.1', resolve);
    });
    this.state.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  /**
   * The partner's side of the handshake (it is the credentials Sender): reads the hub's versions and
   * endpoints with token A, POSTs its credentials (token B and its versions URL), keeps token C.
   */
  async register(hubVersionsUrl: string, tokenA: string): Promise<void> {
    const http = axios.create({ headers: { Authorization: `Token ${Buffer.from(tokenA).toString('base64')}` }, timeout: 10_000 });
    const versions = await http.get(hubVersionsUrl);
    const v221 = versions.data.data.find((v: { version: string }) => v.version === '2.2.1');
    const details = await http.get(v221.url);
    const credentialsUrl = details.data.data.endpoints.find((e: { identifier: string }) => e.identifier === 'credentials').url;
    const reply = await http.post(credentialsUrl, {
      token: this.state.tokenB,
      url: this.versionsUrl,
      roles: [{ role: this.state.role, country_code: this.state.countryCode, party_id: this.state.partyId, business_details: { name: this.state.name } }],
    });
    if (reply.data?.status_code !== 1000) throw new Error(`${this.state.partyId} could not register with the hub: ${JSON.stringify(reply.data)}`);
    this.state.tokenC = reply.data.data.token;
  }

  /** axios to the hub's OCPI 2.2.1 API as this partner (token C, OCPI-from-*); throws on anything but 1000. */
  hub(hubUrl: string): AxiosInstance {
    const http = axios.create({
      baseURL: `${hubUrl}/ocpi/2.2.1`,
      timeout: 10_000,
      headers: {
        Authorization: `Token ${Buffer.from(this.state.tokenC ?? '').toString('base64')}`,
        'OCPI-from-country-code': this.state.countryCode,
        'OCPI-from-party-id': this.state.partyId,
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'X-Request-ID': String(req.headers['x-request-id'] ?? ''),
        'X-Correlation-ID': String(req.headers['x-correlation-id'] ?? ''),
      });
      res.end(JSON.stringify(body));
    };
    const match = /^Token (.+)$/.exec(req.headers.authorization ?? '');
    const token = match && Buffer.from(match[1], 'base64').toString('utf8');
    if (token !== this.state.tokenB && match?.[1] !== this.state.tokenB) {
      return send(401, { status_code: 2000, status_message: 'Unknown token', timestamp: new Date().toISOString() });
    }
    const base = `${this.url}/ocpi/2.2.1`;
    if (req.method === 'GET' && url.pathname === '/ocpi/versions') return send(200, ok([{ version: '2.2.1', url: base }]));
    if (req.method === 'GET' && url.pathname === '/ocpi/2.2.1') {
      const endpoints = [
        { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
        ...MODULES[this.state.role].map((m) => ({ ...m, url: `${base}/${m.identifier}` })),
      ];
      return send(200, ok({ version: '2.2.1', endpoints }));
    }
    const module = url.pathname.split('/')[3];
    if (req.method === 'GET' && (module === 'locations' || module === 'tokens')) {
      // The demo keeps its objects at the hub; a GET-all of the partner's own store answers an empty page.
      res.setHeader('X-Total-Count', '0');
      res.setHeader('X-Limit', '100');
      return send(200, ok([]));
    }
    if (module && ['PUT', 'PATCH', 'POST', 'DELETE'].includes(req.method ?? '')) {
      this.received.set(module, (this.received.get(module) ?? 0) + 1);
      if (module === 'commands') return send(200, ok({ result: 'NOT_SUPPORTED', timeout: 30 }));
      return send(200, ok());
    }
    return send(404, { status_code: 2000, status_message: `Nothing at ${url.pathname}`, timestamp: new Date().toISOString() });
  }
}
