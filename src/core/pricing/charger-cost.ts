/**
 * A charger's own cost of a transaction (OCPP 2.1 TransactionEvent costDetails.totalCost, calculated
 * locally from the tariff the hub gave it) against the hub's CDR, pure. The CDR is the bill: the
 * charger's figure is what the driver saw on its display, so a difference is flagged on the CDR's
 * rating for the operator, never corrected. Amounts within `tolerance` (the same one CDR ratings use)
 * match; a charger that reports it could not calculate (failureToCalculate) is a note, not a mismatch.
 */
import type { TotalDifference } from './reconcile';

/** The part of OCPP 2.1 CostDetailsType the check reads. */
export interface ChargerCostDetails {
  failureToCalculate?: boolean;
  failureReason?: string;
  totalCost?: { currency?: string; total?: { exclTax?: number; inclTax?: number } };
  /** What the station measured: energy in Wh, times in seconds. */
  totalUsage?: { energy?: number; chargingTime?: number; idleTime?: number };
}

/**
 * The station's energy and the CDR's come from the same meter, so beyond rounding (the CDR keeps kWh
 * to 3 decimals, i.e. 1 Wh, OCPI's resolution) a difference means a reading one side did not get.
 */
const ENERGY_TOLERANCE_KWH = 0.001;

export interface ChargerCostCheck {
  differences: TotalDifference[];
  notes: { code: string; message: string }[];
}

export function chargerCostCheck(
  reported: ChargerCostDetails,
  cdr: { currency: string; total_cost: { excl_vat: number; incl_vat?: number }; total_energy?: number },
  tolerance: number,
): ChargerCostCheck {
  if (reported.failureToCalculate) {
    return { differences: [], notes: [{ code: 'CHARGER_COST_NOT_CALCULATED', message: `The charger could not calculate its cost${reported.failureReason ? `: ${reported.failureReason}` : ''}` }] };
  }
  const total = reported.totalCost?.total;
  if (!reported.totalCost || !total || (total.exclTax === undefined && total.inclTax === undefined)) {
    return { differences: [], notes: [{ code: 'CHARGER_COST_MISSING', message: 'The charger reported no total cost' }] };
  }
  const currency = reported.totalCost.currency;
  if (currency && currency !== cdr.currency) {
    return {
      differences: [{ field: 'charger_cost.currency', computed: null, reported: null, difference: null }],
      notes: [{ code: 'CHARGER_COST_CURRENCY', message: `The charger calculated in ${currency}, the CDR is in ${cdr.currency}` }],
    };
  }
  const differences: TotalDifference[] = [];
  const compare = (field: string, hub: number | undefined, charger: number | undefined) => {
    if (hub === undefined || charger === undefined) return;
    const difference = Math.round((charger - hub) * 1e6) / 1e6;
    if (Math.abs(difference) > tolerance) differences.push({ field, computed: hub, reported: charger, difference });
  };
  compare('charger_cost.excl_vat', cdr.total_cost.excl_vat, total.exclTax);
  compare('charger_cost.incl_vat', cdr.total_cost.incl_vat, total.inclTax);
  const energyWh = reported.totalUsage?.energy;
  if (energyWh !== undefined && cdr.total_energy !== undefined) {
    const kwh = energyWh / 1000;
    const difference = Math.round((kwh - cdr.total_energy) * 1e6) / 1e6;
    if (Math.abs(difference) > ENERGY_TOLERANCE_KWH) differences.push({ field: 'charger_usage.energy', computed: cdr.total_energy, reported: kwh, difference });
  }
  return {
    differences,
    notes: [
      differences.length
        ? { code: 'CHARGER_COST_MISMATCH', message: `The charger's own cost (${total.exclTax ?? '?'} excl. / ${total.inclTax ?? '?'} incl. tax) differs from the CDR's total_cost` }
        : { code: 'CHARGER_COST_MATCH', message: "The charger's own cost matches the CDR's total_cost" },
    ],
  };
}
