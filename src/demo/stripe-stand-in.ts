/**
 * A local stand-in for the part of Stripe's HTTP API the hub uses, for tests and the demo (Stripe cannot
 * be reached from every machine the hub is built on). The real `stripe` SDK talks to it through its
 * `host`/`port`/`protocol` options, so the hub's code path is the production one.
 *
 * What it does like Stripe: form-encoded requests (`metadata[key]=v`), `Authorization: Bearer` keys,
 * JSON objects and error bodies of the same shape and HTTP status (`{error: {type, code, message,
 * param}}`), the PaymentIntent state machine for manual capture, refunds limited to what was captured,
 * Connect transfers, Idempotency-Key replay (same key and parameters → the stored answer with
 * `Idempotent-Replayed: true`; other parameters → 400 idempotency_error), and webhook events POSTed to
 * one endpoint with a `Stripe-Signature` header (`t=…,v1=HMAC-SHA256(secret, "t.payload")`), retried
 * when the endpoint does not answer 2xx.
 *
 * What it leaves out: balances (transfers never fail for lack of funds), idempotency key expiry (24 h at
 * Stripe), 3-D Secure (`requires_action`), payment methods beyond the test ones listed below, listing
 * and pagination except `GET /v1/transfers?transfer_group=`. Node built-ins only, so the demo can run it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stripe's test payment methods this server knows, and what confirming with them does. */
const TEST_PAYMENT_METHODS: Record<string, { brand: string; decline?: { code: string; declineCode: string; message: string } }> = {
  pm_card_visa: { brand: 'visa' },
  pm_card_mastercard: { brand: 'mastercard' },
  pm_card_chargeDeclined: { brand: 'visa', decline: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' } },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
};

/** Stripe's minimum charge amounts (minor units) for the currencies the hub is likely to use; others: 1. */
const MINIMUM_CHARGE: Record<string, number> = { eur: 50, usd: 50, gbp: 30, chf: 50, dkk: 250, nok: 300, sek: 300, pln: 200 };

const API_VERSION = '2026-10-28.endive';

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

type Json = Record<string, unknown>;
type Params = Record<string, unknown>;

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  description: string | null;
  last_payment_error: Json | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  status: PaymentIntentStatus;
  transfer_group: string | null;
}

export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  livemode: false;
  metadata: Record<string, string>;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  refunded: boolean;
  status: 'succeeded' | 'failed';
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
}

export interface FakeTransfer {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  livemode: false;
  metadata: Record<string, string>;
  reversed: boolean;
  transfer_group: string | null;
}

export interface FakeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Json; previous_attributes?: Json };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  mode: 'payment';
  payment_intent: string | null;
  payment_status: 'paid' | 'unpaid';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  url: string | null;
}

/** What a Checkout Session keeps that Stripe does not show on the object: the line and the PaymentIntent's settings. */
interface CheckoutSessionSetup {
  productName: string;
  paymentIntentData: { capture_method: 'automatic' | 'automatic_async' | 'manual'; description: string | null; metadata: Record<string, string> };
}

/** Stripe's test card numbers, as typed on the hosted Checkout page, and the test payment method each is. */
export const TEST_CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '5555555555554444': 'pm_card_mastercard',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
};

/** One attempt to deliver an event to the webhook endpoint. */
export interface WebhookDelivery {
  eventId: string;
  type: string;
  attempt: number;
  /** The endpoint's HTTP status, or null when it could not be reached. */
  status: number | null;
  error?: string;
}

/** One API request as the server saw it (for tests: which keys were sent, what was replayed). */
export interface LoggedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number;
  replayed: boolean;
}

export interface StripeStandInOptions {
  /** The secret key callers must present (default `sk_test_hub_local`). */
  secretKey?: string;
  /** The publishable key a driver's browser uses: it may only retrieve and confirm with the client secret. */
  publishableKey?: string;
  /** Where events are POSTed, and the endpoint's signing secret (`whsec_…`). Without it events are only kept. */
  webhook?: { url: string; secret: string };
  /** Connect accounts transfers may go to; any other destination is `No such destination`. */
  connectedAccounts?: string[];
  /** Waits before each retry of a failed delivery (Stripe's are hours; tests want milliseconds). */
  webhookRetryDelaysMs?: number[];
}

/** An answer that is an error, in Stripe's shape. `replayable` says whether an idempotency key stores it. */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string; [key: string]: unknown },
    /** Stripe stores results only once an endpoint started executing: parameter errors are not stored. */
    readonly replayable = true,
  ) {
    super(body.message);
  }
}

const invalidParam = (param: string, message: string, code?: string) =>
  new StripeApiError(400, { type: 'invalid_request_error', message, param, ...(code && { code }) }, false);

const noSuch = (what: string, id: string, param: string) =>
  new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'`, param });

function unexpectedState(intent: FakePaymentIntent, action: string, allowed: PaymentIntentStatus[]): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's status is ${intent.status}, but it must be ${allowed.join(' or ')} to be ${action}.`,
    payment_intent: structuredClone(intent),
  });
}

/** Parses `a=1&metadata[k]=v&expand[0]=x` into nested objects and arrays, as Stripe reads its form bodies. */
export function parseStripeForm(text: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match) throw invalidParam(key, `Invalid parameter name: ${key}`);
    const path = [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
    let node: Params = root;
    for (let i = 0; i < path.length - 1; i++) {
      const existing = node[path[i]];
      if (existing !== undefined && (typeof existing !== 'object' || existing === null)) throw invalidParam(key, `Invalid parameter: ${key}`);
      node = (node[path[i]] ??= {}) as Params;
    }
    const last = path[path.length - 1];
    if (last === '') node[String(Object.keys(node).length)] = value; // a[]=x
    else node[last] = value;
  }
  return arraysFromIndexedObjects(root) as Params;
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Params).map(([k, v]) => [k, arraysFromIndexedObjects(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

/** A canonical text of parameters: the same parameters in any order give the same fingerprint. */
function fingerprint(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${fingerprint((value as Params)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function onlyKnown(params: Params, known: string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) throw invalidParam(key, `Received unknown parameter: ${key}`, 'parameter_unknown');
  }
}

function required(params: Params, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === '') throw invalidParam(name, `Missing required param: ${name}.`, 'parameter_missing');
  return value;
}

function integer(params: Params, name: string, { min = 0 }: { min?: number } = {}): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw invalidParam(name, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n > 99_999_999) throw invalidParam(name, `This value must be less than or equal to 99999999 (it currently is '${value}').`, 'parameter_invalid_integer');
  if (n < min) throw invalidParam(name, `This value must be greater than or equal to ${min}.`, 'parameter_invalid_integer');
  return n;
}

function text(params: Params, name: string, { max = 5000 }: { max?: number } = {}): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${name} must be a string`, 'parameter_invalid_string');
  if (value.length > max) throw invalidParam(name, `Invalid string: ${name} must be at most ${max} characters`, 'parameter_invalid_string');
  return value;
}

function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw invalidParam(name, `Invalid ${name}: must be one of ${allowed.join(', ')}`);
  return value as T;
}

function currencyOf(params: Params): string {
  const value = String(required(params, 'currency')).toLowerCase();
  if (!/^[a-z]{3}$/.test(value)) throw invalidParam('currency', `Invalid currency: ${value}. Stripe currently supports these currencies: …`);
  return value;
}

/** Stripe's metadata rules: at most 50 keys, keys ≤ 40 characters, values ≤ 500; an empty value removes a key. */
function metadataOf(params: Params, current: Record<string, string> = {}): Record<string, string> {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParam('metadata', 'Invalid object');
  const merged = { ...current };
  for (const [key, v] of Object.entries(value as Params)) {
    if (typeof v !== 'string') throw invalidParam(`metadata[${key}]`, 'Invalid string');
    if (key.length > 40) throw invalidParam(`metadata[${key}]`, `Metadata keys can have up to 40 characters, ${key} has ${key.length}.`);
    if (v.length > 500) throw invalidParam(`metadata[${key}]`, `Metadata values can have up to 500 characters, the value of ${key} has ${v.length}.`);
    if (v === '') delete merged[key];
    else merged[key] = v;
  }
  if (Object.keys(merged).length > 50) throw invalidParam('metadata', 'You can specify up to 50 keys in metadata.');
  return merged;
}

function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** `Stripe-Signature` as Stripe writes it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" with the endpoint secret>`. */
export function stripeSignatureHeader(payload: string, secret: string, timestamp = now()): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

interface StoredAnswer {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: Json;
}

interface RequestContext {
  requestId: string;
  idempotencyKey: string | null;
  /** True for the publishable key: only a PaymentIntent's own client secret opens it. */
  publishable: boolean;
}

export class StripeStandIn {
  readonly secretKey: string;
  readonly publishableKey: string;
  readonly paymentIntents = new Map<string, FakePaymentIntent>();
  readonly charges = new Map<string, FakeCharge>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly transfers = new Map<string, FakeTransfer>();
  readonly checkoutSessions = new Map<string, FakeCheckoutSession>();
  private readonly checkoutSetups = new Map<string, CheckoutSessionSetup>();
  /** Where the hosted Checkout pages are served (this server's own address, known once it listens). */
  private origin = 'http://127.0.0.1';
  readonly events: FakeEvent[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly requests: LoggedRequest[] = [];
  private readonly connectedAccounts: Set<string>;
  private readonly idempotent = new Map<string, StoredAnswer>();
  private webhook?: { url: string; secret: string };
  private readonly retryDelaysMs: number[];
  private deliveryQueue: Promise<void> = Promise.resolve();
  private server?: Server;
  private readonly answersToLose: { method: string; path: string }[] = [];

  constructor(options: StripeStandInOptions = {}) {
    this.secretKey = options.secretKey ?? 'sk_test_hub_local';
    this.publishableKey = options.publishableKey ?? 'pk_test_hub_local';
    this.webhook = options.webhook;
    this.connectedAccounts = new Set(options.connectedAccounts ?? []);
    this.retryDelaysMs = options.webhookRetryDelaysMs ?? [50, 250, 1000];
  }

  /** Listens on 127.0.0.1 (port 0: any free port); answers the address the SDK's options need. */
  async listen(port = 0, host = '127.0.0.1'): Promise<{ host: string; port: number; protocol: 'http'; url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const actual = (this.server.address() as AddressInfo).port;
    this.origin = `http://${host}:${actual}`;
    return { host, port: actual, protocol: 'http', url: `http://${host}:${actual}` };
  }

  async close(): Promise<void> {
    await this.webhooksSettled();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Sets (or changes) the endpoint events go to. */
  setWebhook(webhook: { url: string; secret: string } | undefined): void {
    this.webhook = webhook;
  }

  addConnectedAccount(id: string): void {
    this.connectedAccounts.add(id);
  }

  /**
   * The next request to `method path` is carried out but its answer is lost (the connection is cut), as
   * when a network fails after Stripe did the work: a retry with the same Idempotency-Key must not do
   * it twice.
   */
  loseNextAnswer(method: string, path: string): void {
    this.answersToLose.push({ method, path });
  }

  /** Resolves when every event so far has been delivered or has run out of retries. */
  async webhooksSettled(): Promise<void> {
    let queue: Promise<void>;
    do {
      queue = this.deliveryQueue;
      await queue;
    } while (queue !== this.deliveryQueue);
  }

  /** Delivers an event again (Stripe's dashboard "Resend"): same id, same payload, a fresh signature. */
  resend(eventId: string): Promise<void> {
    const event = this.events.find((e) => e.id === eventId);
    if (!event) throw new Error(`No such event: ${eventId}`);
    this.enqueueDelivery(event);
    return this.webhooksSettled();
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').startsWith(HOSTED_CHECKOUT_PATH)) return this.hostedCheckout(req, res);
    const requestId = randomId('req');
    const idempotencyKey = req.method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) ?? null : null;
    let status = 200;
    let body: Json;
    let replayed = false;
    const url = new URL(req.url ?? '/', 'http://stripe.local');
    try {
      const raw = await readBody(req);
      const context: RequestContext = { requestId, idempotencyKey, publishable: this.authenticate(req.headers.authorization) };
      const params = parseStripeForm(req.method === 'GET' ? url.search.slice(1) : raw);
      if (idempotencyKey !== null) {
        if (idempotencyKey.length > 255) throw invalidParam('Idempotency-Key', 'Idempotency keys can be at most 255 characters long.');
        const stored = this.idempotent.get(idempotencyKey);
        if (stored) {
          if (stored.path !== url.pathname || stored.method !== req.method) {
            throw new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.method} ${stored.path}' vs '${req.method} ${url.pathname}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }, false);
          }
          if (stored.fingerprint !== fingerprint(params)) {
            throw new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }, false);
          }
          status = stored.status;
          body = structuredClone(stored.body);
          replayed = true;
        }
      }
      if (!replayed) {
        try {
          body = this.route(req.method ?? 'GET', url.pathname, params, context);
        } catch (error) {
          if (error instanceof StripeApiError && error.replayable && idempotencyKey !== null) {
            this.idempotent.set(idempotencyKey, {
              method: req.method!,
              path: url.pathname,
              fingerprint: fingerprint(params),
              status: error.status,
              body: { error: { ...error.body, request_log_url: null } },
            });
          }
          throw error;
        }
        if (idempotencyKey !== null) {
          this.idempotent.set(idempotencyKey, { method: req.method!, path: url.pathname, fingerprint: fingerprint(params), status, body: structuredClone(body) });
        }
      }
    } catch (error) {
      if (error instanceof StripeApiError) {
        status = error.status;
        body = { error: { ...error.body, request_log_url: null } };
      } else {
        status = 500;
        body = { error: { type: 'api_error', message: `The test server failed: ${(error as Error).message}` } };
      }
    }
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, idempotencyKey, status, replayed });
    const lose = this.answersToLose.findIndex((a) => a.method === req.method && a.path === url.pathname);
    if (lose >= 0) {
      this.answersToLose.splice(lose, 1);
      res.socket?.destroy();
      return;
    }
    const payload = JSON.stringify(body!, null, 2);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
      'Request-Id': requestId,
      'Stripe-Version': API_VERSION,
      ...(idempotencyKey !== null && { 'Idempotency-Key': idempotencyKey }),
      ...(replayed && { 'Idempotent-Replayed': 'true' }),
      // Errors of the request itself would fail the same way again; the SDK must not retry them.
      ...(status >= 400 && status < 500 && { 'Stripe-Should-Retry': 'false' }),
    });
    res.end(payload);
  }

  /** Answers whether the caller used the publishable key; a missing or unknown key is 401 as at Stripe. */
  private authenticate(header: string | undefined): boolean {
    const key = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (key === this.secretKey) return false;
    if (key === this.publishableKey) return true;
    const message = key
      ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
      : 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').';
    throw new StripeApiError(401, { type: 'invalid_request_error', message }, false);
  }

  private route(method: string, path: string, params: Params, context: RequestContext): Json {
    const segments = path.split('/').filter(Boolean);
    if (segments[0] !== 'v1') throw this.unrecognized(method, path);
    const [, resource, id, action] = segments;
    if (context.publishable) {
      // A browser with the publishable key may see and confirm a PaymentIntent whose client secret it holds.
      const allowed = resource === 'payment_intents' && id && ((method === 'GET' && !action) || (method === 'POST' && action === 'confirm'));
      if (!allowed) {
        throw new StripeApiError(401, { type: 'invalid_request_error', message: 'This API call cannot be made with a publishable API key. Please use a secret API key.' }, false);
      }
      const intent = this.intent(id);
      if (params.client_secret !== intent.client_secret) {
        throw invalidParam('client_secret', 'The client_secret provided does not match any associated PaymentIntent on this account.');
      }
    }
    const unsupported = () => this.unrecognized(method, path);
    if (resource === 'checkout' && id === 'sessions') {
      const [, , , sessionId, sessionAction] = segments;
      if (method === 'POST' && !sessionId) return this.createCheckoutSession(params, context) as unknown as Json;
      if (method === 'GET' && sessionId && !sessionAction) return this.found(this.checkoutSessions, sessionId, 'checkout.session', 'session') as unknown as Json;
      if (method === 'POST' && sessionId && sessionAction === 'expire') return this.expireCheckoutSession(sessionId, context) as unknown as Json;
      throw unsupported();
    }
    switch (resource) {
      case 'payment_intents':
        if (method === 'POST' && !id) return this.createIntent(params, context);
        if (!id || segments.length > 4) throw unsupported();
        if (method === 'GET' && !action) {
          onlyKnown(params, ['client_secret', 'expand']);
          return this.intent(id) as unknown as Json;
        }
        if (method !== 'POST') throw unsupported();
        if (!action) return this.updateIntent(id, params, context);
        if (action === 'confirm') return this.confirmIntent(id, params, context);
        if (action === 'capture') return this.captureIntent(id, params, context);
        if (action === 'cancel') return this.cancelIntent(id, params, context);
        throw unsupported();
      case 'refunds':
        if (method === 'POST' && !id) return this.createRefund(params, context) as unknown as Json;
        if (method === 'GET' && id && !action) return this.found(this.refunds, id, 'refund', 'id') as unknown as Json;
        throw unsupported();
      case 'charges':
        if (method === 'GET' && id && !action) return this.found(this.charges, id, 'charge', 'id') as unknown as Json;
        throw unsupported();
      case 'transfers':
        if (method === 'POST' && !id) return this.createTransfer(params, context) as unknown as Json;
        if (method === 'GET' && id && !action) return this.found(this.transfers, id, 'transfer', 'id') as unknown as Json;
        if (method === 'GET' && !id) {
          onlyKnown(params, ['transfer_group', 'destination', 'limit']);
          const data = [...this.transfers.values()]
            .filter((t) => (params.transfer_group === undefined || t.transfer_group === params.transfer_group) && (params.destination === undefined || t.destination === params.destination))
            .reverse();
          return { object: 'list', data, has_more: false, url: '/v1/transfers' };
        }
        throw unsupported();
      default:
        throw unsupported();
    }
  }

  private unrecognized(method: string, path: string): StripeApiError {
    return new StripeApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }, false);
  }

  private found<T>(map: Map<string, T>, id: string, what: string, param: string): T {
    const value = map.get(id);
    if (!value) throw noSuch(what, id, param);
    return value;
  }

  private intent(id: string): FakePaymentIntent {
    return this.found(this.paymentIntents, id, 'payment_intent', 'intent');
  }

  // ── Checkout Sessions and the hosted page ──────────────────────────────────────────────────────

  private createCheckoutSession(params: Params, context: RequestContext): FakeCheckoutSession {
    onlyKnown(params, ['mode', 'line_items', 'payment_intent_data', 'client_reference_id', 'metadata', 'success_url', 'cancel_url', 'locale', 'expires_at', 'customer_email', 'expand']);
    if (required(params, 'mode') !== 'payment') throw invalidParam('mode', 'This server knows only mode=payment.');
    const successUrl = String(required(params, 'success_url'));
    const lines = params.line_items;
    if (!Array.isArray(lines) || lines.length !== 1) throw invalidParam('line_items', 'This server takes exactly one line item with price_data.');
    const line = lines[0] as Params;
    const priceData = line.price_data as Params | undefined;
    if (!priceData) throw invalidParam('line_items[0][price_data]', 'Missing required param: line_items[0][price_data].', 'parameter_missing');
    const unitAmount = integer(priceData, 'unit_amount', { min: 1 });
    if (unitAmount === undefined) throw invalidParam('line_items[0][price_data][unit_amount]', 'Missing required param: unit_amount.', 'parameter_missing');
    const quantity = integer(line, 'quantity', { min: 1 }) ?? 1;
    const currency = currencyOf(priceData);
    const productName = String((priceData.product_data as Params | undefined)?.name ?? '');
    if (!productName) throw invalidParam('line_items[0][price_data][product_data][name]', 'Missing required param: product_data[name].', 'parameter_missing');
    const intentData = (params.payment_intent_data ?? {}) as Params;
    onlyKnown(intentData, ['capture_method', 'description', 'metadata']);
    const expiresAt = integer(params, 'expires_at') ?? now() + 24 * 3600;
    if (expiresAt < now() + 30 * 60 - 5 || expiresAt > now() + 24 * 3600 + 5) throw invalidParam('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
    const id = `cs_test_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;
    const session: FakeCheckoutSession = {
      id,
      object: 'checkout.session',
      amount_subtotal: unitAmount * quantity,
      amount_total: unitAmount * quantity,
      cancel_url: text(params, 'cancel_url') ?? null,
      client_reference_id: text(params, 'client_reference_id', { max: 200 }) ?? null,
      created: now(),
      currency,
      expires_at: expiresAt,
      livemode: false,
      locale: text(params, 'locale') ?? null,
      metadata: metadataOf(params),
      mode: 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      success_url: successUrl,
      url: `${this.origin}${HOSTED_CHECKOUT_PATH}${id}`,
    };
    this.checkoutSessions.set(id, session);
    this.checkoutSetups.set(id, {
      productName,
      paymentIntentData: {
        capture_method: oneOf(intentData, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
        description: text(intentData, 'description') ?? null,
        metadata: metadataOf(intentData),
      },
    });
    void context;
    return structuredClone(session);
  }

  private expireCheckoutSession(id: string, context: RequestContext): FakeCheckoutSession {
    const session = this.found(this.checkoutSessions, id, 'checkout.session', 'session');
    if (session.status !== 'open') {
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'checkout_session_unexpected_state', message: `Only Checkout Sessions with a status of open can be expired. This session has a status of ${session.status}.` });
    }
    session.status = 'expired';
    session.url = null;
    this.emit('checkout.session.expired', session, context);
    return structuredClone(session);
  }

  /** Test hook: a session the driver abandoned runs out (Stripe expires it at `expires_at`). */
  expireCheckout(id: string): void {
    this.expireCheckoutSession(id, { requestId: null as unknown as string, idempotencyKey: null, publishable: false });
  }

  /**
   * The hosted Checkout page: GET shows the amount and a card form; POST pays with a test card number. A
   * declined card shows the decline on the page (the driver may try another card or go back to cancel_url);
   * a paid one completes the session and redirects (303) to success_url with {CHECKOUT_SESSION_ID} filled in.
   */
  private async hostedCheckout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const id = url.pathname.slice(HOSTED_CHECKOUT_PATH.length);
    const session = this.checkoutSessions.get(id);
    const setup = this.checkoutSetups.get(id);
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      res.end(html);
    };
    if (!session || !setup) return send(404, checkoutHtml({ title: 'Not found', body: '<p>This payment page does not exist.</p>' }));
    if (session.status !== 'open') {
      return send(410, checkoutHtml({ title: 'Expired', body: `<p>This payment page is no longer open (${session.status}).</p>${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Back</a></p>` : ''}` }));
    }
    let error: string | undefined;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const card = (form.get('cardnumber') ?? '').replace(/\s/g, '');
      const method = TEST_CARD_NUMBERS[card];
      if (!method) error = 'Your card number is invalid.';
      else {
        const context: RequestContext = { requestId: randomId('req'), idempotencyKey: null, publishable: false };
        try {
          if (!session.payment_intent) {
            const intent = this.createIntent(
              {
                amount: String(session.amount_total),
                currency: session.currency,
                capture_method: setup.paymentIntentData.capture_method,
                ...(setup.paymentIntentData.description && { description: setup.paymentIntentData.description }),
                metadata: setup.paymentIntentData.metadata,
              },
              context,
            );
            session.payment_intent = intent.id as string;
          }
          this.confirmIntent(session.payment_intent, { payment_method: method }, context);
          session.status = 'complete';
          session.payment_status = this.paymentIntents.get(session.payment_intent)!.status === 'succeeded' ? 'paid' : 'unpaid';
          session.url = null;
          this.emit('checkout.session.completed', session, context);
          return send(303, '', { Location: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) });
        } catch (failure) {
          if (!(failure instanceof StripeApiError)) throw failure;
          error = failure.body.message;
        }
      }
    }
    const amount = `${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}`;
    send(
      error ? 402 : 200,
      checkoutHtml({
        title: 'Pay',
        body: `<p class="product">${escapeHtml(setup.productName)}</p><p class="amount" data-amount>${escapeHtml(amount)}</p>
<form method="post">
  <label for="cardnumber">Card number</label>
  <input id="cardnumber" name="cardnumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required>
  <label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" autocomplete="cc-exp" placeholder="MM / YY">
  <label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc" placeholder="CVC">
  ${error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : ''}
  <button type="submit">Pay ${escapeHtml(amount)}</button>
</form>
${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">← Back</a></p>` : ''}
<p class="note">Local Stripe stand-in: test cards 4242 4242 4242 4242 (paid), 4000 0000 0000 0002 (declined).</p>`,
      }),
    );
  }

  // ── PaymentIntents ─────────────────────────────────────────────────────────────────────────────

  private createIntent(params: Params, context: RequestContext): Json {
    onlyKnown(params, ['amount', 'currency', 'capture_method', 'metadata', 'payment_method', 'payment_method_types', 'description', 'confirm', 'transfer_group', 'expand']);
    required(params, 'amount');
    const amount = integer(params, 'amount', { min: 1 })!;
    const currency = currencyOf(params);
    const minimum = MINIMUM_CHARGE[currency] ?? 1;
    if (amount < minimum) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_small',
        param: 'amount',
        message: `Amount must be at least ${minimum} ${currency} minor units`,
      }, false);
    }
    const paymentMethod = text(params, 'payment_method');
    if (paymentMethod !== undefined) this.paymentMethod(paymentMethod);
    const types = params.payment_method_types;
    if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'card'))) {
      throw invalidParam('payment_method_types', 'The payment method type provided is invalid. This server knows only card.');
    }
    const confirm = oneOf(params, 'confirm', ['true', 'false']);
    const id = randomId('pi');
    const intent: FakePaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: oneOf(params, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
      client_secret: `${id}_secret_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`,
      confirmation_method: 'automatic',
      created: now(),
      currency,
      description: text(params, 'description') ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: metadataOf(params),
      payment_method: paymentMethod ?? null,
      payment_method_types: ['card'],
      status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
      transfer_group: text(params, 'transfer_group') ?? null,
    };
    this.paymentIntents.set(id, intent);
    this.emit('payment_intent.created', intent, context);
    if (confirm === 'true') return this.confirmIntent(id, {}, context);
    return structuredClone(intent) as unknown as Json;
  }

  private updateIntent(id: string, params: Params, context: RequestContext): Json {
    onlyKnown(params, ['amount', 'metadata', 'payment_method', 'description', 'transfer_group', 'expand']);
    const intent = this.intent(id);
    const amount = integer(params, 'amount', { min: 1 });
    const paymentMethod = text(params, 'payment_method');
    const metadata = metadataOf(params, intent.metadata);
    const changesMoney = amount !== undefined || paymentMethod !== undefined;
    const open: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
    if (changesMoney && !open.includes(intent.status)) throw unexpectedState(intent, 'updated', open);
    if (paymentMethod !== undefined) this.paymentMethod(paymentMethod);
    const previous: Json = {};
    if (amount !== undefined && amount !== intent.amount) {
      previous.amount = intent.amount;
      intent.amount = amount;
    }
    if (paymentMethod !== undefined) {
      previous.payment_method = intent.payment_method;
      intent.payment_method = paymentMethod;
      if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
    }
    intent.metadata = metadata;
    intent.description = text(params, 'description') ?? intent.description;
    intent.transfer_group = text(params, 'transfer_group') ?? intent.transfer_group;
    if (Object.keys(previous).length) this.emit('payment_intent.updated', intent, context, previous);
    return structuredClone(intent) as unknown as Json;
  }

  private paymentMethod(id: string) {
    const method = TEST_PAYMENT_METHODS[id];
    if (!method) throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${id}'`, param: 'payment_method' }, false);
    return method;
  }

  private confirmIntent(id: string, params: Params, context: RequestContext): Json {
    onlyKnown(params, ['payment_method', 'return_url', 'client_secret', 'expand']);
    const intent = this.intent(id);
    const confirmable: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
    if (!confirmable.includes(intent.status)) throw unexpectedState(intent, 'confirmed', confirmable);
    const methodId = text(params, 'payment_method') ?? intent.payment_method;
    if (!methodId) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: 'You cannot confirm this PaymentIntent because it\'s missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.',
      });
    }
    const method = this.paymentMethod(methodId);
    intent.payment_method = methodId;
    const charge: FakeCharge = {
      id: randomId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      created: now(),
      currency: intent.currency,
      livemode: false,
      metadata: { ...intent.metadata },
      paid: !method.decline,
      payment_intent: intent.id,
      payment_method: methodId,
      refunded: false,
      status: method.decline ? 'failed' : 'succeeded',
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    if (method.decline) {
      const error = {
        type: 'card_error',
        code: method.decline.code,
        decline_code: method.decline.declineCode,
        message: method.decline.message,
        charge: charge.id,
        payment_method: { id: methodId, object: 'payment_method', type: 'card' },
      };
      intent.status = 'requires_payment_method';
      intent.last_payment_error = error;
      this.emit('charge.failed', charge, context);
      this.emit('payment_intent.payment_failed', intent, context);
      throw new StripeApiError(402, { ...error, payment_intent: structuredClone(intent) });
    }
    intent.last_payment_error = null;
    if (intent.capture_method === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      this.emit('charge.succeeded', charge, context);
      this.emit('payment_intent.amount_capturable_updated', intent, context, { amount_capturable: 0 });
    } else {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      charge.captured = true;
      charge.amount_captured = intent.amount;
      this.emit('charge.succeeded', charge, context);
      this.emit('payment_intent.succeeded', intent, context);
    }
    return structuredClone(intent) as unknown as Json;
  }

  private captureIntent(id: string, params: Params, context: RequestContext): Json {
    onlyKnown(params, ['amount_to_capture', 'metadata', 'expand']);
    const intent = this.intent(id);
    const amount = integer(params, 'amount_to_capture', { min: 1 });
    const metadata = metadataOf(params, intent.metadata);
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'captured', ['requires_capture']);
    const toCapture = amount ?? intent.amount_capturable;
    if (toCapture > intent.amount_capturable) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        param: 'amount_to_capture',
        message: `The amount to capture (${toCapture}) must be less than or equal to the amount capturable (${intent.amount_capturable}).`,
      });
    }
    const charge = this.charges.get(intent.latest_charge!)!;
    charge.captured = true;
    charge.amount_captured = toCapture;
    intent.metadata = metadata;
    intent.amount_received = toCapture;
    intent.amount_capturable = 0;
    intent.status = 'succeeded';
    this.emit('charge.captured', charge, context);
    this.emit('payment_intent.succeeded', intent, context, { status: 'requires_capture' });
    return structuredClone(intent) as unknown as Json;
  }

  private cancelIntent(id: string, params: Params, context: RequestContext): Json {
    onlyKnown(params, ['cancellation_reason', 'expand']);
    const intent = this.intent(id);
    const reason = oneOf(params, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const);
    const cancelable: PaymentIntentStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
    if (!cancelable.includes(intent.status)) throw unexpectedState(intent, 'canceled', cancelable);
    const previousStatus = intent.status;
    intent.status = 'canceled';
    intent.canceled_at = now();
    intent.cancellation_reason = reason ?? null;
    intent.amount_capturable = 0;
    this.emit('payment_intent.canceled', intent, context, { status: previousStatus });
    return structuredClone(intent) as unknown as Json;
  }

  // ── Refunds and transfers ──────────────────────────────────────────────────────────────────────

  private createRefund(params: Params, context: RequestContext): FakeRefund {
    onlyKnown(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
    const intentId = text(params, 'payment_intent');
    const chargeId = text(params, 'charge');
    if (!intentId && !chargeId) throw invalidParam('payment_intent', 'One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing');
    const amount = integer(params, 'amount', { min: 1 });
    const reason = oneOf(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const);
    const metadata = metadataOf(params);
    let charge: FakeCharge;
    if (intentId) {
      const intent = this.intent(intentId);
      const captured = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
      if (intent.status !== 'succeeded' || !captured?.captured) {
        throw new StripeApiError(400, {
          type: 'invalid_request_error',
          code: 'charge_not_refundable',
          param: 'payment_intent',
          message: `This PaymentIntent (${intent.id}) does not have a successful charge to refund (its status is ${intent.status}).`,
        });
      }
      charge = captured;
    } else {
      charge = this.found(this.charges, chargeId!, 'charge', 'charge');
      if (!charge.captured) {
        throw new StripeApiError(400, { type: 'invalid_request_error', code: 'charge_not_refundable', param: 'charge', message: `Charge ${charge.id} has not been captured.` });
      }
    }
    const refundable = charge.amount_captured - charge.amount_refunded;
    const refundAmount = amount ?? refundable;
    if (refundable === 0) {
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${charge.id} has already been refunded.` });
    }
    if (refundAmount > refundable) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        param: 'amount',
        message: `Refund amount (${refundAmount}) is greater than unrefunded amount on charge (${refundable})`,
      });
    }
    const refund: FakeRefund = {
      id: randomId('re'),
      object: 'refund',
      amount: refundAmount,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      metadata,
      payment_intent: charge.payment_intent,
      reason: reason ?? null,
      status: 'succeeded',
    };
    this.refunds.set(refund.id, refund);
    const previousRefunded = charge.amount_refunded;
    charge.amount_refunded += refundAmount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    this.emit('refund.created', refund, context);
    this.emit('charge.refunded', charge, context, { amount_refunded: previousRefunded });
    return structuredClone(refund);
  }

  private createTransfer(params: Params, context: RequestContext): FakeTransfer {
    onlyKnown(params, ['amount', 'currency', 'destination', 'transfer_group', 'metadata', 'description', 'source_transaction', 'expand']);
    required(params, 'amount');
    const amount = integer(params, 'amount', { min: 1 })!;
    const currency = currencyOf(params);
    const destination = String(required(params, 'destination'));
    const transferGroup = text(params, 'transfer_group');
    const metadata = metadataOf(params);
    const description = text(params, 'description');
    if (!this.connectedAccounts.has(destination)) {
      // A parameter check: not stored under the idempotency key, so the same request works once the account exists.
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', message: `No such destination: '${destination}'`, param: 'destination' }, false);
    }
    const transfer: FakeTransfer = {
      id: randomId('tr'),
      object: 'transfer',
      amount,
      amount_reversed: 0,
      created: now(),
      currency,
      description: description ?? null,
      destination,
      livemode: false,
      metadata,
      reversed: false,
      transfer_group: transferGroup ?? null,
    };
    this.transfers.set(transfer.id, transfer);
    this.emit('transfer.created', transfer, context);
    return structuredClone(transfer);
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────────

  private emit(type: string, object: object, context: RequestContext, previous?: Json): void {
    const event: FakeEvent = {
      id: randomId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      data: { object: structuredClone(object) as Json, ...(previous && { previous_attributes: previous }) },
      livemode: false,
      pending_webhooks: this.webhook ? 1 : 0,
      request: { id: context.requestId, idempotency_key: context.idempotencyKey },
      type,
    };
    this.events.push(event);
    this.enqueueDelivery(event);
  }

  /** Events are delivered one after another, in the order they happened (Stripe does not promise order; tests like it). */
  private enqueueDelivery(event: FakeEvent): void {
    if (!this.webhook) return;
    const webhook = this.webhook;
    this.deliveryQueue = this.deliveryQueue.then(() => this.deliver(event, webhook));
  }

  private async deliver(event: FakeEvent, webhook: { url: string; secret: string }): Promise<void> {
    const payload = JSON.stringify(event, null, 2);
    for (let attempt = 1; attempt <= this.retryDelaysMs.length + 1; attempt++) {
      const delivery: WebhookDelivery = { eventId: event.id, type: event.type, attempt, status: null };
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'Stripe-Signature': stripeSignatureHeader(payload, webhook.secret),
          },
          body: payload,
          signal: AbortSignal.timeout(10_000),
        });
        delivery.status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        delivery.error = (error as Error).message;
      }
      this.deliveries.push(delivery);
      if (delivery.status !== null && delivery.status >= 200 && delivery.status < 300) return;
      const wait = this.retryDelaysMs[attempt - 1];
      if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Where the hosted Checkout pages live on this server (Stripe's are checkout.stripe.com/c/pay/<id>). */
const HOSTED_CHECKOUT_PATH = '/c/pay/';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function checkoutHtml(page: { title: string; body: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)} – Checkout (local Stripe)</title>
<style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:0 auto;padding:1rem;color:#1a1a1a}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;border:1px solid #767676;border-radius:6px}button{margin-top:1rem;width:100%;padding:.8rem;font-size:1rem;background:#0a2540;color:#fff;border:0;border-radius:6px}
.amount{font-size:1.8rem;font-weight:600;margin:.2rem 0}.error{color:#b00020}.note{color:#555;font-size:.8rem}</style></head>
<body><main><h1>${escapeHtml(page.title)}</h1>${page.body}</main></body></html>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) {
        reject(new StripeApiError(413, { type: 'invalid_request_error', message: 'Request body too large' }, false));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
