import type { Logger } from 'pino';
import type { PaymentsService } from '../driver-payments/payments.service';
import type { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { LocalAuthority } from './driver-authorization';
import type { OwnCommands } from './own-commands';
import type { Transaction, TransactionsService } from './transactions.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/**
 * Drivers who pay ad hoc at the hub's own chargers (docs/payments.md): the payment's idTag is a token
 * the hub authorizes itself (issued by the own CPO, so nothing is published to an eMSP); a held
 * payment starts the charger; each priced meter reading is checked against the hold and the charger
 * is stopped when it is used up; the CDR's total is captured. services.ts subscribes it to the
 * transactions' events when payments are on.
 */
export class AdHocPayments implements LocalAuthority {
  /** Sessions whose charger is being stopped because the hold is used up (one stop each). */
  private readonly stopping = new Set<string>();

  constructor(
    private readonly deps: {
      payments: PaymentsService;
      transactions: TransactionsService;
      ownCommands: OwnCommands;
      ownCpo: RoleAddress;
      log: Logger;
      /** How long a held payment may wait for its charger to start a transaction before the hold is released. */
      startTimeoutSeconds: number;
    },
  ) {}

  /**
   * Releases the holds of paid sessions that never started: the charger accepted the remote start (or the
   * driver never plugged in) and no transaction came within the timeout. A failed start (offline charger,
   * remote start refused) is released at once by the payments service; this covers the silent case.
   * Answers how many holds were released. Runs as a job (lifecycle.ts).
   */
  async releaseUnstarted(): Promise<number> {
    const { payments, log, startTimeoutSeconds } = this.deps;
    let released = 0;
    for (const payment of await payments.heldWithoutTransaction(startTimeoutSeconds)) {
      const reason = `The charger did not start within ${startTimeoutSeconds} s; the hold was released`;
      try {
        if (await payments.releaseHold(payment.id, reason)) {
          released++;
          log.warn({ paymentId: payment.id, chargerId: payment.chargerId, connector: payment.connector }, 'a paid session never started: hold released');
        }
      } catch (error) {
        log.error({ err: error, paymentId: payment.id }, 'could not release the hold of a session that never started');
      }
    }
    return released;
  }

  /** A payment's idTag is the own CPO's token, allowed while the payment holds money. */
  async authorize(uid: string) {
    const { payments, ownCpo } = this.deps;
    const payment = await payments.authorizeIdTag(uid);
    if (!payment) return undefined;
    return {
      status: payment.accepted ? ('ALLOWED' as const) : ('NOT_ALLOWED' as const),
      authMethod: 'COMMAND' as const,
      cdrToken: { country_code: ownCpo.countryCode, party_id: ownCpo.partyId, uid, type: 'AD_HOC_USER', contract_id: uid },
      reason: payment.accepted ? `an ad hoc payment holds ${payment.holdAmount} ${payment.currency}` : 'the ad hoc payment no longer holds money',
    };
  }

  /** A priced reading of an ad hoc session: the charger is stopped once the hold is used up. */
  async meterValues(transaction: Transaction): Promise<void> {
    const { payments, transactions, ownCommands, log } = this.deps;
    if (!transaction.idToken || transaction.auth?.cdrToken?.type !== 'AD_HOC_USER' || this.stopping.has(transaction.sessionId)) return;
    const priced = await transactions.costOf(transaction);
    const cost = priced?.totals?.total_cost;
    if (!cost) return;
    const decision = await payments.costUpdate(transaction.idToken, cost.incl_vat ?? cost.excl_vat);
    if (decision !== 'stop') return;
    this.stopping.add(transaction.sessionId);
    log.info({ session: transaction.sessionId }, 'the ad hoc payment\'s hold is used up: stopping the charger');
    await ownCommands.stopFor(transaction).catch((error) => {
      this.stopping.delete(transaction.sessionId);
      throw error;
    });
  }

  /** An ad hoc session's CDR: its total is captured from the payment. */
  async finished(transaction: Transaction, cdr: Cdr): Promise<void> {
    this.stopping.delete(transaction.sessionId);
    if (!transaction.idToken || transaction.auth?.cdrToken?.type !== 'AD_HOC_USER') return;
    await this.deps.payments.settleSession(transaction.idToken, {
      cdrId: cdr.id,
      totalInclVat: String(cdr.total_cost.incl_vat ?? cdr.total_cost.excl_vat),
      currency: cdr.currency,
    });
  }
}
