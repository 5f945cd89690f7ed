import {
  findAvailability,
  openIntervals,
  validateOpeningTimes,
  type AvailabilityQuery,
  type Booking,
  type OcpiHours,
} from '../../../src/core/planning/planning-core';

const AMSTERDAM = 'Europe/Amsterdam';
const iso = (ms: number) => new Date(ms).toISOString();
const WEEKDAYS_8_18: OcpiHours = {
  twentyfourseven: false,
  regular_hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, period_begin: '08:00', period_end: '18:00' })),
};

function query(overrides: Partial<AvailabilityQuery> = {}): AvailabilityQuery {
  return {
    locationId: 'LOC1',
    evseUids: ['A', 'B'],
    from: '2026-01-15T23:00:00Z', // Friday 16 January 00:00 CET
    days: 2,
    minimumMinutes: 60,
    powerW: 11_000,
    bookings: [],
    capacity: { site: { baseLimitW: 22_000, timeZone: AMSTERDAM }, openingTimes: WEEKDAYS_8_18 },
    ...overrides,
  };
}

const windows = (result: ReturnType<typeof findAvailability>) => result.map((w) => [w.evseUid, w.from, w.until]);

describe('opening times (OCPI Hours)', () => {
  it('turns regular hours in local time into UTC intervals, Monday = 1', () => {
    const open = openIntervals(WEEKDAYS_8_18, AMSTERDAM, Date.parse('2026-01-15T23:00:00Z'), Date.parse('2026-01-19T23:00:00Z'));
    expect(open.map((i) => [iso(i.from), iso(i.until)])).toEqual([
      ['2026-01-16T07:00:00.000Z', '2026-01-16T17:00:00.000Z'], // Friday
      ['2026-01-19T07:00:00.000Z', '2026-01-19T17:00:00.000Z'], // Monday
    ]);
  });

  it('adds exceptional openings, and lets exceptional closings override regular hours and openings', () => {
    const hours: OcpiHours = {
      ...WEEKDAYS_8_18,
      exceptional_openings: [{ period_begin: '2026-01-17T09:00:00Z', period_end: '2026-01-17T12:00:00Z' }],
      exceptional_closings: [
        { period_begin: '2026-01-16T11:00:00Z', period_end: '2026-01-16T12:00:00Z' },
        { period_begin: '2026-01-17T11:00:00Z', period_end: '2026-01-17T13:00:00Z' },
      ],
    };
    const open = openIntervals(hours, AMSTERDAM, Date.parse('2026-01-15T23:00:00Z'), Date.parse('2026-01-17T23:00:00Z'));
    expect(open.map((i) => [iso(i.from), iso(i.until)])).toEqual([
      ['2026-01-16T07:00:00.000Z', '2026-01-16T11:00:00.000Z'],
      ['2026-01-16T12:00:00.000Z', '2026-01-16T17:00:00.000Z'],
      ['2026-01-17T09:00:00.000Z', '2026-01-17T11:00:00.000Z'],
    ]);
  });

  it('gives a 00:00-24:00 day its real length on DST days (23 h in spring, 25 h in autumn)', () => {
    const allDay: OcpiHours = { twentyfourseven: false, regular_hours: [{ weekday: 7, period_begin: '00:00', period_end: '24:00' }] };
    const spring = openIntervals(allDay, AMSTERDAM, Date.parse('2026-03-28T00:00:00Z'), Date.parse('2026-03-31T00:00:00Z'));
    expect(spring.map((i) => [iso(i.from), (i.until - i.from) / 3_600_000])).toEqual([['2026-03-28T23:00:00.000Z', 23]]);
    const autumn = openIntervals(allDay, AMSTERDAM, Date.parse('2026-10-24T00:00:00Z'), Date.parse('2026-10-27T00:00:00Z'));
    expect(autumn.map((i) => [iso(i.from), (i.until - i.from) / 3_600_000])).toEqual([['2026-10-24T22:00:00.000Z', 25]]);
  });

  it('reads a period ending at or before its begin as running past midnight', () => {
    const night: OcpiHours = { twentyfourseven: false, regular_hours: [{ weekday: 5, period_begin: '22:00', period_end: '06:00' }] };
    const open = openIntervals(night, AMSTERDAM, Date.parse('2026-01-15T23:00:00Z'), Date.parse('2026-01-17T23:00:00Z'));
    expect(open.map((i) => [iso(i.from), iso(i.until)])).toEqual([['2026-01-16T21:00:00.000Z', '2026-01-17T05:00:00.000Z']]);
  });

  it('names what is wrong with malformed opening times', () => {
    expect(
      validateOpeningTimes({
        twentyfourseven: false,
        regular_hours: [{ weekday: 8, period_begin: '8:00', period_end: '18:00' }],
        exceptional_closings: [{ period_begin: '2026-01-17T13:00:00Z', period_end: '2026-01-17T11:00:00Z' }],
      }),
    ).toEqual([
      'regular_hours[0].weekday must be 1..7',
      'regular_hours[0].period_begin must be HH:MM',
      'exceptional_closings[0]: period_end must be after period_begin',
    ]);
  });
});

describe('findAvailability', () => {
  it('finds the open hours of each EVSE, around its bookings', () => {
    const bookings: Booking[] = [{ id: 'b1', locationId: 'LOC1', evseUid: 'A', from: '2026-01-16T09:00:00Z', until: '2026-01-16T11:00:00Z', powerW: 11_000 }];
    expect(windows(findAvailability(query({ bookings })))).toEqual([
      ['A', '2026-01-16T07:00:00.000Z', '2026-01-16T09:00:00.000Z'],
      ['A', '2026-01-16T11:00:00.000Z', '2026-01-16T17:00:00.000Z'],
      ['B', '2026-01-16T07:00:00.000Z', '2026-01-16T17:00:00.000Z'],
    ]);
  });

  it('leaves out times when the site capacity is booked up, even on a free EVSE', () => {
    const bookings: Booking[] = [
      { id: 'b1', locationId: 'LOC1', evseUid: 'A', from: '2026-01-16T09:00:00Z', until: '2026-01-16T11:00:00Z', powerW: 11_000 },
      // Booked without an EVSE: holds capacity only.
      { id: 'b2', locationId: 'LOC1', from: '2026-01-16T10:00:00Z', until: '2026-01-16T12:00:00Z', powerW: 6_000 },
      // Another location's booking changes nothing here.
      { id: 'b3', locationId: 'LOC2', evseUid: 'B', from: '2026-01-16T07:00:00Z', until: '2026-01-16T17:00:00Z', powerW: 22_000 },
    ];
    const result = findAvailability(query({ bookings }));
    expect(windows(result)).toEqual([
      ['A', '2026-01-16T07:00:00.000Z', '2026-01-16T09:00:00.000Z'],
      ['A', '2026-01-16T11:00:00.000Z', '2026-01-16T17:00:00.000Z'],
      ['B', '2026-01-16T07:00:00.000Z', '2026-01-16T10:00:00.000Z'],
      // 10:00-11:00 UTC: 11 + 6 kW booked, 5 kW left; from 11:00 only the 6 kW booking.
      ['B', '2026-01-16T11:00:00.000Z', '2026-01-16T17:00:00.000Z'],
    ]);
    expect(result.map((w) => w.freeW)).toEqual([22_000, 16_000, 11_000, 16_000]);
  });

  it('drops windows shorter than asked for and follows exceptional openings on a Saturday', () => {
    const capacity = {
      site: { baseLimitW: 22_000, timeZone: AMSTERDAM },
      openingTimes: { ...WEEKDAYS_8_18, exceptional_openings: [{ period_begin: '2026-01-17T09:00:00Z', period_end: '2026-01-17T09:45:00Z' }, { period_begin: '2026-01-17T12:00:00Z', period_end: '2026-01-17T14:00:00Z' }] },
    };
    const result = findAvailability(query({ evseUids: ['A'], capacity }));
    expect(windows(result)).toEqual([
      ['A', '2026-01-16T07:00:00.000Z', '2026-01-16T17:00:00.000Z'],
      ['A', '2026-01-17T12:00:00.000Z', '2026-01-17T14:00:00.000Z'],
    ]);
  });

  it('is open around the clock for twentyfourseven, within the search period, in whole slots', () => {
    const result = findAvailability(
      query({ evseUids: ['A'], from: '2026-01-16T10:07:00Z', days: 1, capacity: { site: { baseLimitW: 22_000, timeZone: AMSTERDAM }, openingTimes: { twentyfourseven: true } } }),
    );
    expect(windows(result)).toEqual([['A', '2026-01-16T10:15:00.000Z', '2026-01-17T10:00:00.000Z']]);
  });

  it('follows the site limit over time: nothing during a peak window too low for the power asked', () => {
    const capacity = { site: { baseLimitW: 22_000, timeZone: AMSTERDAM, peakWindows: [{ start: '17:00', end: '21:00', limitW: 7_000 }] }, openingTimes: { twentyfourseven: true } };
    const result = findAvailability(query({ evseUids: ['A'], from: '2026-01-16T12:00:00Z', days: 0.5, capacity }));
    // 17:00-21:00 CET = 16:00-20:00 UTC.
    expect(windows(result)).toEqual([
      ['A', '2026-01-16T12:00:00.000Z', '2026-01-16T16:00:00.000Z'],
      ['A', '2026-01-16T20:00:00.000Z', '2026-01-17T00:00:00.000Z'],
    ]);
  });

  it('refuses a malformed query with every problem named', () => {
    expect(() => findAvailability(query({ days: 0, powerW: 0, evseUids: [] }))).toThrow(
      'invalid planning input: days must be within (0, 31]; powerW must be > 0; evseUids must name at least one EVSE',
    );
  });
});
