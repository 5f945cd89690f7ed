/**
 * priceSession: a pure function from a normalised session (see input.ts) and a rounding policy to every CDR total.
 *
 * 1. Walk the timeline; for each slice and each dimension it consumed, find the first matching element with a
 *    component of that dimension (restrictions.ts), and add the quantity to that component's tally.
 * 2. Apply step_size once per session (tally.ts).
 * 3. Turn tallies into money, VAT, totals and price limits (totals.ts).
 *
 * Nothing throws on odd data: anomalies become notes in the breakdown.
 */
import type { PriceBreakdown } from './breakdown';
import type { CompiledComponent, CompiledTariff, ElementScope } from './compiled-tariff';
import type { ActivitySegment, PricingInput } from './input';
import { NoteBook } from './notes';
import { assertValidPolicy, DEFAULT_PRICING_POLICY, type PricingPolicy } from './policy';
import { findComponent, type Moment } from './restrictions';
import { forEachSlice, type SliceVisitor } from './slices';
import type { TariffDimensionType } from './tariff.schema';
import { applyStepSize, Tally } from './tally';
import { summarise } from './totals';

export function priceSession(input: PricingInput, policy: PricingPolicy = DEFAULT_PRICING_POLICY): PriceBreakdown {
  assertValidPolicy(policy);
  const notes = new NoteBook(input.notes);
  const tally = new Tally(input.tariff.components.length);
  const pricer = new SegmentPricer(input, tally, notes);
  for (const segment of input.segments) pricer.price(segment);
  if (policy.applyStepSize) applyStepSize(tally, input.tariff);
  return summarise(input, tally, notes, policy);
}

/** Prices one segment at a time, slice by slice; it is the SliceVisitor so no closure is made per segment. */
class SegmentPricer implements SliceVisitor {
  private readonly moment: Moment = {
    minute: 0,
    day: 0,
    weekday: 0,
    energyBeforeMilliWh: 0,
    durationMs: 0,
    currentLow: Number.NaN,
    currentHigh: Number.NaN,
    powerLow: Number.NaN,
    powerHigh: Number.NaN,
  };
  private energyBeforeMilliWh = 0;
  /** FLAT is "a fixed amount that has to be paid for any Charging Session": once, and once for a reservation. */
  private sessionFlatFound = false;
  private reservationFlatFound = false;
  // The segment being priced.
  private segment!: ActivitySegment;
  private scope!: ElementScope;
  private durationOriginMs = 0;
  private usesLocalTime = false;
  /** Runs of slices priced by one ENERGY component; more than one means a split moved energy between prices. */
  private energyPriceRuns = 0;
  private lastEnergyComponent: CompiledComponent | undefined;

  constructor(
    private readonly input: PricingInput,
    private readonly tally: Tally,
    private readonly notes: NoteBook,
  ) {}

  price(segment: ActivitySegment) {
    const { input, moment } = this;
    const reserving = segment.activity === 'RESERVATION';
    this.segment = segment;
    this.scope = reserving ? this.reservationScope(input.tariff) : input.tariff.charging;
    this.durationOriginMs = reserving ? input.reservationStartMs : input.sessionStartMs;
    this.usesLocalTime = this.scope.localMinuteBoundaries.length > 0;
    this.energyPriceRuns = 0;
    this.lastEnergyComponent = undefined;
    moment.currentLow = segment.currentLow;
    moment.currentHigh = segment.currentHigh;
    moment.powerLow = segment.powerLow;
    moment.powerHigh = segment.powerHigh;
    if (segment.activity === 'CHARGING') this.checkMeasurements(segment, this.scope);

    const split = forEachSlice(segment, this.energyBeforeMilliWh, this.scope, input.clock, this.durationOriginMs, this);
    if (split && this.energyPriceRuns > 1) {
      this.notes.once(
        'PERIOD_SPLIT_INTERPOLATED',
        'a charging period crosses a point where the energy price changes, which the CPO should have split; its ' +
          'energy was apportioned as if drawn at constant power',
        segment.startMs,
      );
    }
    this.energyBeforeMilliWh += segment.energyMilliWh;
  }

  visitSlice(startMs: number, spanMs: number, energyMilliWh: number, energyBeforeMilliWh: number) {
    const { moment, segment, scope } = this;
    moment.durationMs = startMs - this.durationOriginMs;
    moment.energyBeforeMilliWh = energyBeforeMilliWh;
    if (this.usesLocalTime) this.input.clock.writeLocalTime(startMs, moment);
    this.priceFlat(scope, segment.activity === 'RESERVATION');
    if (energyMilliWh > 0) {
      const component = this.priceDimension(scope, 'ENERGY', energyMilliWh, startMs);
      if (this.energyPriceRuns === 0 || component !== this.lastEnergyComponent) this.energyPriceRuns++;
      this.lastEnergyComponent = component;
    }
    if (segment.timeBillable && spanMs > 0) {
      this.priceDimension(scope, segment.activity === 'PARKING' ? 'PARKING_TIME' : 'TIME', spanMs, startMs);
    }
  }

  private reservationScope(tariff: CompiledTariff): ElementScope {
    return this.input.reservationExpired ? tariff.expiredReservation : tariff.reservation;
  }

  private priceDimension(scope: ElementScope, dimension: TariffDimensionType, quantity: number, atMs: number) {
    const component = findComponent(scope, dimension, this.moment);
    if (component) {
      this.tally.add(component, quantity);
    } else if (scope.candidates[dimension].length > 0) {
      // "When no Tariff Element with a specific Dimension is found for which the Restrictions match … there will be
      // no costs for that Tariff Dimension." Normal, but worth a line when the tariff does price the dimension.
      this.notes.once('NO_PRICE_COMPONENT', `no ${dimension} price component matched; that ${dimension} is free`, atMs);
    }
    return component;
  }

  private priceFlat(scope: ElementScope, reserving: boolean) {
    if (reserving ? this.reservationFlatFound : this.sessionFlatFound) return;
    const component = findComponent(scope, 'FLAT', this.moment);
    if (!component) return;
    this.tally.add(component, 1);
    if (reserving) this.reservationFlatFound = true;
    else this.sessionFlatFound = true;
  }

  /** Current and power cannot be split in time, so a period that straddles a threshold is reported, not guessed. */
  private checkMeasurements(segment: ActivitySegment, scope: ElementScope) {
    this.checkRange('current', segment.currentLow, segment.currentHigh, scope.currentThresholds, segment.startMs);
    this.checkRange('power', segment.powerLow, segment.powerHigh, scope.powerThresholds, segment.startMs);
  }

  private checkRange(what: string, low: number, high: number, thresholds: number[], atMs: number) {
    if (thresholds.length === 0) return;
    if (Number.isNaN(low)) {
      const message = `a charging period reports no ${what}; ${what} restrictions did not match`;
      this.notes.once('MEASUREMENT_MISSING', message, atMs);
      return;
    }
    for (const threshold of thresholds) {
      if (low < threshold && threshold <= high) {
        this.notes.once(
          'MEASUREMENT_STRADDLES_THRESHOLD',
          `a charging period's ${what} ranges across a restriction threshold, which the CPO should have split`,
          atMs,
        );
        return;
      }
    }
  }
}
