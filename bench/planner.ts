/**
 * npm run bench:planner — one synthetic day (src/core/planning/synthetic-day.ts, seeded) charged three
 * ways, slot by slot (15 min), in one run:
 *   1. uncontrolled: every car at its maximum power from arrival until it has what it wants;
 *   2. today's allocator (src/core/allocation): allocate() at the start of every slot, with the slot's
 *      site limit, each car's departure, energy still needed and class rank as its priority;
 *   3. the planner (src/core/planning): plan() at the start of every slot over the next 24 h, knowing
 *      only the cars already plugged in (online, as it would run), and the first slot of its plan applied.
 * Cars take what they are given (capped by what they still need); a car is present in the slots that
 * lie wholly within its stay, for every strategy alike.
 * Prints energy delivered, share of cars satisfied by departure (all they wanted, and their minimum),
 * peak site power, slots over the site limit, and energy cost. BENCH_SEED (default 1), BENCH_CARS (default 60).
 *
 * Then the effect of a targeted promotion (docs/own-tariffs.md): the planner run twice more, priced by
 * the own CPO's tariff as drivers see it — 0.30 €/kWh at all times, and the same tariff with a night
 * promotion 21:00–07:00 at 0.18 over the day's dates — each slot's price computed by the pricing engine
 * from the built OCPI tariff (1 kWh in the slot, location time zone). Prints the energy charged in the
 * 17:00–21:00 peak window without and with the promotion.
 */
import { allocate, type SessionDemand, type Site } from '../src/core/allocation/allocation-core';
import { reportFigure } from './support';
import { previewTariffPrice } from '../src/core/pricing/tariff-price-preview';
import { addDays, buildOwnTariff, localDateOf, parseTariffDescription } from '../src/core/tariffs/tariffs-core';
import type { Tariff } from '../src/core/pricing/pricing-core';
import type { PricePeriod } from '../src/core/planning/planning-slots';
import {
  plan,
  pricePerSlot,
  siteLimitPerSlot,
  slotStart,
  syntheticDay,
  type SlotGrid,
  type SyntheticCar,
  type SyntheticDay,
} from '../src/core/planning/planning-core';

const SEED = Number(process.env.BENCH_SEED ?? 1);
const CARS = Number(process.env.BENCH_CARS ?? 60);
const SLOT_MINUTES = 15;
const SATISFIED_TOLERANCE_WH = 50;

const print = (text: string) => process.stdout.write(`${text}\n`);

type Strategy = (context: { slot: number; startMs: number; present: SyntheticCar[]; delivered: Map<string, number>; limitW: number }) => Map<string, number>;

interface Outcome {
  name: string;
  deliveredWh: number;
  satisfied: number;
  minimumMet: number;
  satisfiedByClass: Record<string, string>;
  peakW: number;
  overLimitSlots: number;
  worstOverW: number;
  cost: number;
  /** Energy charged in slots starting 17:00–21:00 local. */
  peakWindowWh: number;
  ms: number;
}

/** The local hour (0–23) at an instant. */
function localHour(ms: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(ms)));
}

function simulate(name: string, day: SyntheticDay, grid: SlotGrid, limits: number[], prices: number[], strategy: Strategy): Outcome {
  const started = performance.now();
  const hours = grid.slotMs / 3_600_000;
  const delivered = new Map(day.cars.map((car) => [car.id, 0]));
  let peakW = 0;
  let overLimitSlots = 0;
  let worstOverW = 0;
  let cost = 0;
  let peakWindowWh = 0;
  for (let slot = 0; slot < grid.count; slot++) {
    const startMs = slotStart(grid, slot);
    const hour = localHour(startMs, day.timeZone);
    const present = day.cars.filter((car) => Date.parse(car.arrival as string) <= startMs && startMs + grid.slotMs <= Date.parse(car.departure as string));
    const needing = present.filter((car) => delivered.get(car.id)! < car.energyWh);
    const given = needing.length > 0 ? strategy({ slot, startMs, present: needing, delivered, limitW: limits[slot] }) : new Map<string, number>();
    let totalW = 0;
    for (const car of needing) {
      const remaining = car.energyWh - delivered.get(car.id)!;
      const watts = Math.max(0, Math.min(given.get(car.id) ?? 0, car.maxPowerW, remaining / hours));
      delivered.set(car.id, delivered.get(car.id)! + watts * hours);
      totalW += watts;
      cost += ((watts * hours) / 1000) * prices[slot];
      if (hour >= 17 && hour < 21) peakWindowWh += watts * hours;
    }
    peakW = Math.max(peakW, totalW);
    if (totalW > limits[slot] + 1e-6) {
      overLimitSlots++;
      worstOverW = Math.max(worstOverW, totalW - limits[slot]);
    }
  }
  const byClass: Record<string, string> = {};
  for (const cls of day.classes) {
    const cars = day.cars.filter((car) => car.priorityClass === cls.id);
    const ok = cars.filter((car) => delivered.get(car.id)! >= car.energyWh - SATISFIED_TOLERANCE_WH).length;
    byClass[cls.id] = `${ok}/${cars.length}`;
  }
  return {
    name,
    deliveredWh: [...delivered.values()].reduce((a, b) => a + b, 0),
    satisfied: day.cars.filter((car) => delivered.get(car.id)! >= car.energyWh - SATISFIED_TOLERANCE_WH).length / day.cars.length,
    minimumMet: day.cars.filter((car) => delivered.get(car.id)! >= (car.minimumEnergyWh ?? car.energyWh) - SATISFIED_TOLERANCE_WH).length / day.cars.length,
    satisfiedByClass: byClass,
    peakW,
    overLimitSlots,
    worstOverW,
    cost,
    peakWindowWh,
    ms: performance.now() - started,
  };
}

function main(): void {
  const day = syntheticDay({ seed: SEED, cars: CARS });
  const startMs = Date.parse(day.start);
  const grid: SlotGrid = { startMs, slotMs: SLOT_MINUTES * 60_000, count: Math.round((Date.parse(day.end) - startMs) / (SLOT_MINUTES * 60_000)) };
  const limits = siteLimitPerSlot(grid, day.site);
  const prices = pricePerSlot(grid, day.prices);
  const rank = new Map(day.classes.map((cls) => [cls.id, cls.rank]));
  const wantedWh = day.cars.reduce((sum, car) => sum + car.energyWh, 0);
  print(`bench:planner — seed ${SEED}, ${day.cars.length} cars, ${(wantedWh / 1000).toFixed(1)} kWh wanted, ${day.start} .. ${day.end} (${day.timeZone}), ${SLOT_MINUTES}-minute slots`);
  print(`site: ${day.site.baseLimitW / 1000} kW, 90 kW 17:00-21:00 local, 70 kW from the energy manager 12:00-14:00; prices 0.14-0.37 €/kWh`);

  const uncontrolled: Strategy = ({ present }) => new Map(present.map((car) => [car.id, car.maxPowerW]));

  const allocator: Strategy = ({ startMs: now, present, delivered, limitW }) => {
    const site: Site = {
      id: 'bench-site',
      timeZone: day.timeZone,
      limit: { kilowatts: limitW / 1000 },
      connectors: present.map((car) => ({ connectorKey: car.id, phases: car.phases, maxAmps: car.maxAmps })),
    };
    const sessions: SessionDemand[] = present.map((car) => ({
      connectorKey: car.id,
      sessionId: car.id,
      departureTime: car.departure,
      energyNeededWh: car.energyWh - delivered.get(car.id)!,
      priority: rank.get(car.priorityClass ?? 'standard'),
    }));
    const allocation = allocate(site, sessions, new Date(now), { giveBack: false });
    return new Map(allocation.connectors.map((c) => [c.connectorKey, c.limitWatts]));
  };

  const plannerWith = (planPrices: PricePeriod[]): Strategy => ({ startMs: now, present, delivered }) => {
    const result = plan({
      start: new Date(now),
      slotMinutes: SLOT_MINUTES,
      horizonHours: 24,
      site: day.site,
      prices: planPrices,
      classes: day.classes,
      cars: present.map((car) => {
        const got = delivered.get(car.id)!;
        return {
          id: car.id,
          arrival: car.arrival,
          departure: car.departure,
          energyWh: car.energyWh - got,
          minimumEnergyWh: Math.max(0, (car.minimumEnergyWh ?? car.energyWh) - got),
          maxPowerW: car.maxPowerW,
          minPowerW: car.minPowerW,
          priorityClass: car.priorityClass,
        };
      }),
    });
    return new Map(result.cars.map((car) => [car.carId, car.powerW[0]]));
  };
  const planner = plannerWith(day.prices);

  const outcomes = [
    simulate('uncontrolled', day, grid, limits, prices, uncontrolled),
    simulate('allocator (slot by slot)', day, grid, limits, prices, allocator),
    simulate('planner (24 h, re-planned every slot)', day, grid, limits, prices, planner),
  ];
  print('');
  print(
    ['strategy'.padEnd(40), 'kWh'.padStart(8), 'satisfied'.padStart(10), 'minimum'.padStart(8), 'peak kW'.padStart(8), 'over-limit'.padStart(11), 'cost €'.padStart(8), 'fleet/member/standard satisfied'.padStart(33), 'run'.padStart(8)].join(' '),
  );
  for (const o of outcomes) {
    print(
      [
        o.name.padEnd(40),
        (o.deliveredWh / 1000).toFixed(1).padStart(8),
        `${(o.satisfied * 100).toFixed(1)} %`.padStart(10),
        `${(o.minimumMet * 100).toFixed(0)} %`.padStart(8),
        (o.peakW / 1000).toFixed(1).padStart(8),
        `${o.overLimitSlots}${o.overLimitSlots ? ` (+${(o.worstOverW / 1000).toFixed(1)} kW)` : ''}`.padStart(11),
        o.cost.toFixed(2).padStart(8),
        `${o.satisfiedByClass.fleet} / ${o.satisfiedByClass.member} / ${o.satisfiedByClass.standard}`.padStart(33),
        `${(o.ms / 1000).toFixed(1)} s`.padStart(8),
      ].join(' '),
    );
  }
  const [, allocatorOutcome, plannerOutcome] = outcomes;
  reportFigure({ figure: 'planner: energy cost of the synthetic day', value: plannerOutcome.cost, unit: '€', baseline: allocatorOutcome.cost, baselineName: 'allocator, slot by slot', goal: { ratioAtMost: 1, text: 'no dearer than the allocator' } });
  reportFigure({ figure: 'planner: satisfied by departure', value: plannerOutcome.satisfied * 100, unit: '%', baseline: allocatorOutcome.satisfied * 100, baselineName: 'allocator, slot by slot', goal: { ratioAtLeast: 1, text: 'at least the allocator' } });
  reportFigure({ figure: 'planner: slots over the site limit', value: plannerOutcome.overLimitSlots, unit: 'slots', goal: { atMost: 0, text: '0' } });
  promotionEffect(day, grid, limits, plannerWith);
  print('');
  print('satisfied: got all it wanted by departure (within 50 Wh); minimum: got at least its minimum energy; over-limit: slots above the site limit (worst excess).');
}

/**
 * The own tariff as drivers see it, with and without a night promotion, priced slot by slot by the
 * pricing engine, and the planner run under each: energy in the 17:00–21:00 peak, in one run.
 */
function promotionEffect(day: SyntheticDay, grid: SlotGrid, limits: number[], plannerWith: (prices: PricePeriod[]) => Strategy): void {
  const firstDate = localDateOf(new Date(day.start), day.timeZone);
  const night = { id: 'NIGHT', start_date: addDays(firstDate, -1), end_date: addDays(firstDate, 3), start_time: '21:00', end_time: '07:00', prices: { energy: 0.18 } };
  const tariffOf = (promotions: unknown[]): Tariff => {
    const parsed = parseTariffDescription({ kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.3 }, ...(promotions.length && { promotions }) });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return buildOwnTariff(parsed.value, { countryCode: 'NL', partyId: 'HUB', id: 'BENCH', lastUpdated: day.start });
  };
  // Per slot, over the day and the planner's 24 h beyond it: what 1 kWh in the slot costs (excl. VAT).
  const slotPrices = (tariff: Tariff): PricePeriod[] =>
    Array.from({ length: grid.count + (24 * 60) / SLOT_MINUTES }, (_, slot) => {
      const from = slotStart(grid, slot);
      const preview = previewTariffPrice(tariff, { start: new Date(from), chargingMinutes: SLOT_MINUTES, kwh: 1, parkingMinutes: 0 }, day.timeZone);
      if (!preview.ok) throw new Error(preview.errors.join('; '));
      return { from: new Date(from).toISOString(), until: new Date(from + grid.slotMs).toISOString(), pricePerKWh: preview.computed.total_energy_cost.excl_vat ?? 0 };
    });
  const plain = slotPrices(tariffOf([]));
  const promoted = slotPrices(tariffOf([night]));
  const runs = [
    simulate('planner, own tariff 0.30', day, grid, limits, plain.map((p) => p.pricePerKWh), plannerWith(plain)),
    simulate('planner, own tariff + night promotion', day, grid, limits, promoted.map((p) => p.pricePerKWh), plannerWith(promoted)),
  ];
  print('');
  print(`promotion: ${night.start_time}-${night.end_time} local at 0.18 instead of 0.30 €/kWh (${night.start_date} .. ${night.end_date}), slot prices from the pricing engine`);
  print(['strategy'.padEnd(40), 'kWh'.padStart(8), 'kWh 17-21'.padStart(10), 'satisfied'.padStart(10), 'driver € excl.'.padStart(15)].join(' '));
  for (const o of runs) {
    print([o.name.padEnd(40), (o.deliveredWh / 1000).toFixed(1).padStart(8), (o.peakWindowWh / 1000).toFixed(1).padStart(10), `${(o.satisfied * 100).toFixed(1)} %`.padStart(10), o.cost.toFixed(2).padStart(15)].join(' '));
  }
  const [without, withPromotion] = runs;
  reportFigure({
    figure: 'planner: energy in the 17:00-21:00 peak with a night promotion',
    value: withPromotion.peakWindowWh / 1000,
    unit: 'kWh',
    baseline: without.peakWindowWh / 1000,
    baselineName: 'the same tariff without the promotion',
    goal: { ratioAtMost: 1, text: 'no more than without' },
  });
}

main();
