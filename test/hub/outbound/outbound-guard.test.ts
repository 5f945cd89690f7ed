import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OcpiCallError, OcpiClient } from '../../../src/hub/outbound/ocpi-client';
import { OutboundGuard, type ResolveAll } from '../../../src/hub/outbound/outbound-guard';

/** A resolver for made-up names: each name answers the next address of its list on every lookup. */
function fakeDns(names: Record<string, string[]>): ResolveAll & { lookups: string[] } {
  const asked = new Map<string, number>();
  const lookups: string[] = [];
  const resolve: ResolveAll = (hostname, _options, callback) => {
    const answers = names[hostname];
    if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const n = asked.get(hostname) ?? 0;
    asked.set(hostname, n + 1);
    lookups.push(hostname);
    const address = answers[Math.min(n, answers.length - 1)];
    setImmediate(() => callback(null, [{ address, family: address.includes(':') ? 6 : 4 } as LookupAddress]));
  };
  return Object.assign(resolve, { lookups });
}

describe('the outbound guard on the OCPI client (real servers)', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: 'hello', status_code: 1000, timestamp: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => received.splice(0));

  const get = (client: OcpiClient, url: string) => client.request({ method: 'GET', url, token: 'secret-token-1', encoding: 'base64' });
  const refusal = (promise: Promise<unknown>) => promise.then(() => 'called', (error: OcpiCallError) => error);

  it('refuses a partner on 127.0.0.1 when the guard is on, by address and by name, and never connects', async () => {
    const guarded = new OcpiClient(1000, new OutboundGuard({}));
    const byAddress = await refusal(get(guarded, `http://127.0.0.1:${port}/ocpi/versions`));
    expect(byAddress).toBeInstanceOf(OcpiCallError);
    expect(byAddress).toMatchObject({
      kind: 'refused',
      message: `GET http://127.0.0.1:${port}/ocpi/versions is refused: 127.0.0.1 is a loopback address; allowed only with OUTBOUND_ALLOW_PRIVATE=true (tests, local demos) or in OUTBOUND_ALLOW`,
    });
    const byName = await refusal(get(guarded, `http://localhost:${port}/ocpi/versions`));
    expect(byName).toMatchObject({ kind: 'refused', message: expect.stringMatching(/is refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/) });
    const ipv6 = await refusal(get(guarded, `http://[::ffff:127.0.0.1]:${port}/x`));
    expect(ipv6).toMatchObject({ kind: 'refused' });
    const decimal = await refusal(get(guarded, `http://2130706433:${port}/x`)); // 127.0.0.1 spelled as one number
    expect(decimal).toMatchObject({ kind: 'refused', message: expect.stringContaining('127.0.0.1 is a loopback address') });
    await expect(guarded.assertCallable(`http://localhost:${port}/x`)).rejects.toMatchObject({ kind: 'refused' });
    expect(received).toEqual([]);
  });

  it('allows it with OUTBOUND_ALLOW_PRIVATE (test mode) or an OUTBOUND_ALLOW range', async () => {
    const testMode = new OcpiClient(1000, new OutboundGuard({ allowPrivate: true }));
    expect((await get(testMode, `http://127.0.0.1:${port}/a`)).data).toBe('hello');
    expect((await get(testMode, `http://localhost:${port}/b`)).data).toBe('hello');
    await expect(testMode.assertCallable(`http://localhost:${port}/b`)).resolves.toBeUndefined();
    const allowListed = new OcpiClient(1000, new OutboundGuard({ allow: ['127.0.0.0/8', '::1'] }));
    expect((await get(allowListed, `http://localhost:${port}/c`)).data).toBe('hello');
    expect(received).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });

  it('refuses 169.254.169.254 (cloud metadata) even in test mode, unless it is listed in OUTBOUND_ALLOW', async () => {
    const dns = fakeDns({ 'metadata.internal.test': ['169.254.169.254'] });
    const testMode = new OcpiClient(300, new OutboundGuard({ allowPrivate: true, resolveAll: dns }));
    expect(await refusal(get(testMode, 'http://169.254.169.254/latest/meta-data/'))).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('169.254.169.254 is a link-local address (169.254.0.0/16, where cloud metadata services answer); allowed only when listed in OUTBOUND_ALLOW'),
    });
    expect(await refusal(get(testMode, 'http://metadata.internal.test/latest/meta-data/'))).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('metadata.internal.test resolves to 169.254.169.254 is a link-local address'),
    });
    await expect(testMode.assertCallable('http://metadata.internal.test/')).rejects.toMatchObject({ kind: 'refused' });
    // Listed explicitly, the guard lets the call go (it then fails on the network or times out here).
    const allowed = new OcpiClient(300, new OutboundGuard({ allowPrivate: true, allow: ['169.254.169.254/32'] }));
    const outcome = await refusal(get(allowed, 'http://169.254.169.254/latest/meta-data/'));
    expect(outcome).toBeInstanceOf(OcpiCallError);
    expect((outcome as OcpiCallError).kind).not.toBe('refused');
  });

  it('connects to the address it checked: a name that rebinds to 127.0.0.1 after the check is refused at connect', async () => {
    // First answer public (the registration-time check passes), then loopback (what an attacker's DNS
    // would answer when the hub connects).
    const dns = fakeDns({ 'rebind.attacker.test': ['93.184.216.34', '127.0.0.1'] });
    const client = new OcpiClient(1000, new OutboundGuard({ resolveAll: dns }));
    await expect(client.assertCallable(`http://rebind.attacker.test:${port}/ocpi/versions`)).resolves.toBeUndefined();
    expect(await refusal(get(client, `http://rebind.attacker.test:${port}/ocpi/versions`))).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('rebind.attacker.test resolves to 127.0.0.1 is a loopback address'),
    });
    expect(dns.lookups).toEqual(['rebind.attacker.test', 'rebind.attacker.test']);
    expect(received).toEqual([]);
  });

  it('the socket uses the checked answer: a made-up name mapped to 127.0.0.1 reaches the local server in test mode', async () => {
    const dns = fakeDns({ 'partner.example.test': ['127.0.0.1'] });
    const client = new OcpiClient(1000, new OutboundGuard({ allowPrivate: true, resolveAll: dns }));
    expect((await get(client, `http://partner.example.test:${port}/ocpi/versions`)).data).toBe('hello');
    expect(received).toEqual(['GET /ocpi/versions']);
  });

  it('calls only http and https URLs, and ignores proxies from the environment', async () => {
    const client = new OcpiClient(1000, new OutboundGuard({ allowPrivate: true }));
    expect(await refusal(get(client, 'file:///etc/passwd'))).toMatchObject({ kind: 'refused', message: expect.stringContaining('file: URLs are not called') });
    expect(await refusal(get(client, 'gopher://127.0.0.1:25/x'))).toMatchObject({ kind: 'refused' });
    const proxied: string[] = [];
    const proxy = createServer((req, res) => {
      proxied.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      expect((await get(client, `http://127.0.0.1:${port}/direct`)).data).toBe('hello');
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      await new Promise((resolve) => proxy.close(resolve));
    }
    expect(proxied).toEqual([]);
    expect(received).toEqual(['GET /direct']);
  });
});
