/** What a session consumed of each Price Component, and the step_size rounding of those quantities. */
import type { CompiledComponent, CompiledTariff, StepBudget } from './compiled-tariff';
import { UNITS_PER_STEP } from './units';

/** Per Price Component, what the session consumed of it, in integer units (mWh, ms, or 1 for FLAT). */
export class Tally {
  readonly measured: number[];
  readonly billed: number[];
  /** Slots in the order they were first used. */
  readonly used: number[] = [];
  /** Per step_size budget, the last component that priced something: "the last relevant PriceComponent". */
  readonly lastSlot: Record<StepBudget, number> = { ENERGY: -1, TIME: -1, PARKING_TIME: -1, RESERVATION_TIME: -1, NONE: -1 };

  constructor(slots: number) {
    this.measured = new Array<number>(slots).fill(0);
    this.billed = new Array<number>(slots).fill(0);
  }

  add(component: CompiledComponent, quantity: number) {
    const slot = component.slot;
    if (this.measured[slot] === 0) this.used.push(slot);
    this.measured[slot] += quantity;
    this.billed[slot] += quantity;
    this.lastSlot[component.budget] = slot;
  }
}

/**
 * "step_size SHALL only be taken into account once per session for the TariffDimensionType ENERGY and once for
 * PARKING_TIME and TIME combined." … "In the cases that TIME and PARKING_TIME Tariff Elements are both used,
 * step_size is only taken into account for the total parking duration" … "The step_size uses the total amount of a
 * certain unit used during a session" … "the step_size of the last relevant PriceComponent is used." (mod_cdrs)
 *
 * So each budget's billed total is rounded up to a multiple of the step_size of the last component that priced it,
 * and the extra lands on that component: "The extra 7 minutes are then added to the last period with a Price
 * Component with a time-based dimension" (mod_tariffs, step_size examples). Reserved time is its own budget: it is a
 * separate CDR dimension (RESERVATION_TIME) and a separate total, and the reservation examples round it on its own.
 * A step_size of 0 (tariff_5 writes one) rounds nothing.
 */
export function applyStepSize(tally: Tally, tariff: CompiledTariff) {
  roundBudget(tally, tariff, 'ENERGY');
  roundBudget(tally, tariff, tally.lastSlot.PARKING_TIME >= 0 ? 'PARKING_TIME' : 'TIME');
  roundBudget(tally, tariff, 'RESERVATION_TIME');
}

function roundBudget(tally: Tally, tariff: CompiledTariff, budget: StepBudget) {
  const last = tally.lastSlot[budget];
  if (last < 0) return;
  const component = tariff.components[last];
  const step = component.stepSize * UNITS_PER_STEP[component.dimension];
  if (step <= 0) return;
  let total = 0;
  for (const slot of tally.used) if (tariff.components[slot].budget === budget) total += tally.billed[slot];
  tally.billed[last] += Math.ceil(total / step) * step - total;
}
