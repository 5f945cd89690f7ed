import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { updatedRows } from '../../db/updated-rows';
import { chargerCostCheck, type ChargerCostDetails } from '../../core/pricing/pricing-core';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import type { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import type { Transaction, TransactionsService } from './transactions.service';

/**
 * Reconciliation of the cost an OCPP 2.1 station calculated itself (TransactionEvent costDetails,
 * from the default tariff the hub set: own-tariffs-ocpp21.ts) against the hub's CDR, which the
 * pricing engine made from the same OCPI tariff. The charger's figure is kept on the transaction; once
 * both exist (whichever comes last) it is checked exactly once and the outcome added to the CDR's
 * rating (`/admin/cdr-ratings`): a difference beyond the rating tolerance makes it a mismatch.
 */
export class ChargerCosts {
  constructor(
    private readonly deps: { db: DataSource; log: Logger; cdrs: CdrsService; transactions: TransactionsService; ownCpo: RoleAddress; tolerance: number },
  ) {}

  /** Keeps the cost a station reported for a transaction (its latest figure); false when the hub does not know the transaction. */
  async reported(chargerId: string, transactionId: string, costDetails: ChargerCostDetails): Promise<boolean> {
    const rows = await updatedRows(
      this.deps.db,
      `UPDATE ocpp_transactions SET charger_cost = $3 WHERE charger_id = $1 AND transaction_id = $2 AND charger_cost_checked_at IS NULL RETURNING 1`,
      [chargerId, transactionId, JSON.stringify(costDetails)],
    );
    return rows.length > 0;
  }

  /** The CDR was made (services.ts subscribes this to the transactions' finish): checks the charger's cost if it came already. */
  async finished(transaction: Transaction, cdr: Cdr): Promise<void> {
    const rows = await updatedRows<{ charger_cost: ChargerCostDetails }>(
      this.deps.db,
      `UPDATE ocpp_transactions SET charger_cost_checked_at = now() WHERE id = $1 AND charger_cost IS NOT NULL AND charger_cost_checked_at IS NULL RETURNING charger_cost`,
      [transaction.pk],
    );
    if (!rows[0]) return;
    const check = chargerCostCheck(rows[0].charger_cost, { currency: cdr.currency, total_cost: cdr.total_cost, total_energy: cdr.total_energy }, this.deps.tolerance);
    const added = await this.deps.cdrs.addToRating(this.deps.ownCpo, cdr.id, { ...check, reason: "the charger's own cost differs" });
    if (!added) this.deps.log.warn({ cdr: cdr.id }, "the charger's cost could not be added to the CDR's rating: the CDR has none");
    if (check.differences.length) {
      this.deps.log.warn({ cdr: cdr.id, charger: transaction.chargerId, differences: check.differences }, "a charger's own cost differs from its CDR");
    }
  }

  /** A cost that arrived after the CDR was made (a repeated Ended, a first event that was its end): checked now. */
  async afterStop(chargerId: string, transactionId: string): Promise<void> {
    const transaction = await this.deps.transactions.find(chargerId, transactionId);
    if (!transaction?.cdrId) return;
    const cdr = await this.deps.cdrs.storedOf(this.deps.ownCpo, transaction.cdrId);
    if (cdr) await this.finished(transaction, cdr);
  }
}
