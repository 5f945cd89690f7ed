import type { CdrTotals, PricingNote } from './breakdown';
import { priceSession } from './engine';
import { toPricingInput, type CdrForPricing } from './input';
import { pricingPolicyFor } from './policy';
import { compareTotals, totalsOf, type TotalDifference } from './reconcile';
import { validateTariff, type ValidationError } from './validate';

export interface CdrToRate extends CdrForPricing {
  currency?: unknown;
  [total: string]: unknown;
}

export type RatingNote = PricingNote | { code: 'ENERGY_NOT_CHECKED' | 'CURRENCY_DIFFERS'; message: string };

export type Rating =
  | { ok: false; errors: ValidationError[] }
  | { ok: true; tariffId: string; currency: string; computed: CdrTotals; differences: TotalDifference[]; notes: RatingNote[] };

/**
 * Rates a CDR against a tariff (JSON, validated here) and compares the result with the CDR's own
 * totals. Pure: the hub's re-rating of every CDR and the finance CLI share it. A CDR whose periods
 * report no ENERGY (the spec's own example) cannot have its total_energy checked: that is a note,
 * not a difference.
 */
export function rateCdr(tariffJson: unknown, cdr: CdrToRate, timeZone: string, tolerance: number): Rating {
  const checked = validateTariff(tariffJson);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  const breakdown = priceSession(toPricingInput(checked.tariff, cdr, timeZone), pricingPolicyFor(checked.tariff.currency));
  const notes: RatingNote[] = [...breakdown.notes];
  const reportsEnergy = cdr.charging_periods.some((p) => p.dimensions.some((d) => d.type === 'ENERGY'));
  if (!reportsEnergy) notes.push({ code: 'ENERGY_NOT_CHECKED', message: 'No charging period reports ENERGY, so total_energy cannot be checked' });
  const computed = totalsOf(breakdown);
  const differences = compareTotals(computed, cdr, tolerance, reportsEnergy ? [] : ['total_energy']);
  if (cdr.currency !== undefined && cdr.currency !== breakdown.currency) {
    notes.push({ code: 'CURRENCY_DIFFERS', message: `The CDR is in ${String(cdr.currency)}, the tariff in ${breakdown.currency}` });
    differences.push({ field: 'currency', computed: null, reported: null, difference: null });
  }
  return { ok: true, tariffId: breakdown.tariffId, currency: breakdown.currency, computed, differences, notes };
}
