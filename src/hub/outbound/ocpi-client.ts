import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { TokenEncoding } from '../../db/entities';
import { authorizationHeader } from '../ocpi/credentials-token';
import { redactAuthorization } from '../../core/traffic/traffic-redaction';
import type { OcpiEnvelope } from '../ocpi/envelope';
import { type OutboundGuard, OutboundRefusedError } from './outbound-guard';

export interface OcpiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  body?: unknown;
  params?: Record<string, string | number>;
  /** Routing headers and any other OCPI headers to send. */
  headers?: Record<string, string>;
  /** Kept across hops; a new X-Request-ID is made for every request. */
  correlationId?: string;
  /** False for a receiver whose version has no X-Request-ID/X-Correlation-ID (2.1.1): the ids are only logged. */
  requestIds?: boolean;
  timeoutMs?: number;
  /** Who is called (for the call log, metrics and the partner's health); absent for a URL of no party yet. */
  party?: CalledParty;
  /** The OCPI module called (for the call log and metrics). */
  module?: string;
}

export interface CalledParty {
  id: string;
  countryCode: string;
  partyId: string;
  /** A party still being registered is not named in metrics (metrics.ts partnerLabel). */
  registeredAt?: Date | null;
}

/** What every outbound call reports once it ended (no token, no body, the URL without user info or query). */
export interface OutboundCall {
  method: string;
  target: string;
  party?: CalledParty;
  module?: string;
  requestId: string;
  correlationId: string;
  httpStatus?: number;
  ocpiStatus?: number;
  ms: number;
  error?: OcpiCallError;
  /** For the traffic recorder (docs/traffic.md): the headers sent, Authorization with its scheme alone. */
  requestHeaders?: Record<string, string>;
  requestBody?: unknown;
  requestBytes?: number;
  /** The partner's answer as received (any JSON, an envelope or not), when there was one. */
  responseBody?: unknown;
  responseBytes?: number;
}

/**
 * A call as one log line, in the fields of the request log of incoming requests (app.ts): method,
 * URL without user info or query, partner, HTTP and OCPI status, latency, ids; the error if it failed.
 */
export function outboundCallLogFields(call: OutboundCall): Record<string, unknown> {
  return {
    direction: 'out',
    method: call.method,
    url: call.target,
    module: call.module,
    party: call.party ? `${call.party.countryCode}/${call.party.partyId}` : undefined,
    status: call.httpStatus,
    ocpiStatus: call.ocpiStatus,
    ms: call.ms,
    requestId: call.requestId,
    correlationId: call.correlationId,
    err: call.error ? `${call.error.kind}: ${call.error.message}` : undefined,
  };
}

export type OutboundCallObserver = (call: OutboundCall) => Promise<void> | void;

export interface OcpiReply<T> {
  httpStatus: number;
  statusCode: number;
  statusMessage?: string;
  data: T;
  headers: Record<string, string>;
  requestId: string;
}

/**
 * The URL of `path` (segments already encoded, `?query` allowed) under a partner's endpoint: the one
 * place such URLs are built. A `.` or `..` segment (also as %2E) would be resolved away and reach
 * another path, so it is refused ('refused': never retried); inbound ids are checked long before.
 */
export function endpointUrl(endpoint: string, path: string): string {
  const segments = path.split('?')[0].split('/');
  if (segments.some((s) => /^(%2e|\.){1,2}$/i.test(s))) {
    throw new OcpiCallError('refused', `The path ${path.split('?')[0]} has a "." or ".." segment, which would change the path it is put in`);
  }
  return `${endpoint.replace(/\/+$/, '')}${path}`;
}

/** `refused`: the outbound guard would not call that address (never retried as is). */
export type OcpiCallFailure = 'refused' | 'timeout' | 'network' | 'http' | 'envelope' | 'status';

/** A call to a partner that did not end in an OCPI success; `kind` says how far it got. */
export class OcpiCallError extends Error {
  constructor(
    readonly kind: OcpiCallFailure,
    message: string,
    readonly httpStatus?: number,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'OcpiCallError';
  }
}

function isEnvelope(body: unknown): body is OcpiEnvelope {
  return (
    typeof body === 'object' &&
    body !== null &&
    Number.isInteger((body as OcpiEnvelope).status_code) &&
    typeof (body as OcpiEnvelope).timestamp === 'string'
  );
}

function describe(method: string, url: string): string {
  return `${method} ${safeTarget(url)}`;
}

/** A URL as it may be shown and logged: origin and path, never user info or query (they may hold secrets). */
function safeTarget(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * The one outbound OCPI client every module uses: Authorization in the peer's form, fresh
 * X-Request-ID, kept X-Correlation-ID, a timeout, and a checked response envelope.
 */
export class OcpiClient {
  private readonly http: AxiosInstance;

  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly guard: OutboundGuard,
    /** Told about every call when it ended (awaited; its own failure never fails the call). */
    private readonly observe: OutboundCallObserver = () => undefined,
  ) {
    // Never follow redirects: a partner URL must not bounce the hub's token to another host.
    // The guard's agents connect only to checked addresses; no proxy from the environment, which
    // would connect to the proxy instead and leave the target unchecked.
    this.http = axios.create({
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'json',
      proxy: false,
      httpAgent: guard.httpAgent,
      httpsAgent: guard.httpsAgent,
    });
  }

  /**
   * Refuses (OcpiCallError `refused`, with the reason) a URL the hub must not call: the early check
   * for URLs a partner hands over to be called later (registration, response_url).
   */
  async assertCallable(url: string): Promise<void> {
    try {
      await this.guard.assertReachable(url);
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw new OcpiCallError('refused', `${safeTarget(url)} is refused: ${error.message}`);
      throw error;
    }
  }

  async request<T = unknown>(req: OcpiRequest): Promise<OcpiReply<T>> {
    const requestId = randomUUID();
    const correlationId = req.correlationId ?? randomUUID();
    const started = process.hrtime.bigint();
    // Serialised once here, so the size the recorder reports is the size sent.
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const seen: { response?: AxiosResponse; headers?: Record<string, string> } = {};
    const report = async (outcome: Pick<OutboundCall, 'httpStatus' | 'ocpiStatus' | 'error'>) => {
      try {
        await this.observe({
          method: req.method,
          target: safeTarget(req.url),
          party: req.party && { id: req.party.id, countryCode: req.party.countryCode, partyId: req.party.partyId, registeredAt: req.party.registeredAt },
          module: req.module,
          requestId,
          correlationId,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...outcome,
          requestHeaders: seen.headers && { ...seen.headers, Authorization: redactAuthorization(seen.headers.Authorization ?? '') },
          requestBody: req.body,
          requestBytes: payload === undefined ? 0 : Buffer.byteLength(payload),
          responseBody: seen.response?.data,
          responseBytes: seen.response ? responseSize(seen.response) : 0,
        });
      } catch {
        // The observer logs and counts; a failure there must not turn a delivered call into a failed one.
      }
    };
    try {
      const reply = await this.send<T>(req, requestId, correlationId, payload, seen);
      await report({ httpStatus: reply.httpStatus, ocpiStatus: reply.statusCode });
      return reply;
    } catch (error) {
      if (error instanceof OcpiCallError) await report({ httpStatus: error.httpStatus, ocpiStatus: error.statusCode, error });
      throw error;
    }
  }

  private async send<T>(
    req: OcpiRequest,
    requestId: string,
    correlationId: string,
    payload: string | undefined,
    seen: { response?: AxiosResponse; headers?: Record<string, string> },
  ): Promise<OcpiReply<T>> {
    try {
      this.guard.checkUrl(req.url);
    } catch (error) {
      throw new OcpiCallError('refused', `${req.method} ${safeTarget(req.url)} is refused: ${(error as Error).message}`);
    }
    const what = describe(req.method, req.url);
    let response: AxiosResponse;
    const headers: Record<string, string> = {
      ...req.headers,
      Authorization: authorizationHeader(req.token, req.encoding),
      ...(req.requestIds === false ? {} : { 'X-Request-ID': requestId, 'X-Correlation-ID': correlationId }),
      ...(req.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    seen.headers = headers;
    try {
      response = await this.http.request({
        method: req.method,
        url: req.url,
        data: payload,
        params: req.params,
        timeout: req.timeoutMs ?? this.defaultTimeoutMs,
        headers,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_OUTBOUND_REFUSED') throw new OcpiCallError('refused', `${what} is refused: ${(error as Error).message}`);
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') throw new OcpiCallError('timeout', `${what} timed out`);
      throw new OcpiCallError('network', `${what} failed: ${code ?? (error as Error).message}`);
    }
    seen.response = response;
    const responseHeaders = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    const body: unknown = response.data;
    if (!isEnvelope(body)) {
      const kind = response.status >= 200 && response.status < 300 ? 'envelope' : 'http';
      throw new OcpiCallError(kind, `${what} answered HTTP ${response.status} without an OCPI response`, response.status);
    }
    if (body.status_code < 1000 || body.status_code > 1999 || response.status >= 300) {
      const detail = body.status_message ? `: ${body.status_message}` : '';
      throw new OcpiCallError(
        'status',
        `${what} answered HTTP ${response.status}, OCPI ${body.status_code}${detail}`,
        response.status,
        body.status_code,
      );
    }
    return {
      httpStatus: response.status,
      statusCode: body.status_code,
      statusMessage: body.status_message,
      data: body.data as T,
      headers: responseHeaders,
      requestId,
    };
  }

  /** Walks every page of a list (following `Link: <…>; rel="next"`), up to `maxPages`. */
  async getAll<T = unknown>(req: Omit<OcpiRequest, 'method' | 'body'>, maxPages = 10_000): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = req.url;
    let params = req.params;
    for (let page = 0; url && page < maxPages; page++) {
      const reply: OcpiReply<T[]> = await this.request<T[]>({ ...req, method: 'GET', url, params });
      if (!Array.isArray(reply.data)) {
        throw new OcpiCallError('envelope', `${describe('GET', url)} answered a list request without a list`);
      }
      items.push(...reply.data);
      url = nextLink(reply.headers.link);
      params = undefined; // the next link carries the filters
    }
    return items;
  }
}

/** Bytes of a partner's answer: its Content-Length, else the size of what arrived. */
function responseSize(response: AxiosResponse): number {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared >= 0) return declared;
  const data: unknown = response.data;
  if (data === undefined || data === null || data === '') return 0;
  return Buffer.byteLength(typeof data === 'string' ? data : JSON.stringify(data));
}

/** The target of `Link: <url>; rel="next"`, if any. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match) return match[1];
  }
  return undefined;
}
