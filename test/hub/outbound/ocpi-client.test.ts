import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextLink, OcpiCallError, OcpiClient } from '../../../src/hub/outbound/ocpi-client';
import { OutboundGuard } from '../../../src/hub/outbound/outbound-guard';

type Handler = (path: string, headers: Record<string, unknown>) => { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

describe('OcpiClient', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const client = new OcpiClient(300, new OutboundGuard({ allowPrivate: true })); // the server is on 127.0.0.1

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = handler(req.url ?? '/', req.headers);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const ok = (data: unknown) => ({ status: 200, body: { data, status_code: 1000, timestamp: new Date().toISOString() } });

  it('sends the token in the peer form, a new request id and the given correlation id', async () => {
    let seen: Record<string, unknown> = {};
    handler = (_p, headers) => ((seen = headers), ok({ a: 1 }));
    const reply = await client.request({ method: 'GET', url: `${base}/x`, token: 'tok', encoding: 'raw', correlationId: 'corr-1', headers: { 'OCPI-to-party-id': 'ABC' } });
    expect(reply.data).toEqual({ a: 1 });
    expect(seen).toMatchObject({ authorization: 'Token tok', 'x-correlation-id': 'corr-1', 'ocpi-to-party-id': 'ABC' });
    expect(seen['x-request-id']).toBe(reply.requestId);
  });

  it('classifies failures: HTTP without envelope, OCPI error status, timeouts, refused connections', async () => {
    handler = () => ({ status: 502, body: '<html>bad gateway</html>' });
    await expect(client.request({ method: 'GET', url: `${base}/x`, token: 't', encoding: 'base64' })).rejects.toMatchObject({ kind: 'http', httpStatus: 502 });
    handler = () => ({ status: 200, body: { hello: 'world' } });
    await expect(client.request({ method: 'GET', url: `${base}/x`, token: 't', encoding: 'base64' })).rejects.toMatchObject({ kind: 'envelope' });
    handler = () => ({ status: 200, body: { status_code: 2001, status_message: 'missing field', timestamp: 'now' } });
    const error = await client.request({ method: 'GET', url: `${base}/x`, token: 't', encoding: 'base64' }).catch((e) => e);
    expect(error).toBeInstanceOf(OcpiCallError);
    expect(error).toMatchObject({ kind: 'status', statusCode: 2001 });
    expect(error.message).toMatch(/OCPI 2001: missing field/);
    handler = () => 'hang';
    await expect(client.request({ method: 'GET', url: `${base}/x`, token: 't', encoding: 'base64' })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(client.request({ method: 'GET', url: 'http://127.0.0.1:1/x', token: 't', encoding: 'base64' })).rejects.toMatchObject({ kind: 'network' });
  });

  it('does not follow redirects (the token must not travel to another host)', async () => {
    handler = () => ({ status: 302, body: '', headers: { Location: 'http://127.0.0.1:1/elsewhere' } });
    await expect(client.request({ method: 'GET', url: `${base}/x`, token: 't', encoding: 'base64' })).rejects.toMatchObject({ kind: 'http', httpStatus: 302 });
  });

  it('walks every page by following Link rel="next"', async () => {
    handler = (path) => {
      const offset = Number(new URL(path, base).searchParams.get('offset') ?? 0);
      const items = [offset + 1, offset + 2];
      const more = offset + 2 < 6;
      const headers: Record<string, string> = more ? { Link: `<${base}/list?offset=${offset + 2}&limit=2>; rel="next"` } : {};
      return { ...ok(items), headers };
    };
    expect(await client.getAll({ url: `${base}/list`, token: 't', encoding: 'base64' })).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('parses Link headers', () => {
    expect(nextLink('<https://a/b?offset=2>; rel="next"')).toBe('https://a/b?offset=2');
    expect(nextLink('<https://a/p>; rel="prev", <https://a/n>; rel=next')).toBe('https://a/n');
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink('<https://a/p>; rel="prev"')).toBeUndefined();
  });
});
