/**
 * Token buckets per key (a party's token, a charge point id): each key may spend `burst` requests at
 * once and earns `ratePerSecond` back, continuously. Pure: the caller passes the time, so tests run
 * without clocks and two callers never disagree about "now".
 */

export interface RateLimit {
  /** Requests earned back per second; 0 turns the limit off. */
  ratePerSecond: number;
  /** The most requests taken at once (the bucket's size). */
  burst: number;
}

export type TakeVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** How many keys may be kept before full (idle) buckets are dropped. */
const PRUNE_ABOVE = 10_000;

export class TokenBuckets<K = string> {
  private readonly buckets = new Map<K, Bucket>();
  private lastPruneMs = -Infinity;

  constructor(readonly limit: RateLimit) {
    if (!(limit.ratePerSecond >= 0) || !(limit.burst >= 1)) {
      throw new Error(`A rate limit needs ratePerSecond >= 0 and burst >= 1 (got ${limit.ratePerSecond}/s, burst ${limit.burst})`);
    }
  }

  get enabled(): boolean {
    return this.limit.ratePerSecond > 0;
  }

  /** Spends one request of `key` at `nowMs`, or says how long until one is earned. */
  take(key: K, nowMs: number): TakeVerdict {
    if (!this.enabled) return { allowed: true };
    const bucket = this.refilled(key, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.limit.ratePerSecond) * 1000) };
  }

  /** Requests `key` may still make at once. */
  remaining(key: K, nowMs: number): number {
    if (!this.enabled) return Infinity;
    return Math.floor(this.peek(key, nowMs));
  }

  /** How many keys are held (full buckets are dropped once many are held). */
  get size(): number {
    return this.buckets.size;
  }

  private peek(key: K, nowMs: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.limit.burst;
    const earned = (Math.max(0, nowMs - bucket.updatedAtMs) / 1000) * this.limit.ratePerSecond;
    return Math.min(this.limit.burst, bucket.tokens + earned);
  }

  private refilled(key: K, nowMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // At most once a second: under a flood of new keys a prune per key would cost O(n) each.
      if (this.buckets.size >= PRUNE_ABOVE && nowMs - this.lastPruneMs >= 1000) this.prune(nowMs);
      bucket = { tokens: this.limit.burst, updatedAtMs: nowMs };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = this.peek(key, nowMs);
    bucket.updatedAtMs = Math.max(bucket.updatedAtMs, nowMs);
    return bucket;
  }

  /** A full bucket is the same as none: dropping it bounds memory under a flood of new keys. */
  prune(nowMs: number): void {
    this.lastPruneMs = nowMs;
    for (const key of [...this.buckets.keys()]) {
      if (this.peek(key, nowMs) >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
