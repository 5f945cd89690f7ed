import { type IncomingMessage, type Server as HttpServer, STATUS_CODES } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRPCError, RPCError, RPCServer } from 'ocpp-rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import type { Logger } from 'pino';
import type { RateLimit } from '../../core/rate-limit/token-buckets';
import { ChargerCallLimit, FLOOD_CLOSE } from './charger-rate-limit';
import { CHARGER_ID, type ChargersService, OCPP_PROTOCOLS, type OcppProtocol } from '../chargers/chargers.service';
import { inOwnWords, overlongCallId, overlongIdError } from './ocpp-call-errors';
import { verifiedClientCertificate } from './ocpp-tls';
import { ocpp21Validator } from './ocpp21-schemas';
import { metrics } from '../../foundation/metrics';

/** Charge points connect to `ws(s)://<hub>/ocpp/<charge point id>`. */
export const OCPP_PATH = '/ocpp';

/**
 * Answers one action a charger called: a plain function from the charger id and the call's params
 * (already checked against the protocol's schema) to the response payload. It never touches the
 * socket; throwing an `RPCError` answers a CALLERROR. (`never` params: any handler's request type.)
 */
export type ChargerCallHandler = (call: { chargerId: string; protocol: OcppProtocol; params: never }) => Promise<unknown>;

/** The actions one protocol version answers, by name; others are answered NotImplemented. */
export type ChargerCallHandlers = Record<string, ChargerCallHandler>;

/** Why the hub closes a charger's connection (4000–4999 are the application's own WebSocket close codes). */
const CLOSE = {
  replaced: { code: 4000, reason: 'Replaced by a newer connection of this charge point' },
  removed: { code: 4001, reason: 'Charge point removed from the hub' },
  shutdown: { code: 1001, reason: 'Hub shutting down' },
};

/** How long a shutdown waits for chargers to complete the close handshake. */
const SHUTDOWN_GRACE_MS = 2000;

/** How long a shutdown waits for the calls chargers made before it to be answered (written first). */
const IN_FLIGHT_GRACE_MS = 15_000;

/** A charger that sends this many malformed messages in a row is disconnected. */
const MAX_BAD_MESSAGES = 10;

/** The largest OCPP message taken (ws would take 100 MiB); 2.0.1 device model reports are the big ones. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface OcppServerOptions {
  chargers: ChargersService;
  /** The handler table of each protocol version (given by the wiring: the wire knows no action's meaning). */
  handlers: Record<OcppProtocol, ChargerCallHandlers>;
  log: Logger;
  /** Names this hub instance in `chargers.connected_instance`. */
  instanceId: string;
  pingIntervalMs: number;
  /** Calls per charge point (token bucket); a rate of 0, or none, turns the limit off. */
  callRateLimit?: RateLimit;
  /** Whether the hub's CA revoked the client certificate with this serial (security profile 3). */
  revokedCertificate?: (serial: string) => Promise<boolean>;
}

interface Connection {
  client: RPCServerClient;
  protocol: OcppProtocol;
  since: Date;
}

/** The charge point id in `/ocpp/<id>`, or undefined when the path is not a charger's. */
function chargerIdOf(url: string | undefined): string | undefined {
  try {
    const match = /^\/ocpp\/([^/]+)$/.exec(new URL(url ?? '/', 'http://hub').pathname);
    const id = match ? decodeURIComponent(match[1]) : undefined;
    return id !== undefined && CHARGER_ID.test(id) ? id : undefined;
  } catch {
    return undefined; // an unparsable URL or malformed percent-encoding (thrown here, it would end the process)
  }
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.once('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * At the OCPP edge, before ocpp-rpc reads a frame and after it writes one: a CALL whose message id is
 * longer than OCPP-J allows is refused (ocpp-rpc takes any string), and every CALLERROR goes out with
 * a code the charger's version defines, in its spelling (src/ocpp/ocpp-call-errors.ts). ocpp-rpc
 * reads frames through `_onMessage` and writes them all through `sendRaw`.
 */
function speakItsVersion(client: RPCServerClient, protocol: OcppProtocol, malformed: (reason: string) => void): void {
  const raw = client as unknown as { _onMessage(buffer: Buffer): void; sendRaw(frame: string): void };
  const send = raw.sendRaw.bind(client);
  raw.sendRaw = (frame: string) => send(inOwnWords(protocol, frame));
  const read = raw._onMessage.bind(client);
  raw._onMessage = (buffer: Buffer) => {
    const id = overlongCallId(buffer.toString('utf8'));
    if (id === undefined) return read(buffer);
    malformed(`message id of ${id.length} characters`);
    raw.sendRaw(overlongIdError(protocol, id));
  };
}

/**
 * The hub's OCPP-J endpoint for its own charge points, over ocpp-rpc: security profile 1 (Basic auth,
 * username = charge point id), OCPP 1.6 and 2.0.1 with strict schema validation both ways, one live
 * connection per charger (the newest wins), and the per-version handlers wired to each connection.
 * It owns the sockets; handlers and the chargers service never see one.
 */
export class OcppServer {
  private readonly rpc: RPCServer;
  private readonly connections = new Map<string, Connection>();
  /** Connection bookkeeping per charger, written in order: a connection's end never overtakes its start. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly replacingElsewhere: ((chargerId: string, instance: string, since: Date) => void)[] = [];
  private readonly connectedListeners: ((chargerId: string, protocol: OcppProtocol) => Promise<void>)[] = [];
  private readonly callLimit: ChargerCallLimit;
  /** Chargers' calls being handled: a shutdown answers them (their writes done) before the database closes. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: OcppServerOptions) {
    this.callLimit = new ChargerCallLimit(options.callRateLimit ?? { ratePerSecond: 0, burst: 1 });
    this.rpc = new RPCServer({
      protocols: [...OCPP_PROTOCOLS],
      strictMode: true,
      // ocpp-rpc's own 2.1 validator cannot find its schemas (ocpp21-schemas.ts).
      strictModeValidators: [ocpp21Validator()],
      // Many chargers never answer WebSocket pings. With pings deferred on activity, a charger that
      // sends anything (a Heartbeat) more often than the interval is never pinged at all.
      pingIntervalMs: options.pingIntervalMs,
      deferPingsOnActivity: true,
      maxBadMessages: MAX_BAD_MESSAGES,
      respondWithDetailedErrors: false,
      wssOptions: { maxPayload: MAX_MESSAGE_BYTES },
    });
    this.rpc.auth((accept, reject, handshake) => void this.authenticate(accept, reject, handshake.identity, handshake.protocols, handshake.password, handshake.request));
    this.rpc.on('client', (client: RPCServerClient) => this.onClient(client));
    this.rpc.on('upgradeAborted', ({ error, identity }: { error: Error; identity: string }) =>
      options.log.debug({ charger: identity, reason: error?.message }, 'OCPP connection refused'),
    );
    this.rpc.on('error', (error: Error) => options.log.error({ err: error }, 'the OCPP WebSocket server failed'));
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** The `upgrade` listener of an HTTP(S) server: charger paths go to ocpp-rpc, anything else is refused. */
  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (chargerIdOf(request.url) === undefined) {
      refuseUpgrade(socket, 404, `Charge points connect to ${OCPP_PATH}/<charge point id>`);
      return;
    }
    this.rpc.handleUpgrade(request, socket as Socket, head).catch((error: Error) => {
      this.options.log.warn({ err: error }, 'an OCPP upgrade failed');
      socket.destroy();
    });
  };

  /** How many chargers are connected to this instance. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** The live connection of a charger on this instance. */
  connection(chargerId: string): { protocol: OcppProtocol; since: Date } | undefined {
    const connection = this.connections.get(chargerId);
    return connection && { protocol: connection.protocol, since: connection.since };
  }

  /**
   * Sends a call to a charger connected to this instance and returns its answer (strict mode checks
   * both). Undefined-connection is the caller's to handle: see ChargerCalls for any instance.
   */
  async call(chargerId: string, action: string, params: unknown, timeoutMs = 30_000): Promise<unknown> {
    const connection = this.connections.get(chargerId);
    if (!connection) throw new Error(`Charger ${chargerId} is not connected to this instance`);
    return connection.client.call(action, params, { callTimeoutMs: timeoutMs });
  }

  /** Closes a removed charger's connection on this instance (without waiting for the close handshake). */
  disconnect(chargerId: string): boolean {
    const connection = this.connections.get(chargerId);
    if (connection) this.closeQuietly(connection.client, CLOSE.removed);
    return Boolean(connection);
  }

  /**
   * Stops accepting connections and calls, answers the calls under way (so what was answered is
   * written), then closes every connection (a bounded wait for the close handshakes). A call arriving
   * meanwhile is not answered: the charger sends it again when it is connected again.
   */
  async close(): Promise<void> {
    // awaitPending: each connection is closed once the calls it is handling are answered; ocpp-rpc takes no new ones meanwhile.
    const closing = [...this.connections.values()].map(({ client }) => this.closeQuietly(client, CLOSE.shutdown, true));
    await within(Promise.allSettled([...this.inFlight]), IN_FLIGHT_GRACE_MS);
    await this.rpc.close({ force: true }); // refuses new connections; those closing above finish their handshake
    await within(Promise.all(closing), SHUTDOWN_GRACE_MS);
    await Promise.allSettled([...this.writes.values()]);
    await this.options.chargers
      .forgetConnections(this.instanceId)
      .catch((error) => this.options.log.error({ err: error }, 'could not clear the connection marks of this instance'));
  }

  private async authenticate(
    accept: (session: Record<string, unknown>, protocol: string) => void,
    reject: (code: number, message: string) => void,
    chargerId: string,
    offered: Set<string>,
    password: Buffer | undefined,
    request: IncomingMessage,
  ): Promise<void> {
    const { log, chargers } = this.options;
    // Without a common subprotocol ocpp-rpc would accept the connection with none, and strict mode
    // (which is per subprotocol) would not apply.
    const protocol = OCPP_PROTOCOLS.find((p) => offered.has(p));
    if (!protocol) return reject(400, `Offer one of the subprotocols ${OCPP_PROTOCOLS.join(', ')}`);
    try {
      // Security profile 3: the TLS layer has checked the certificate against OCPP_TLS_CA; its
      // subject CN names the charge point, and no password is needed.
      const certificate = verifiedClientCertificate(request);
      if (certificate) {
        if (certificate.commonName !== chargerId) {
          log.info({ charger: chargerId, certificate: certificate.commonName }, 'OCPP connection refused: certificate of another charge point');
          return reject(401, 'The client certificate names another charge point');
        }
        if (!(await chargers.registrationStatus(chargerId))) {
          log.info({ charger: chargerId }, 'OCPP connection refused: certificate of an unknown charge point');
          return reject(401, 'Unknown charge point');
        }
        // The hub publishes no CRL to the TLS layer: a certificate its CA issued and the operator revoked is refused here.
        if (certificate.serialNumber && (await this.options.revokedCertificate?.(certificate.serialNumber))) {
          log.warn({ charger: chargerId, serial: certificate.serialNumber }, 'OCPP connection refused: revoked certificate');
          return reject(401, 'The client certificate is revoked');
        }
        return accept({ chargerId }, protocol);
      }
      const verdict = await chargers.authenticate(chargerId, password);
      if (verdict === 'refused') {
        log.info({ charger: chargerId }, 'OCPP connection refused: unknown charge point or wrong password');
        return reject(401, 'Unknown charge point or wrong password');
      }
      if (verdict === 'registered') log.warn({ charger: chargerId }, 'unknown charge point auto-registered as PENDING');
      accept({ chargerId }, protocol);
    } catch (error) {
      log.error({ err: error, charger: chargerId }, 'could not check an OCPP connection');
      reject(503, 'The hub cannot check credentials now; try again later');
    }
  }

  private onClient(client: RPCServerClient): void {
    const { log, chargers } = this.options;
    const chargerId = client.handshake.identity;
    const protocol = client.protocol as OcppProtocol;
    const since = new Date();
    const previous = this.connections.get(chargerId);
    this.connections.set(chargerId, { client, protocol, since });
    if (previous) {
      log.info({ charger: chargerId }, 'a newer connection replaces the charger\'s current one');
      this.closeQuietly(previous.client, CLOSE.replaced);
    }
    log.info({ charger: chargerId, protocol }, 'charger connected');
    metrics.chargerConnected();
    this.record(chargerId, async () => {
      const previous = await chargers.connected(chargerId, { protocol, instance: this.instanceId, at: since });
      await chargers.logConnection(chargerId, { instance: this.instanceId, at: since });
      // Its previous connection lives on another instance: that one must close it (the newest wins).
      if (previous) for (const listener of this.replacingElsewhere) listener(chargerId, previous, since);
    });
    for (const listener of this.connectedListeners) {
      listener(chargerId, protocol).catch((error) => log.warn({ err: error, charger: chargerId }, 'a charger connection listener failed'));
    }

    speakItsVersion(client, protocol, (reason) => log.warn({ charger: chargerId, reason }, 'malformed OCPP message'));

    const refuseOverLimit = this.callLimit.watch(client, chargerId, () => {
      log.warn({ charger: chargerId }, 'charger disconnected: it kept exceeding its call rate limit');
      void this.closeQuietly(client, FLOOD_CLOSE);
    });
    for (const [action, handler] of Object.entries(this.options.handlers[protocol])) {
      client.handle(action, ({ params, messageId }) => {
        refuseOverLimit(messageId);
        return this.answer(chargerId, protocol, action, handler, params);
      });
    }
    // ocpp-rpc emits callResult just before it sends the answer, in the same tick: listeners run after it is out.
    client.on('callResult', ({ method, result }: { method: string; result: { status?: string } | undefined }) => {
      if (method === 'BootNotification' && result?.status === 'Accepted') chargers.bootAnswered(chargerId);
    });
    client.on('strictValidationFailure', ({ method, outbound, error }: { method: string; outbound: boolean; error: Error }) =>
      log.warn({ charger: chargerId, action: method, outbound, reason: error.message }, 'OCPP message failed schema validation'),
    );
    client.on('badMessage', ({ error }: { error: Error }) => log.warn({ charger: chargerId, reason: error.message }, 'malformed OCPP message'));
    client.once('close', ({ code, reason }: { code: number; reason: string }) => {
      log.info({ charger: chargerId, code, reason }, 'charger disconnected');
      metrics.chargerDisconnected();
      const closedAt = new Date();
      this.record(chargerId, () => chargers.logDisconnection(chargerId, { at: since, closedAt, code }));
      // A replaced connection leaves the record to its successor.
      if (this.connections.get(chargerId)?.client !== client) return;
      this.connections.delete(chargerId);
      this.record(chargerId, () => chargers.disconnected(chargerId, { instance: this.instanceId, at: since }));
    });
  }

  /** Answers a call, counted in flight until it is answered (a shutdown waits for it). */
  private answer(chargerId: string, protocol: OcppProtocol, action: string, handler: ChargerCallHandler, params: unknown): Promise<Record<string, unknown>> {
    const answering = this.answerNow(chargerId, protocol, action, handler, params);
    this.inFlight.add(answering);
    void answering.catch(() => undefined).finally(() => this.inFlight.delete(answering));
    return answering;
  }

  private async answerNow(chargerId: string, protocol: OcppProtocol, action: string, handler: ChargerCallHandler, params: unknown): Promise<Record<string, unknown>> {
    const { log, chargers } = this.options;
    log.debug({ charger: chargerId, action }, 'OCPP call');
    try {
      // OCPP 2.0.1 B02.FR.09 / B03.FR.07: until it is Accepted a station may only boot; anything
      // else is a SecurityError. (1.6 asks the same of the charge point without naming the error.)
      if (action !== 'BootNotification' && (await chargers.registrationStatus(chargerId)) !== 'ACCEPTED') {
        throw createRPCError('SecurityError', 'The hub has not accepted this charge point; send a BootNotification');
      }
      const answer = (await handler({ chargerId, protocol, params: params as never })) as Record<string, unknown>;
      metrics.ocppMessage(action, 'accepted');
      return answer;
    } catch (error) {
      metrics.ocppMessage(action, error instanceof RPCError ? 'refused' : 'error');
      if (error instanceof RPCError) throw error;
      // ocpp-rpc would send the message of any other error; it may hold database details.
      log.error({ err: error, charger: chargerId, action }, 'an OCPP handler failed');
      throw createRPCError('InternalError', 'The hub could not process this call');
    }
  }

  private closeQuietly(client: RPCServerClient, why: { code: number; reason: string }, awaitPending = false): Promise<void> {
    return client.close({ ...why, awaitPending }).then(
      () => undefined,
      (error: Error) => this.options.log.debug({ err: error }, 'closing an OCPP connection failed'),
    );
  }

  /** Told when a charger has connected here (it is not awaited: the connection is already answered). */
  onChargerConnected(listener: (chargerId: string, protocol: OcppProtocol) => Promise<void>): void {
    this.connectedListeners.push(listener);
  }

  /** Told when a charger connecting here had its previous connection on another instance. */
  whenReplacingElsewhere(listener: (chargerId: string, instance: string, since: Date) => void): void {
    this.replacingElsewhere.push(listener);
  }

  /** Closes this instance's connection of a charger that has connected again elsewhere since. */
  closeIfOlder(chargerId: string, since: Date): boolean {
    const connection = this.connections.get(chargerId);
    if (!connection || connection.since >= since) return false;
    this.options.log.info({ charger: chargerId }, 'a newer connection of the charger on another instance replaces this one');
    this.closeQuietly(connection.client, CLOSE.replaced);
    return true;
  }

  private record(chargerId: string, write: () => Promise<void>): void {
    const next = (this.writes.get(chargerId) ?? Promise.resolve())
      .then(write)
      .catch((error) => this.options.log.error({ err: error, charger: chargerId }, 'could not record a charger connection'));
    this.writes.set(chargerId, next);
    void next.finally(() => {
      if (this.writes.get(chargerId) === next) this.writes.delete(chargerId);
    });
  }
}

/** Waits for `work`, or `ms` at most. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Serves OCPP on an HTTP or HTTPS server: the one way main.ts and the test hub attach it. */
export function attachOcpp(server: HttpServer | HttpsServer, services: { ocpp: OcppServer }): void {
  server.on('upgrade', services.ocpp.handleUpgrade);
}
