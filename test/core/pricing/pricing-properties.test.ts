/** Properties over generated tariffs and sessions (fast-check). */
import Decimal from 'decimal.js';
import fc from 'fast-check';
import {
  priceSession,
  toPricingInput,
  validateTariff,
  type CdrDimension,
  type PriceAmount,
  type Tariff,
} from '../../../src/core/pricing/pricing-core';
import { cdrOf, type Stretch } from './support';

const DIMENSIONS = ['FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'] as const;
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

const price4 = fc.integer({ min: 0, max: 50_000 }).map((n) => n / 10_000); // 0–5, up to 4 decimals
const vatPercent = fc.integer({ min: 0, max: 250 }).map((n) => n / 10); // 0–25 %, up to 1 decimal
const stepSize = fc.constantFrom(0, 1, 60, 100, 300, 500, 900, 1800);
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const component = (type: string, withVat: boolean) =>
  fc.record({ type: fc.constant(type), price: price4, vat: withVat ? vatPercent : fc.constant(undefined), step_size: stepSize }).map(
    ({ vat, ...rest }) => (vat === undefined ? rest : { ...rest, vat }),
  );

const restrictions = fc.record(
  {
    start_time: hhmm,
    end_time: hhmm,
    start_date: fc.constantFrom('2024-01-01', '2024-03-15', '2024-06-01'),
    end_date: fc.constantFrom('2024-03-31', '2024-12-31'),
    min_kwh: fc.integer({ min: 0, max: 40 }),
    max_kwh: fc.integer({ min: 1, max: 80 }),
    min_current: fc.integer({ min: 0, max: 64 }),
    max_current: fc.integer({ min: 1, max: 64 }),
    min_power: fc.integer({ min: 0, max: 100 }),
    max_power: fc.integer({ min: 1, max: 100 }),
    min_duration: fc.integer({ min: 0, max: 14_400 }),
    max_duration: fc.integer({ min: 1, max: 14_400 }),
    day_of_week: fc.subarray([...DAYS], { minLength: 1 }),
  },
  { requiredKeys: [] },
);

const element = (withVat: boolean) =>
  fc
    .subarray([...DIMENSIONS], { minLength: 1 })
    .chain((types) => fc.tuple(...types.map((type) => component(type, withVat))))
    .chain((price_components) =>
      fc.option(restrictions, { nil: undefined }).map((r) => (r ? { price_components, restrictions: r } : { price_components })),
    );

const reservationElement = (withVat: boolean) =>
  fc
    .tuple(component('TIME', withVat), fc.constantFrom('RESERVATION', 'RESERVATION_EXPIRES'))
    .map(([time, reservation]) => ({ price_components: [time], restrictions: { reservation } }));

/**
 * min_price ≤ max_price, both with incl_vat ≥ excl_vat or both without: a max_price without incl_vat under a
 * min_price with one would contradict itself, and no total could satisfy both.
 */
const limits = fc
  .record({
    min: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    spread: fc.integer({ min: 0, max: 3000 }),
    minVat: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    extraVat: fc.integer({ min: 0, max: 100 }),
    hasMax: fc.boolean(),
  })
  .map(({ min, spread, minVat, extraVat, hasMax }) => {
    const out: Record<string, unknown> = {};
    const price = (excl: number, vat: number | undefined) =>
      vat === undefined ? { excl_vat: excl / 100 } : { excl_vat: excl / 100, incl_vat: (excl + vat) / 100 };
    if (min !== undefined) out.min_price = price(min, minVat);
    if (hasMax) out.max_price = price((min ?? 0) + spread, minVat === undefined ? undefined : minVat + extraVat);
    return out;
  });

const tariffArbitrary = (withVat: boolean) =>
  fc
    .tuple(
      fc.array(element(withVat), { minLength: 1, maxLength: 4 }),
      fc.array(reservationElement(withVat), { maxLength: 2 }),
      limits,
    )
    .map(([elements, reservations, priceLimits]) =>
      toTariff({ elements: [...reservations, ...elements], ...priceLimits }),
    );

const stretch: fc.Arbitrary<Stretch> = fc.oneof(
  fc.record({
    kind: fc.constant('charging' as const),
    minutes: fc.integer({ min: 0, max: 240 }),
    kwh: fc.integer({ min: 0, max: 60_000 }).map((n) => n / 1000),
    dimensions: fc.constantFrom<CdrDimension[]>(
      [],
      [{ type: 'MAX_CURRENT', volume: 16 }],
      [{ type: 'MIN_CURRENT', volume: 40 }, { type: 'MAX_CURRENT', volume: 48 }],
      [{ type: 'MAX_POWER', volume: 11 }],
    ),
  }),
  fc.record({ kind: fc.constant('parking' as const), minutes: fc.integer({ min: 0, max: 240 }) }),
  fc.record({
    kind: fc.constant('energy' as const),
    minutes: fc.integer({ min: 0, max: 60 }),
    kwh: fc.integer({ min: 0, max: 20_000 }).map((n) => n / 1000),
  }),
);

interface Session {
  startMs: number;
  reservationMinutes: number | undefined;
  stretches: Stretch[];
  timeZone: string;
}

const session: fc.Arbitrary<Session> = fc.record({
  startMs: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2024, 11, 31) }),
  reservationMinutes: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
  stretches: fc.array(stretch, { minLength: 0, maxLength: 6 }),
  timeZone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kathmandu'),
});

function toTariff(fields: Record<string, unknown>): Tariff {
  const header = { country_code: 'NL', party_id: 'ABC', id: 'P', currency: 'EUR', last_updated: '2024-01-01T00:00:00Z' };
  const result = validateTariff({ ...header, ...fields });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.tariff;
}

function priceOf(tariff: Tariff, s: Session) {
  const reservation: Stretch[] = s.reservationMinutes ? [{ kind: 'reservation', minutes: s.reservationMinutes }] : [];
  const stretches = [...reservation, ...s.stretches];
  return priceSession(toPricingInput(tariff, cdrOf(new Date(s.startMs).toISOString(), stretches), s.timeZone));
}

const moneyTotals = (b: ReturnType<typeof priceOf>): PriceAmount[] => [
  b.total_cost,
  b.total_fixed_cost,
  b.total_energy_cost,
  b.total_time_cost,
  b.total_parking_cost,
  b.total_reservation_cost,
];

describe('pricing properties', () => {
  it('never produces a negative amount, and step_size never bills less than was metered', () => {
    fc.assert(
      fc.property(fc.boolean().chain(tariffArbitrary), session, (tariff, s) => {
        const b = priceOf(tariff, s);
        for (const total of moneyTotals(b)) {
          expect(total.excl_vat).toBeGreaterThanOrEqual(0);
          if (total.incl_vat !== undefined) expect(total.incl_vat).toBeGreaterThanOrEqual(0);
        }
        for (const line of b.lines) expect(line.billed).toBeGreaterThanOrEqual(line.measured);
      }),
      { numRuns: 400 },
    );
  });

  it('has incl_vat ≥ excl_vat whenever every VAT is known and non-negative', () => {
    fc.assert(
      fc.property(tariffArbitrary(true), session, (tariff, s) => {
        const b = priceOf(tariff, s);
        for (const total of moneyTotals(b)) {
          if (total.incl_vat === undefined) {
            // Only a price limit without incl_vat on a session that cost nothing leaves the VAT unknown here.
            expect(b.notes.map((n) => n.code)).toContain('VAT_UNKNOWN');
            expect(total).toBe(b.total_cost);
            continue;
          }
          expect(total.incl_vat).toBeGreaterThanOrEqual(total.excl_vat);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps total_cost within min_price and max_price', () => {
    fc.assert(
      fc.property(tariffArbitrary(true), session, (tariff, s) => {
        const { total_cost } = priceOf(tariff, s);
        const incl = total_cost.incl_vat;
        if (tariff.max_price) {
          expect(total_cost.excl_vat).toBeLessThanOrEqual(tariff.max_price.excl_vat);
          if (tariff.max_price.incl_vat != null && incl !== undefined) expect(incl).toBeLessThanOrEqual(tariff.max_price.incl_vat);
        }
        if (tariff.min_price) {
          expect(total_cost.excl_vat).toBeGreaterThanOrEqual(tariff.min_price.excl_vat);
          if (tariff.min_price.incl_vat != null) expect(incl).toBeGreaterThanOrEqual(tariff.min_price.incl_vat);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with a plain decimal.js calculation for tariffs without restrictions', () => {
    const unrestricted = fc
      .tuple(...DIMENSIONS.map((type) => fc.option(component(type, true), { nil: undefined })))
      .filter((components) => components.some(Boolean))
      .map((components) => toTariff({ elements: [{ price_components: components.filter(Boolean) }] }));
    const simpleSession = fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('charging' as const),
          minutes: fc.integer({ min: 1, max: 240 }),
          kwh: fc.integer({ min: 0, max: 60_000 }).map((n) => n / 1000),
        }),
        fc.record({ kind: fc.constant('parking' as const), minutes: fc.integer({ min: 1, max: 240 }) }),
      ),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(unrestricted, simpleSession, (tariff, stretches) => {
        const b = priceSession(toPricingInput(tariff, cdrOf('2024-05-06T08:00:00Z', stretches), 'UTC'));
        expect(b.total_cost).toEqual(referenceTotal(tariff, stretches));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * The spec's rules written out directly, with decimal.js: FLAT once; ENERGY rounded up to its step_size; parking
 * rounded up when it is priced, otherwise charging time (mod_cdrs step_size); VAT per component; half up to cents.
 * Quantities stay in Wh and seconds and are divided last: 170 minutes at 3.51/h is exactly 9.945, but 170/60 h is not
 * a finite decimal, and dividing first lands at 9.94499… and rounds the wrong way.
 */
function referenceTotal(tariff: Tariff, stretches: Stretch[]): PriceAmount {
  const D = Decimal.clone({ precision: 60 });
  const components = tariff.elements[0].price_components;
  const find = (type: string) => components.find((c) => c.type === type);
  const sum = (kind: string, value: (s: Stretch) => number) =>
    stretches.filter((s) => s.kind === kind).reduce((total, s) => total.plus(value(s)), new D(0));
  const roundUp = (amount: Decimal, step: number) => (step > 0 ? amount.div(step).ceil().times(step) : amount);

  const energyWh = sum('charging', (s) => Math.round((s.kwh ?? 0) * 1000));
  const chargingSeconds = sum('charging', (s) => s.minutes * 60);
  const parkingSeconds = sum('parking', (s) => s.minutes * 60);
  const energy = find('ENERGY');
  const time = find('TIME');
  const parking = find('PARKING_TIME');
  const parkingPriced = parking !== undefined && parkingSeconds.gt(0);

  // [component, billed quantity in its step unit, step units per priced unit]
  const billed: [typeof energy, Decimal, number][] = [
    [find('FLAT'), new D(1), 1],
    [energy, energy ? roundUp(energyWh, energy.step_size) : energyWh, 1000],
    [time, time && !parkingPriced ? roundUp(chargingSeconds, time.step_size) : chargingSeconds, 3600],
    [parking, parking ? roundUp(parkingSeconds, parking.step_size) : parkingSeconds, 3600],
  ];
  let excl = new D(0);
  let incl = new D(0);
  for (const [c, quantity, perUnit] of billed) {
    if (!c || quantity.isZero()) continue;
    excl = excl.plus(quantity.times(c.price).div(perUnit));
    incl = incl.plus(quantity.times(c.price).times(new D(c.vat ?? 0).plus(100)).div(perUnit * 100));
  }
  const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
  return { excl_vat: cents(excl), incl_vat: cents(incl) };
}
