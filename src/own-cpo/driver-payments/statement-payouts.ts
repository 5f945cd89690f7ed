import Decimal from 'decimal.js';
import type { Logger } from 'pino';
import { backoffMs } from '../../core/retry-backoff';
import type { SettlementService, StatementView } from '../../hub/settlement/settlement.service';
import type { PaymentsService } from './payments.service';

/** Payout retries: a minute, doubling, at most six hours apart; they go on until paid or held. */
export const PAYOUT_RETRY = { baseMs: 60_000, maxMs: 6 * 3_600_000 };

/**
 * Pays the CPO of a closed statement its gross total with a Stripe Connect transfer (transfer_group =
 * the statement id; paying the same statement again makes no second transfer). Nothing is paid when
 * payments are off, the CPO has no payout account, or the statement nets to nothing or less (the
 * credit is the CPO's to settle).
 */
export function statementPayouts(
  payments: PaymentsService,
  log: Logger,
  retry = PAYOUT_RETRY,
): (statement: StatementView) => Promise<void> {
  const pay = payStatementOnce(payments, log);
  return async (statement) => {
    try {
      await pay(statement);
    } catch (error) {
      // Kept on the payout: the retry job (retryDuePayouts) tries again, with the same idempotency key.
      const attempt = (await payments.payoutAttempts(statement.id)) + 1;
      await payments.recordPayoutFailure(statement.id, (error as Error).message, backoffMs(attempt, retry.baseMs, retry.maxMs));
      throw error;
    }
  };
}

/**
 * The retry job (scheduled every minute, on one instance): pays every statement whose payout is due
 * again (statementPayouts records each failure). Returns how many were paid and how many failed.
 */
export async function retryDuePayouts(
  deps: { payments: PaymentsService; settlement: SettlementService; log: Logger },
  retry = PAYOUT_RETRY,
  limit = 100,
): Promise<{ paid: number; failed: number }> {
  if (!deps.payments.enabled) return { paid: 0, failed: 0 };
  const pay = statementPayouts(deps.payments, deps.log, retry);
  let paid = 0;
  let failed = 0;
  for (const statementId of await deps.payments.duePayoutStatements(limit)) {
    try {
      await pay(await deps.settlement.statement(statementId));
      paid++;
    } catch (error) {
      failed++;
      deps.log.warn({ statement: statementId, err: (error as Error).message }, 'payout retry failed; tried again later');
    }
  }
  return { paid, failed };
}

function payStatementOnce(payments: PaymentsService, log: Logger): (statement: StatementView) => Promise<void> {
  return async (statement) => {
    if (!payments.enabled) return;
    const [countryCode, partyId] = statement.cpo.split('/');
    const destinationAccount = await payments.payoutAccountFor({ countryCode, partyId });
    if (!destinationAccount) {
      log.info({ statement: statement.id, cpo: statement.cpo }, 'statement closed; the CPO has no payout account, nothing transferred');
      return;
    }
    if (new Decimal(statement.totals.gross).lte(0)) return;
    const payout = await payments.payStatement({ statementId: statement.id, destinationAccount, amount: statement.totals.gross, currency: statement.currency });
    log.info({ statement: statement.id, transfer: payout.stripeTransferId, amount: payout.amount }, 'CPO paid out for a closed statement');
  };
}
