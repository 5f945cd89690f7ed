/**
 * A minimal eMSP tokens Sender for bench:ocpi's authorization phase, in a process of its own so the
 * hub's forwarded calls are not answered from the load generator's busy event loop. Prints its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = (token: string) =>
  JSON.stringify({ data: { allowed: 'ALLOWED', token: { uid: token } }, status_code: 1000, timestamp: new Date().toISOString() });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const uid = decodeURIComponent((req.url ?? '').split('/').at(-2) ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-ID': String(req.headers['x-request-id'] ?? '') });
    res.end(answer(uid));
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
