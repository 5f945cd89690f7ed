import {
  allocate,
  nextBoundary,
  SiteConfigError,
  type Allocation,
  type ConnectorSpec,
  type SessionDemand,
  type Site,
} from '../../../src/core/allocation/allocation-core';
import { enforceCapacities } from '../../../src/core/allocation/allocate';

const NOW = new Date('2024-01-10T12:00:00Z'); // 13:00 in Amsterdam (CET)

function connectors(keys: string[], spec: Partial<ConnectorSpec> = {}): ConnectorSpec[] {
  return keys.map((connectorKey) => ({ connectorKey, phases: 3, maxAmps: 32, ...spec }));
}

function site(overrides: Partial<Site> = {}): Site {
  return { id: 'site', timeZone: 'Europe/Amsterdam', limit: { amps: 32 }, ...overrides };
}

function limits(allocation: Allocation): Record<string, number> {
  return Object.fromEntries(allocation.connectors.map((c) => [c.connectorKey, c.limitAmps]));
}

function byKey(allocation: Allocation, key: string) {
  return allocation.connectors.find((c) => c.connectorKey === key)!;
}

const inHours = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

describe('allocate (examples)', () => {
  it('shares a 32 A site equally among 3 cars, rounding down to 0.1 A', () => {
    const s = site({ connectors: connectors(['a', 'b', 'c']) });
    const result = allocate(s, [{ connectorKey: 'a' }, { connectorKey: 'b' }, { connectorKey: 'c' }], NOW);
    expect(limits(result)).toEqual({ a: 10.6, b: 10.6, c: 10.6 });
    expect(byKey(result, 'a')).toMatchObject({ limitWatts: 7314, phases: 3, paused: false, reason: 'fair-share', constrainedBy: 'site' });
    expect(result.nodes[0]).toMatchObject({ nodeId: 'site', capacityAmps: 32, usedAmps: { L1: 31.8, L2: 31.8, L3: 31.8 } });
  });

  it('gives idle connectors 0 and lets one car take everything up to its connector maximum', () => {
    const s = site({ limit: { amps: 63 }, connectors: connectors(['a', 'b']) });
    const result = allocate(s, [{ connectorKey: 'a' }], NOW);
    expect(byKey(result, 'a')).toMatchObject({ limitAmps: 32, reason: 'at-maximum' });
    expect(byKey(result, 'b')).toMatchObject({ limitAmps: 0, paused: false, reason: 'idle', loadedPhases: [] });
  });

  it('lowers the limit during a peak window (local time of the site)', () => {
    const s = site({
      connectors: connectors(['a', 'b']),
      timeWindows: [{ id: 'evening-peak', start: '17:00', end: '21:00', limit: { amps: 20 } }],
    });
    const sessions: SessionDemand[] = [{ connectorKey: 'a' }, { connectorKey: 'b' }];
    const afternoon = allocate(s, sessions, new Date('2024-01-10T15:30:00Z')); // 16:30 CET
    expect(limits(afternoon)).toEqual({ a: 16, b: 16 });
    const peak = allocate(s, sessions, new Date('2024-01-10T16:00:00Z')); // 17:00 CET
    expect(limits(peak)).toEqual({ a: 10, b: 10 });
    expect(peak.nodes[0]).toMatchObject({ capacityAmps: 20, activeWindowIds: ['evening-peak'] });
    // Summer time: 17:00 CEST is 15:00 UTC.
    expect(limits(allocate(s, sessions, new Date('2024-07-10T15:00:00Z')))).toEqual({ a: 10, b: 10 });
    expect(limits(allocate(s, sessions, new Date('2024-01-10T20:00:00Z')))).toEqual({ a: 16, b: 16 }); // 21:00 CET
    expect(nextBoundary(s, new Date('2024-01-10T15:30:00Z'))).toEqual(new Date('2024-01-10T16:00:00Z'));
  });

  it('keeps a safety margin below the limit (amps and percent) and converts kW limits with the nominal voltage', () => {
    const margin = site({ safetyMargin: { amps: 1, percent: 10 }, connectors: connectors(['a', 'b']) });
    // 32 - 1 - 3.2 = 27.8 A per phase.
    expect(limits(allocate(margin, [{ connectorKey: 'a' }, { connectorKey: 'b' }], NOW))).toEqual({ a: 13.9, b: 13.9 });
    const kw = site({ limit: { kilowatts: 22 }, connectors: connectors(['a']) });
    // 22 kW / (3 × 230 V) = 31.88 A per phase, rounded down.
    const result = allocate(kw, [{ connectorKey: 'a' }], NOW);
    expect(byKey(result, 'a')).toMatchObject({ limitAmps: 31.8, limitWatts: 21942 });
    const volts = site({ nominalVoltage: 240, limit: { kilowatts: 11 }, connectors: connectors(['a']) });
    expect(byKey(allocate(volts, [{ connectorKey: 'a' }], NOW), 'a').limitAmps).toBe(15.2); // 11000 / 720
  });

  it('caps a car drawing 6 A of its 16 A near its draw and gives the rest to the others', () => {
    const s = site({ connectors: connectors(['a', 'b']) });
    const result = allocate(
      s,
      [
        { connectorKey: 'a', measuredAmps: 6, currentLimitAmps: 16 },
        { connectorKey: 'b', measuredAmps: 16, currentLimitAmps: 16 },
      ],
      NOW,
    );
    expect(byKey(result, 'a')).toMatchObject({ limitAmps: 9, reason: 'give-back' }); // 6 A + 3 A headroom
    expect(byKey(result, 'b')).toMatchObject({ limitAmps: 23, reason: 'fair-share' });
  });

  it('keeps a give-back cap stable while the car stays below it, and lifts it once the car uses it', () => {
    const s = site({ connectors: connectors(['a', 'b']) });
    const other: SessionDemand = { connectorKey: 'b', measuredAmps: 23, currentLimitAmps: 23 };
    const capped = allocate(s, [{ connectorKey: 'a', measuredAmps: 6.2, currentLimitAmps: 9 }, other], NOW);
    expect(byKey(capped, 'a')).toMatchObject({ limitAmps: 9.2, reason: 'give-back' });
    const wantsMore = allocate(s, [{ connectorKey: 'a', measuredAmps: 9, currentLimitAmps: 9 }, other], NOW);
    expect(limits(wantsMore)).toEqual({ a: 16, b: 16 });
  });

  it('does not give back while the car may still be ramping up to a new limit, or when switched off', () => {
    const s = site({ connectors: connectors(['a', 'b']) });
    const ramping: SessionDemand = { connectorKey: 'a', measuredAmps: 6, currentLimitAmps: 16, currentLimitSince: new Date(NOW.getTime() - 20_000) };
    expect(limits(allocate(s, [ramping, { connectorKey: 'b' }], NOW))).toEqual({ a: 16, b: 16 });
    const settled = { ...ramping, currentLimitSince: new Date(NOW.getTime() - 90_000).toISOString() };
    expect(limits(allocate(s, [settled, { connectorKey: 'b' }], NOW))).toEqual({ a: 9, b: 23 });
    expect(limits(allocate(s, [settled, { connectorKey: 'b' }], NOW, { giveBack: false }))).toEqual({ a: 16, b: 16 });
  });

  it('takes the limit in force from the previous allocation when the session does not say', () => {
    const s = site({ connectors: connectors(['a', 'b']) });
    const previous = allocate(s, [{ connectorKey: 'a' }, { connectorKey: 'b' }], NOW);
    const next = allocate(s, [{ connectorKey: 'a', measuredAmps: 0 }, { connectorKey: 'b' }], NOW, { previous });
    expect(limits(next)).toEqual({ a: 6, b: 26 }); // a full car keeps its minimum
  });

  it('gives a departure-urgent car more than the plain fair share without starving the others', () => {
    const s = site({ connectors: connectors(['u', 'b', 'c']) });
    // 20 kWh in 2 h on 3 × 230 V needs 14.49 A per phase on average; fair share would be 10.6 A.
    const result = allocate(
      s,
      [
        { connectorKey: 'u', departureTime: inHours(2), energyNeededWh: 20_000 },
        { connectorKey: 'b', departureTime: inHours(10), energyNeededWh: 20_000 },
        { connectorKey: 'c' },
      ],
      NOW,
    );
    expect(byKey(result, 'u')).toMatchObject({ limitAmps: 14.4, reason: 'urgent' });
    expect(byKey(result, 'b').limitAmps).toBe(8.7);
    expect(byKey(result, 'c').limitAmps).toBe(8.7);
    // Without urgency it is plain fair share.
    expect(limits(allocate(s, [{ connectorKey: 'u' }, { connectorKey: 'b' }, { connectorKey: 'c' }], NOW, { urgency: false }))).toEqual({
      u: 10.6,
      b: 10.6,
      c: 10.6,
    });
    // A car that cannot make it even at full power takes what is left above everyone's minimum.
    const greedy = allocate(
      s,
      [{ connectorKey: 'u', departureTime: inHours(1), energyNeededWh: 60_000 }, { connectorKey: 'b' }, { connectorKey: 'c' }],
      NOW,
    );
    expect(limits(greedy)).toEqual({ u: 20, b: 6, c: 6 });
  });

  it('ignores departures in the past and cars that need nothing more', () => {
    const s = site({ connectors: connectors(['a', 'b']) });
    const result = allocate(
      s,
      [
        { connectorKey: 'a', departureTime: inHours(-1), energyNeededWh: 50_000 },
        { connectorKey: 'b', departureTime: inHours(1), energyNeededWh: 0 },
      ],
      NOW,
    );
    expect(limits(result)).toEqual({ a: 16, b: 16 });
  });

  it('respects a sub-feeder limit for its group and gives the remainder to the rest of the site', () => {
    const s = site({
      limit: { amps: 63 },
      connectors: connectors(['x', 'y']),
      children: [{ id: 'feeder', limit: { amps: 20 }, connectors: connectors(['f1', 'f2']) }],
    });
    const result = allocate(s, ['x', 'y', 'f1', 'f2'].map((connectorKey) => ({ connectorKey })), NOW);
    expect(limits(result)).toEqual({ x: 21.5, y: 21.5, f1: 10, f2: 10 });
    expect(byKey(result, 'f1').constrainedBy).toBe('feeder');
    expect(byKey(result, 'x').constrainedBy).toBe('site');
    expect(result.nodes.find((n) => n.nodeId === 'feeder')!.usedAmps.L1).toBe(20);
  });

  it('models a charger with a shared maximum as a node', () => {
    const s = site({
      limit: { amps: 100 },
      children: [{ id: 'charger-1', limit: { amps: 32 }, connectors: connectors(['1/1', '1/2']) }],
    });
    expect(limits(allocate(s, [{ connectorKey: '1/1', maxAmps: 10 }, { connectorKey: '1/2' }], NOW))).toEqual({ '1/1': 10, '1/2': 22 });
  });

  it('pauses cars that cannot get their minimum: lowest priority, then latest departure first, never all', () => {
    const s = site({ limit: { amps: 20 }, connectors: connectors(['vip', 'early', 'late', 'unknown']) });
    const result = allocate(
      s,
      [
        { connectorKey: 'unknown' },
        { connectorKey: 'late', departureTime: inHours(8), energyNeededWh: 10_000 },
        { connectorKey: 'early', departureTime: inHours(2), energyNeededWh: 5_000 },
        { connectorKey: 'vip', priority: 1 },
      ],
      NOW,
    );
    expect(byKey(result, 'unknown')).toMatchObject({ limitAmps: 0, limitWatts: 0, paused: true, reason: 'paused-no-capacity', constrainedBy: 'site' });
    for (const key of ['vip', 'early', 'late']) expect(byKey(result, key).limitAmps).toBeGreaterThanOrEqual(6);
    expect(result.nodes[0].usedAmps.L1).toBeLessThanOrEqual(20);

    // Two slots only: the priority car and the earlier departure keep charging (priority gets the surplus).
    const tight = allocate(site({ limit: { amps: 13 }, connectors: connectors(['vip', 'early', 'late']) }), [
      { connectorKey: 'late', departureTime: inHours(8), energyNeededWh: 10_000 },
      { connectorKey: 'early', departureTime: inHours(2), energyNeededWh: 5_000 },
      { connectorKey: 'vip', priority: 1, departureTime: inHours(12) },
    ], NOW);
    expect(limits(tight)).toEqual({ vip: 7, early: 6, late: 0 });

    // Even a site below everyone's minimum still runs as many cars as fit (here: one).
    const one = allocate(site({ limit: { amps: 7 }, connectors: connectors(['a', 'b', 'c']) }), ['a', 'b', 'c'].map((connectorKey) => ({ connectorKey })), NOW);
    expect(one.connectors.filter((c) => c.limitAmps > 0)).toHaveLength(1);
    expect(one.connectors.find((c) => c.limitAmps > 0)!.limitAmps).toBe(7);
  });

  it('prefers cars that are already charging when everything else is equal (no flapping)', () => {
    const s = site({ limit: { amps: 12 }, connectors: connectors(['a', 'b', 'c']) });
    const result = allocate(s, [{ connectorKey: 'a' }, { connectorKey: 'b', currentLimitAmps: 0 }, { connectorKey: 'c', currentLimitAmps: 6 }], NOW);
    expect(byKey(result, 'c').limitAmps).toBe(6);
    expect(result.connectors.filter((c) => c.paused)).toHaveLength(1);
  });

  it('serves higher priority up to its maximum before lower priority gets more than its minimum', () => {
    const s = site({ limit: { amps: 40 }, connectors: connectors(['hi', 'lo1', 'lo2']) });
    const result = allocate(s, [{ connectorKey: 'hi', priority: 2 }, { connectorKey: 'lo1' }, { connectorKey: 'lo2' }], NOW);
    expect(limits(result)).toEqual({ hi: 28, lo1: 6, lo2: 6 });
  });

  it('counts a single-phase car on its own phase only', () => {
    const spread = site({
      connectors: [
        { connectorKey: 'p1', phases: 1, maxAmps: 32, singlePhaseOn: 'L1' },
        { connectorKey: 'p2', phases: 1, maxAmps: 32, singlePhaseOn: 'L2' },
        { connectorKey: 'p3', phases: 3, maxAmps: 32, singlePhaseOn: 'L3' },
      ],
    });
    const result = allocate(spread, [{ connectorKey: 'p1' }, { connectorKey: 'p2' }, { connectorKey: 'p3', phases: 1 }], NOW);
    expect(limits(result)).toEqual({ p1: 32, p2: 32, p3: 32 });
    expect(byKey(result, 'p3')).toMatchObject({ phases: 1, loadedPhases: ['L3'], limitWatts: 7360 });

    // All on L1 (the default) they share L1; a 3-phase car shares L1 with a 1-phase one.
    const s = site({ connectors: connectors(['a', 'b', 'c']) });
    expect(limits(allocate(s, ['a', 'b', 'c'].map((connectorKey) => ({ connectorKey, phases: 1 as const })), NOW))).toEqual({
      a: 10.6,
      b: 10.6,
      c: 10.6,
    });
    const mixed = allocate(s, [{ connectorKey: 'a' }, { connectorKey: 'b', phases: 1 }, { connectorKey: 'c', phases: 1, phase: 'L2' }], NOW);
    expect(limits(mixed)).toEqual({ a: 16, b: 16, c: 16 });
    expect(mixed.nodes[0].usedAmps).toEqual({ L1: 32, L2: 32, L3: 16 });
  });

  it('honours session minimum and maximum, and pauses a session whose maximum is below its minimum', () => {
    const s = site({ limit: { amps: 30 }, connectors: connectors(['a', 'b', 'c']) });
    const result = allocate(s, [{ connectorKey: 'a', minAmps: 16 }, { connectorKey: 'b', maxAmps: 5 }, { connectorKey: 'c' }], NOW);
    expect(byKey(result, 'b')).toMatchObject({ limitAmps: 0, paused: true, reason: 'paused-max-below-min' });
    expect(limits(result)).toEqual({ a: 16, b: 0, c: 14 });
  });

  it('reports unknown and duplicate sessions as warnings, and rejects an invalid site', () => {
    const s = site({ connectors: connectors(['a']) });
    const result = allocate(s, [{ connectorKey: 'a', sessionId: '1' }, { connectorKey: 'a', sessionId: '2' }, { connectorKey: 'zz' }], NOW);
    expect(byKey(result, 'a')).toMatchObject({ sessionId: '1', limitAmps: 32 });
    expect(result.warnings).toHaveLength(2);
    expect(() => allocate(site({ timeZone: 'Mars/Olympus' }), [], NOW)).toThrow(SiteConfigError);
    expect(() => allocate(site({ connectors: connectors(['a', 'a']) }), [], NOW)).toThrow(/duplicate connector key/);
    expect(() => allocate(site({ timeWindows: [{ start: '7:00', end: '25:00', limit: { amps: 1 } }] }), [], NOW)).toThrow(/HH:MM/);
  });
});

describe('enforceCapacities (the integer safety net after rounding)', () => {
  it('leaves loads within capacity alone', () => {
    const tenths = [100, 100];
    expect(enforceCapacities(tenths, [60, 60], [[0], [0]], [0, 1], [200])).toEqual([]);
    expect(tenths).toEqual([100, 100]);
  });

  it('takes an excess from the largest limits first, down to their minimums, on every constraint they load', () => {
    // Constraint 0 (capacity 250) holds sessions 0, 1, 2; constraint 1 (capacity 1000) holds session 2.
    const tenths = [100, 90, 80];
    expect(enforceCapacities(tenths, [60, 60, 60], [[0], [0], [0, 1]], [0, 1, 2], [250, 1000])).toEqual([]);
    expect(tenths).toEqual([80, 90, 80]); // 20 over: taken from the largest
    const more = [100, 100, 100];
    expect(enforceCapacities(more, [60, 60, 60], [[0], [0], [0]], [0, 1, 2], [220])).toEqual([]);
    expect(more).toEqual([100, 60, 60]); // equal limits: the last admitted gives up first
  });

  it('pauses the last admitted sessions when minimums alone do not fit', () => {
    const tenths = [60, 60, 60];
    expect(enforceCapacities(tenths, [60, 60, 60], [[0], [0], [0]], [2, 0, 1], [150])).toEqual([{ index: 1, constraint: 0 }]);
    expect(tenths).toEqual([60, 0, 60]);
  });
});
