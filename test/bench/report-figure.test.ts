import { BENCH_FIGURE_PREFIX, goalMet, reportFigure } from '../../bench/support';

/** The figures benches report for `npm run bench:all`: the machine-readable line and the goal verdict. */
describe('reportFigure and goalMet', () => {
  it('prints one BENCH_FIGURE line of JSON that reads back as the figure, with its verdict', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      reportFigure({ figure: 'authorize p99 @200/s', value: 9, unit: 'ms', baseline: 4, baselineName: 'bare Koa', goal: { ratioAtMost: 2, text: 'p99 ≤ 2× bare one-hop' } });
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(written[0].startsWith(BENCH_FIGURE_PREFIX)).toBe(true);
    expect(written[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(written[0].slice(BENCH_FIGURE_PREFIX.length))).toEqual({
      figure: 'authorize p99 @200/s',
      value: 9,
      unit: 'ms',
      baseline: 4,
      baselineName: 'bare Koa',
      goal: { ratioAtMost: 2, text: 'p99 ≤ 2× bare one-hop' },
      met: false, // 9 / 4 = 2.25 > 2
    });
  });

  it('judges ratios against the baseline and bounds against the value', () => {
    expect(goalMet({ figure: 'f', value: 8, unit: 'ms', baseline: 4, goal: { ratioAtMost: 2, text: '' } })).toBe(true);
    expect(goalMet({ figure: 'f', value: 44, unit: 'pages/s', baseline: 90, goal: { ratioAtLeast: 0.5, text: '' } })).toBe(false);
    expect(goalMet({ figure: 'f', value: 45, unit: 'pages/s', baseline: 90, goal: { ratioAtLeast: 0.5, text: '' } })).toBe(true);
    expect(goalMet({ figure: 'f', value: 199_999, unit: 'CDRs/s', baseline: 1e7, goal: { atLeast: 200_000, text: '' } })).toBe(false);
    expect(goalMet({ figure: 'f', value: 0, unit: 'calls', goal: { atMost: 0, text: '' } })).toBe(true);
    // No goal, or a ratio goal without a baseline: no verdict rather than a guess.
    expect(goalMet({ figure: 'f', value: 1, unit: 'ms' })).toBeUndefined();
    expect(goalMet({ figure: 'f', value: 1, unit: 'ms', goal: { ratioAtMost: 2, text: '' } })).toBeUndefined();
    expect(goalMet({ figure: 'f', value: 1, unit: 'ms', baseline: 0, goal: { ratioAtMost: 2, text: '' } })).toBeUndefined();
  });
});
