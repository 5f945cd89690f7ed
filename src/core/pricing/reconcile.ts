import type { CdrTotals, PriceAmount } from './breakdown';

/** A total that differs between the hub's rating and the CDR beyond the tolerance. */
export interface TotalDifference {
  /** e.g. `total_cost.excl_vat`, `total_energy`. */
  field: string;
  computed: number | null;
  reported: number | null;
  difference: number | null;
}

/** Just the CDR totals of a breakdown (or anything that has them). */
export function totalsOf(source: CdrTotals): CdrTotals {
  const { total_cost, total_fixed_cost, total_energy, total_energy_cost, total_time, total_time_cost } = source;
  const { total_parking_time, total_parking_cost, total_reservation_cost } = source;
  return { total_cost, total_fixed_cost, total_energy, total_energy_cost, total_time, total_time_cost, total_parking_time, total_parking_cost, total_reservation_cost };
}

/** The money totals of a CDR (OCPI Price each) and its quantity totals (kWh, hours). */
const MONEY = ['total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'] as const;
const QUANTITIES = ['total_energy', 'total_time', 'total_parking_time'] as const;

/**
 * A copy of a CDR with every total it has passed through `f`: each money total's excl_vat and incl_vat,
 * and each quantity. A credit CDR is its original with the totals negated; re-rating a credit compares
 * their sizes.
 */
export function mapCdrTotals<T extends object>(cdr: T, f: (value: number) => number): T {
  const source = cdr as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...source };
  for (const field of MONEY) {
    const price = source[field] as PriceAmount | undefined;
    if (price) copy[field] = { excl_vat: f(price.excl_vat), ...(price.incl_vat !== undefined ? { incl_vat: f(price.incl_vat) } : {}) };
  }
  for (const field of QUANTITIES) if (typeof source[field] === 'number') copy[field] = f(source[field] as number);
  return copy as T;
}

/**
 * Compares the hub's totals with the ones a CDR reports. A field differs when both are present and
 * further apart than `tolerance`, or when only one side has it. An optional cost or parking total the
 * CDR leaves out is read as 0 (nothing charged). Pure: the finance CLI and CDR re-rating both use it.
 */
export function compareTotals(
  computed: CdrTotals,
  reported: Record<string, unknown>,
  tolerance: number,
  /** Fields the rating cannot check (e.g. total_energy when no period reports ENERGY). */
  unchecked: readonly string[] = [],
): TotalDifference[] {
  const differences: TotalDifference[] = [];
  const check = (field: string, mine: number | undefined, theirs: number | undefined) => {
    if ((mine === undefined && theirs === undefined) || unchecked.includes(field)) return;
    const difference = mine === undefined || theirs === undefined ? null : round(mine - theirs);
    if (difference === null || Math.abs(difference) > tolerance) {
      differences.push({ field, computed: mine ?? null, reported: theirs ?? null, difference });
    }
  };
  for (const field of MONEY) {
    const mine = computed[field];
    const theirs = readPrice(reported[field]) ?? (field === 'total_cost' ? undefined : { excl_vat: 0, incl_vat: 0 });
    check(`${field}.excl_vat`, mine.excl_vat, theirs?.excl_vat);
    // incl_vat is compared only where the CDR states it (the field is optional in Price).
    if (theirs?.incl_vat !== undefined) check(`${field}.incl_vat`, mine.incl_vat, theirs.incl_vat);
  }
  for (const field of QUANTITIES) {
    const theirs = typeof reported[field] === 'number' ? (reported[field] as number) : field === 'total_energy' || field === 'total_time' ? undefined : 0;
    check(field, computed[field], theirs);
  }
  return differences;
}

function readPrice(value: unknown): PriceAmount | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { excl_vat, incl_vat } = value as { excl_vat?: unknown; incl_vat?: unknown };
  if (typeof excl_vat !== 'number') return undefined;
  return { excl_vat, incl_vat: typeof incl_vat === 'number' ? incl_vat : undefined };
}

// Differences are reported to 6 decimals so float noise in the subtraction does not show.
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
