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
  /** The OCPP version it speaks (1.6 unless told): the demo has 2.0.1 stations beside 1.6 ones. */
  protocol?: 'ocpp1.6' | 'ocpp2.0.1';
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
 * An OCPP 1.6J or 2.0.1 charge point for the demo: a real ocpp-rpc client (strict schemas, Basic
 * auth) that boots, heartbeats, and keeps charging drivers: Authorize with an eMSP token, then
 * StartTransaction, MeterValues every few seconds (energy register and power), StopTransaction in
 * 1.6, or TransactionEvent Started / Updated / Ended in 2.0.1; now and then a fault.
 */
export class SimulatedCharger {
  private client?: RPCClient;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private meterWh = Math.round(between(1e5, 9e5));

  private readonly pace: ChargerPace;
  private readonly v201: boolean;
  private seqNo = 0;

  constructor(private readonly options: SimulatedChargerOptions) {
    this.pace = options.pace ?? DEMO_PACE;
    this.v201 = options.protocol === 'ocpp2.0.1';
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
      protocols: [this.options.protocol ?? 'ocpp1.6'],
      strictMode: true,
      reconnect: true,
      maxReconnects: Infinity,
    } as RPC_ClientOptions);
    this.client = client;
    // The hub may ask; the demo charger says it cannot (the hub records the refusal like any other).
    client.handle(async ({ method }) => {
      if (this.v201) return answer201(method ?? '');
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
    if (this.v201) {
      await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'OpenHub Demo', model: 'AC22-Sim-201', serialNumber: this.options.id, firmwareVersion: '1.0.0' } });
      await this.status('Available');
      return;
    }
    await client.call('BootNotification', { chargePointVendor: 'OpenHub Demo', chargePointModel: 'AC22-Sim', chargePointSerialNumber: this.options.id, firmwareVersion: '1.0.0' });
    await this.status('Available');
  }

  private status(status: string, errorCode = 'NoError'): Promise<unknown> {
    if (this.v201) {
      // 2.0.1 has connector statuses only (Preparing and Charging are Occupied; no error codes).
      const connectorStatus = status === 'Preparing' || status === 'Charging' ? 'Occupied' : status;
      return this.client!.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus, evseId: 1, connectorId: 1 });
    }
    return this.client!.call('StatusNotification', { connectorId: 1, errorCode, status, timestamp: new Date().toISOString() });
  }

  private async fault(): Promise<void> {
    await this.status('Faulted', 'GroundFailure');
    await sleep(between(this.pace.idleMs[0] * 3, this.pace.idleMs[1] * 2), this.stopping.signal);
    if (!this.stopping.signal.aborted) await this.status('Available');
  }

  private async chargeOnce(): Promise<void> {
    if (this.v201) return this.chargeOnce201();
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

  private meterValue201(powerW?: number) {
    return [
      {
        timestamp: new Date().toISOString(),
        sampledValue: [
          { value: this.meterWh, measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', unitOfMeasure: { unit: 'Wh' } },
          ...(powerW === undefined ? [] : [{ value: Math.round(powerW), measurand: 'Power.Active.Import', context: 'Sample.Periodic', unitOfMeasure: { unit: 'W' } }]),
        ],
      },
    ];
  }

  /** One session in 2.0.1: Authorize, TransactionEvent Started, Updated with meter values, Ended. */
  private async chargeOnce201(): Promise<void> {
    const client = this.client!;
    const signal = this.stopping.signal;
    const idToken = { idToken: this.options.idTags[Math.floor(Math.random() * this.options.idTags.length)], type: 'ISO14443' };
    const authorized = (await client.call('Authorize', { idToken })) as { idTokenInfo: { status: string } };
    if (authorized.idTokenInfo.status !== 'Accepted') return;
    const transactionId = `${this.options.id}-${Date.now().toString(36)}`;
    const event = (eventType: 'Started' | 'Updated' | 'Ended', triggerReason: string, transactionInfo: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      client.call('TransactionEvent', { eventType, timestamp: new Date().toISOString(), triggerReason, seqNo: this.seqNo++, transactionInfo: { transactionId, ...transactionInfo }, ...extra });
    await this.status('Charging');
    await event('Started', 'Authorized', { chargingState: 'Charging' }, { idToken, evse: { id: 1, connectorId: 1 }, meterValue: this.meterValue201() });
    const endAt = Date.now() + between(...this.pace.chargeMs);
    const powerW = this.options.powerW * between(0.7, 1);
    let last = Date.now();
    while (!signal.aborted && Date.now() < endAt) {
      await sleep(this.pace.meterIntervalMs, signal);
      const now = Date.now();
      this.meterWh += Math.round((powerW * (now - last)) / 3_600_000);
      last = now;
      await event('Updated', 'MeterValuePeriodic', { chargingState: 'Charging' }, { meterValue: this.meterValue201(powerW) });
    }
    await event('Ended', signal.aborted ? 'AbnormalCondition' : 'EVDeparted', { stoppedReason: signal.aborted ? 'Reboot' : 'EVDisconnected' }, { meterValue: this.meterValue201() });
    if (!signal.aborted) await this.status('Available');
  }
}

/** What a demo 2.0.1 station answers the hub: it takes charging profiles and declines the rest. */
function answer201(method: string): { status: string } {
  if (method === 'SetChargingProfile' || method === 'ClearChargingProfile') return { status: 'Accepted' };
  if (method === 'GetBaseReport') return { status: 'NotSupported' };
  return { status: 'Rejected' };
}
