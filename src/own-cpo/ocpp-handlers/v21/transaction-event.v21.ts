import type { ChargerCostDetails } from '../../../core/pricing/pricing-core';
import type { OcppHandler } from '../ocpp-handler';
import { transactionEvent as transactionEvent201 } from '../v201/transaction-event.v201';

interface TransactionEventRequest21 {
  eventType: 'Started' | 'Updated' | 'Ended';
  transactionInfo: { transactionId: string };
  costDetails?: ChargerCostDetails;
}

/**
 * OCPP 2.1 E01–E15 with the station's own cost (costDetails, I-block local cost calculation): the
 * transaction is handled as in 2.0.1 (2.1 only adds optional fields), and a reported cost is kept on
 * it and checked against the CDR once both exist (charging/charger-costs.ts). The cost is kept before
 * an Ended is handled, so the CDR made from it is checked at once.
 */
export const transactionEvent: OcppHandler<TransactionEventRequest21, unknown> = async (call) => {
  const { chargerId, params, chargerCosts } = call;
  const transactionId = params.transactionInfo.transactionId;
  const kept = params.costDetails ? await chargerCosts.reported(chargerId, transactionId, params.costDetails) : true;
  const answer = await transactionEvent201(call as never);
  // The transaction did not exist before this event (a backlog's first event was its end): kept and checked now.
  if (params.costDetails && !kept) {
    await chargerCosts.reported(chargerId, transactionId, params.costDetails);
    if (params.eventType === 'Ended') await chargerCosts.afterStop(chargerId, transactionId);
  }
  return answer;
};
