/** One test group per TariffRestrictions field (mod_tariffs), each quoting the rule it checks. */
import { cdrOf, price, tariffWith, type Stretch } from './support';

const energy = (price: number, restrictions?: object) => ({
  price_components: [{ type: 'ENERGY', price, vat: 0, step_size: 1 }],
  ...(restrictions ? { restrictions } : {}),
});
const time = (price: number, restrictions?: object) => ({
  price_components: [{ type: 'TIME', price, vat: 0, step_size: 1 }],
  ...(restrictions ? { restrictions } : {}),
});

/** Prices `stretches` from `startUtc` against a tariff of `elements`; time zone UTC unless given. */
function breakdownOf(elements: object[], startUtc: string, stretches: Stretch[], timeZone = 'UTC') {
  return price(tariffWith(elements), cdrOf(startUtc, stretches), { timeZone });
}
function cost(elements: object[], startUtc: string, stretches: Stretch[], timeZone = 'UTC') {
  return breakdownOf(elements, startUtc, stretches, timeZone).total_cost.excl_vat;
}
// One minute long, so a probe starting a minute before a boundary does not cross it.
const oneKwh: Stretch[] = [{ kind: 'charging', minutes: 1, kwh: 1 }];
const oneHour: Stretch[] = [{ kind: 'charging', minutes: 60 }];

describe('start_time / end_time', () => {
  // "start_time: Start time of day in local time … valid from this time of the day"; "end_time … valid until this
  // time of the day … If end_time < start_time then the period wraps around to the next day. To stop at end of the
  // day use: 00:00."
  const day = [energy(0.3, { start_time: '09:00', end_time: '17:00' }), energy(0.2)];

  it.each([
    ['2024-01-08T08:59:00Z', 0.2],
    ['2024-01-08T09:00:00Z', 0.3], // from, inclusive
    ['2024-01-08T16:59:00Z', 0.3],
    ['2024-01-08T17:00:00Z', 0.2], // until, exclusive
  ])('09:00–17:00 at %s costs %s per kWh', (start, expected) => {
    expect(cost(day, start, oneKwh)).toBe(expected);
  });

  it.each([
    ['2024-01-08T23:00:00Z', 0.1],
    ['2024-01-09T05:59:00Z', 0.1],
    ['2024-01-09T06:00:00Z', 0.2],
    ['2024-01-08T21:59:00Z', 0.2],
  ])('22:00–06:00 wraps past midnight: at %s it costs %s', (start, expected) => {
    expect(cost([energy(0.1, { start_time: '22:00', end_time: '06:00' }), energy(0.2)], start, oneKwh)).toBe(expected);
  });

  it('end_time 00:00 is the end of the day', () => {
    const evening = [energy(0.1, { start_time: '20:00', end_time: '00:00' }), energy(0.2)];
    expect(cost(evening, '2024-01-08T23:59:00Z', oneKwh)).toBe(0.1);
    expect(cost(evening, '2024-01-09T00:00:00Z', oneKwh)).toBe(0.2);
  });

  it('a lone start_time lasts until midnight, a lone end_time starts at midnight', () => {
    expect(cost([energy(0.1, { start_time: '20:00' }), energy(0.2)], '2024-01-08T21:00:00Z', oneKwh)).toBe(0.1);
    expect(cost([energy(0.1, { start_time: '20:00' }), energy(0.2)], '2024-01-09T01:00:00Z', oneKwh)).toBe(0.2);
    expect(cost([energy(0.1, { end_time: '06:00' }), energy(0.2)], '2024-01-09T01:00:00Z', oneKwh)).toBe(0.1);
    expect(cost([energy(0.1, { end_time: '06:00' }), energy(0.2)], '2024-01-09T07:00:00Z', oneKwh)).toBe(0.2);
  });

  it('start_time equal to end_time is read as the whole day (the spec does not say)', () => {
    expect(cost([energy(0.1, { start_time: '10:00', end_time: '10:00' }), energy(0.2)], '2024-01-08T03:00:00Z', oneKwh)).toBe(0.1);
  });

  it('splits a TIME period that crosses a boundary, exactly', () => {
    // 21:00–23:00 in one period: one hour at the day rate, one at the night rate.
    const night = [time(1, { start_time: '22:00', end_time: '06:00' }), time(2)];
    const b = breakdownOf(night, '2024-01-08T21:00:00Z', [{ kind: 'charging', minutes: 120 }]);
    expect(b.lines.map((l) => [l.elementIndex, l.billed])).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(b.notes).toEqual([]); // time splits exactly; nothing to note
  });

  it('is evaluated in the Location time zone, not UTC', () => {
    const evening = [time(2, { start_time: '17:00', end_time: '00:00' }), time(1)];
    // 15:30Z is 16:30 in Berlin in winter (CET) but 17:30 in summer (CEST).
    expect(cost(evening, '2024-01-08T15:30:00Z', [{ kind: 'charging', minutes: 30 }], 'Europe/Berlin')).toBe(0.5);
    expect(cost(evening, '2024-07-08T15:30:00Z', [{ kind: 'charging', minutes: 30 }], 'Europe/Berlin')).toBe(1);
    expect(cost(evening, '2024-01-08T15:30:00Z', [{ kind: 'charging', minutes: 30 }], 'America/New_York')).toBe(0.5);
    expect(cost(evening, '2024-01-08T22:30:00Z', [{ kind: 'charging', minutes: 30 }], 'America/New_York')).toBe(1);
  });

  it('switches when a DST change jumps the wall clock past a start_time', () => {
    // 2024-03-31 in Berlin: 02:00 CET becomes 03:00 CEST at 01:00Z. 02:30 never happens that night, but an
    // element "valid from" 02:30 is valid from the jump. 00:30Z–01:30Z is 01:30–02:00 CET, then 03:00–03:30 CEST.
    const b = price(
      tariffWith([time(2, { start_time: '02:30', end_time: '12:00' }), time(1)]),
      cdrOf('2024-03-31T00:30:00Z', oneHour),
      { timeZone: 'Europe/Berlin' },
    );
    expect(b.lines.map((l) => [l.elementIndex, l.billed])).toEqual([
      [1, 0.5],
      [0, 0.5],
    ]);
  });

  it('follows the wall clock when DST ends and an hour repeats', () => {
    // 2024-10-27 in Berlin: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:00–03:00 local happens twice.
    // 00:00Z–02:00Z is 02:00–03:00 CEST then 02:00–03:00 CET: both hours inside 02:00–03:00.
    const b = price(
      tariffWith([time(2, { start_time: '02:00', end_time: '03:00' }), time(1)]),
      cdrOf('2024-10-27T00:00:00Z', [{ kind: 'charging', minutes: 120 }]),
      { timeZone: 'Europe/Berlin' },
    );
    expect(b.total_cost.excl_vat).toBe(4);
  });
});

describe('start_date / end_date', () => {
  // "start_date: Start date in local time … valid from this day (inclusive)"; "end_date … valid until this day
  // (exclusive)"
  const promotion = [energy(0.1, { start_date: '2024-01-08', end_date: '2024-01-10' }), energy(0.2)];

  it.each([
    ['2024-01-07T23:59:00Z', 0.2],
    ['2024-01-08T00:00:00Z', 0.1],
    ['2024-01-09T23:59:00Z', 0.1],
    ['2024-01-10T00:00:00Z', 0.2],
  ])('at %s costs %s', (start, expected) => {
    expect(cost(promotion, start, oneKwh)).toBe(expected);
  });

  it('compares local dates', () => {
    // 2024-01-09T23:30Z is already 2024-01-10 in Berlin.
    expect(cost(promotion, '2024-01-09T23:30:00Z', oneKwh, 'Europe/Berlin')).toBe(0.2);
    expect(cost(promotion, '2024-01-07T23:30:00Z', oneKwh, 'Europe/Berlin')).toBe(0.1);
  });
});

describe('day_of_week', () => {
  // "Which day(s) of the week this TariffElement is active."
  const weekend = [time(1, { day_of_week: ['SATURDAY', 'SUNDAY'] }), time(2)];

  it('matches the local weekday', () => {
    expect(cost(weekend, '2024-01-06T12:00:00Z', oneHour)).toBe(1); // Saturday
    expect(cost(weekend, '2024-01-08T12:00:00Z', oneHour)).toBe(2); // Monday
    // Friday 23:30Z is Saturday 00:30 in Berlin.
    expect(cost(weekend, '2024-01-05T23:30:00Z', [{ kind: 'charging', minutes: 30 }], 'Europe/Berlin')).toBe(0.5);
  });

  it('splits a period at local midnight', () => {
    // Sunday 23:00 to Monday 01:00 (UTC): one weekend hour, one weekday hour.
    expect(cost(weekend, '2024-01-07T23:00:00Z', [{ kind: 'charging', minutes: 120 }])).toBe(3);
  });

  it('is ANDed with the other restrictions, each evaluated at the moment itself', () => {
    // "When more than one restriction is set, they are to be treated as a logical AND." A Friday night element
    // (22:00–06:00, FRIDAY) is not active in the small hours of Saturday: the weekday is Saturday by then.
    const fridayNight = [time(1, { start_time: '22:00', end_time: '06:00', day_of_week: ['FRIDAY'] }), time(2)];
    expect(cost(fridayNight, '2024-01-05T23:00:00Z', oneHour)).toBe(1);
    expect(cost(fridayNight, '2024-01-06T01:00:00Z', oneHour)).toBe(2);
  });
});

describe('min_kwh / max_kwh', () => {
  // "min_kwh: Minimum consumed energy in kWh … valid from this amount of energy (inclusive) being used";
  // "max_kwh … valid until this amount of energy (exclusive) being used"
  const firstTen = [energy(0.3, { max_kwh: 10 }), energy(0.2)];

  it('prices energy before and after the threshold at their own rates', () => {
    const periods: Stretch[] = [{ kind: 'charging', minutes: 60, kwh: 10 }, { kind: 'charging', minutes: 30, kwh: 5 }];
    const b = breakdownOf(firstTen, '2024-01-08T09:00:00Z', periods);
    expect(b.total_cost.excl_vat).toBe(4);
    expect(b.notes).toEqual([]);
  });

  it('splits a period that crosses the threshold, interpolating its energy, and says so', () => {
    const b = breakdownOf(firstTen, '2024-01-08T09:00:00Z', [{ kind: 'charging', minutes: 90, kwh: 15 }]);
    expect(b.lines.map((l) => [l.elementIndex, l.billed])).toEqual([
      [0, 10],
      [1, 5],
    ]);
    expect(b.total_cost.excl_vat).toBe(4);
    expect(b.notes.map((n) => n.code)).toEqual(['PERIOD_SPLIT_INTERPOLATED']);
  });

  it('min_kwh is inclusive', () => {
    const afterTen = [energy(0.5, { min_kwh: 10 }), energy(0.2)];
    const periods: Stretch[] = [{ kind: 'charging', minutes: 60, kwh: 10 }, { kind: 'charging', minutes: 30, kwh: 1 }];
    expect(cost(afterTen, '2024-01-08T09:00:00Z', periods)).toBe(2.5);
  });

  it('also restricts time components, by the energy charged so far', () => {
    const timeAfterTen = [time(6, { min_kwh: 10 }), time(0)];
    const periods: Stretch[] = [{ kind: 'charging', minutes: 60, kwh: 10 }, { kind: 'charging', minutes: 30, kwh: 5 }];
    expect(cost(timeAfterTen, '2024-01-08T09:00:00Z', periods)).toBe(3);
  });
});

describe('min_current / max_current', () => {
  // "min_current: … When the EV is charging with more than, or equal to, the defined amount of current, this
  // TariffElement is/becomes active." "max_current: … When the EV is charging with less than the defined amount of
  // current, this TariffElement becomes/is active."
  const elements = [time(1, { max_current: 32 }), time(2, { min_current: 32 }), time(9)];
  const charging = (dimensions: Stretch['dimensions']): Stretch[] => [{ kind: 'charging', minutes: 60, dimensions }];

  it.each([
    [[{ type: 'MAX_CURRENT', volume: 16 }], 1],
    [[{ type: 'MIN_CURRENT', volume: 32 }], 2], // "more than, or equal to"
    [[{ type: 'MIN_CURRENT', volume: 40 }, { type: 'MAX_CURRENT', volume: 48 }], 2],
    [[{ type: 'MIN_CURRENT', volume: 10 }, { type: 'MAX_CURRENT', volume: 31.9 }], 1],
    [[{ type: 'CURRENT', volume: 40 }], 2], // a Session's average stands for the range when nothing else is given
  ] as const)('%j costs %s per hour', (dimensions, expected) => {
    expect(cost(elements, '2024-01-08T09:00:00Z', charging([...dimensions]))).toBe(expected);
  });

  it('notes a period whose range straddles a threshold, and matches neither side', () => {
    const range = charging([{ type: 'MIN_CURRENT', volume: 10 }, { type: 'MAX_CURRENT', volume: 40 }]);
    const b = breakdownOf(elements, '2024-01-08T09:00:00Z', range);
    expect(b.total_cost.excl_vat).toBe(9);
    expect(b.notes.map((n) => n.code)).toEqual(['MEASUREMENT_STRADDLES_THRESHOLD']);
  });

  it('notes a period that reports no current', () => {
    const b = breakdownOf(elements, '2024-01-08T09:00:00Z', oneHour);
    expect(b.total_cost.excl_vat).toBe(9);
    expect(b.notes.map((n) => n.code)).toEqual(['MEASUREMENT_MISSING']);
  });
});

describe('min_power / max_power', () => {
  // "min_power: Minimum power in kW … When the EV is charging with more than, or equal to, the defined amount of
  // power, this TariffElement is/becomes active." "max_power: … with less than the defined amount of power"
  const elements = [energy(0.2, { max_power: 16 }), energy(0.5, { min_power: 50 }), energy(0.35)];

  it.each([
    [[{ type: 'MAX_POWER', volume: 11 }], 0.2],
    [[{ type: 'MAX_POWER', volume: 16 }], 0.35],
    [[{ type: 'MIN_POWER', volume: 50 }], 0.5],
    [[{ type: 'MIN_POWER', volume: 20 }, { type: 'MAX_POWER', volume: 40 }], 0.35],
    [[{ type: 'POWER', volume: 7.4 }], 0.2],
  ] as const)('%j costs %s per kWh', (dimensions, expected) => {
    expect(cost(elements, '2024-01-08T09:00:00Z', [{ kind: 'charging', minutes: 10, kwh: 1, dimensions: [...dimensions] }])).toBe(expected);
  });
});

describe('min_duration / max_duration', () => {
  // "min_duration: Minimum duration in seconds the Charging Session MUST last (inclusive)."; "max_duration: Maximum
  // duration in seconds the Charging Session MUST last (exclusive)."
  const graceThenPaid = [
    { price_components: [{ type: 'PARKING_TIME', price: 0, vat: 0, step_size: 1 }], restrictions: { max_duration: 1800 } },
    { price_components: [{ type: 'PARKING_TIME', price: 3, vat: 0, step_size: 1 }], restrictions: { min_duration: 1800 } },
  ];

  it('counts the duration of the whole session, and splits a period at the threshold', () => {
    // Charging 20 minutes, then parking 40 minutes in one period: 10 free minutes, then 30 paid ones.
    const stretches: Stretch[] = [{ kind: 'charging', minutes: 20 }, { kind: 'parking', minutes: 40 }];
    const b = breakdownOf(graceThenPaid, '2024-01-08T09:00:00Z', stretches);
    expect(b.lines.map((l) => [l.elementIndex, l.measured])).toEqual([
      [0, 0.1667],
      [1, 0.5],
    ]);
    expect(b.total_parking_cost.excl_vat).toBe(1.5);
  });

  it('min_duration is inclusive and max_duration exclusive', () => {
    const stretches: Stretch[] = [{ kind: 'parking', minutes: 30 }, { kind: 'parking', minutes: 1 }];
    const b = breakdownOf(graceThenPaid, '2024-01-08T09:00:00Z', stretches);
    expect(b.lines.map((l) => [l.elementIndex, l.measured])).toEqual([
      [0, 0.5],
      [1, 0.0167],
    ]);
  });

  it('is measured from the start of charging, not from a reservation before it', () => {
    // "A reservation … ends when the driver starts charging": the Charging Session starts after it.
    const freeFirstHalfHour = [energy(0, { max_duration: 1800 }), energy(0.4)];
    const stretches: Stretch[] = [{ kind: 'reservation', minutes: 45 }, { kind: 'charging', minutes: 20, kwh: 5 }];
    expect(cost(freeFirstHalfHour, '2024-01-08T09:00:00Z', stretches)).toBe(0);
  });
});

describe('reservation', () => {
  // "reservation: When this field is present, the TariffElement describes reservation costs."
  const reservationFirst = [
    time(3, { reservation: 'RESERVATION' }),
    time(6, { reservation: 'RESERVATION_EXPIRES' }),
    { price_components: [{ type: 'FLAT', price: 1, vat: 0, step_size: 1 }, { type: 'TIME', price: 2, vat: 0, step_size: 1 }] },
  ];

  it('prices reserved time only with reservation elements, and charging time only with the others', () => {
    const stretches: Stretch[] = [{ kind: 'reservation', minutes: 60 }, { kind: 'charging', minutes: 60 }];
    const b = breakdownOf(reservationFirst, '2024-01-08T09:00:00Z', stretches);
    expect(b.total_reservation_cost.excl_vat).toBe(3);
    expect(b.total_time_cost.excl_vat).toBe(2);
    expect(b.total_fixed_cost.excl_vat).toBe(1);
  });

  it('prefers RESERVATION_EXPIRES for an expired reservation even when RESERVATION comes first', () => {
    // "When a Tariff has both RESERVATION and RESERVATION_EXPIRES Tariff Elements, where both Tariff Elements have a
    // TIME Price Component, then the time based cost of an expired reservation will be calculated based on the
    // RESERVATION_EXPIRES Tariff Element."
    const b = breakdownOf(reservationFirst, '2024-01-08T09:00:00Z', [{ kind: 'reservation', minutes: 60 }]);
    expect(b.total_cost.excl_vat).toBe(6);
    expect(b.total_fixed_cost.excl_vat).toBe(0);
  });

  it('takes whether it expired from the caller when given', () => {
    const cdr = cdrOf('2024-01-08T09:00:00Z', [{ kind: 'reservation', minutes: 60 }]);
    const b = price(tariffWith(reservationFirst), cdr, { timeZone: 'UTC', options: { reservationExpired: false } });
    expect(b.total_cost.excl_vat).toBe(3);
  });

  it('leaves reserved time free when the tariff has no reservation elements', () => {
    expect(cost([time(2)], '2024-01-08T09:00:00Z', [{ kind: 'reservation', minutes: 60 }, { kind: 'charging', minutes: 30 }])).toBe(1);
  });
});

describe('element selection', () => {
  it('picks the first matching element per dimension, not per element', () => {
    // "the first Tariff Element with a Price Component for that dimension in the list with matching Tariff
    // Restrictions will be used … you can have an ENERGY component and a TIME component active at the same time"
    const elements = [
      { price_components: [{ type: 'ENERGY', price: 0.5, vat: 0, step_size: 1 }], restrictions: { min_kwh: 100 } },
      time(1),
      energy(0.2),
      time(5),
    ];
    const b = breakdownOf(elements, '2024-01-08T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 10 }]);
    expect(b.lines.map((l) => [l.dimension, l.elementIndex])).toEqual([
      ['ENERGY', 2],
      ['TIME', 1],
    ]);
    expect(b.total_cost.excl_vat).toBe(3);
  });

  it('makes a dimension free when no element matches, with a note', () => {
    // "When no Tariff Element with a specific Dimension is found for which the Restrictions match, and there is no
    // Tariff Element in the list with the given Dimension without Restrictions, there will be no costs for that
    // Tariff Dimension."
    const b = breakdownOf([energy(0.3, { start_time: '09:00', end_time: '17:00' })], '2024-01-08T18:00:00Z', oneKwh);
    expect(b.total_cost).toEqual({ excl_vat: 0, incl_vat: 0 });
    expect(b.notes.map((n) => n.code)).toEqual(['NO_PRICE_COMPONENT']);
  });

  it('charges FLAT once per session, from the first element that matches when the session starts', () => {
    const elements = [
      { price_components: [{ type: 'FLAT', price: 1, vat: 0, step_size: 1 }], restrictions: { start_time: '08:00', end_time: '20:00' } },
      { price_components: [{ type: 'FLAT', price: 3, vat: 0, step_size: 1 }] },
    ];
    const stretches: Stretch[] = [
      { kind: 'charging', minutes: 60, kwh: 5 },
      { kind: 'charging', minutes: 60, kwh: 5 },
      { kind: 'parking', minutes: 60 },
    ];
    expect(cost(elements, '2024-01-08T19:30:00Z', stretches)).toBe(1);
    expect(cost(elements, '2024-01-08T21:30:00Z', stretches)).toBe(3);
  });
});
