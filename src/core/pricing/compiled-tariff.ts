/**
 * A Tariff turned into what pricing looks things up in: prices as exact integer rates, restrictions as plain
 * numbers, and per dimension the elements to search in order. Built once per Tariff object and memoised, so pricing
 * many CDRs against one tariff does no parsing at all.
 *
 * Money: every amount of the tariff is an integer numerator over `denominator` =
 *   18,000,000 (the least common multiple of 1,000,000 mWh per kWh and 3,600,000 ms per hour)
 *   × 10^(most decimals of any price or price limit) × 100 × 10^(most decimals of any VAT percentage),
 * so a quantity in mWh or ms times a component's rate is its exact cost, excl. or incl. VAT, with no division.
 * Rates and limits are ExactAmounts (money.ts): computed in BigInt here, kept as doubles where they fit exactly.
 */
import type { PricingNote } from './breakdown';
import { dayNumberOfDate, minuteOfTime, MINUTES_PER_DAY } from './local-time';
import { dateTimeMs } from '../date-time';
import { decimalPlacesOf, exactOf, powerOfTen, scaledInteger, type ExactAmount } from './money';
import { MILLI_WH_PER_KWH, MS_PER_HOUR } from './units';
import type { DayOfWeek, Price, Tariff, TariffDimensionType, TariffElement, TariffRestrictions } from './tariff.schema';

/** Which CDR total a component's cost lands in (mod_cdrs, CDR object). */
export type CostTotal = 'fixed' | 'energy' | 'time' | 'parking' | 'reservation';
/** Quantities that step_size rounds once per session: ENERGY, charging TIME, PARKING_TIME, reserved TIME. */
export type StepBudget = 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'RESERVATION_TIME' | 'NONE';

export interface CompiledComponent {
  /** Index into the per-session accumulators. */
  slot: number;
  dimension: TariffDimensionType;
  elementIndex: number;
  componentIndex: number;
  price: number;
  vat: number | undefined;
  /** Cost excl. VAT of one unit (mWh, ms, or one FLAT), over the tariff's denominator. */
  exclRate: ExactAmount;
  /** Cost incl. VAT of one unit, or undefined when the component has no VAT. */
  inclRate: ExactAmount | undefined;
  stepSize: number;
  reservation: boolean;
  total: CostTotal;
  budget: StepBudget;
}

export interface CompiledElement {
  index: number;
  restrictions: CompiledRestrictions | undefined;
  components: Partial<Record<TariffDimensionType, CompiledComponent>>;
}

/** The elements that may price one kind of activity, and the points where their verdicts can change. */
export interface ElementScope {
  candidates: Record<TariffDimensionType, CompiledElement[]>;
  /** Local minutes of day at which a time/date/weekday restriction can change its verdict. */
  localMinuteBoundaries: number[];
  durationBoundariesMs: number[];
  energyBoundariesMilliWh: number[];
  currentThresholds: number[];
  powerThresholds: number[];
}

/** A min_price or max_price over the tariff's denominator. */
export interface CompiledPriceLimit {
  excl: ExactAmount;
  incl: ExactAmount | undefined;
}

export interface CompiledTariff {
  id: string;
  currency: string;
  /** What every money numerator of this tariff is divided by. */
  denominator: bigint;
  components: CompiledComponent[];
  /** Elements without a `reservation` restriction: charging and parking. */
  charging: ElementScope;
  /** "RESERVATION: Used in Tariff Elements to describe costs for a reservation." */
  reservation: ElementScope;
  /** An expired reservation: RESERVATION_EXPIRES elements first, then RESERVATION ones (see compileTariff). */
  expiredReservation: ElementScope;
  minPrice: CompiledPriceLimit | undefined;
  maxPrice: CompiledPriceLimit | undefined;
  validFromMs: number | undefined;
  validUntilMs: number | undefined;
  notes: PricingNote[];
}

const compiled = new WeakMap<Tariff, CompiledTariff>();

/** Compiles a validated Tariff (see validateTariff); the result is cached per Tariff object. */
export function compileTariff(tariff: Tariff): CompiledTariff {
  let result = compiled.get(tariff);
  if (!result) {
    result = compile(tariff);
    compiled.set(tariff, result);
  }
  return result;
}

/** mWh per kWh and ms per hour divide this; a quantity's factor is this divided by its units per priced unit. */
const QUANTITY_DENOMINATOR = 18_000_000n;
const QUANTITY_FACTOR: Record<TariffDimensionType, bigint> = {
  ENERGY: QUANTITY_DENOMINATOR / BigInt(MILLI_WH_PER_KWH),
  TIME: QUANTITY_DENOMINATOR / BigInt(MS_PER_HOUR),
  PARKING_TIME: QUANTITY_DENOMINATOR / BigInt(MS_PER_HOUR),
  FLAT: QUANTITY_DENOMINATOR,
};

/** The exact scale of one tariff's money. */
interface MoneyScale {
  priceDecimals: number;
  vatDecimals: number;
  /** 100% as an integer at vatDecimals: 100 × 10^vatDecimals. */
  vatBase: bigint;
  denominator: bigint;
}

function compile(tariff: Tariff): CompiledTariff {
  const notes: PricingNote[] = [];
  const components: CompiledComponent[] = [];
  const scale = moneyScaleOf(tariff);
  const elements = tariff.elements.map((element, index) => compileElement(element, index, scale, components, notes));
  const byReservation = (kind: string | undefined) =>
    elements.filter((_, index) => (tariff.elements[index].restrictions?.reservation ?? undefined) === kind);
  const reservationElements = byReservation('RESERVATION');
  return {
    id: tariff.id,
    currency: tariff.currency,
    denominator: scale.denominator,
    components,
    charging: scopeOf(byReservation(undefined)),
    reservation: scopeOf(reservationElements),
    // "When a Tariff has both RESERVATION and RESERVATION_EXPIRES Tariff Elements, where both Tariff Elements have a
    // TIME Price Component, then the time based cost of an expired reservation will be calculated based on the
    // RESERVATION_EXPIRES Tariff Element." (mod_tariffs, ReservationRestrictionType). An expired reservation is still
    // a reservation, so RESERVATION elements price what no RESERVATION_EXPIRES element does (tariff_17: the
    // expiry fee plus the reserved hour).
    expiredReservation: scopeOf([...byReservation('RESERVATION_EXPIRES'), ...reservationElements]),
    minPrice: compileLimit(tariff.min_price, scale),
    maxPrice: compileLimit(tariff.max_price, scale),
    validFromMs: tariff.start_date_time ? dateTimeMs(tariff.start_date_time) : undefined,
    validUntilMs: tariff.end_date_time ? dateTimeMs(tariff.end_date_time) : undefined,
    notes,
  };
}

function moneyScaleOf(tariff: Tariff): MoneyScale {
  const prices: number[] = [];
  const vats: number[] = [];
  for (const element of tariff.elements) {
    for (const component of element.price_components) {
      prices.push(component.price);
      if (component.vat != null) vats.push(component.vat);
    }
  }
  for (const limit of [tariff.min_price, tariff.max_price]) {
    if (!limit) continue;
    prices.push(limit.excl_vat);
    if (limit.incl_vat != null) prices.push(limit.incl_vat);
  }
  const priceDecimals = Math.max(0, ...prices.map(decimalPlacesOf));
  const vatDecimals = Math.max(0, ...vats.map(decimalPlacesOf));
  const vatBase = 100n * powerOfTen(vatDecimals);
  return { priceDecimals, vatDecimals, vatBase, denominator: QUANTITY_DENOMINATOR * powerOfTen(priceDecimals) * vatBase };
}

function compileElement(
  element: TariffElement,
  index: number,
  scale: MoneyScale,
  components: CompiledComponent[],
  notes: PricingNote[],
): CompiledElement {
  const reservation = Boolean(element.restrictions?.reservation);
  const byDimension: Partial<Record<TariffDimensionType, CompiledComponent>> = {};
  element.price_components.forEach((component, componentIndex) => {
    if (byDimension[component.type]) {
      // "Only one Price Component per dimension can be active at any point in time" (mod_tariffs, Tariff object)
      notes.push({
        code: 'DUPLICATE_DIMENSION',
        message: `element ${index} has more than one ${component.type} price component; only the first is used`,
      });
      return;
    }
    const vat = component.vat ?? undefined;
    const unitPrice = QUANTITY_FACTOR[component.type] * scaledInteger(component.price, scale.priceDecimals);
    const compiledComponent: CompiledComponent = {
      slot: components.length,
      dimension: component.type,
      elementIndex: index,
      componentIndex,
      price: component.price,
      vat,
      exclRate: exactOf(unitPrice * scale.vatBase),
      inclRate: vat === undefined ? undefined : exactOf(unitPrice * (scale.vatBase + scaledInteger(vat, scale.vatDecimals))),
      stepSize: component.step_size,
      reservation,
      total: costTotalOf(component.type, reservation),
      budget: stepBudgetOf(component.type, reservation),
    };
    components.push(compiledComponent);
    byDimension[component.type] = compiledComponent;
  });
  return { index, restrictions: compileRestrictions(element.restrictions), components: byDimension };
}

function costTotalOf(dimension: TariffDimensionType, reservation: boolean): CostTotal {
  if (reservation) return 'reservation';
  // total_fixed_cost: "Total sum of all the fixed costs … except fixed price components of parking and reservation"
  return ({ FLAT: 'fixed', ENERGY: 'energy', TIME: 'time', PARKING_TIME: 'parking' } as const)[dimension];
}

function stepBudgetOf(dimension: TariffDimensionType, reservation: boolean): StepBudget {
  if (dimension === 'FLAT') return 'NONE';
  if (reservation) return 'RESERVATION_TIME';
  return dimension;
}

function scopeOf(elements: CompiledElement[]): ElementScope {
  const candidates = (dimension: TariffDimensionType) => elements.filter((e) => e.components[dimension]);
  const minutes = new Set<number>();
  const durations = new Set<number>();
  const energies = new Set<number>();
  const currents = new Set<number>();
  const powers = new Set<number>();
  for (const { restrictions: r } of elements) {
    if (!r) continue;
    const usesLocalTime = r.timeOfDay || r.startDay !== undefined || r.endDay !== undefined || r.weekdays !== undefined;
    // Midnight is always a boundary: dates and weekdays change there, and a lone start_time ends there.
    if (usesLocalTime) minutes.add(0);
    if (r.timeOfDay) addDefined(minutes, r.timeOfDay.start, r.timeOfDay.end % MINUTES_PER_DAY);
    addDefined(durations, r.minDurationMs, r.maxDurationMs);
    addDefined(energies, r.minEnergyMilliWh, r.maxEnergyMilliWh);
    addDefined(currents, r.minCurrent, r.maxCurrent);
    addDefined(powers, r.minPower, r.maxPower);
  }
  const sorted = (values: Set<number>) => [...values].sort((a, b) => a - b);
  return {
    candidates: {
      ENERGY: candidates('ENERGY'),
      FLAT: candidates('FLAT'),
      PARKING_TIME: candidates('PARKING_TIME'),
      TIME: candidates('TIME'),
    },
    localMinuteBoundaries: sorted(minutes),
    durationBoundariesMs: sorted(durations),
    energyBoundariesMilliWh: sorted(energies),
    currentThresholds: sorted(currents),
    powerThresholds: sorted(powers),
  };
}

function addDefined(into: Set<number>, ...values: (number | undefined)[]) {
  for (const value of values) if (value !== undefined) into.add(value);
}

function compileLimit(price: Price | null | undefined, scale: MoneyScale): CompiledPriceLimit | undefined {
  if (!price) return undefined;
  const toNumerator = (value: number) => exactOf(scaledInteger(value, scale.priceDecimals) * QUANTITY_DENOMINATOR * scale.vatBase);
  return { excl: toNumerator(price.excl_vat), incl: price.incl_vat == null ? undefined : toNumerator(price.incl_vat) };
}

/** TariffRestrictions in comparable numbers. Absent bounds are undefined; local times are minutes/days. */
export interface CompiledRestrictions {
  /** Local minutes of day [start, end); end 1440 is midnight; start ≥ end wraps past midnight. */
  timeOfDay?: { start: number; end: number };
  startDay?: number;
  endDay?: number;
  minEnergyMilliWh?: number;
  maxEnergyMilliWh?: number;
  minCurrent?: number;
  maxCurrent?: number;
  minPower?: number;
  maxPower?: number;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Bit n set = active on weekday n (0 = Monday). */
  weekdays?: number;
}

const WEEKDAY_BIT: Record<DayOfWeek, number> = {
  MONDAY: 1,
  TUESDAY: 2,
  WEDNESDAY: 4,
  THURSDAY: 8,
  FRIDAY: 16,
  SATURDAY: 32,
  SUNDAY: 64,
};

/** TariffRestrictions as numbers that compare fast: minutes of day, days since 1970, mWh, ms, a weekday mask. */
function compileRestrictions(source: TariffRestrictions | null | undefined): CompiledRestrictions | undefined {
  if (!source) return undefined;
  const restrictions: CompiledRestrictions = {};
  if (source.start_time != null || source.end_time != null) {
    // A lone start_time runs until midnight and a lone end_time from midnight: "To stop at end of the day use: 00:00."
    const end = source.end_time != null ? minuteOfTime(source.end_time) : 0;
    restrictions.timeOfDay = {
      start: source.start_time != null ? minuteOfTime(source.start_time) : 0,
      end: end === 0 ? MINUTES_PER_DAY : end,
    };
  }
  if (source.start_date != null) restrictions.startDay = dayNumberOfDate(source.start_date);
  if (source.end_date != null) restrictions.endDay = dayNumberOfDate(source.end_date);
  if (source.min_kwh != null) restrictions.minEnergyMilliWh = Math.round(source.min_kwh * MILLI_WH_PER_KWH);
  if (source.max_kwh != null) restrictions.maxEnergyMilliWh = Math.round(source.max_kwh * MILLI_WH_PER_KWH);
  if (source.min_current != null) restrictions.minCurrent = source.min_current;
  if (source.max_current != null) restrictions.maxCurrent = source.max_current;
  if (source.min_power != null) restrictions.minPower = source.min_power;
  if (source.max_power != null) restrictions.maxPower = source.max_power;
  if (source.min_duration != null) restrictions.minDurationMs = source.min_duration * 1000;
  if (source.max_duration != null) restrictions.maxDurationMs = source.max_duration * 1000;
  // An empty day_of_week list restricts nothing ("Which day(s) of the week this TariffElement is active", card. *).
  if (source.day_of_week?.length) {
    restrictions.weekdays = source.day_of_week.reduce((mask, day) => mask | WEEKDAY_BIT[day], 0);
  }
  return restrictions;
}
