import fc from 'fast-check';
import { allocate, orderProfileChanges, type Allocation, type ConnectorLimit, type Phase, type Site, type SiteNode } from '../../../src/core/allocation/allocation-core';
import { allConnectors, nowArb, sessionShapeArb, siteArb, toSession } from './arbitraries';

function limit(connectorKey: string, limitAmps: number, phases: 1 | 3 = 3, phase: Phase = 'L1'): ConnectorLimit {
  return {
    connectorKey,
    limitAmps,
    limitWatts: Math.floor(phases * 230 * limitAmps),
    phases,
    loadedPhases: limitAmps > 0 ? (phases === 3 ? ['L1', 'L2', 'L3'] : [phase]) : [],
    paused: limitAmps === 0,
    reason: 'fair-share',
  };
}

describe('orderProfileChanges', () => {
  it('sends lowered limits before raised ones and leaves unchanged connectors out', () => {
    const previous = [limit('a', 10), limit('b', 20), limit('c', 16), limit('d', 8)];
    const next = [limit('a', 20), limit('b', 10), limit('c', 16), limit('d', 0)];
    const changes = orderProfileChanges(previous, next);
    expect(changes.map((c) => [c.connectorKey, c.direction, c.fromAmps, c.limit.limitAmps])).toEqual([
      ['b', 'lower', 20, 10],
      ['d', 'lower', 8, 0],
      ['a', 'raise', 10, 20],
    ]);
  });

  it('sends connectors with an unknown previous limit among the lowerings', () => {
    const changes = orderProfileChanges(undefined, [limit('a', 16)]);
    expect(changes).toEqual([{ connectorKey: 'a', direction: 'lower', fromAmps: null, limit: limit('a', 16) }]);
  });

  it('splits a phase change that lowers one phase and raises another into a lowering step and a raise', () => {
    // 3 × 10 A → 1 × 16 A on L1: L1 goes up, L2 and L3 go down.
    const changes = orderProfileChanges([limit('a', 10, 3), limit('b', 16)], [limit('a', 16, 1), limit('b', 12)]);
    expect(changes.map((c) => [c.connectorKey, c.direction, c.intermediate ?? false, c.limit.limitAmps, c.limit.phases, c.limit.loadedPhases])).toEqual([
      ['a', 'lower', true, 10, 1, ['L1']], // largest reduction (10 A on L2 and L3) first
      ['b', 'lower', false, 12, 3, ['L1', 'L2', 'L3']],
      ['a', 'raise', false, 16, 1, ['L1']],
    ]);
    expect(changes[0].limit.limitWatts).toBe(2300);
  });

  it('never lets any node carry more than the larger of its old and new load while the changes roll out (property)', () => {
    const arb = fc.tuple(siteArb(), nowArb, nowArb).chain(([site, now1, now2]) => {
      const keys = allConnectors(site).map((c) => c.connectorKey);
      const shapes = fc.array(sessionShapeArb(), { minLength: keys.length, maxLength: keys.length });
      return fc.tuple(shapes, shapes).map(([s1, s2]) => ({
        site,
        previous: allocate(site, s1.flatMap((s, i) => (s.present ? [toSession(keys[i], s, now1)] : [])), now1),
        next: allocate(site, s2.flatMap((s, i) => (s.present ? [toSession(keys[i], s, now2)] : [])), now2),
      }));
    });
    fc.assert(
      fc.property(arb, ({ site, previous, next }) => {
        const changes = orderProfileChanges(previous, next);
        const firstRaise = changes.findIndex((c) => c.direction === 'raise');
        if (firstRaise >= 0) expect(changes.slice(firstRaise).every((c) => c.direction === 'raise')).toBe(true);
        const state = new Map(previous.connectors.map((c) => [c.connectorKey, c]));
        const bound = (a: Allocation) => nodeLoads(site, new Map(a.connectors.map((c) => [c.connectorKey, c])));
        const before = bound(previous);
        const after = bound(next);
        for (const change of changes) {
          state.set(change.connectorKey, change.limit);
          const now = nodeLoads(site, state);
          for (const [key, load] of now) expect(load).toBeLessThanOrEqual(Math.max(before.get(key)!, after.get(key)!));
        }
        // The rollout ends exactly at the new allocation.
        for (const c of next.connectors) expect(state.get(c.connectorKey)!.limitAmps).toBe(c.limitAmps);
      }),
      { numRuns: 200 },
    );
  });
});

/** Load in tenths of an amp per node and phase ("node/L1"). */
function nodeLoads(site: Site, limits: Map<string, ConnectorLimit>): Map<string, number> {
  const result = new Map<string, number>();
  const visit = (node: SiteNode): Record<Phase, number> => {
    const used: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
    for (const c of node.connectors ?? []) {
      const l = limits.get(c.connectorKey);
      if (l) for (const p of l.loadedPhases) used[p] += Math.round(l.limitAmps * 10);
    }
    for (const child of node.children ?? []) {
      const below = visit(child);
      for (const p of ['L1', 'L2', 'L3'] as Phase[]) used[p] += below[p];
    }
    for (const p of ['L1', 'L2', 'L3'] as Phase[]) result.set(`${node.id}/${p}`, used[p]);
    return used;
  };
  visit(site);
  return result;
}
