/**
 * Delay before retry `attempt` (1-based): exponential, capped, with ±20 % jitter so retries spread out.
 * The one backoff of the hub: outbox deliveries and payout retries use it.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
