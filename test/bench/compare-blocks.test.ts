import { compareBlocks } from '../../bench/support';

/** bench:ocpi section 4's comparison of alternating blocks: pooled percentiles and the median pair ratio. */
describe('compareBlocks', () => {
  const block = (base: number, worst: number) => [...Array.from({ length: 99 }, (_, i) => base + i / 100), worst];

  it('pools every sample per condition and takes the median of the per-pair ratios', () => {
    const pairs = [
      { off: block(1, 10), on: block(1.1, 11) },
      { off: block(1, 10), on: block(1.1, 10.5) },
      // One pair where another process's burst fell on the on block (its worst sample).
      { off: block(1, 10), on: block(1.1, 200) },
    ];
    const c = compareBlocks(pairs);
    expect(c.pairs).toBe(3);
    expect(c.off.count).toBe(300);
    expect(c.on.count).toBe(300);
    // p99 of 300 samples is the fourth largest: past the three worst (10 each off; 200, 11, 10.5 on).
    expect(c.off.p99).toBeCloseTo(1.98, 9);
    expect(c.on.p99).toBeCloseTo(2.08, 9);
    expect(c.on.max).toBe(200);
    // Per pair, p99 of 100 samples is the 99th: the block's second largest (1.98 off, 2.08 on).
    expect(c.medianPairRatio.p99).toBeCloseTo(2.08 / 1.98, 6);
    expect(c.medianPairRatio.p50).toBeCloseTo(1.59 / 1.49, 6);
  });

  it('takes the mean of the middle two for an even number of pairs, and refuses none', () => {
    const c = compareBlocks([
      { off: [1, 1], on: [1, 1] },
      { off: [1, 1], on: [2, 2] },
    ]);
    expect(c.medianPairRatio.p50).toBe(1.5);
    expect(() => compareBlocks([])).toThrow(/at least one pair/);
  });
});
