/**
 * The baseline of bench:ocpp, in a process of its own: a bare ocpp-rpc RPCServer with the hub's
 * options (strict mode, the same subprotocols, ping settings and frame limit) whose handlers answer
 * the same messages at once, with no I/O and no password check.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import { serveServerQueries } from './ocpp-server-queries';

const PROTOCOLS = ['ocpp2.0.1', 'ocpp1.6'];
let transactionIds = 0;
let connected = 0;

const rpc = new RPCServer({
  protocols: PROTOCOLS,
  strictMode: true,
  pingIntervalMs: 600_000,
  deferPingsOnActivity: true,
  maxBadMessages: 10,
  respondWithDetailedErrors: false,
  wssOptions: { maxPayload: 4 * 1024 * 1024 },
});
rpc.auth((accept, reject, handshake) => {
  const protocol = PROTOCOLS.find((p) => handshake.protocols.has(p));
  if (!protocol) return reject(400, 'no common subprotocol');
  accept({ chargerId: handshake.identity }, protocol);
});
rpc.on('client', (client: RPCServerClient) => {
  connected++;
  client.once('close', () => connected--);
  const now = () => new Date().toISOString();
  client.handle('BootNotification', async () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
  client.handle('Heartbeat', async () => ({ currentTime: now() }));
  client.handle('StatusNotification', async () => ({}));
  client.handle('Authorize', async () => ({ idTagInfo: { status: 'Accepted', expiryDate: now() } }));
  client.handle('StartTransaction', async () => ({ transactionId: ++transactionIds, idTagInfo: { status: 'Accepted', expiryDate: now() } }));
  client.handle('MeterValues', async () => ({}));
  client.handle('StopTransaction', async () => ({}));
});

const server = createServer();
server.on('upgrade', rpc.handleUpgrade);
server.listen(0, '127.0.0.1', () => {
  serveServerQueries(() => connected);
  process.send!({ ready: true, ocppUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ocpp` });
});
process.on('disconnect', () => process.exit(0));
