import { allocate } from '../../../src/core/allocation/allocation-core';
import { overloads, sessionFacts } from './arbitraries';
import { largeSite } from './scale-site';

describe('allocate at scale', () => {
  it('allocates a 1,000-connector site within every limit (no timing assertion)', () => {
    const { site, sessions, now } = largeSite();
    const allocation = allocate(site, sessions, now);
    expect(allocation.connectors).toHaveLength(1000);
    expect(overloads(site, sessions, allocation, now)).toEqual([]);
    const facts = sessionFacts(site, sessions);
    const charging = allocation.connectors.filter((c) => c.limitAmps > 0);
    expect(charging.length).toBeGreaterThan(0);
    for (const c of charging) expect(c.limitAmps).toBeGreaterThanOrEqual(facts.get(c.connectorKey)!.min);
    // The peak window (3,000 kW = 4,347.8 A per phase, minus 5 %) is what binds.
    expect(allocation.nodes[0].capacityAmps).toBe(4130.4);
    expect(Math.max(allocation.nodes[0].usedAmps.L1, allocation.nodes[0].usedAmps.L2, allocation.nodes[0].usedAmps.L3)).toBeGreaterThan(4100);
  });
});
