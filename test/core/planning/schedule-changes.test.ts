import fc from 'fast-check';
import {
  compareSchedules,
  constantSchedule,
  orderScheduleChanges,
  pointwiseMin,
  scheduleAt,
  slotsToSchedule,
  totalAt,
  type AmpSchedule,
} from '../../../src/core/planning/planning-core';

const SLOT = 15 * 60_000;
const T0 = Date.parse('2026-11-20T16:00:00Z');

describe('absolute schedules as step functions', () => {
  it('turns per-slot values into merged steps that end at 0 A', () => {
    const s = slotsToSchedule(T0, SLOT, [16, 16, 10, 0, 0, 12]);
    expect(s).toEqual([
      { from: T0, amps: 16 },
      { from: T0 + 2 * SLOT, amps: 10 },
      { from: T0 + 3 * SLOT, amps: 0 },
      { from: T0 + 5 * SLOT, amps: 12 },
      { from: T0 + 6 * SLOT, amps: 0 },
    ]);
    expect(scheduleAt(s, T0 + 2 * SLOT - 1)).toBe(16);
    expect(scheduleAt(s, T0 + 2 * SLOT)).toBe(10);
    expect(scheduleAt(s, T0 + 100 * SLOT)).toBe(0);
  });

  it('compares from now on only, and takes the pointwise lower', () => {
    const old = slotsToSchedule(T0, SLOT, [32, 32, 0, 0]);
    const next = slotsToSchedule(T0, SLOT, [10, 10, 20, 20]);
    expect(compareSchedules(old, next, T0)).toBe('mixed');
    // Past the first two slots only the raise is left.
    expect(compareSchedules(old, next, T0 + 2 * SLOT)).toBe('raise');
    expect(pointwiseMin(old, next, T0)).toEqual([
      { from: T0, amps: 10 },
      { from: T0 + 2 * SLOT, amps: 0 },
    ]);
    expect(compareSchedules(constantSchedule(16), constantSchedule(16), T0)).toBe('same');
  });

  it('sends lowerings (and the lower part of a mixed change) before every raise', () => {
    const previous = new Map<string, AmpSchedule>([
      ['A', slotsToSchedule(T0, SLOT, [20, 20, 20, 20])],
      ['B', slotsToSchedule(T0, SLOT, [12, 12, 12, 12])],
      ['C', slotsToSchedule(T0, SLOT, [0, 0, 0, 0])],
    ]);
    const changes = orderScheduleChanges(
      previous,
      [
        { connectorKey: 'C', schedule: slotsToSchedule(T0, SLOT, [10, 10, 10, 10]) },
        { connectorKey: 'A', schedule: slotsToSchedule(T0, SLOT, [10, 10, 30, 30]) },
        { connectorKey: 'B', schedule: slotsToSchedule(T0, SLOT, [12, 12, 2, 2]) },
        { connectorKey: 'D', schedule: constantSchedule(0) },
      ],
      T0,
    );
    expect(changes.map((c) => `${c.direction} ${c.connectorKey}${c.intermediate ? ' (intermediate)' : ''}`)).toEqual([
      'lower A (intermediate)',
      'lower B',
      'lower D',
      'raise C',
      'raise A',
    ]);
    expect(changes[0].schedule).toEqual([
      { from: T0, amps: 10 },
      { from: T0 + 2 * SLOT, amps: 20 },
      { from: T0 + 4 * SLOT, amps: 0 },
    ]);
  });

  it('never lets the total at any instant exceed the larger of the old and new totals while changes are applied in order (property)', () => {
    const slots = fc.array(fc.integer({ min: 0, max: 32 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(fc.tuple(slots, slots), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 4 }), (cars, failAt) => {
        const previous = new Map<string, AmpSchedule>(cars.map(([old], i) => [`K${i}`, slotsToSchedule(T0, SLOT, old)]));
        const next = cars.map(([, n], i) => ({ connectorKey: `K${i}`, schedule: slotsToSchedule(T0, SLOT, n) }));
        const changes = orderScheduleChanges(previous, next, T0);
        const instants = Array.from({ length: 5 }, (_, i) => T0 + i * SLOT);
        const bound = instants.map((t) => Math.max(totalAt(previous.values(), t), totalAt(next.map((n) => n.schedule), t)));
        const newTotal = instants.map((t) => totalAt(next.map((n) => n.schedule), t));
        // A charger may refuse: the lowering phase then stops the raises (as the load manager does).
        const inForce = new Map(previous);
        let refused = false;
        changes.forEach((change, i) => {
          if (change.direction === 'raise' && refused) return;
          if (change.direction === 'lower' && i === failAt) {
            refused = true;
            return;
          }
          inForce.set(change.connectorKey, change.schedule);
          instants.forEach((t, j) => expect(totalAt(inForce.values(), t)).toBeLessThanOrEqual(bound[j]));
        });
        if (!refused) instants.forEach((t, j) => expect(totalAt(inForce.values(), t)).toBe(newTotal[j]));
      }),
      { numRuns: 300 },
    );
  });
});
