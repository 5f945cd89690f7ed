import fc from 'fast-check';
import { plan, type Plan, type PlanningCar, type PlanningInput } from '../../../src/core/planning/planning-core';

const START_MS = Date.parse('2026-03-28T20:00:00Z'); // spans the spring-forward night in Amsterdam
const SLOT_MS = 15 * 60_000;
const HOURS = 0.25;
const iso = (slot: number, minutes = 0) => new Date(START_MS + slot * SLOT_MS + minutes * 60_000).toISOString();
const CLASSES = [
  { id: 'fleet', rank: 2 },
  { id: 'member', rank: 1 },
  { id: 'standard', rank: 0 },
];
const RUNS = { numRuns: 150 };

const carShapeArb = (slots: number) =>
  fc.record({
    arrival: fc.integer({ min: 0, max: slots - 1 }),
    stay: fc.integer({ min: 1, max: slots }),
    arrivalMinutes: fc.constantFrom(0, 0, 0, 7),
    maxPowerW: fc.constantFrom(3_680, 7_360, 11_040, 22_080, 4_321),
    minPowerW: fc.constantFrom(0, 1_380, 4_140),
    priorityClass: fc.constantFrom('fleet', 'member', 'standard'),
    witness: fc.array(fc.record({ on: fc.boolean(), at: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: slots, maxLength: slots }),
    minimumFactor: fc.double({ min: 0, max: 1, noNaN: true }),
    extraWh: fc.integer({ min: 0, max: 30_000 }),
  });

/**
 * A scenario feasible by construction: a witness schedule within every car's limits, the site limit per
 * slot at least the witness total (plus slack), each car's minimum at most what the witness delivers.
 */
const scenarioArb = fc
  .integer({ min: 4, max: 28 })
  .chain((slots) =>
    fc.record({
      slots: fc.constant(slots),
      cars: fc.array(carShapeArb(slots), { minLength: 1, maxLength: 7 }),
      slack: fc.array(fc.integer({ min: 0, max: 6_000 }), { minLength: slots, maxLength: slots }),
      prices: fc.array(fc.integer({ min: -5, max: 40 }), { minLength: slots, maxLength: slots }),
    }),
  )
  .map(({ slots, cars: shapes, slack, prices }) => {
    const totals = new Array<number>(slots).fill(0);
    const cars: PlanningCar[] = shapes.map((shape, i) => {
      const minPowerW = Math.min(shape.minPowerW, shape.maxPowerW);
      const first = shape.arrival + (shape.arrivalMinutes > 0 ? 1 : 0);
      const last = Math.min(slots, shape.arrival + shape.stay);
      let witnessWh = 0;
      for (let t = first; t < last; t++) {
        const w = shape.witness[t];
        const watts = w.on ? Math.floor(minPowerW + w.at * (shape.maxPowerW - minPowerW)) : 0;
        totals[t] += watts;
        witnessWh += watts * HOURS;
      }
      const minimumEnergyWh = Math.floor(witnessWh * shape.minimumFactor);
      return {
        id: `car-${i}`,
        arrival: iso(shape.arrival, shape.arrivalMinutes),
        departure: iso(last),
        energyWh: minimumEnergyWh + shape.extraWh,
        minimumEnergyWh,
        maxPowerW: shape.maxPowerW,
        minPowerW,
        priorityClass: shape.priorityClass,
      };
    });
    const limits = totals.map((total, t) => total + slack[t]);
    const baseLimitW = Math.max(...limits);
    const input: PlanningInput = {
      start: iso(0),
      slotMinutes: 15,
      horizonHours: slots / 4,
      site: {
        baseLimitW,
        timeZone: 'Europe/Amsterdam',
        reserved: limits.map((limit, t) => ({ from: iso(t), until: iso(t + 1), powerW: baseLimitW - limit })).filter((r) => r.powerW > 0),
      },
      prices: prices.map((cents, t) => ({ from: iso(t), until: iso(t + 1), pricePerKWh: cents / 100 })),
      classes: CLASSES,
      cars,
    };
    return { input, limits };
  });

/** The slots a car can use: wholly within its stay. */
function usable(car: PlanningCar, slots: number): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < slots; t++) {
    if (START_MS + t * SLOT_MS >= Date.parse(car.arrival as string) && START_MS + (t + 1) * SLOT_MS <= Date.parse(car.departure as string)) out.add(t);
  }
  return out;
}

const secured = (result: Plan, car: PlanningCar) => Math.min(result.cars.find((c) => c.carId === car.id)!.plannedWh, car.minimumEnergyWh!);
// Rounding each slot's power down to a whole watt loses at most 1 W × 0.25 h per slot.
const tolerance = (slots: number) => slots * HOURS + 1e-6;

describe('planner (properties)', () => {
  it('never exceeds the site limit in any slot, nor a car maximum; every power is 0 or at least the car minimum, and only during its stay', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input, limits }) => {
        const result = plan(input);
        const slots = limits.length;
        result.slots.forEach((slot, t) => {
          expect(slot.limitW).toBe(limits[t]);
          expect(slot.totalW).toBeLessThanOrEqual(slot.limitW);
          expect(slot.totalW).toBe(result.cars.reduce((sum, c) => sum + c.powerW[t], 0));
        });
        for (const car of input.cars) {
          const planned = result.cars.find((c) => c.carId === car.id)!;
          const stay = usable(car, slots);
          planned.powerW.forEach((watts, t) => {
            expect(Number.isInteger(watts)).toBe(true);
            expect(watts).toBeLessThanOrEqual(car.maxPowerW);
            expect(watts === 0 || watts >= (car.minPowerW ?? 0)).toBe(true);
            if (!stay.has(t)) expect(watts).toBe(0);
          });
          expect(planned.plannedWh).toBeLessThanOrEqual(car.energyWh + 1e-6);
        }
      }),
      RUNS,
    );
  });

  it('meets every car minimum when the minimums are feasible together', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const result = plan(input);
        for (const car of input.cars) {
          const planned = result.cars.find((c) => c.carId === car.id)!;
          expect({ car: car.id, met: planned.minimumMet, short: planned.shortfall }).toEqual({ car: car.id, met: true, short: undefined });
          expect(planned.plannedWh).toBeGreaterThanOrEqual(car.minimumEnergyWh! - tolerance(result.slots.length));
        }
      }),
      RUNS,
    );
  });

  it('respects priorities: no car secures less of its minimum because cars of lower classes exist', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 0, max: 30_000 }),
        ({ input }, squeeze) => {
          // Squeeze the site so classes compete (the scenario is otherwise feasible).
          const squeezed: PlanningInput = { ...input, site: { ...input.site, baseLimitW: Math.max(0, input.site.baseLimitW - squeeze) } };
          const full = plan(squeezed);
          for (const cls of CLASSES) {
            const higher = squeezed.cars.filter((car) => CLASSES.find((c) => c.id === car.priorityClass)!.rank >= cls.rank);
            const alone = plan({ ...squeezed, cars: higher });
            for (const car of higher.filter((c) => c.priorityClass === cls.id)) {
              expect(secured(full, car)).toBeGreaterThanOrEqual(secured(alone, car) - tolerance(full.slots.length));
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('prefers cheaper slots: a car alone never charges in a dearer slot while a cheaper one of its stay has room', () => {
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const car = { ...input.cars[0], minPowerW: 0 };
        const result = plan({ ...input, site: { baseLimitW: 1_000_000, timeZone: 'Europe/Amsterdam' }, cars: [car] });
        const powers = result.cars[0].powerW;
        const stay = [...usable(car, result.slots.length)];
        for (const dear of stay) {
          if (powers[dear] === 0) continue;
          for (const cheap of stay) {
            if (result.slots[cheap].pricePerKWh < result.slots[dear].pricePerKWh) expect(powers[cheap]).toBe(car.maxPowerW);
          }
        }
      }),
      RUNS,
    );
  });
});
