import { figuresTable, value } from '../../bench/all-table';

/** The one table of npm run bench:all, from what the benches reported. */
describe('bench:all table', () => {
  it('has a row per figure with the ratio to its baseline, the goal and the verdict', () => {
    const text = figuresTable([
      {
        name: 'ocpi',
        exit: 0,
        seconds: 60,
        loadBefore: [1, 1, 1],
        loadAfter: [2, 1, 1],
        figures: [
          { figure: 'authorize p99 @200/s', value: 9.5, unit: 'ms', baseline: 4.2, baselineName: 'bare Koa, one hop', goal: { ratioAtMost: 2, text: 'p99 ≤ 2× bare one-hop' }, met: false },
          { figure: 'GET-all | pages/s', value: 250, unit: 'pages/s', baseline: 480, goal: { ratioAtLeast: 0.5, text: '≥ 50 % of bare pages/s' }, met: true },
        ],
      },
      { name: 'ocpp', exit: 1, seconds: 3, loadBefore: [2, 1, 1], loadAfter: [2, 1, 1], figures: [] },
      { name: 'health', exit: 0, seconds: 40, loadBefore: [1, 1, 1], loadAfter: [1, 1, 1], figures: [{ figure: 'recall', value: 97.25, unit: '%' }] },
    ]).split('\n');
    expect(text).toEqual([
      '| bench | figure | hub | baseline | ratio | goal | met? |',
      '|---|---|---|---|---|---|---|',
      '| ocpi | authorize p99 @200/s | 9.50 ms | 4.20 ms (bare Koa, one hop) | 2.26× | p99 ≤ 2× bare one-hop | **no** |',
      '| ocpi | GET-all \\| pages/s | 250 pages/s | 480 pages/s | 0.52× | ≥ 50 % of bare pages/s | yes |',
      '| ocpp | (no figures: exit 1) | | | | | |',
      '| health | recall | 97.3 % |  |  |  |  |',
    ]);
  });

  it('writes numbers by size and a dash for what was not measured', () => {
    expect(value(12_345.6, 'msgs/s')).toBe('12,346 msgs/s');
    expect(value(0.04)).toBe('0.04');
    expect(value(0, 'calls')).toBe('0 calls');
    expect(value(Number.NaN, 'ms')).toBe('—');
    expect(value(null)).toBe('—');
  });
});
