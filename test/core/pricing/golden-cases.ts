/**
 * The pricing golden cases: tariffs, CDRs, time zones and policies generated from a fixed seed with the
 * project's seededRandom (not fast-check, whose generators may change between versions and would change
 * the cases under a committed fixture). pricing-golden.test.ts prices every case and compares the whole
 * breakdown with test/fixtures/pricing-golden.jsonl.gz, recorded with the engine before its hot path was
 * rewritten for speed (issue 19): a faster engine must give the same output, field for field.
 *
 * The cases aim at what the hot path touches: every restriction kind, step sizes, VAT present, absent
 * and 0, min/max price, reservations, periods that cross restriction boundaries and DST changes, odd
 * inputs that become notes, and every policy knob.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../../src/core/seeded-random';
import {
  DEFAULT_PRICING_POLICY,
  validateTariff,
  type CdrForPricing,
  type ChargingPeriod,
  type PricingInputOptions,
  type PricingPolicy,
  type RoundingMode,
  type Tariff,
} from '../../../src/core/pricing/pricing-core';
import { EXAMPLES_DIR } from './support';

export interface GoldenCase {
  tariff: Tariff;
  cdr: CdrForPricing;
  timeZone: string;
  policy: PricingPolicy;
  options: PricingInputOptions;
}

export const GOLDEN_SEED = 19;
export const GENERATED_CASES = 3000;
/** Random CDRs per spec example tariff. */
export const CASES_PER_EXAMPLE = 40;

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const ROUNDING: RoundingMode[] = ['HALF_UP', 'HALF_EVEN', 'HALF_DOWN', 'UP', 'DOWN'];
/** Zones with DST (also a 30-minute one and one south of the equator), without, and a name that is no zone. */
const ZONES = ['Europe/Berlin', 'Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Australia/Sydney', 'Asia/Kolkata', 'UTC', 'Mars/Olympus'];
/** Starts near DST changes of those zones in 2024, and ordinary days. */
const STARTS = ['2024-03-31T00:00:00Z', '2024-10-27T00:00:00Z', '2024-03-10T06:00:00Z', '2024-11-03T05:00:00Z', '2024-04-06T14:00:00Z', '2024-10-05T15:00:00Z'];

type Random = () => number;

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)];
const chance = (random: Random, p: number) => random() < p;
/** A price with up to `decimals` places, as a JSON number would carry it. */
const decimalNumber = (random: Random, max: number, decimals: number) => Number((random() * max).toFixed(int(random, 0, decimals)));
const hhmm = (random: Random) => `${String(int(random, 0, 23)).padStart(2, '0')}:${pick(random, ['00', '15', '30', '45', '07'])}`;

function restrictionsOf(random: Random): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  const maybe = (p: number, key: string, value: () => unknown) => {
    if (chance(random, p)) r[key] = value();
  };
  maybe(0.35, 'start_time', () => hhmm(random));
  maybe(0.35, 'end_time', () => hhmm(random));
  maybe(0.1, 'start_date', () => pick(random, ['2024-01-01', '2024-03-31', '2024-06-01', '2024-10-27']));
  maybe(0.1, 'end_date', () => pick(random, ['2024-03-31', '2024-10-28', '2024-12-31']));
  maybe(0.15, 'min_kwh', () => decimalNumber(random, 40, 1));
  maybe(0.15, 'max_kwh', () => decimalNumber(random, 80, 1) + 0.5);
  maybe(0.15, 'min_current', () => pick(random, [6, 16, 32]));
  maybe(0.15, 'max_current', () => pick(random, [16, 32, 63]));
  maybe(0.1, 'min_power', () => pick(random, [3.7, 11, 22, 50]));
  maybe(0.1, 'max_power', () => pick(random, [11, 22, 50, 150]));
  maybe(0.15, 'min_duration', () => int(random, 0, 14_400));
  maybe(0.15, 'max_duration', () => int(random, 60, 14_400));
  maybe(0.3, 'day_of_week', () => DAYS.filter(() => chance(random, 0.5)));
  return r;
}

function componentOf(random: Random, type: string, vatKind: 'always' | 'sometimes' | 'never') {
  const component: Record<string, unknown> = { type, price: decimalNumber(random, type === 'FLAT' ? 5 : 3, 4) };
  if (chance(random, 0.05)) component.price = 0;
  const withVat = vatKind === 'always' || (vatKind === 'sometimes' && chance(random, 0.7));
  if (withVat) component.vat = chance(random, 0.1) ? 0 : decimalNumber(random, 25, chance(random, 0.2) ? 2 : 1);
  component.step_size =
    type === 'ENERGY' ? pick(random, [0, 1, 100, 500, 1000]) : type === 'FLAT' ? 1 : pick(random, [0, 1, 60, 100, 300, 500, 900, 1800]);
  return component;
}

function elementOf(random: Random, vatKind: 'always' | 'sometimes' | 'never') {
  const types = ['FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'].filter(() => chance(random, 0.45));
  if (types.length === 0) types.push(pick(random, ['ENERGY', 'TIME', 'PARKING_TIME']));
  const price_components = types.map((type) => componentOf(random, type, vatKind));
  if (chance(random, 0.03)) price_components.push(componentOf(random, types[0], vatKind)); // DUPLICATE_DIMENSION
  const element: Record<string, unknown> = { price_components };
  if (chance(random, 0.6)) {
    const restrictions = restrictionsOf(random);
    if (Object.keys(restrictions).length > 0 || chance(random, 0.2)) element.restrictions = restrictions;
  }
  return element;
}

function priceOf(random: Random, excl: number, withIncl: boolean, vat: number) {
  return withIncl ? { excl_vat: excl / 100, incl_vat: (excl + vat) / 100 } : { excl_vat: excl / 100 };
}

function generatedTariff(random: Random, index: number): Tariff {
  for (;;) {
    const vatKind = pick(random, ['always', 'always', 'sometimes', 'never'] as const);
    const elements = Array.from({ length: int(random, 1, 5) }, () => elementOf(random, vatKind));
    if (chance(random, 0.3)) {
      const reservation = pick(random, ['RESERVATION', 'RESERVATION_EXPIRES']);
      const types = chance(random, 0.5) ? ['TIME'] : ['FLAT', 'TIME'];
      elements.splice(int(random, 0, elements.length), 0, {
        price_components: types.map((type) => componentOf(random, type, vatKind)),
        restrictions: { reservation },
      });
    }
    const json: Record<string, unknown> = {
      country_code: 'NL', party_id: 'GLD', id: `G${index}`, currency: pick(random, ['EUR', 'EUR', 'EUR', 'JPY', 'KWD']), elements, last_updated: '2024-01-01T00:00:00Z',
    };
    if (chance(random, 0.25)) {
      const min = int(random, 0, 1500);
      const withIncl = chance(random, 0.6);
      const vat = int(random, 0, 300);
      json.min_price = priceOf(random, min, withIncl, vat);
      if (chance(random, 0.5)) json.max_price = priceOf(random, min + int(random, 0, 3000), withIncl, vat + int(random, 0, 300));
    } else if (chance(random, 0.15)) {
      json.max_price = priceOf(random, int(random, 0, 3000), chance(random, 0.5), int(random, 0, 600));
    }
    if (chance(random, 0.05)) json.start_date_time = '2024-06-01T00:00:00Z';
    if (chance(random, 0.05)) json.end_date_time = '2024-09-01T00:00:00Z';
    const checked = validateTariff(json);
    if (checked.ok) return checked.tariff;
  }
}

/** OCPI DateTimes in the forms CDRs carry: with and without milliseconds, and now and then without Z. */
function dateTimeOf(random: Random, ms: number): string {
  const iso = new Date(ms).toISOString();
  const form = random();
  if (form < 0.5) return iso;
  if (form < 0.95) return `${iso.slice(0, 19)}Z`;
  return iso.slice(0, 19);
}

function generatedCdr(random: Random, tariffId: string): CdrForPricing {
  const start = chance(random, 0.4)
    ? Date.parse(pick(random, STARTS)) + int(random, -6, 6) * 3_600_000 + int(random, 0, 59) * 60_000
    : Date.UTC(2024, 0, 1) + int(random, 0, 365 * 24 * 60) * 60_000 + int(random, 0, 59) * 1000;
  let at = start;
  const periods: ChargingPeriod[] = [];
  const count = chance(random, 0.02) ? 0 : int(random, 1, 6);
  for (let i = 0; i < count; i++) {
    const minutes = chance(random, 0.1) ? int(random, 0, 3) : int(random, 1, 300);
    const seconds = minutes * 60 + int(random, 0, 59);
    const hours = seconds / 3600;
    const kind = i === 0 && chance(random, 0.25) ? 'reservation' : pick(random, ['charging', 'charging', 'charging', 'energy', 'parking', 'mixed']);
    const dimensions: ChargingPeriod['dimensions'] = [];
    const fit = chance(random, 0.9) ? 1 : pick(random, [0.5, 1.5, 3]); // how much of the period the volumes claim
    const kwh = Number((hours * decimalNumber(random, 50, 1) * fit).toFixed(int(random, 0, 4)));
    if (kind === 'reservation') dimensions.push({ type: 'RESERVATION_TIME', volume: hours * fit });
    if (kind === 'charging') dimensions.push({ type: 'TIME', volume: Number((hours * fit).toFixed(4)) }, { type: 'ENERGY', volume: kwh });
    if (kind === 'energy') dimensions.push({ type: 'ENERGY', volume: kwh });
    if (kind === 'parking') dimensions.push({ type: 'PARKING_TIME', volume: Number((hours * fit).toFixed(4)) });
    if (kind === 'mixed') {
      const split = random();
      dimensions.push({ type: 'TIME', volume: hours * split }, { type: 'ENERGY', volume: kwh * split }, { type: 'PARKING_TIME', volume: hours * (1 - split) });
    }
    if (kind !== 'parking' && kind !== 'reservation') {
      if (chance(random, 0.5)) dimensions.push({ type: 'MIN_CURRENT', volume: pick(random, [6, 16, 30, 32]) }, { type: 'MAX_CURRENT', volume: pick(random, [16, 32, 48]) });
      else if (chance(random, 0.3)) dimensions.push({ type: 'CURRENT', volume: pick(random, [10, 32]) });
      if (chance(random, 0.3)) dimensions.push({ type: 'MIN_POWER', volume: pick(random, [3.7, 11, 20]) }, { type: 'MAX_POWER', volume: pick(random, [11, 22, 60]) });
      else if (chance(random, 0.2)) dimensions.push({ type: 'POWER', volume: pick(random, [7.4, 22, 50]) });
      if (chance(random, 0.1)) dimensions.push({ type: 'STATE_OF_CHARGE', volume: int(random, 0, 100) });
    }
    if (chance(random, 0.02)) dimensions.push({ type: pick(random, ['ENERGY', 'TIME', 'PARKING_TIME'] as const), volume: -1.5 });
    if (chance(random, 0.01)) dimensions.push({ type: 'ENERGY', volume: Number.NaN });
    const period: ChargingPeriod = { start_date_time: dateTimeOf(random, at), dimensions };
    if (chance(random, 0.3)) period.tariff_id = chance(random, 0.9) ? tariffId : 'OTHER';
    periods.push(period);
    at += seconds * 1000;
  }
  if (periods.length > 1 && chance(random, 0.03)) periods.reverse(); // PERIODS_OUT_OF_ORDER
  const end = at + (chance(random, 0.8) ? 0 : int(random, 0, 3600) * 1000);
  return { start_date_time: dateTimeOf(random, start), end_date_time: dateTimeOf(random, end), charging_periods: periods };
}

function generatedPolicy(random: Random): PricingPolicy {
  if (chance(random, 0.5)) return DEFAULT_PRICING_POLICY;
  return {
    currencyDecimals: pick(random, [0, 2, 2, 3, 4, 8]),
    rounding: pick(random, ROUNDING),
    roundPartsBeforeTotal: chance(random, 0.3),
    applyStepSize: chance(random, 0.85),
    quantityDecimals: pick(random, [0, 2, 4, 4, 6, 12]),
    ...(chance(random, 0.5) ? { missingVat: pick(random, ['UNKNOWN', 'NONE_APPLIES'] as const) } : {}),
  };
}

function generatedOptions(random: Random): PricingInputOptions {
  const which = random();
  if (which < 0.8) return {};
  return { reservationExpired: which < 0.9 };
}

/** Every case, in order: the generated tariffs first, then each spec example tariff with random CDRs. */
export function goldenCases(): GoldenCase[] {
  const random = seededRandom(GOLDEN_SEED);
  const cases: GoldenCase[] = [];
  for (let i = 0; i < GENERATED_CASES; i++) {
    const tariff = generatedTariff(random, i);
    // A few CDRs per tariff, so the compiled tariff is reused as in production.
    const cdrs = int(random, 1, 3);
    for (let j = 0; j < cdrs && cases.length < GENERATED_CASES; j++) {
      cases.push({ tariff, cdr: generatedCdr(random, tariff.id), timeZone: pick(random, ZONES), policy: generatedPolicy(random), options: generatedOptions(random) });
    }
    if (cases.length >= GENERATED_CASES) break;
  }
  const examples = readdirSync(EXAMPLES_DIR).filter((file) => /^tariff_\d+_.*\.json$/.test(file) || file.startsWith('tariffrestriction_')).sort();
  for (const file of examples) {
    const checked = validateTariff(JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')));
    if (!checked.ok) continue;
    for (let j = 0; j < CASES_PER_EXAMPLE; j++) {
      cases.push({ tariff: checked.tariff, cdr: generatedCdr(random, checked.tariff.id), timeZone: pick(random, ZONES), policy: generatedPolicy(random), options: generatedOptions(random) });
    }
  }
  return cases;
}

/**
 * A breakdown as exact text: keys in the order the engine wrote them, and what JSON cannot say written
 * out (a key present with undefined, -0, NaN), so equal text means equal output bit for bit.
 */
export function goldenText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v === undefined) return '$undefined';
    if (typeof v === 'number' && (Object.is(v, -0) || !Number.isFinite(v))) return `$number:${Object.is(v, -0) ? '-0' : String(v)}`;
    return v;
  });
}
