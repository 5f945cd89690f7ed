/**
 * A synthetic day at a mixed workplace/residential site, for the planner benchmark and tests. Seeded
 * (mulberry32), so a seed always gives the same day. The distributions (documented in
 * docs/scheduling.md) are plausible shapes, not fitted to a dataset:
 * - 55 % commuters: arrival ~ Normal(08:30, 45 min) local, dwell ~ LogNormal(median 8 h, σ 0.25);
 * - 30 % evening/overnight: arrival ~ Normal(18:30, 90 min), dwell ~ LogNormal(median 12 h, σ 0.2);
 * - 15 % short visits: arrival ~ Uniform(09:00, 20:00), dwell ~ LogNormal(median 1.5 h, σ 0.5);
 * - energy wanted ~ LogNormal(median 15 kWh, σ 0.5), at most 70 kWh and at most what the car could
 *   take alone ((dwell - 30 min) × maximum power: part slots at either end do not count); minimum energy: all of it for the fleet class, half otherwise;
 * - power: 40 % one phase 32 A, 45 % three phases 16 A, 15 % three phases 32 A (230 V, 6 A minimum);
 * - classes: 15 % fleet (rank 2), 25 % member (rank 1), 60 % standard (rank 0);
 * - site: 150 kW base, 90 kW from 17:00 to 21:00 (peak window), and the building's energy manager
 *   lowering it to 70 kW from 12:00 to 14:00 (sent at 11:45);
 * - prices: 0.22 €/kWh, +0.10 07:00-09:00, +0.15 17:00-21:00, -0.06 11:00-15:00 (solar), -0.08 00:00-06:00.
 */
import { firstInstantAtWall } from '../allocation/time-windows';
import { carPowerLimits, type PlanningCar, type PriorityClass } from './planner';
import type { PricePeriod, SiteLimitInput } from './planning-slots';
import { seededRandom } from '../seeded-random';

function normal(random: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface SyntheticCar extends PlanningCar {
  phases: 1 | 3;
  maxAmps: number;
}

export interface SyntheticDay {
  timeZone: string;
  /** The simulated period: 04:00 local on the day to 10:00 the next day (every car has left). */
  start: string;
  end: string;
  cars: SyntheticCar[];
  site: SiteLimitInput;
  prices: PricePeriod[];
  classes: PriorityClass[];
}

export interface SyntheticDayOptions {
  seed?: number;
  cars?: number;
  /** Local calendar date, YYYY-MM-DD. */
  date?: string;
  timeZone?: string;
}

export const SYNTHETIC_CLASSES: PriorityClass[] = [
  { id: 'fleet', rank: 2, description: 'fleet vehicles that must leave full' },
  { id: 'member', rank: 1, description: 'subscription members' },
  { id: 'standard', rank: 0 },
];

export function syntheticDay(options: SyntheticDayOptions = {}): SyntheticDay {
  const random = seededRandom(options.seed ?? 1);
  const count = options.cars ?? 60;
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  const [year, month, day] = (options.date ?? '2026-01-14').split('-').map(Number);
  const midnightWall = Date.UTC(year, month - 1, day);
  const local = (hours: number) => firstInstantAtWall(midnightWall + Math.round(hours * 60) * 60_000, timeZone);
  const start = local(4);
  const end = local(34);
  const cars: SyntheticCar[] = [];
  for (let i = 0; i < count; i++) {
    const segment = random();
    let arrivalHours: number;
    let dwellHours: number;
    if (segment < 0.55) {
      arrivalHours = 8.5 + 0.75 * normal(random);
      dwellHours = 8 * Math.exp(0.25 * normal(random));
    } else if (segment < 0.85) {
      arrivalHours = 18.5 + 1.5 * normal(random);
      dwellHours = 12 * Math.exp(0.2 * normal(random));
    } else {
      arrivalHours = 9 + 11 * random();
      dwellHours = 1.5 * Math.exp(0.5 * normal(random));
    }
    arrivalHours = Math.min(23.5, Math.max(4.25, arrivalHours));
    dwellHours = Math.max(0.5, Math.min(dwellHours, 33.75 - arrivalHours));
    const kind = random();
    const { phases, maxAmps } = kind < 0.4 ? { phases: 1 as const, maxAmps: 32 } : kind < 0.85 ? { phases: 3 as const, maxAmps: 16 } : { phases: 3 as const, maxAmps: 32 };
    const { maxPowerW, minPowerW } = carPowerLimits({ phases, evseMaxAmps: maxAmps });
    const classDraw = random();
    const priorityClass = classDraw < 0.15 ? 'fleet' : classDraw < 0.4 ? 'member' : 'standard';
    const wanted = Math.min(70_000, 15_000 * Math.exp(0.5 * normal(random)), (dwellHours - 0.5) * maxPowerW);
    const energyWh = Math.round(wanted);
    cars.push({
      id: `car-${String(i + 1).padStart(3, '0')}`,
      arrival: new Date(local(arrivalHours)).toISOString(),
      departure: new Date(local(arrivalHours + dwellHours)).toISOString(),
      energyWh,
      minimumEnergyWh: priorityClass === 'fleet' ? energyWh : Math.round(energyWh / 2),
      maxPowerW,
      minPowerW,
      priorityClass,
      phases,
      maxAmps,
    });
  }
  const price = (fromHours: number, untilHours: number, pricePerKWh: number): PricePeriod => ({
    from: new Date(local(fromHours)).toISOString(),
    until: new Date(local(untilHours)).toISOString(),
    pricePerKWh,
  });
  const prices: PricePeriod[] = [];
  for (let hour = 0; hour < 36; hour++) {
    const h = hour % 24;
    let value = 0.22;
    if (h >= 7 && h < 9) value += 0.1;
    if (h >= 17 && h < 21) value += 0.15;
    if (h >= 11 && h < 15) value -= 0.06;
    if (h < 6) value -= 0.08;
    prices.push(price(hour, hour + 1, Math.round(value * 100) / 100));
  }
  return {
    timeZone,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    cars,
    site: {
      baseLimitW: 150_000,
      timeZone,
      peakWindows: [{ id: 'evening-peak', start: '17:00', end: '21:00', limitW: 90_000 }],
      externalLimits: [{ from: new Date(local(12)).toISOString(), until: new Date(local(14)).toISOString(), powerW: 70_000, issuedAt: new Date(local(11.75)).toISOString() }],
    },
    prices,
    classes: SYNTHETIC_CLASSES,
  };
}
