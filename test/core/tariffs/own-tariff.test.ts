/**
 * The own-tariff builder, proved with the pricing engine: each built tariff is validated, a session is
 * priced against it (priceSession(toPricingInput(...))) and the totals are compared with figures
 * worked out by hand in the comments. Times are UTC in the CDRs; the restrictions are local
 * (Europe/Amsterdam: UTC+1 in November, UTC+2 until the last Sunday of October).
 */
import { validateTariff, type PriceBreakdown, type Tariff } from '../../../src/core/pricing/pricing-core';
import {
  buildOwnTariff,
  type DynamicTariffDescription,
  mergeDayAhead,
  parseDayAheadUpdate,
  parseTariffDescription,
  pruneDayAhead,
  type TariffDescription,
} from '../../../src/core/tariffs/tariffs-core';
import { cdrOf, price } from '../pricing/support';

const ZONE = 'Europe/Amsterdam';
const IDENTITY = { countryCode: 'NL', partyId: 'HUB', id: 'OWN-1', lastUpdated: '2026-11-20T08:00:00Z' };

function describe_(json: unknown): TariffDescription {
  const parsed = parseTariffDescription(json);
  if (!parsed.ok) throw new Error(`invalid description: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

function build(json: unknown, now = new Date('2026-11-20T08:00:00Z')): Tariff {
  let description = describe_(json);
  if (description.kind === 'dynamic') {
    const pruned = pruneDayAhead(description, now);
    if (!pruned.ok) throw new Error(JSON.stringify(pruned.errors));
    description = pruned.value;
  }
  const tariff = buildOwnTariff(description, IDENTITY);
  // What goes out must pass the engine's strict validation, unchanged.
  const checked = validateTariff(JSON.parse(JSON.stringify(tariff)));
  expect(checked).toEqual({ ok: true, tariff });
  return tariff;
}

/** Charging at constant power from `startUtc` for `minutes`, `kwh` in all. */
const charging = (tariff: Tariff, startUtc: string, minutes: number, kwh: number) =>
  price(tariff, cdrOf(startUtc, [{ kind: 'charging', minutes, kwh }]), { timeZone: ZONE });

const codes = (b: PriceBreakdown) => b.notes.map((n) => n.code);

describe('simple tariffs', () => {
  const simple = {
    kind: 'simple',
    currency: 'EUR',
    vat: 21,
    prices: { energy: 0.3, time: 2, parking: 6, flat: 1 },
    step_size: { time: 60, parking: 300 },
  };

  it('builds one unrestricted element with every price, VAT and step size', () => {
    expect(build(simple)).toEqual({
      country_code: 'NL',
      party_id: 'HUB',
      id: 'OWN-1',
      currency: 'EUR',
      elements: [
        {
          price_components: [
            { type: 'FLAT', price: 1, vat: 21, step_size: 1 },
            { type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 },
            { type: 'TIME', price: 2, vat: 21, step_size: 60 },
            { type: 'PARKING_TIME', price: 6, vat: 21, step_size: 300 },
          ],
        },
      ],
      last_updated: '2026-11-20T08:00:00Z',
    });
  });

  it('prices a session with charging and parking', () => {
    // 45 min charging, 11 kWh, then 22 min parked. flat 1.00; energy 11 × 0.30 = 3.30; time 0.75 h × 2 = 1.50;
    // parking rounds up to 25 min (step 300 s, only parking is stepped when both occur): 25/60 × 6 = 2.50.
    // Total 8.30 excl.; × 1.21 = 10.043 → 10.04 incl.
    const b = price(
      build(simple),
      cdrOf('2026-11-23T09:00:00Z', [
        { kind: 'charging', minutes: 45, kwh: 11 },
        { kind: 'parking', minutes: 22 },
      ]),
      { timeZone: ZONE },
    );
    expect(b.total_fixed_cost).toEqual({ excl_vat: 1, incl_vat: 1.21 });
    expect(b.total_energy_cost).toEqual({ excl_vat: 3.3, incl_vat: 3.99 }); // 3.993
    expect(b.total_time_cost).toEqual({ excl_vat: 1.5, incl_vat: 1.82 }); // 1.815
    expect(b.total_parking_cost).toEqual({ excl_vat: 2.5, incl_vat: 3.03 }); // 3.025
    expect(b.total_cost).toEqual({ excl_vat: 8.3, incl_vat: 10.04 });
    expect(b.notes).toEqual([]);
  });

  it('applies min_price and max_price, incl. VAT derived from the VAT percentage', () => {
    const limited = build({ kind: 'simple', currency: 'EUR', vat: 21, prices: { energy: 0.3 }, min_price: 2, max_price: 10 });
    expect(limited.min_price).toEqual({ excl_vat: 2, incl_vat: 2.42 });
    expect(limited.max_price).toEqual({ excl_vat: 10, incl_vat: 12.1 });
    // 1 kWh = 0.30 < 2.00: the minimum. 50 kWh = 15.00 > 10.00: the maximum.
    expect(charging(limited, '2026-11-23T09:00:00Z', 10, 1).total_cost).toEqual({ excl_vat: 2, incl_vat: 2.42 });
    expect(charging(limited, '2026-11-23T09:00:00Z', 60, 50).total_cost).toEqual({ excl_vat: 10, incl_vat: 12.1 });
  });

  it('leaves VAT out when the operator says none applies (vat: null), so incl_vat is not invented', () => {
    const noVat = build({ kind: 'simple', currency: 'EUR', vat: null, prices: { energy: 0.3 } });
    expect(noVat.elements[0].price_components[0]).toEqual({ type: 'ENERGY', price: 0.3, step_size: 1 });
    expect(charging(noVat, '2026-11-23T09:00:00Z', 60, 10).total_cost).toEqual({ excl_vat: 3 });
  });
});

describe('time-of-use tariffs', () => {
  const timeOfUse = {
    kind: 'time_of_use',
    currency: 'EUR',
    vat: 21,
    prices: { energy: 0.3, time: 1 },
    windows: [
      { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], start_time: '17:00', end_time: '21:00', prices: { energy: 0.5, time: 2 } },
      { start_time: '23:00', end_time: '07:00', prices: { energy: 0.2 } },
      { days: ['SATURDAY', 'SUNDAY'], prices: { energy: 0.25 } },
    ],
  };

  it('builds the windows in order, then the base element without restrictions', () => {
    const { elements } = build(timeOfUse);
    expect(elements.map((e) => e.restrictions ?? null)).toEqual([
      { start_time: '17:00', end_time: '21:00', day_of_week: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] },
      // Every day: one element, wrapping past midnight as the spec defines (end_time < start_time).
      { start_time: '23:00', end_time: '07:00' },
      { day_of_week: ['SATURDAY', 'SUNDAY'] },
      null,
    ]);
    expect(elements[1].price_components).toEqual([{ type: 'ENERGY', price: 0.2, vat: 21, step_size: 1 }]);
  });

  it('prices a session crossing into the peak window', () => {
    // Monday 2026-11-23, 16:30–17:30 local, 10 kWh at constant power: 5 kWh × 0.30 + 5 kWh × 0.50 = 4.00;
    // time 0.5 h × 1.00 + 0.5 h × 2.00 = 1.50. Total 5.50 excl.; × 1.21 = 6.655 → 6.66 incl. (half up).
    const b = charging(build(timeOfUse), '2026-11-23T15:30:00Z', 60, 10);
    expect(b.total_energy_cost.excl_vat).toBe(4);
    expect(b.total_time_cost.excl_vat).toBe(1.5);
    expect(b.total_cost).toEqual({ excl_vat: 5.5, incl_vat: 6.66 });
    expect(codes(b)).toEqual(['PERIOD_SPLIT_INTERPOLATED']);
  });

  it('prices the off-peak window past midnight, and keeps the base time price where the window prices no time', () => {
    // Tuesday 22:30–23:30 local, 10 kWh: 5 × 0.30 + 5 × 0.20 = 2.50; time 1 h × 1.00 (base). 3.50 excl., 4.235 → 4.24.
    expect(charging(build(timeOfUse), '2026-11-24T21:30:00Z', 60, 10).total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.24 });
    // Wednesday 06:30–07:30 local: 5 × 0.20 + 5 × 0.30 = 2.50, + 1.00 time.
    expect(charging(build(timeOfUse), '2026-11-25T05:30:00Z', 60, 10).total_cost.excl_vat).toBe(3.5);
  });

  it('lets the earlier window win where windows overlap', () => {
    // Saturday 12:00–13:00: weekend 10 × 0.25 = 2.50 + 1.00 time. Saturday 23:30–00:30: the off-peak window comes
    // first and wins over the weekend one: 10 × 0.20 = 2.00 + 1.00.
    expect(charging(build(timeOfUse), '2026-11-28T11:00:00Z', 60, 10).total_cost.excl_vat).toBe(3.5);
    expect(charging(build(timeOfUse), '2026-11-28T22:30:00Z', 60, 10).total_cost.excl_vat).toBe(3);
  });

  it('splits a wrapping window with days at midnight, so Friday night runs into Saturday morning', () => {
    // day_of_week holds at each moment: one element "FRIDAY 22:00–06:00" would stop at midnight. Two elements
    // carry the operator's meaning.
    const fridayNight = build({
      kind: 'time_of_use',
      currency: 'EUR',
      vat: null,
      prices: { energy: 0.3 },
      windows: [{ days: ['FRIDAY'], start_time: '22:00', end_time: '06:00', prices: { energy: 0.1 } }],
    });
    expect(fridayNight.elements.map((e) => e.restrictions ?? null)).toEqual([
      { start_time: '22:00', end_time: '00:00', day_of_week: ['FRIDAY'] },
      { start_time: '00:00', end_time: '06:00', day_of_week: ['SATURDAY'] },
      null,
    ]);
    // Saturday 2026-11-28 05:00–07:00 local, 20 kWh: 10 × 0.10 + 10 × 0.30 = 4.00.
    expect(charging(fridayNight, '2026-11-28T04:00:00Z', 120, 20).total_cost).toEqual({ excl_vat: 4 });
    // Friday 23:00–01:00: all 20 kWh at 0.10 = 2.00. Sunday 05:00–06:00: not Friday night, 10 × 0.30 = 3.00.
    expect(charging(fridayNight, '2026-11-27T22:00:00Z', 120, 20).total_cost).toEqual({ excl_vat: 2 });
    expect(charging(fridayNight, '2026-11-29T04:00:00Z', 60, 10).total_cost).toEqual({ excl_vat: 3 });
  });
});

describe('dynamic day-ahead tariffs', () => {
  // Sunday 2026-11-22: hours 0–5 share a price (one element), 14:00–15:00 has none (the fallback prices it).
  const HOURS = [0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.18, 0.22, 0.25, 0.25, 0.2, 0.19, 0.18, 0.17, null, 0.16, 0.21, 0.28, 0.31, 0.27, 0.22, 0.2, 0.15, 0.13];
  const dynamic = {
    kind: 'dynamic',
    currency: 'EUR',
    vat: 21,
    time_zone: ZONE,
    prices: { energy: 0.4 },
    day_ahead: { '2026-11-22': HOURS },
  };

  it('flattens the prices into dated hourly elements, runs of one price merged, and ends with the fallback', () => {
    const { elements } = build(dynamic);
    expect(elements[0]).toEqual({
      price_components: [{ type: 'ENERGY', price: 0.12, vat: 21, step_size: 1 }],
      restrictions: { start_date: '2026-11-22', end_date: '2026-11-23', start_time: '00:00', end_time: '06:00' },
    });
    expect(elements.map((e) => e.restrictions && `${e.restrictions.start_time}-${e.restrictions.end_time}`)).toEqual([
      '00:00-06:00', '06:00-07:00', '07:00-08:00', '08:00-10:00', '10:00-11:00', '11:00-12:00', '12:00-13:00', '13:00-14:00',
      '15:00-16:00', '16:00-17:00', '17:00-18:00', '18:00-19:00', '19:00-20:00', '20:00-21:00', '21:00-22:00', '22:00-23:00',
      '23:00-00:00', undefined,
    ]);
    expect(elements[elements.length - 1]).toEqual({ price_components: [{ type: 'ENERGY', price: 0.4, vat: 21, step_size: 1 }] });
  });

  it('prices each hour at its day-ahead price', () => {
    // 12:30–13:30 local (11:30Z), 8 kWh: 4 × 0.18 + 4 × 0.17 = 1.40 excl.; × 1.21 = 1.694 → 1.69.
    expect(charging(build(dynamic), '2026-11-22T11:30:00Z', 60, 8).total_cost).toEqual({ excl_vat: 1.4, incl_vat: 1.69 });
  });

  it('prices an hour without a day-ahead price with the fallback, never for free', () => {
    // 13:30–14:30 local: 4 × 0.17 + 4 × 0.40 (14:00 has no price) = 2.28 excl.; × 1.21 = 2.7588 → 2.76.
    const b = charging(build(dynamic), '2026-11-22T12:30:00Z', 60, 8);
    expect(b.total_cost).toEqual({ excl_vat: 2.28, incl_vat: 2.76 });
    expect(codes(b)).not.toContain('NO_PRICE_COMPONENT');
  });

  it('prices a date without prices, and the hour after midnight (end_date is exclusive), with the fallback', () => {
    // 2026-11-24 10:00–11:00 local: 8 × 0.40 = 3.20.
    expect(charging(build(dynamic), '2026-11-24T09:00:00Z', 60, 8).total_cost.excl_vat).toBe(3.2);
    // 2026-11-22 23:30 → 2026-11-23 00:30 local: 4 × 0.13 + 4 × 0.40 = 2.12.
    expect(charging(build(dynamic), '2026-11-22T22:30:00Z', 60, 8).total_cost.excl_vat).toBe(2.12);
  });

  it('gives both 02:00 hours of the 25-hour day (clocks go back) the price of local hour 2', () => {
    const hours = Array.from({ length: 24 }, (_, hour) => (hour === 2 ? 0.05 : 0.3));
    const tariff = build({ ...dynamic, day_ahead: { '2026-10-25': hours } }, new Date('2026-10-24T12:00:00Z'));
    // 00:00Z–02:00Z on 2026-10-25 is 02:00–03:00 CEST and then 02:00–03:00 CET: 10 kWh × 0.05 = 0.50.
    expect(charging(tariff, '2026-10-25T00:00:00Z', 120, 10).total_cost.excl_vat).toBe(0.5);
    // The next UTC hour is 03:00 CET: 0.30.
    expect(charging(tariff, '2026-10-25T02:00:00Z', 60, 10).total_cost.excl_vat).toBe(3);
  });

  it('merges a date\'s prices and prunes dates before yesterday in the tariff\'s time zone', () => {
    const description = describe_({ ...dynamic, day_ahead: { '2026-11-22': HOURS, '2026-11-23': HOURS, '2026-11-24': HOURS } }) as DynamicTariffDescription;
    // 23:30Z on the 24th is already the 25th in Amsterdam: yesterday there is the 24th.
    const now = new Date('2026-11-24T23:30:00Z');
    const update = parseDayAheadUpdate({ date: '2026-11-26', prices: HOURS.map(() => 0.11) });
    if (!update.ok) throw new Error('bad update');
    const merged = mergeDayAhead(description, update.value, now);
    expect(merged.ok && Object.keys(merged.value.day_ahead)).toEqual(['2026-11-24', '2026-11-26']);
    expect(merged.ok && merged.value.day_ahead['2026-11-26'][0]).toBe(0.11);
    // keep_past_days widens what is kept.
    const keepTwo = mergeDayAhead({ ...description, keep_past_days: 2 }, update.value, now);
    expect(keepTwo.ok && Object.keys(keepTwo.value.day_ahead)).toEqual(['2026-11-23', '2026-11-24', '2026-11-26']);
    // A date already pruned is refused rather than silently dropped.
    expect(mergeDayAhead(description, { date: '2026-11-23', prices: HOURS }, now)).toEqual({
      ok: false,
      errors: [{ path: 'date', message: '2026-11-23 is before 2026-11-24, the oldest date this tariff keeps (keep_past_days)' }],
    });
  });

  it('refuses to hold more than 31 dates', () => {
    const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [new Date(Date.UTC(2026, 11, 1 + i)).toISOString().slice(0, 10), HOURS]));
    const description = describe_({ ...dynamic, day_ahead: many }) as DynamicTariffDescription;
    const pruned = pruneDayAhead(description, new Date('2026-11-20T08:00:00Z'));
    expect(pruned).toEqual({ ok: false, errors: [{ path: 'day_ahead', message: 'holds 32 dates from 2026-11-19 on; at most 31 are kept at once' }] });
  });
});

describe('descriptions that would publish something wrong are refused, naming the field', () => {
  const base = { currency: 'EUR', vat: 21 };
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['no kind', { ...base, prices: { energy: 1 } }, [{ path: 'kind', message: /"simple", "time_of_use" or "dynamic"/ }]],
    ['a misspelt key', { kind: 'simple', ...base, price: { energy: 1 } }, [{ path: 'prices', message: /required/i }, { path: 'price', message: /not a field/ }]],
    ['no VAT said', { kind: 'simple', currency: 'EUR', prices: { energy: 1 } }, [{ path: 'vat', message: /./ }]],
    ['nothing priced', { kind: 'simple', ...base, prices: {} }, [{ path: 'prices', message: /at least one/ }]],
    ['a negative price', { kind: 'simple', ...base, prices: { energy: -0.1 } }, [{ path: 'prices.energy', message: /negative/ }]],
    ['a float accident', { kind: 'simple', ...base, prices: { energy: 0.1 + 0.2 } }, [{ path: 'prices.energy', message: /at most 6 decimals/ }]],
    ['min above max', { kind: 'simple', ...base, prices: { energy: 1 }, min_price: 5, max_price: 2 }, [{ path: 'min_price', message: /max_price/ }]],
    [
      'a window pricing what the base does not',
      { kind: 'time_of_use', ...base, prices: { energy: 0.3 }, windows: [{ start_time: '17:00', end_time: '21:00', prices: { time: 2 } }] },
      [{ path: 'windows[0].prices.time', message: /free outside the window/ }],
    ],
    [
      'an empty window',
      { kind: 'time_of_use', ...base, prices: { energy: 0.3 }, windows: [{ start_time: '17:00', end_time: '17:00', prices: { energy: 1 } }] },
      [{ path: 'windows[0].end_time', message: /differ/ }],
    ],
    [
      'a window without days or times',
      { kind: 'time_of_use', ...base, prices: { energy: 0.3 }, windows: [{ prices: { energy: 1 } }] },
      [{ path: 'windows[0]', message: /base prices/ }],
    ],
    [
      'a dynamic tariff without a fallback energy price',
      { kind: 'dynamic', ...base, time_zone: ZONE, prices: { time: 1 } },
      [{ path: 'prices.energy', message: /every hour without a day-ahead price/ }],
    ],
    [
      'a bad time zone, date and hour count',
      { kind: 'dynamic', ...base, time_zone: 'Mars/Olympus', prices: { energy: 0.3 }, day_ahead: { '2026-02-30': [], '2026-11-22': [0.1] } },
      [
        { path: 'time_zone', message: /IANA/ },
        { path: 'day_ahead.2026-02-30', message: /calendar date/ },
        { path: 'day_ahead.2026-11-22', message: /24 hourly prices/ },
      ],
    ],
  ];
  it.each(cases)('%s', (_, json, expected) => {
    const parsed = parseTariffDescription(json);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual(expected.map(({ path, message }) => ({ path, message: expect.stringMatching(message) })));
  });
});
