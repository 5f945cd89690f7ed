/**
 * The decisions of an ad hoc driver payment, as plain functions of amounts in minor units. The service
 * around them talks to Stripe and PostgreSQL; what is charged, stopped or refunded is decided here.
 */

/** What the charging side does after a cost update: go on, or stop the session because the hold is used up. */
export type CostDecision = 'continue' | 'stop';

/**
 * The session stops once its running cost reaches the amount held: Stripe can capture at most what was
 * held, so energy beyond it would be given away. The cost keeps growing a little while the charger
 * stops; settlementFor() records that part as uncollected.
 */
export function decideOnCost(costMinor: number, heldMinor: number): CostDecision {
  return costMinor >= heldMinor ? 'stop' : 'continue';
}

/** How a session's final cost is settled against the hold. */
export type Settlement =
  /** Nothing to charge: the hold is released (PaymentIntent canceled), the driver sees no charge. */
  | { action: 'cancel' }
  /** Capture `amount` (never more than held); `uncollected` is the part of the cost the hold did not cover. */
  | { action: 'capture'; amount: number; uncollected: number };

export function settlementFor(finalCostMinor: number, heldMinor: number): Settlement {
  if (!Number.isSafeInteger(finalCostMinor) || finalCostMinor < 0) throw new RangeError(`A final cost must be 0 or more minor units, not ${finalCostMinor}`);
  if (finalCostMinor === 0) return { action: 'cancel' };
  const amount = Math.min(finalCostMinor, heldMinor);
  return { action: 'capture', amount, uncollected: finalCostMinor - amount };
}

/**
 * The refund for a credit CDR: its amount (the sign does not matter; credit CDRs carry negative totals),
 * but never more than what was captured and not yet refunded. `notRefunded` is the part of the credit
 * that exceeded it (a credit for cost the hold never covered).
 */
export function refundFor(creditMinor: number, capturedMinor: number, alreadyRefundedMinor: number): { amount: number; notRefunded: number } {
  const credit = Math.abs(creditMinor);
  const refundable = Math.max(0, capturedMinor - alreadyRefundedMinor);
  const amount = Math.min(credit, refundable);
  return { amount, notRefunded: credit - amount };
}
