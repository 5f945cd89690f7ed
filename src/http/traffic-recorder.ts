import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { metrics, ocpiModuleOf } from '../foundation/metrics';
import { keepsBodies, redactAuthorization, storableText, storedBody, type TrafficBodies, trafficFailed, trafficObjectId } from '../core/traffic/traffic-redaction';
import { NO_WAL_WAIT } from '../db/no-wal-wait';

/** One request to the hub or call from it, as the recorder keeps it (docs/traffic.md). */
export interface TrafficRecord {
  at: Date;
  direction: 'in' | 'out';
  partyUuid: string | null;
  /** `CC/PID` of the party, when the request names one. */
  partner: string | null;
  method: string;
  module: string;
  /** The URL path (no query, no host for inbound; origin and path for outbound). */
  path: string;
  objectId: string | null;
  httpStatus: number | null;
  ocpiStatus: number | null;
  failed: boolean;
  error: string | null;
  ms: number;
  requestBytes: number;
  responseBytes: number;
  requestId: string | null;
  correlationId: string | null;
  /** Kept with the bodies only; Authorization with its scheme alone. */
  requestHeaders: Record<string, string> | null;
  requestBody: string | null;
  responseBody: string | null;
}

export interface TrafficRecorderOptions {
  enabled: boolean;
  bodies: TrafficBodies;
  bodyMaxBytes: number;
  /** A batch is written this often, or as soon as it holds `batchRows`. */
  flushIntervalMs?: number;
  batchRows?: number;
  /** Rows held in memory at most; more are dropped and counted (the database is slow or away). */
  bufferRows?: number;
  /** And bytes of kept bodies held at most (TRAFFIC_BODIES=all with large bodies fills memory before rows do). */
  bufferBytes?: number;
}

/** What a row costs in memory beyond its bodies, roughly (for the byte bound). */
const ROW_OVERHEAD_BYTES = 400;

/** What a party looks like to the recorder (an authenticated caller's or a called party's). */
interface RecordedParty {
  id: string;
  countryCode: string;
  partyId: string;
}

/** What the OCPI client reports of a call (hub/outbound's OutboundCall, the fields the recorder reads). */
export interface RecordedCall {
  method: string;
  target: string;
  party?: RecordedParty;
  module?: string;
  requestId: string;
  correlationId: string;
  httpStatus?: number;
  ocpiStatus?: number;
  ms: number;
  error?: { kind: string; message: string };
  requestHeaders?: Record<string, string>;
  requestBody?: unknown;
  requestBytes?: number;
  responseBody?: unknown;
  responseBytes?: number;
}

/**
 * A row as the JSON object json_populate_recordset reads (the table's column names), serialised once
 * when it is recorded: a batch is then the rows joined, not one large JSON.stringify on the event
 * loop once a second, which would fall on the requests in flight at that moment (their p99).
 */
function rowJson(row: TrafficRecord): string {
  return JSON.stringify({
    at: row.at,
    direction: row.direction,
    party_uuid: row.partyUuid,
    partner: row.partner,
    method: row.method,
    module: row.module,
    path: row.path,
    object_id: row.objectId,
    http_status: row.httpStatus,
    ocpi_status: row.ocpiStatus,
    failed: row.failed,
    error: row.error,
    ms: row.ms,
    request_bytes: row.requestBytes,
    response_bytes: row.responseBytes,
    request_id: row.requestId,
    correlation_id: row.correlationId,
    request_headers: row.requestHeaders,
    request_body: row.requestBody,
    response_body: row.responseBody,
  });
}

const COLUMNS = ['at', 'direction', 'party_uuid', 'partner', 'method', 'module', 'path', 'object_id', 'http_status', 'ocpi_status', 'failed', 'error', 'ms',
  'request_bytes', 'response_bytes', 'request_id', 'correlation_id', 'request_headers', 'request_body', 'response_body'].join(', ');

// One statement, one parameter and one round trip per batch whatever its size: the rows as one JSON
// array made into rows of the table's own types by json_populate_recordset. Its commit does not wait
// for the WAL flush (NO_WAL_WAIT: a crash may lose the last batch, worth less than an fsync per batch
// competing with the hub's own commits).
const INSERT_SQL = `INSERT INTO traffic_records (${COLUMNS})
  SELECT ${COLUMNS} FROM json_populate_recordset(NULL::traffic_records, $1::json), ${NO_WAL_WAIT}`;

/** Headers of an incoming request worth keeping beside its body (routing and ids; Authorization redacted). */
const KEPT_HEADERS = /^(authorization|content-type|x-request-id|x-correlation-id|ocpi-(from|to)-(country-code|party-id))$/;

export function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || !KEPT_HEADERS.test(lower)) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    kept[lower] = lower === 'authorization' ? redactAuthorization(text) : text;
  }
  return kept;
}

/**
 * Records every OCPI request in and out. `record` only pushes to a buffer bounded in rows and bytes and never
 * waits or throws: a timer writes the buffer as one INSERT statement every `flushIntervalMs` (sooner
 * when `batchRows` are waiting). When the buffer is full (the database is slow or down) new rows are
 * dropped and counted (`ocpi_hub_traffic_dropped_total`), so a request never waits on its record.
 */
export class TrafficRecorder {
  /** Rows waiting, each serialised once (rowJson) with what it counts for the byte bound. */
  private buffer: { json: string; bytes: number }[] = [];
  /** Calls of the OCPI client not yet made into rows (recordCall). */
  private calls: RecordedCall[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private droppedCount = 0;
  private readonly flushIntervalMs: number;
  private readonly batchRows: number;
  private readonly bufferRows: number;
  private readonly bufferBytes: number;
  private bufferedBytes = 0;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    readonly options: TrafficRecorderOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.batchRows = options.batchRows ?? 1000;
    this.bufferRows = options.bufferRows ?? 20_000;
    this.bufferBytes = options.bufferBytes ?? 64 * 1024 * 1024;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Turns recording off or on while running (bench:ocpi compares the two in one run). */
  set enabled(on: boolean) {
    this.options.enabled = on;
  }

  /** Rows dropped since the start because the buffer was full or a batch could not be written. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Rows waiting in memory. */
  get pending(): number {
    return this.buffer.length;
  }

  record(row: TrafficRecord): void {
    if (!this.options.enabled) return;
    const bytes = ROW_OVERHEAD_BYTES + (row.requestBody?.length ?? 0) + (row.responseBody?.length ?? 0);
    if (this.buffer.length >= this.bufferRows || this.bufferedBytes + bytes > this.bufferBytes) {
      this.drop(1);
      return;
    }
    this.buffer.push({ json: rowJson(row), bytes });
    this.bufferedBytes += bytes;
    if (this.buffer.length >= this.batchRows) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Records a call of the OCPI client (hub/outbound's observer, which the call awaits before it
   * returns to its caller): the call is only queued here, and made into its row on the next turn of
   * the event loop (one setImmediate for every call of a turn), so building the row (the URL, the
   * object id, kept bodies redacted and serialised) is not on the path of the request waiting for it.
   */
  recordCall(call: RecordedCall): void {
    if (!this.options.enabled) return;
    this.calls.push(call);
    if (this.calls.length === 1) setImmediate(() => this.recordQueuedCalls());
  }

  private recordQueuedCalls(): void {
    const calls = this.calls;
    this.calls = [];
    for (const call of calls) {
      try {
        this.record(this.callRow(call));
      } catch (error) {
        this.log.warn({ err: error }, 'a traffic record could not be made (dropped)');
        this.drop(1);
      }
    }
  }

  private callRow(call: RecordedCall): TrafficRecord {
    const failed = trafficFailed(call);
    const module = call.module ?? 'other';
    const bodies = keepsBodies(this.options.bodies, failed);
    let pathname = call.target;
    try {
      pathname = new URL(call.target).pathname;
    } catch {
      // safeTarget's 'an invalid URL': kept as is
    }
    return {
      at: new Date(Date.now() - call.ms),
      direction: 'out',
      partyUuid: call.party?.id ?? null,
      partner: call.party ? `${call.party.countryCode}/${call.party.partyId}` : null,
      method: call.method,
      module,
      path: call.target,
      objectId: trafficObjectId(pathname, module),
      httpStatus: call.httpStatus ?? null,
      ocpiStatus: call.ocpiStatus ?? null,
      failed,
      error: call.error ? storableText(`${call.error.kind}: ${call.error.message}`.slice(0, 1000)) : null,
      ms: call.ms,
      requestBytes: call.requestBytes ?? 0,
      responseBytes: call.responseBytes ?? 0,
      requestId: call.requestId,
      correlationId: call.correlationId,
      requestHeaders: bodies && call.requestHeaders ? keptHeaders(call.requestHeaders) : null,
      requestBody: bodies ? storedBody(call.requestBody, module, this.options.bodyMaxBytes) : null,
      responseBody: bodies ? storedBody(call.responseBody, module, this.options.bodyMaxBytes) : null,
    };
  }

  /** Writes what the buffer holds (one batch at a time); a failed batch is dropped and counted, never retried. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.batchRows);
    for (const row of batch) this.bufferedBytes -= row.bytes;
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
      if (this.buffer.length >= this.batchRows) void this.flush();
      else if (this.buffer.length > 0 && !this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
        this.timer.unref();
      }
    });
    return this.flushing;
  }

  /** Writes everything still buffered (shutdown, tests). */
  async drain(): Promise<void> {
    this.recordQueuedCalls();
    while (this.buffer.length > 0 || this.flushing) {
      await (this.flushing ?? this.flush());
    }
  }

  async stop(): Promise<void> {
    await this.drain();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Deletes rows older than `retentionMs`, then all but the newest `maxRows` (by id, which grows with
   * time), so the table is bounded by age and by size. Returns how many rows went.
   */
  async prune({ retentionMs, maxRows }: { retentionMs: number; maxRows: number }): Promise<number> {
    const [, byAge] = await this.db.query(`DELETE FROM traffic_records WHERE at < now() - make_interval(secs => $1)`, [retentionMs / 1000]);
    const [, bySize] = await this.db.query(
      `DELETE FROM traffic_records WHERE id <= (SELECT id FROM traffic_records ORDER BY id DESC OFFSET $1 LIMIT 1)`,
      [maxRows],
    );
    return Number(byAge ?? 0) + Number(bySize ?? 0);
  }

  private async write(batch: { json: string }[]): Promise<void> {
    try {
      await this.db.query(INSERT_SQL, [`[${batch.map((row) => row.json).join(',')}]`]);
      metrics.trafficRecorded(batch.length);
    } catch (error) {
      this.drop(batch.length);
      this.log.warn({ err: error, rows: batch.length }, 'traffic records could not be written (dropped)');
    }
  }

  private drop(rows: number): void {
    this.droppedCount += rows;
    metrics.trafficDropped(rows);
  }
}

declare module 'koa' {
  interface DefaultState {
    /** The OCPI status_code of an answer written as text (a page of stored JSON), where `ctx.body` is a string. */
    ocpiStatus?: number;
  }
}

/** The OCPI status_code an answer carries: its body's, or the one a text answer noted beside it. */
export function answeredOcpiStatus(ctx: { body: unknown; state: { ocpiStatus?: number } }): number | undefined {
  if (ctx.state.ocpiStatus !== undefined) return ctx.state.ocpiStatus;
  const body = ctx.body as { status_code?: unknown } | null | undefined;
  const code = body && typeof body === 'object' ? body.status_code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Records each `/ocpi` request when its response is finished (the response size is then known: koa
 * sets Content-Length when it serialises the body). Nothing here waits: the row goes to the buffer.
 */
export function recordInboundTraffic(recorder: TrafficRecorder): Middleware {
  return async (ctx, next) => {
    if (!recorder.enabled || !ctx.path.startsWith('/ocpi')) return next();
    const startedAt = Date.now();
    const started = process.hrtime.bigint();
    const res = ctx.res;
    res.once('close', () => {
      try {
        const ocpiStatus = answeredOcpiStatus(ctx) ?? null;
        const module = ocpiModuleOf(ctx.path);
        const failed = !res.writableFinished || trafficFailed({ httpStatus: ctx.status, ocpiStatus });
        const bodies = keepsBodies(recorder.options.bodies, failed);
        const party = (ctx.state.caller as { party?: RecordedParty } | undefined)?.party;
        recorder.record({
          at: new Date(startedAt),
          direction: 'in',
          partyUuid: party?.id ?? null,
          partner: party ? `${party.countryCode}/${party.partyId}` : null,
          method: ctx.method,
          module,
          path: ctx.path.slice(0, 2000),
          objectId: trafficObjectId(ctx.path, module),
          httpStatus: ctx.status,
          ocpiStatus,
          failed,
          error: res.writableFinished ? null : 'the connection closed before the response was sent',
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          requestBytes: Number(ctx.get('content-length')) || 0,
          responseBytes: Number(res.getHeader('content-length')) || 0,
          requestId: ctx.state.requestId ?? null,
          correlationId: ctx.state.correlationId ?? null,
          requestHeaders: bodies ? keptHeaders(ctx.headers) : null,
          requestBody: bodies ? storedBody(ctx.request.body, module, recorder.options.bodyMaxBytes) : null,
          responseBody: bodies ? storedBody(ctx.body, module, recorder.options.bodyMaxBytes) : null,
        });
      } catch {
        // A record is never worth a failed response (the response is already gone here anyway).
      }
    });
    await next();
  };
}
