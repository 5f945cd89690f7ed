import type { DataSource } from 'typeorm';
import pino from 'pino';
import { TrafficRecorder, type TrafficRecord } from '../../src/http/traffic-recorder';
import type { NewDelivery } from '../../src/hub/routing/outbox';
import { startNetwork, type TestNetwork, waitFor } from '../support/network';

type Row = Record<string, any>;

describe('the traffic recorder, in a hub with real partners (TRAFFIC_BODIES=all)', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({
      cpos: ['NL/TRC'],
      emsps: ['NL/TRE'],
      agreements: 'all',
      hub: { env: { OUTBOX_MAX_ATTEMPTS: '1', TRAFFIC_BODIES: 'all', TRAFFIC_BODY_MAX_BYTES: '4096' } },
    });
  });
  afterAll(() => net.close());

  const db = () => net.hub.services.db;
  const traffic = () => net.hub.services.traffic;
  const rows = async (where: string, params: unknown[] = []): Promise<Row[]> => {
    await traffic().drain();
    return db().query(`SELECT * FROM traffic_records WHERE ${where} ORDER BY id`, params);
  };
  const put = (objectKey: string): NewDelivery => ({
    partyUuid: net.parties.TRE.id,
    module: 'locations',
    interfaceRole: 'RECEIVER',
    method: 'PUT',
    path: `/NL/TRC/${objectKey}`,
    body: { id: objectKey },
    objectKey,
    objectVersion: 'v1',
  });

  it('records a request from a partner with its partner, module, object, HTTP and OCPI status, sizes and ids', async () => {
    const refused = await net.parties.TRC.ocpi.put('/receiver/locations/NL/TRC/LOC1', { id: 'LOC1' }, { headers: { 'X-Request-ID': 'trc-in-1', 'X-Correlation-ID': 'trc-corr-1' } });
    expect(refused.data.status_code).toBe(2001);
    const [row] = await waitFor(async () => {
      const found = await rows(`request_id = 'trc-in-1'`);
      return found.length > 0 && found;
    }, 'the inbound record');
    expect(row).toMatchObject({
      direction: 'in',
      partner: 'NL/TRC',
      party_uuid: net.parties.TRC.id,
      method: 'PUT',
      module: 'locations',
      path: '/ocpi/2.2.1/receiver/locations/NL/TRC/LOC1',
      object_id: 'NL/TRC/LOC1',
      http_status: 200,
      ocpi_status: 2001,
      failed: true,
      correlation_id: 'trc-corr-1',
    });
    expect(row.ms).toBeGreaterThan(0);
    expect(row.request_bytes).toBe(Buffer.byteLength(JSON.stringify({ id: 'LOC1' })));
    expect(row.response_bytes).toBe(Buffer.byteLength(JSON.stringify(refused.data)));
    expect(JSON.parse(row.request_body)).toEqual({ id: 'LOC1' });
    expect(JSON.parse(row.response_body).status_code).toBe(2001);
    expect(row.request_headers).toMatchObject({ authorization: 'Token [redacted]', 'x-request-id': 'trc-in-1', 'ocpi-from-party-id': 'TRC' });
  });

  it('records a call to a partner like an incoming one, with the X-Request-ID the partner got', async () => {
    const { TRE } = net.parties;
    await net.hub.services.outbox.enqueue([put('OUT1')]);
    const received = await waitFor(() => TRE.partner.received('PUT', '/ocpi/2.2.1/locations/NL/TRC/OUT1')[0], 'the delivery');
    const [row] = await waitFor(async () => {
      const found = await rows(`request_id = $1`, [received.headers['x-request-id']]);
      return found.length > 0 && found;
    }, 'the outbound record');
    expect(row).toMatchObject({
      direction: 'out',
      partner: 'NL/TRE',
      party_uuid: TRE.id,
      method: 'PUT',
      module: 'locations',
      path: `${TRE.partner.url}/ocpi/2.2.1/locations/NL/TRC/OUT1`,
      object_id: 'NL/TRC/OUT1',
      http_status: 200,
      ocpi_status: 1000,
      failed: false,
      error: null,
    });
    expect(row.request_bytes).toBe(Buffer.byteLength(JSON.stringify({ id: 'OUT1' })));
    expect(row.response_bytes).toBeGreaterThan(0);
    expect(row.request_headers).toMatchObject({ authorization: 'Token [redacted]', 'x-request-id': received.headers['x-request-id'] });
  });

  it('keeps no token anywhere: not the handshake bodies, not the Authorization headers either way', async () => {
    const { TRC, TRE } = net.parties;
    // The hub's token B for calling TRE, as TRE's server received it; the tokens C the partners use.
    const tokenB = Buffer.from(TRE.partner.received('PUT', '/ocpi/2.2.1/locations')[0].headers.authorization!.replace(/^Token /, ''), 'base64').toString();
    const secrets = [TRC.token, TRE.token, tokenB].flatMap((t) => [t, Buffer.from(t).toString('base64')]);
    expect(tokenB.length).toBeGreaterThan(10);
    await traffic().drain();
    const all: { text: string }[] = await db().query(`SELECT t::text AS text FROM traffic_records t`);
    const handshakes = await rows(`module = 'credentials' AND direction = 'in' AND method = 'POST'`);
    expect(handshakes.length).toBeGreaterThanOrEqual(2);
    // The token A the partner sent and the token C the hub answered are both in these bodies, redacted.
    expect(JSON.parse(handshakes[0].request_body).token).toBe('[redacted]');
    expect(JSON.parse(handshakes[0].response_body).data.token).toBe('[redacted]');
    for (const secret of secrets) expect(all.filter((r) => r.text.includes(secret))).toEqual([]);
  });

  it('answers the admin API: filters, keyset pages, one record with bodies, per-partner stats', async () => {
    for (let i = 0; i < 5; i++) await net.parties.TRC.ocpi.get('/sender/tokens', { headers: { 'X-Request-ID': `trc-page-${i}` } });
    await traffic().drain();
    const first = await net.hub.admin.get('/admin/traffic', { params: { partner: 'NL/TRC', direction: 'in', limit: 3 } });
    expect(first.status).toBe(200);
    expect(first.data.records).toHaveLength(3);
    expect(first.data.records.every((r: Row) => r.partner === 'NL/TRC' && r.direction === 'in')).toBe(true);
    expect(first.data.next_cursor).toBe(first.data.records[2].id);
    // A new request between pages does not shift the next page.
    await net.parties.TRC.ocpi.get('/sender/tokens');
    await traffic().drain();
    const second = await net.hub.admin.get('/admin/traffic', { params: { partner: 'NL/TRC', direction: 'in', limit: 3, cursor: first.data.next_cursor } });
    expect(Number(second.data.records[0].id)).toBeLessThan(Number(first.data.records[2].id));

    const refusals = await net.hub.admin.get('/admin/traffic', { params: { status: 2001 } });
    expect(refusals.data.records.map((r: Row) => r.request_id)).toEqual(['trc-in-1']);
    const byId = await net.hub.admin.get('/admin/traffic', { params: { request_id: 'trc-corr-1' } });
    expect(byId.data.records).toHaveLength(1);
    const errors = await net.hub.admin.get('/admin/traffic', { params: { status: 'error', module: 'locations' } });
    expect(errors.data.records.length).toBeGreaterThan(0);
    expect(errors.data.records.every((r: Row) => r.failed)).toBe(true);

    const one = await net.hub.admin.get(`/admin/traffic/${byId.data.records[0].id}`);
    expect(one.status).toBe(200);
    expect(one.data).toMatchObject({ bodies_kept: true, ocpi_status: 2001, request_headers: { authorization: 'Token [redacted]' } });
    expect(JSON.parse(one.data.request_body)).toEqual({ id: 'LOC1' });
    expect((await net.hub.admin.get('/admin/traffic/999999999')).status).toBe(404);
    expect((await net.hub.admin.get('/admin/traffic/abc')).status).toBe(404);
    expect((await net.hub.admin.get('/admin/traffic', { params: { partner: 'nl-x' } })).status).toBe(400);
    expect((await net.hub.admin.get('/admin/traffic', { params: { cursor: '99999999999999999999' } })).status).toBe(400);
    expect((await net.hub.admin.get('/admin/traffic', { params: { request_id: 'a\u0000b' } })).status).toBe(400);
    expect((await net.hub.admin.get('/admin/traffic', { params: { from: 'yesterday' } })).status).toBe(400);
    expect((await net.hub.admin.get('/admin/traffic/99999999999999999999')).status).toBe(404);

    const stats = await net.hub.admin.get('/admin/traffic/stats', { params: { bucket: '1m' } });
    expect(stats.status).toBe(200);
    expect(stats.data.bucket_seconds).toBe(60);
    const trc = stats.data.partners.find((p: Row) => p.partner === 'NL/TRC');
    const [{ n, failed, p95 }] = await db().query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE failed)::int AS failed, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
         FROM traffic_records WHERE partner = 'NL/TRC'`,
    );
    expect(trc.totals).toMatchObject({ requests: n, errors: failed });
    expect(trc.totals.error_rate).toBeCloseTo(failed / n);
    expect(trc.totals.p95_ms).toBeCloseTo(p95);
    expect(trc.totals.p50_ms).toBeLessThanOrEqual(trc.totals.p95_ms);
    expect(trc.totals.p95_ms).toBeLessThanOrEqual(trc.totals.p99_ms);
    expect(trc.buckets.reduce((sum: number, b: Row) => sum + b.requests, 0)).toBe(n);
    const only = await net.hub.admin.get('/admin/traffic/stats', { params: { partner: 'NL/TRE', direction: 'out' } });
    expect(only.data.partners.map((p: Row) => p.partner)).toEqual(['NL/TRE']);
    expect((await net.hub.admin.get('/admin/traffic/stats', { params: { bucket: '1m', from: '2020-01-01T00:00:00Z' } })).status).toBe(400);
  });

  it('prunes by age and then by row count', async () => {
    await traffic().drain();
    await db().query(`
      INSERT INTO traffic_records (at, direction, method, module, path, failed, ms, request_bytes, response_bytes)
      SELECT now() - interval '10 days', 'in', 'GET', 'locations', '/old', false, 1, 0, 0 FROM generate_series(1, 30)`);
    const [{ before }] = await db().query(`SELECT count(*)::int AS before FROM traffic_records`);
    const removed = await traffic().prune({ retentionMs: 7 * 24 * 3_600_000, maxRows: 10_000_000 });
    expect(removed).toBe(30);
    const newest: { id: string }[] = await db().query(`SELECT id FROM traffic_records ORDER BY id DESC LIMIT 5`);
    expect(await traffic().prune({ retentionMs: 7 * 24 * 3_600_000, maxRows: 5 })).toBe(before - 30 - 5);
    expect((await db().query(`SELECT id FROM traffic_records ORDER BY id DESC`)).map((r: { id: string }) => r.id)).toEqual(newest.map((r) => r.id));
  });
});

describe('the traffic recorder buffer', () => {
  const silent = pino({ level: 'silent' });
  /** A database whose batch INSERTs go to `insert` (the recorder writes each batch in a transaction of its own). */
  const fakeDb = (insert: (params: string[]) => Promise<void>) =>
    ({
      query: async (sql: string, params: string[]) => (/\bINSERT INTO traffic_records\b/.test(sql) ? insert(params) : undefined),
    }) as unknown as DataSource;
  const row = (i: number): TrafficRecord => ({
    at: new Date(), direction: 'in', partyUuid: null, partner: 'NL/BUF', method: 'GET', module: 'locations', path: `/ocpi/x/${i}`,
    objectId: null, httpStatus: 200, ocpiStatus: 1000, failed: false, error: null, ms: 1, requestBytes: 0, responseBytes: 0,
    requestId: `buf-${i}`, correlationId: null, requestHeaders: null, requestBody: null, responseBody: null,
  });

  it('drops and counts rows beyond its bound while the database does not answer, and never throws or waits', async () => {
    let release!: () => void;
    const inserts: string[][] = [];
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const db = fakeDb(async (params) => {
      inserts.push(params);
      await hanging;
    });
    const recorder = new TrafficRecorder(db, silent, { enabled: true, bodies: 'off', bodyMaxBytes: 1000, batchRows: 4, bufferRows: 10, flushIntervalMs: 5 });
    const started = process.hrtime.bigint();
    for (let i = 0; i < 30; i++) expect(recorder.record(row(i))).toBeUndefined();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    // One batch of 4 is being written (hanging); 10 wait in memory; the other 16 were dropped.
    expect(recorder.pending).toBe(10);
    expect(recorder.dropped).toBe(16);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(inserts).toHaveLength(1); // still hanging: no second batch meanwhile
    expect(recorder.pending).toBe(10);
    release();
    await recorder.drain();
    const written = inserts.reduce((sum, params) => sum + (JSON.parse(params[0]) as unknown[]).length, 0);
    expect(written).toBe(14);
    expect(recorder.dropped).toBe(16);
  });

  it('is bounded in bytes too: rows with large kept bodies are dropped before memory fills', async () => {
    const recorder = new TrafficRecorder(fakeDb(async () => undefined), silent, { enabled: true, bodies: 'all', bodyMaxBytes: 100_000, bufferBytes: 50_000, flushIntervalMs: 60_000 });
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 5; i++) recorder.record({ ...row(i), requestBody: big });
    expect(recorder.pending).toBe(2);
    expect(recorder.dropped).toBe(3);
    recorder.record(row(9)); // a small row still fits
    expect(recorder.pending).toBe(3);
    await recorder.drain();
    for (let i = 0; i < 2; i++) recorder.record({ ...row(i), requestBody: big }); // written rows free their bytes
    expect(recorder.pending).toBe(2);
    await recorder.stop();
  });

  it('drops and counts a batch the database refuses, and goes on', async () => {
    let fail = true;
    const db = fakeDb(async () => {
      if (fail) throw new Error('connection refused');
    });
    const recorder = new TrafficRecorder(db, silent, { enabled: true, bodies: 'off', bodyMaxBytes: 1000, batchRows: 100, flushIntervalMs: 1 });
    for (let i = 0; i < 3; i++) recorder.record(row(i));
    await recorder.drain();
    expect(recorder.dropped).toBe(3);
    fail = false;
    recorder.record(row(4));
    await recorder.drain();
    expect(recorder.dropped).toBe(3);
  });

  it('keeps bodies by TRAFFIC_BODIES: off none, errors of failed calls only, all', async () => {
    const kept = async (bodies: 'off' | 'errors' | 'all') => {
      const captured: TrafficRecord[] = [];
      const recorder = new TrafficRecorder({} as DataSource, silent, { enabled: true, bodies, bodyMaxBytes: 1000 });
      recorder.record = (r) => void captured.push(r);
      const call = { method: 'PUT', target: 'http://p/ocpi/2.2.1/credentials', module: 'credentials', requestId: 'r', correlationId: 'c', ms: 2,
        requestHeaders: { Authorization: 'Token [redacted]', 'X-Request-ID': 'r' }, requestBody: { token: 'tok-B', url: 'http://p' } };
      recorder.recordCall({ ...call, httpStatus: 200, ocpiStatus: 1000, responseBody: { status_code: 1000, data: { token: 'tok-C' } } });
      recorder.recordCall({ ...call, error: { kind: 'network', message: 'ECONNREFUSED' } });
      expect(captured).toEqual([]); // made into rows on the next turn of the event loop, off the call's path
      await new Promise((resolve) => setImmediate(resolve));
      return captured.map((r) => [r.requestBody, r.responseBody, r.requestHeaders?.authorization ?? null]);
    };
    expect(await kept('off')).toEqual([[null, null, null], [null, null, null]]);
    expect(await kept('errors')).toEqual([[null, null, null], ['{"token":"[redacted]","url":"http://p"}', null, 'Token [redacted]']]);
    expect((await kept('all'))[0]).toEqual(['{"token":"[redacted]","url":"http://p"}', '{"status_code":1000,"data":{"token":"[redacted]"}}', 'Token [redacted]']);
  });

  it('records nothing when off', async () => {
    const insert = jest.fn(async () => undefined);
    const recorder = new TrafficRecorder(fakeDb(insert), silent, { enabled: false, bodies: 'all', bodyMaxBytes: 1000, flushIntervalMs: 1 });
    recorder.record(row(1));
    await recorder.drain();
    expect(insert).not.toHaveBeenCalled();
    expect(recorder.pending).toBe(0);
  });
});
