import Decimal from 'decimal.js';
import type { Logger } from 'pino';
import type { StatementView } from '../../hub/settlement/settlement.service';
import type { PaymentsService } from './payments.service';

/**
 * Pays the CPO of a closed statement its gross total with a Stripe Connect transfer (transfer_group =
 * the statement id; paying the same statement again makes no second transfer). Nothing is paid when
 * payments are off, the CPO has no payout account, or the statement nets to nothing or less (the
 * credit is the CPO's to settle).
 */
export function statementPayouts(payments: PaymentsService, log: Logger): (statement: StatementView) => Promise<void> {
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
