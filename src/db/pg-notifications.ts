import { Client } from 'pg';
import type { Logger } from 'pino';

/**
 * PostgreSQL LISTEN/NOTIFY between hub instances: one dedicated connection per instance (a pooled
 * connection cannot hold a LISTEN), shared by everything that listens, opened again when it drops
 * (PostgreSQL restarted). Notifications sent while it was down are lost, so `onConnected` listeners
 * catch up (the outbox looks for due deliveries).
 */
export class PgNotifications {
  private client?: Client;
  private stopped = true;
  private relisten?: NodeJS.Timeout;
  private readonly handlers = new Map<string, (payload: string) => void>();
  private readonly connected: (() => void)[] = [];

  constructor(private readonly deps: { databaseUrl: string; log: Logger }) {}

  /** Calls `handler` with each notification on `channel` (registered before start()). */
  listen(channel: string, handler: (payload: string) => void): void {
    this.handlers.set(channel, handler);
  }

  /** Calls `listener` each time the connection is (re)opened and listening. */
  onConnected(listener: () => void): void {
    this.connected.push(listener);
  }

  get listening(): boolean {
    return !!this.client;
  }

  async start(): Promise<void> {
    if (this.client) return;
    this.stopped = false;
    await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.relisten);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Sends a notification on the listening connection (at once: not part of any transaction). */
  async notify(channel: string, payload: string): Promise<void> {
    if (!this.client) throw new Error('This hub instance has no LISTEN connection');
    await this.client.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
  }

  private async open(): Promise<void> {
    const client = new Client({ connectionString: this.deps.databaseUrl });
    client.on('error', (error) => this.deps.log.error({ err: error }, 'the LISTEN connection failed'));
    client.on('notification', (message) => {
      const handler = this.handlers.get(message.channel);
      if (handler && message.payload !== undefined) handler(message.payload);
    });
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.openAgainSoon();
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) return void (await client.end().catch(() => undefined));
    this.client = client;
    for (const listener of this.connected) listener();
  }

  private openAgainSoon(): void {
    if (this.stopped) return;
    clearTimeout(this.relisten);
    this.relisten = setTimeout(() => {
      this.open().catch((error: Error) => {
        this.deps.log.warn({ err: error }, 'the LISTEN connection could not be opened again; retrying');
        this.openAgainSoon();
      });
    }, 1000);
  }
}
