import { allocate, type Site } from '../../../src/core/allocation/allocation-core';
import { availableAmps, availableSite, planSite } from '../../../src/core/planning/planning-core';

const SLOT = 15 * 60_000;
const NOW = new Date('2026-11-20T10:05:00Z'); // 11:05 in Amsterdam
const START = Date.parse('2026-11-20T10:00:00Z');
const site: Site = {
  id: 'root',
  timeZone: 'Europe/Amsterdam',
  limit: { amps: 32 },
  children: [{ id: 'feeder', limit: { amps: 20 }, connectors: [{ connectorKey: 'A', phases: 3, maxAmps: 32 }, { connectorKey: 'B', phases: 3, maxAmps: 32 }] }],
  connectors: [{ connectorKey: 'C', phases: 3, maxAmps: 32 }],
};
const spec: { phases: 1 | 3; maxAmps: number; minAmps: number; priorityClass?: string } = { phases: 3, maxAmps: 32, minAmps: 6 };

describe('available capacity and the planner at a site', () => {
  it('takes the lowest of the site, a valid EMS limit and what bookings hold', () => {
    expect(availableAmps(site, NOW.getTime(), NOW.getTime() + 1, undefined, [])).toBe(32);
    expect(availableAmps(site, NOW.getTime(), NOW.getTime() + 1, { limitW: 12 * 3 * 230 }, [])).toBe(12);
    // Expired: the site's own limit again.
    expect(availableAmps(site, NOW.getTime(), NOW.getTime() + 1, { limitW: 12 * 3 * 230, validUntil: NOW.getTime() }, [])).toBe(32);
    // 11 kW booked: 32 − 11000 / 690 = 16.05 → 16.0 A.
    expect(availableAmps(site, NOW.getTime(), NOW.getTime() + 1, undefined, [{ from: NOW.getTime() - 1, until: NOW.getTime() + SLOT, powerW: 11000 }])).toBe(16);
  });

  it('lets the instant allocator give the cars only what the booking leaves', () => {
    const sessions = [{ connectorKey: 'A' }, { connectorKey: 'C' }];
    const free = allocate(site, sessions, NOW).connectors.reduce((sum, c) => sum + c.limitAmps, 0);
    const held = allocate(availableSite(site, 16), sessions, NOW);
    expect(free).toBe(32);
    expect(held.connectors.reduce((sum, c) => sum + c.limitAmps, 0)).toBe(16);
    expect(held.nodes[0]).toMatchObject({ nodeId: 'available-capacity' });
  });

  it('plans by class and departure, and keeps the site tree in every slot', () => {
    const result = planSite({
      site,
      sessions: [
        { connectorKey: 'A', sessionId: 'a', departureTime: new Date(START + 2 * 3_600_000), energyNeededWh: 11_040 },
        { connectorKey: 'B', sessionId: 'b' },
        { connectorKey: 'C', sessionId: 'c' },
      ],
      cars: new Map([
        ['A', spec],
        ['B', spec],
        ['C', { ...spec, priorityClass: 'fleet' }],
      ]),
      now: NOW,
      ceiling: { limitW: 24 * 3 * 230, validUntil: START + 4 * SLOT },
      classes: [{ id: 'standard', rank: 0 }, { id: 'fleet', rank: 1 }],
      reservePriority: 1e9,
    });
    expect(result.start).toBe(START);
    const [a, b, c] = ['A', 'B', 'C'].map((k) => result.amps.get(k)!);
    for (let i = 0; i < 96; i++) {
      // The feeder's 20 A holds for A and B together in every slot, the EMS 24 A for the first hour.
      expect(a[i] + b[i]).toBeLessThanOrEqual(20);
      expect(a[i] + b[i] + c[i]).toBeLessThanOrEqual(i < 4 ? 24 : 32);
      for (const v of [a[i], b[i], c[i]]) expect(v === 0 || v >= 6).toBe(true);
    }
    // A needs 11 kWh within two hours: it is planned in full by then.
    const deliveredA = a.slice(0, 8).reduce((sum, amps) => sum + amps * 3 * 230 * 0.25, 0);
    expect(deliveredA).toBeGreaterThanOrEqual(11_040 - 3 * 230 * 0.25);
    expect(result.plan.cars.find((car) => car.carId === 'A')!.minimumMet).toBe(true);
  });
});
