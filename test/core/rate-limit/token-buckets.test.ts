import { TokenBuckets } from '../../../src/core/rate-limit/token-buckets';

describe('TokenBuckets', () => {
  it('allows a burst, then one request per earned token, and says when the next one is earned', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take('a', t0).allowed)).toEqual([true, true, true]);
    expect(buckets.take('a', t0)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(buckets.take('a', t0 + 250)).toEqual({ allowed: false, retryAfterMs: 250 });
    expect(buckets.take('a', t0 + 500)).toEqual({ allowed: true });
    expect(buckets.take('a', t0 + 500).allowed).toBe(false);
    // Idle for long: back to the burst, never beyond it.
    expect(buckets.remaining('a', t0 + 60_000)).toBe(3);
  });

  it('keeps keys apart: one key spending all leaves the others their whole burst', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 2 });
    buckets.take('flooder', 0);
    buckets.take('flooder', 0);
    expect(buckets.take('flooder', 0).allowed).toBe(false);
    expect(buckets.take('quiet', 0).allowed).toBe(true);
    expect(buckets.remaining('quiet', 0)).toBe(1);
  });

  it('is off at rate 0 and refuses nonsense limits', () => {
    const off = new TokenBuckets({ ratePerSecond: 0, burst: 1 });
    expect(Array.from({ length: 1000 }, () => off.take('a', 0).allowed).every(Boolean)).toBe(true);
    expect(off.size).toBe(0);
    expect(() => new TokenBuckets({ ratePerSecond: -1, burst: 1 })).toThrow(/ratePerSecond >= 0 and burst >= 1/);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 })).toThrow(/burst >= 1/);
  });

  it('does not move backwards when a caller passes an older time', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 });
    expect(buckets.take('a', 10_000).allowed).toBe(true);
    expect(buckets.take('a', 5_000).allowed).toBe(false);
    expect(buckets.take('a', 11_000).allowed).toBe(true);
  });

  it('drops full buckets once many keys are held, so a flood of new keys cannot grow memory for ever', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 5 });
    for (let i = 0; i < 10_000; i++) buckets.take(`k${i}`, 0);
    expect(buckets.size).toBe(10_000);
    // A second later every bucket is full again (4 left + 10 earned, capped at 5): the next new key prunes them.
    buckets.take('late', 1000);
    expect(buckets.size).toBe(1);
  });
});
