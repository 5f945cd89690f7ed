import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { OcppProtocol } from '../chargers/chargers.service';
import { CHARGER_PROTOCOLS } from '../ocpp/charger-protocols';
import type { Transaction, TransactionsService } from './transactions.service';

/**
 * A charger with a running transaction that stays unreachable this long (no connection to any
 * instance since its last one ended, no heartbeat, no reading) has its transaction closed from the last reading.
 */
export const UNREACHABLE_CLOSE_MS = 6 * 3600_000;

/** A station that connects is asked this much later: one that rebooted boots first, and is asked with its boot's reason. */
export const CONNECTED_ASK_DELAY_MS = 5000;

/** What a 2.0.1 station answers to GetTransactionStatus (E14). */
export interface TransactionStatusAnswer {
  messagesInQueue: boolean;
  ongoingIndicator?: boolean;
}

/**
 * 2.0.1 E14: the station's word decides. Closed only when it says the transaction is not ongoing (an
 * unknown transaction answers false too) and has no messages of it queued: queued messages may hold
 * its real end, which is better than the hub's last reading.
 */
export function stationLostIt(answer: TransactionStatusAnswer): boolean {
  return answer.ongoingIndicator === false && !answer.messagesInQueue;
}

/** 2.0.1 BootReason → the stop reason of the transactions a boot ended (ReasonEnumType). */
export function bootStopReason(bootReason: string | undefined): string {
  if (bootReason === 'PowerUp') return 'PowerLoss';
  if (bootReason === undefined || bootReason === 'Triggered' || bootReason === 'Unknown') return 'Other';
  return 'Reboot'; // ApplicationReset, FirmwareUpdate, LocalReset, RemoteReset, ScheduledReset, Watchdog
}

/**
 * Transactions a charger lost (a reboot, a lost StopTransaction, a hub stopped meanwhile): found on a
 * boot, on a new start on a busy connector, on a status saying the connector is free, when a station
 * reconnects and when a charger stays unreachable, and closed by the rules of its OCPP version (1.6
 * has no way to ask: the evidence closes it; 2.0.1 is asked with GetTransactionStatus). Closing is
 * `TransactionsService.closeLost`: the last reading, exactly once, a flagged CDR.
 */
export class LostTransactions {
  /** 2.0.1 questions under way (asked after the charger's call is answered); shutdown waits for them. */
  private readonly asking = new Set<Promise<void>>();
  /** Questions waiting for their delay, cancelled by `stop`. */
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      transactions: TransactionsService;
      /** A call to the charger on whichever instance holds its connection (ChargerCalls). */
      ask: (chargerId: string, action: string, params: unknown) => Promise<unknown>;
    },
  ) {}

  /**
   * A BootNotification the hub accepted. 1.6: a charge point that boots has ended what ran before
   * (it reports a transaction it kept with its queued StopTransaction, which is then recorded as a late
   * stop). 2.0.1: the station may resume transactions over a reboot, so it is asked.
   */
  async booted(chargerId: string, protocol: OcppProtocol, bootReason?: string): Promise<void> {
    const running = await this.deps.transactions.active(chargerId);
    if (CHARGER_PROTOCOLS[protocol].transactionStatus) this.askLater(running, bootStopReason(bootReason), protocol);
    else await this.closeAll(running, 'Reboot');
  }

  /** A new transaction started: an older one on the same connector (1.6) / EVSE (2.0.1) was lost. */
  async started(transaction: Transaction, protocol: OcppProtocol): Promise<void> {
    const running = await this.deps.transactions.active(transaction.chargerId);
    const older = running.filter(
      (t) =>
        t.pk !== transaction.pk &&
        t.startedAt <= transaction.startedAt &&
        CHARGER_PROTOCOLS[protocol].sameTransactionSlot(t.ocppConnector, transaction.ocppConnector),
    );
    await this.settle(older, 'Other', protocol);
  }

  /**
   * A status saying a connector is free (1.6 Available: "available for a new user", so nothing runs
   * on it; 2.0.1 Available: a transaction may run before the cable is plugged, so the station is asked).
   */
  async connectorFree(chargerId: string, connector: string, protocol: OcppProtocol): Promise<void> {
    const running = (await this.deps.transactions.active(chargerId)).filter((t) => t.ocppConnector === connector);
    await this.settle(running, 'Other', protocol);
  }

  /**
   * A charger connected (after a hub restart, or its network came back). 2.0.1 stations are asked
   * about what runs; a 1.6 charger cannot be asked without racing its queue of StopTransactions, so its
   * boot, its statuses, its next start or the unreachable rule decide.
   */
  async connected(chargerId: string, protocol: OcppProtocol): Promise<void> {
    if (!CHARGER_PROTOCOLS[protocol].transactionStatus) return;
    this.askLater(await this.deps.transactions.active(chargerId), 'Other', protocol, CONNECTED_ASK_DELAY_MS);
  }

  /** Running transactions of chargers unreachable for UNREACHABLE_CLOSE_MS (a job; and at start for those of this instance). */
  async closeUnreachable(now = new Date()): Promise<number> {
    const rows: { charger_id: string; transaction_id: string }[] = await this.deps.db.query(
      `SELECT t.charger_id, t.transaction_id FROM ocpp_transactions t JOIN chargers c ON c.id = t.charger_id
        WHERE t.status = 'ACTIVE' AND c.connected_instance IS NULL
          AND GREATEST(t.updated_at, t.last_sample_at, c.last_heartbeat_at, c.last_connected_at, c.disconnected_at) < $1
        ORDER BY t.id LIMIT 100`,
      [new Date(now.getTime() - UNREACHABLE_CLOSE_MS)],
    );
    let closed = 0;
    for (const row of rows) {
      const transaction = await this.deps.transactions.find(row.charger_id, row.transaction_id);
      if (transaction && (await this.close(transaction, 'Other'))) closed++;
    }
    return closed;
  }

  /** Resolves when no question to a station is under way (tests). */
  async drained(): Promise<void> {
    while (this.asking.size) await Promise.allSettled([...this.asking]);
  }

  /** Shutdown: questions still waiting for their delay are dropped (the next run asks again), those under way finish. */
  async stop(): Promise<void> {
    for (const [timer, resolve] of this.waiting) {
      clearTimeout(timer);
      resolve();
    }
    this.waiting.clear();
    await this.drained();
  }

  /** Transactions found lost: the station is asked where its version can be, else they are closed on the evidence. */
  private async settle(transactions: Transaction[], reason: string, protocol: OcppProtocol): Promise<void> {
    if (CHARGER_PROTOCOLS[protocol].transactionStatus) this.askLater(transactions, reason, protocol);
    else await this.closeAll(transactions, reason);
  }

  private async closeAll(transactions: Transaction[], reason: string): Promise<void> {
    for (const transaction of transactions) await this.close(transaction, reason);
  }

  private close(transaction: Transaction, reason: string): Promise<boolean> {
    return this.deps.transactions.closeLost(transaction, reason).catch((error) => {
      this.deps.log.error({ err: error, session: transaction.sessionId }, 'could not close a lost transaction');
      return false;
    });
  }

  /** Asks after the charger's current call is answered: a station answers the hub's calls once its own is done. */
  private askLater(transactions: Transaction[], reason: string, protocol: OcppProtocol, delayMs = 0): void {
    for (const transaction of transactions) {
      let cancelled = false;
      const question: Promise<void> = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(timer);
          resolve();
        }, delayMs);
        this.waiting.set(timer, () => {
          cancelled = true;
          resolve();
        });
      })
        .then(() => (cancelled ? undefined : this.askStation(transaction, reason, protocol)))
        .finally(() => this.asking.delete(question));
      this.asking.add(question);
    }
  }

  private async askStation(transaction: Transaction, reason: string, protocol: OcppProtocol): Promise<void> {
    const call = CHARGER_PROTOCOLS[protocol].transactionStatus?.(transaction.transactionId);
    if (!call) return;
    let answer: TransactionStatusAnswer;
    try {
      answer = (await this.deps.ask(transaction.chargerId, call.action, call.params)) as TransactionStatusAnswer;
    } catch (error) {
      // Refused or unreachable: kept running; a later trigger or the unreachable rule closes it.
      this.deps.log.info({ charger: transaction.chargerId, transactionId: transaction.transactionId, reason: (error as Error).message }, 'GetTransactionStatus not answered: the transaction stays open');
      return;
    }
    if (stationLostIt(answer)) await this.close(transaction, reason);
  }
}
