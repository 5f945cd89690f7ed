import type { Logger } from 'pino';
import { ocpp21Tariff } from '../../core/pricing/pricing-core';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { ChargerCalls } from '../ocpp/charger-calls';
import { answerStatus, CHARGER_PROTOCOLS } from '../ocpp/charger-protocols';
import type { Transaction, TransactionsService } from './transactions.service';

/** How often a running transaction's cost is sent to a station at most. */
const COST_UPDATE_INTERVAL_MS = 60_000;

/**
 * The hub's prices on the stations that show them (OCPP 2.1 block I, local cost calculation): each
 * EVSE of a station gets its connector's OCPI tariff as its default tariff (SetDefaultTariff, I07)
 * when the station's boot is accepted, converted by core/pricing/ocpp21-tariff.ts, so the station's own figure
 * comes from the same prices as the CDR; while a transaction runs the station is sent the hub's
 * running cost from the pricing engine (CostUpdated, I02) at most once a minute. Versions without
 * these calls (1.6, 2.0.1) get nothing. Each exchange is kept with the station's answer.
 */
export class ChargerTariffs {
  private readonly lastCostUpdate = new Map<string, number>();

  constructor(private readonly deps: { chargers: ChargersService; transactions: TransactionsService; calls: ChargerCalls; log: Logger }) {}

  /** A station booted (and was accepted): its EVSEs' default tariffs. Answers how many it accepted. */
  async booted(chargerId: string, protocol: OcppProtocol): Promise<number> {
    const shape = CHARGER_PROTOCOLS[protocol].defaultTariff;
    if (!shape) return 0;
    const charger = await this.deps.chargers.find(chargerId);
    if (!charger) return 0;
    const firstConnectorOf = new Map<number, string>();
    for (const e of charger.evses) {
      const evseId = Number(e.ocppConnector.split('/')[0]);
      if (!firstConnectorOf.has(evseId)) firstConnectorOf.set(evseId, e.ocppConnector);
    }
    let accepted = 0;
    for (const [evseId, ocppConnector] of firstConnectorOf) {
      const tariff = await this.deps.transactions.tariffAt(chargerId, ocppConnector);
      if (!tariff) continue;
      const converted = ocpp21Tariff(tariff);
      const call = shape(evseId, converted.tariff);
      try {
        const answer = await this.deps.calls.call(chargerId, call.action, call.params);
        await this.deps.chargers.recordEvent(chargerId, call.action, { ...call.params, notes: converted.notes }, answer);
        if (answerStatus(answer) === 'Accepted') accepted++;
        else this.deps.log.warn({ charger: chargerId, evseId, answer }, 'a station refused its default tariff');
      } catch (error) {
        this.deps.log.warn({ err: error, charger: chargerId, evseId }, 'could not set a station\'s default tariff');
      }
    }
    return accepted;
  }

  /** New readings of a running transaction: its cost, when the station's version shows one and a minute has passed. */
  async meterValues(transaction: Transaction): Promise<void> {
    if (transaction.status !== 'ACTIVE') return;
    const protocol = await this.deps.calls.protocolOf(transaction.chargerId);
    const shape = protocol && CHARGER_PROTOCOLS[protocol].costUpdated;
    if (!shape) return;
    const last = this.lastCostUpdate.get(transaction.pk) ?? 0;
    if (Date.now() - last < COST_UPDATE_INTERVAL_MS) return;
    const totals = (await this.deps.transactions.costOf(transaction))?.totals;
    const totalCost = totals && (totals.total_cost.incl_vat ?? totals.total_cost.excl_vat);
    if (!totalCost) return; // nothing to show yet (the station starts at 0): the first cost goes out as soon as there is one
    this.lastCostUpdate.set(transaction.pk, Date.now());
    const call = shape(transaction.transactionId, totalCost);
    await this.deps.calls.call(transaction.chargerId, call.action, call.params).catch((error) =>
      this.deps.log.warn({ err: error, charger: transaction.chargerId }, 'could not send a station its running cost'),
    );
  }

  /** The transaction ended: nothing more to send for it. */
  stopped(transaction: Transaction): void {
    this.lastCostUpdate.delete(transaction.pk);
  }
}
