import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client';
import type { Logger } from 'pino';

export interface SimulatedChargerOptions {
  id: string;
  password: string;
  /** ws://host:port/ocpp (the charger appends its id). */
  ocppUrl: string;
  /** RFID uids of the demo eMSP's drivers. */
  idTags: string[];
  /** Charging power in W. */
  powerW: number;
  /** Chance per idle pause of reporting a fault (for the maintenance list). */
  faultChance?: number;
  pace?: ChargerPace;
  log: Logger;
}

/** How fast the simulation goes (tests run it faster than the demo). */
export interface ChargerPace {
  /** Pause between sessions, ms (low, high). */
  idleMs: [number, number];
  /** Session length, ms (low, high). */
  chargeMs: [number, number];
  meterIntervalMs: number;
}

export const DEMO_PACE: ChargerPace = { idleMs: [3_000, 15_000], chargeMs: [40_000, 150_000], meterIntervalMs: 5_000 };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
const between = (low: number, high: number) => low + Math.random() * (high - low);

/**
 * An OCPP 1.6J charge point for the demo: a real ocpp-rpc client (strict schemas, Basic auth) that
 * boots, heartbeats, and keeps charging drivers: Authorize with an eMSP token, StartTransaction,
 * MeterValues every few seconds (energy register and power), StopTransaction; now and then a fault.
 */
export class SimulatedCharger {
  private client?: RPCClient;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private meterWh = Math.round(between(1e5, 9e5));

  private readonly pace: ChargerPace;

  constructor(private readonly options: SimulatedChargerOptions) {
    this.pace = options.pace ?? DEMO_PACE;
  }

  start(): void {
    this.running = this.run().catch((error: Error) => {
      if (!this.stopping.signal.aborted) this.options.log.warn({ charger: this.options.id, err: error.message }, 'demo charger stopped');
    });
  }

  /** Ends a running session properly (StopTransaction), then disconnects; a hub that does not answer gets 5 s. */
  async stop(): Promise<void> {
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    await this.client?.close({ force: true }).catch(() => undefined);
    await this.running;
  }

  private async run(): Promise<void> {
    const { id, password, ocppUrl } = this.options;
    const client = new RPCClient({
      endpoint: ocppUrl,
      identity: id,
      password,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: true,
      maxReconnects: Infinity,
    } as RPC_ClientOptions);
    this.client = client;
    // The hub may ask; the demo charger says it cannot (the hub records the refusal like any other).
    client.handle(async ({ method }) => {
      if (method === 'RemoteStartTransaction' || method === 'RemoteStopTransaction') return { status: 'Rejected' };
      if (method === 'ReserveNow') return { status: 'Rejected' };
      if (method === 'SetChargingProfile') return { status: 'Accepted' };
      return { status: 'Rejected' };
    });
    await client.connect();
    client.on('open', () => void this.boot().catch(() => undefined)); // after a reconnect
    await this.boot();
    const heartbeat = setInterval(() => void client.call('Heartbeat', {}).catch(() => undefined), 60_000);
    try {
      while (!this.stopping.signal.aborted) {
        await sleep(between(...this.pace.idleMs), this.stopping.signal);
        if (this.stopping.signal.aborted) break;
        if (Math.random() < (this.options.faultChance ?? 0)) await this.fault();
        else await this.chargeOnce();
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async boot(): Promise<void> {
    const client = this.client!;
    await client.call('BootNotification', { chargePointVendor: 'OpenHub Demo', chargePointModel: 'AC22-Sim', chargePointSerialNumber: this.options.id, firmwareVersion: '1.0.0' });
    await this.status('Available');
  }

  private status(status: string, errorCode = 'NoError'): Promise<unknown> {
    return this.client!.call('StatusNotification', { connectorId: 1, errorCode, status, timestamp: new Date().toISOString() });
  }

  private async fault(): Promise<void> {
    await this.status('Faulted', 'GroundFailure');
    await sleep(between(this.pace.idleMs[0] * 3, this.pace.idleMs[1] * 2), this.stopping.signal);
    if (!this.stopping.signal.aborted) await this.status('Available');
  }

  private async chargeOnce(): Promise<void> {
    const client = this.client!;
    const signal = this.stopping.signal;
    const idTag = this.options.idTags[Math.floor(Math.random() * this.options.idTags.length)];
    const authorized = (await client.call('Authorize', { idTag })) as { idTagInfo: { status: string } };
    if (authorized.idTagInfo.status !== 'Accepted') return;
    await this.status('Preparing');
    const started = (await client.call('StartTransaction', { connectorId: 1, idTag, meterStart: this.meterWh, timestamp: new Date().toISOString() })) as {
      transactionId: number;
      idTagInfo: { status: string };
    };
    await this.status('Charging');
    const endAt = Date.now() + between(...this.pace.chargeMs);
    const powerW = this.options.powerW * between(0.7, 1);
    let last = Date.now();
    while (!signal.aborted && Date.now() < endAt) {
      await sleep(this.pace.meterIntervalMs, signal);
      const now = Date.now();
      this.meterWh += Math.round((powerW * (now - last)) / 3_600_000);
      last = now;
      await client.call('MeterValues', {
        connectorId: 1,
        transactionId: started.transactionId,
        meterValue: [
          {
            timestamp: new Date(now).toISOString(),
            sampledValue: [
              { value: String(this.meterWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
              { value: String(Math.round(powerW)), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
            ],
          },
        ],
      });
    }
    await client.call('StopTransaction', {
      transactionId: started.transactionId,
      idTag,
      meterStop: this.meterWh,
      timestamp: new Date().toISOString(),
      reason: signal.aborted ? 'Reboot' : 'EVDisconnected',
    });
    if (!signal.aborted) await this.status('Available');
  }
}
