import type { Logger } from 'pino';
import type { PaymentsService } from '../driver-payments/payments.service';
import type { DriverAuthorization } from './driver-authorization';
import type { OwnCommands } from './own-commands';
import type { TransactionsService } from './transactions.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/**
 * Drivers who pay ad hoc at the hub's own chargers (docs/payments.md): the payment's idTag is a token
 * the hub authorizes itself (issued by the own CPO, so nothing is published to an eMSP); a held
 * payment starts the charger; each priced meter reading is checked against the hold and the charger
 * is stopped when it is used up; the CDR's total is captured.
 */
export function connectPaymentsToCharging(deps: {
  payments: PaymentsService;
  authorization: DriverAuthorization;
  transactions: TransactionsService;
  ownCommands: OwnCommands;
  ownCpo: RoleAddress;
  log: Logger;
}): void {
  const { payments, transactions, ownCommands, ownCpo, log } = deps;
  if (!payments.enabled) return;

  deps.authorization.addAuthority({
    async authorize(uid) {
      const payment = await payments.authorizeIdTag(uid);
      if (!payment) return undefined;
      return {
        status: payment.accepted ? 'ALLOWED' : 'NOT_ALLOWED',
        authMethod: 'COMMAND',
        cdrToken: { country_code: ownCpo.countryCode, party_id: ownCpo.partyId, uid, type: 'AD_HOC_USER', contract_id: uid },
        reason: payment.accepted ? `an ad hoc payment holds ${payment.holdAmount} ${payment.currency}` : 'the ad hoc payment no longer holds money',
      };
    },
  });

  payments.useStartCharging(({ chargerId, connector, idTag }) => ownCommands.startFor(chargerId, connector, idTag));

  const stopping = new Set<string>();
  transactions.onMeterValues(async (transaction) => {
    if (!transaction.idToken || transaction.auth?.cdrToken?.type !== 'AD_HOC_USER' || stopping.has(transaction.sessionId)) return;
    const priced = await transactions.costOf(transaction);
    const cost = priced?.totals?.total_cost;
    if (!cost) return;
    const decision = await payments.costUpdate(transaction.idToken, cost.incl_vat ?? cost.excl_vat);
    if (decision !== 'stop') return;
    stopping.add(transaction.sessionId);
    log.info({ session: transaction.sessionId }, 'the ad hoc payment\'s hold is used up: stopping the charger');
    await ownCommands.stopFor(transaction).catch((error) => {
      stopping.delete(transaction.sessionId);
      throw error;
    });
  });

  transactions.onFinished(async (transaction, cdr) => {
    stopping.delete(transaction.sessionId);
    if (!transaction.idToken || transaction.auth?.cdrToken?.type !== 'AD_HOC_USER') return;
    await payments.settleSession(transaction.idToken, {
      cdrId: cdr.id,
      totalInclVat: String(cdr.total_cost.incl_vat ?? cdr.total_cost.excl_vat),
      currency: cdr.currency,
    });
  });
}
