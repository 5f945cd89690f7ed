import type { CdrTotals, PricingNote } from './breakdown';
import { priceSession } from './engine';
import { toPricingInput, type CdrForPricing } from './input';
import { pricingPolicyFor, type MissingVatPolicy } from './policy';
import { readTariff, usesLocalTime, utcDateTimes, type InputNote, type TimeZoneSource } from './real-world-input';
import { compareTotals, totalsOf, type TotalDifference } from './reconcile';
import { validateTariff, type ValidationError } from './validate';

export interface CdrToRate extends CdrForPricing {
  currency?: unknown;
  [total: string]: unknown;
}

export type RatingNote = PricingNote | InputNote | { code: 'ENERGY_NOT_CHECKED' | 'CURRENCY_DIFFERS'; message: string };

export type Rating =
  | { ok: false; errors: ValidationError[] }
  | { ok: true; tariffId: string; currency: string; computed: CdrTotals; differences: TotalDifference[]; notes: RatingNote[] };

export interface RatingOptions {
  /**
   * Strict: a tariff with any invalid field or an offset date-time is refused, and a component without `vat` has no
   * incl_vat (missingVat UNKNOWN), as before real-world reading existed. Default false.
   */
  strict?: boolean;
  /** What incl_vat is without `vat`; default NONE_APPLIES (incl_vat = excl_vat), or UNKNOWN when strict. */
  missingVat?: MissingVatPolicy;
  /** Where `timeZone` came from; a guessed one ('country', 'default') is noted when the price depends on it. */
  timeZoneSource?: TimeZoneSource;
  /** Notes of reading the input before (e.g. the CLI's date-times), put first. */
  inputNotes?: readonly InputNote[];
}

/**
 * Rates a CDR against a tariff (JSON, validated here) and compares the result with the CDR's own
 * totals. Pure: the hub's re-rating of every CDR and the finance CLI share it. A CDR whose periods
 * report no ENERGY (the spec's own example) cannot have its total_energy checked: that is a note,
 * not a difference. Unless strict, real-world input is priced where it can be (real-world-input.ts).
 */
export function rateCdr(tariffJson: unknown, cdrIn: CdrToRate, timeZone: string, tolerance: number, options: RatingOptions = {}): Rating {
  const { strict = false } = options;
  const notes: RatingNote[] = [...(options.inputNotes ?? [])];
  const readNotes: InputNote[] = [];
  const cdr = strict ? cdrIn : utcDateTimes(cdrIn, 'CDR', readNotes);
  const checked = strict ? validateTariff(tariffJson) : readTariff(utcDateTimes(tariffJson, 'tariff', readNotes), readNotes);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  notes.push(...readNotes);
  const missingVat = options.missingVat ?? (strict ? 'UNKNOWN' : 'NONE_APPLIES');
  const breakdown = priceSession(toPricingInput(checked.tariff, cdr, timeZone), { ...pricingPolicyFor(checked.tariff.currency), missingVat });
  notes.push(...breakdown.notes);
  if ((options.timeZoneSource === 'country' || options.timeZoneSource === 'default') && usesLocalTime(checked.tariff)) {
    notes.push({
      code: 'TIME_ZONE_DEPENDENT',
      message: `The tariff restricts by local time, so this price depends on the time zone ${timeZone}, which was ${options.timeZoneSource === 'country' ? 'inferred from the country' : 'assumed'}`,
    });
  }
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
