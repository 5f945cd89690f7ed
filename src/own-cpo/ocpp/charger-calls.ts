import { randomUUID } from 'node:crypto';
import { TimeoutError } from 'ocpp-rpc';
import type { Logger } from 'pino';
import type { PgNotifications } from '../../db/pg-notifications';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { OcppServer } from './ocpp-server';

/** The charger is not connected to any hub instance, or its instance did not answer. */
export class ChargerUnreachable extends Error {}

/** The charger is connected but did not answer within the call's timeout (a kind of unreachable: callers that only know that still work). */
export class ChargerTimedOut extends ChargerUnreachable {}

/** The charger answered with a CALLERROR (or its schema check failed). */
export class ChargerRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface CallMessage {
  kind: 'call';
  to: string;
  from: string;
  id: string;
  chargerId: string;
  action: string;
  params: unknown;
  timeoutMs: number;
}

/** A charger connected to `from`; `to` holds an older connection of it, which it closes. */
interface CloseMessage {
  kind: 'close';
  to: string;
  chargerId: string;
  since: string;
}

interface ReplyMessage {
  kind: 'reply';
  to: string;
  id: string;
  result?: unknown;
  error?: { unreachable: boolean; timedOut?: boolean; code: string; message: string };
}

/** PostgreSQL's NOTIFY payload limit is 8000 bytes; calls to chargers are far smaller. */
const MAX_PAYLOAD = 7900;
/** The NOTIFY channel calls, answers and close requests travel on (services.ts listens on it). */
export const CHARGER_CALLS_CHANNEL = 'ocpp_charger_calls';
const CHANNEL = CHARGER_CALLS_CHANNEL;

/**
 * Calls to the hub's own chargers from any hub instance. A charger's WebSocket lives on one instance
 * (recorded in chargers.connected_instance); a call made elsewhere travels there through PostgreSQL
 * LISTEN/NOTIFY, and the answer comes back the same way. PostgreSQL is already the one store every
 * instance shares, so this needs no broker; NOTIFY is transactional, ordered and cheap at the rate of
 * commands and profile updates (not meter values, which never travel between instances).
 */
export class ChargerCalls {
  private readonly pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly deps: { ocpp: OcppServer; chargers: ChargersService; notifications: PgNotifications; log: Logger },
  ) {}

  /**
   * A charger connected here while its previous connection lives on another instance: that one is
   * asked to close it (the newest connection of a charger wins across instances too).
   */
  replacedElsewhere(chargerId: string, instance: string, since: Date): void {
    if (!this.deps.notifications.listening) return;
    this.notify({ kind: 'close', to: instance, chargerId, since: since.toISOString() }).catch((error) =>
      this.deps.log.warn({ err: error, charger: chargerId }, 'could not ask another instance to close an older connection'),
    );
  }

  get instanceId(): string {
    return this.deps.ocpp.instanceId;
  }

  /** Calls awaiting another instance's answer fail at once (the instance is stopping). */
  stop(): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new ChargerUnreachable('The hub instance is stopping'));
      this.pending.delete(id);
    }
  }

  /** The protocol of a charger's live connection, wherever it is (undefined when it is not connected). */
  async protocolOf(chargerId: string): Promise<OcppProtocol | undefined> {
    const local = this.deps.ocpp.connection(chargerId);
    if (local) return local.protocol;
    const charger = await this.deps.chargers.find(chargerId);
    return charger?.connectedInstance ? (charger.protocol ?? undefined) : undefined;
  }

  /** Sends `action` to the charger, on this instance or the one holding its connection. */
  async call(chargerId: string, action: string, params: unknown, timeoutMs = 30_000): Promise<unknown> {
    if (this.deps.ocpp.connection(chargerId)) return this.callHere(chargerId, action, params, timeoutMs);
    const charger = await this.deps.chargers.find(chargerId);
    const instance = charger?.connectedInstance;
    if (!instance) throw new ChargerUnreachable(`Charger ${chargerId} is not connected`);
    if (instance === this.instanceId) throw new ChargerUnreachable(`Charger ${chargerId} has just disconnected`);
    if (!this.deps.notifications.listening) throw new ChargerUnreachable('This hub instance does not listen for answers from other instances');
    const message: CallMessage = { kind: 'call', to: instance, from: this.instanceId, id: randomUUID(), chargerId, action, params, timeoutMs };
    return new Promise((resolve, reject) => {
      // The other instance has its own call timeout; this one covers an instance that vanished.
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new ChargerUnreachable(`Instance ${instance} did not answer for charger ${chargerId}`));
      }, timeoutMs + 2000);
      this.pending.set(message.id, { resolve, reject, timer });
      this.notify(message).catch((error: Error) => {
        clearTimeout(timer);
        this.pending.delete(message.id);
        reject(error);
      });
    });
  }

  private async callHere(chargerId: string, action: string, params: unknown, timeoutMs: number): Promise<unknown> {
    try {
      return await this.deps.ocpp.call(chargerId, action, params, timeoutMs);
    } catch (error) {
      const e = error as { rpcErrorCode?: string; message: string };
      if (e.rpcErrorCode) throw new ChargerRefused(e.rpcErrorCode, e.message);
      if (error instanceof TimeoutError) throw new ChargerTimedOut(`Charger ${chargerId} did not answer ${action} within ${timeoutMs} ms`);
      throw new ChargerUnreachable(`Charger ${chargerId}: ${e.message}`);
    }
  }

  private async notify(message: CallMessage | ReplyMessage | CloseMessage): Promise<void> {
    const payload = JSON.stringify(message);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new ChargerRefused('GenericError', 'The call is too large to pass between hub instances');
    await this.deps.notifications.notify(CHANNEL, payload);
  }

  /** A message on the channel from any instance (calls for chargers connected here, answers, close requests). */
  async receive(payload: string): Promise<void> {
    if (!payload) return;
    let message: CallMessage | ReplyMessage | CloseMessage;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message.to !== this.instanceId) return;
    if (message.kind === 'close') {
      this.deps.ocpp.closeIfOlder(message.chargerId, new Date(message.since));
      return;
    }
    if (message.kind === 'reply') {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      clearTimeout(waiting.timer);
      this.pending.delete(message.id);
      if (!message.error) waiting.resolve(message.result);
      else if (message.error.timedOut) waiting.reject(new ChargerTimedOut(message.error.message));
      else waiting.reject(message.error.unreachable ? new ChargerUnreachable(message.error.message) : new ChargerRefused(message.error.code, message.error.message));
      return;
    }
    const reply: ReplyMessage = { kind: 'reply', to: message.from, id: message.id };
    try {
      if (!this.deps.ocpp.connection(message.chargerId)) throw new ChargerUnreachable(`Charger ${message.chargerId} is no longer connected to ${this.instanceId}`);
      reply.result = await this.callHere(message.chargerId, message.action, message.params, message.timeoutMs);
    } catch (error) {
      const refused = error instanceof ChargerRefused;
      reply.error = { unreachable: !refused, timedOut: error instanceof ChargerTimedOut, code: refused ? error.code : 'GenericError', message: (error as Error).message };
    }
    await this.notify(reply).catch((error) => this.deps.log.error({ err: error }, 'could not answer a charger call from another instance'));
  }
}
