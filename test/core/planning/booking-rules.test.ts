import fc from 'fast-check';
import {
  attendance,
  bookingReservations,
  plan,
  cancellationTerms,
  decideBooking,
  displayLocal,
  freeCancellationUntil,
  noShowDeadline,
  reservedPowerW,
  type Booking,
  type BookingCapacity,
  type BookingRules,
} from '../../../src/core/planning/planning-core';

const AMSTERDAM = 'Europe/Amsterdam';
const capacity: BookingCapacity = { site: { baseLimitW: 22_000, timeZone: AMSTERDAM } };

function booking(id: string, overrides: Partial<Booking> = {}): Booking {
  return { id, locationId: 'LOC1', evseUid: 'EVSE-A', from: '2026-01-15T09:00:00Z', until: '2026-01-15T11:00:00Z', powerW: 11_000, ...overrides };
}

const rules: BookingRules = { noShowGraceMinutes: 15, freeCancellation: { daysBefore: 1, localTime: '18:00' } };

describe('decideBooking', () => {
  it('accepts a booking within capacity and holds its power', () => {
    expect(decideBooking(booking('b1'), [], capacity)).toEqual({ accepted: true, reservedW: 11_000 });
  });

  it('refuses a second booking of the same EVSE in an overlapping window, and accepts one that only touches it', () => {
    const existing = [booking('b1')];
    expect(decideBooking(booking('b2', { from: '2026-01-15T10:59:00Z', until: '2026-01-15T12:00:00Z' }), existing, capacity)).toEqual({
      accepted: false,
      refusals: [{ reason: 'evse-taken', evseUid: 'EVSE-A', bookingIds: ['b1'] }],
    });
    expect(decideBooking(booking('b3', { from: '2026-01-15T11:00:00Z', until: '2026-01-15T12:00:00Z' }), existing, capacity)).toMatchObject({ accepted: true });
    // Another EVSE at the same time is fine while capacity lasts.
    expect(decideBooking(booking('b4', { evseUid: 'EVSE-B' }), existing, capacity)).toMatchObject({ accepted: true });
    // A cancelled booking holds nothing.
    expect(decideBooking(booking('b5'), [booking('b1', { status: 'cancelled' })], capacity)).toMatchObject({ accepted: true });
  });

  it('refuses overbooking with the slots and by how much', () => {
    const existing = [booking('b1'), booking('b2', { evseUid: 'EVSE-B', from: '2026-01-15T10:30:00Z', until: '2026-01-15T12:00:00Z', powerW: 7_000 })];
    const decision = decideBooking(booking('b3', { evseUid: 'EVSE-C', from: '2026-01-15T10:15:00Z', until: '2026-01-15T11:15:00Z', powerW: 5_000 }), existing, capacity);
    expect(decision).toEqual({
      accepted: false,
      refusals: [
        {
          reason: 'over-capacity',
          slots: [
            { start: '2026-01-15T10:30:00.000Z', end: '2026-01-15T10:45:00.000Z', capacityW: 22_000, bookedW: 18_000, requestedW: 5_000, overByW: 1_000 },
            { start: '2026-01-15T10:45:00.000Z', end: '2026-01-15T11:00:00.000Z', capacityW: 22_000, bookedW: 18_000, requestedW: 5_000, overByW: 1_000 },
          ],
        },
      ],
    });
  });

  it('counts the site limit over time (a peak window) and the bookable share', () => {
    const peak: BookingCapacity = {
      site: { baseLimitW: 22_000, timeZone: AMSTERDAM, peakWindows: [{ start: '10:30', end: '11:00', limitW: 16_000 }] },
      bookableShare: 0.5,
    };
    // 10:30 CET = 09:30 UTC: 8 kW bookable there, 11 kW elsewhere.
    const decision = decideBooking(booking('b1', { powerW: 10_000 }), [], peak);
    expect(decision).toMatchObject({ accepted: false, refusals: [{ reason: 'over-capacity' }] });
    if (!decision.accepted && decision.refusals[0].reason === 'over-capacity') {
      expect(decision.refusals[0].slots.map((s) => [s.start, s.capacityW, s.overByW])).toEqual([
        ['2026-01-15T09:30:00.000Z', 8_000, 2_000],
        ['2026-01-15T09:45:00.000Z', 8_000, 2_000],
      ]);
    }
    expect(decideBooking(booking('b2', { powerW: 8_000 }), [], peak)).toMatchObject({ accepted: true });
  });

  it('holds an energy booking as its average power over the window', () => {
    expect(reservedPowerW(booking('b1', { powerW: undefined, energyWh: 15_000 }))).toBe(7_500);
    expect(decideBooking(booking('b2', { powerW: undefined, energyWh: 50_000 }), [], capacity)).toMatchObject({
      accepted: false,
      refusals: [{ reason: 'over-capacity', slots: expect.arrayContaining([expect.objectContaining({ requestedW: 25_000, overByW: 3_000 })]) }],
    });
  });

  it('refuses a window outside the opening times, naming the closed part', () => {
    const withHours: BookingCapacity = {
      ...capacity,
      openingTimes: { twentyfourseven: false, regular_hours: [{ weekday: 4, period_begin: '08:00', period_end: '18:00' }] },
    };
    // Thursday 2026-01-15 17:00-19:00 CET; closed from 18:00 CET (17:00 UTC).
    const decision = decideBooking(booking('b1', { from: '2026-01-15T16:00:00Z', until: '2026-01-15T18:00:00Z' }), [], withHours);
    expect(decision).toEqual({ accepted: false, refusals: [{ reason: 'closed', periods: [{ from: '2026-01-15T17:00:00.000Z', until: '2026-01-15T18:00:00.000Z' }] }] });
  });

  it('refuses bad bookings with every problem and changes nothing', () => {
    const existing = [booking('b1')];
    const copy = JSON.parse(JSON.stringify(existing));
    expect(decideBooking(booking('', { until: '2026-01-15T08:00:00Z', powerW: -1 }), existing, capacity)).toEqual({
      accepted: false,
      refusals: [{ reason: 'invalid', problems: ['id must be a non-empty string', 'until must be after from', 'powerW must be > 0'] }],
    });
    expect(existing).toEqual(copy);
  });

  it('never accepts a set of bookings that overbooks any slot or double-books an EVSE (property)', () => {
    const requestArb = fc.record({
      evse: fc.constantFrom('A', 'B', 'C', undefined),
      start: fc.integer({ min: 0, max: 40 }),
      length: fc.integer({ min: 1, max: 16 }),
      powerW: fc.integer({ min: 1_000, max: 15_000 }),
    });
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 12 }), (requests) => {
        const accepted: Booking[] = [];
        const base = Date.parse('2026-03-29T00:00:00Z');
        requests.forEach((r, i) => {
          const candidate = booking(`b${i}`, {
            evseUid: r.evse,
            from: new Date(base + r.start * 900_000).toISOString(),
            until: new Date(base + (r.start + r.length) * 900_000).toISOString(),
            powerW: r.powerW,
          });
          if (decideBooking(candidate, accepted, capacity).accepted) accepted.push(candidate);
        });
        for (let slot = 0; slot < 60; slot++) {
          const at = base + slot * 900_000;
          const active = accepted.filter((b) => Date.parse(b.from as string) < at + 900_000 && at < Date.parse(b.until as string));
          expect(active.reduce((sum, b) => sum + b.powerW!, 0)).toBeLessThanOrEqual(22_000);
          const evses = active.map((b) => b.evseUid).filter((e) => e !== undefined);
          expect(new Set(evses).size).toBe(evses.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('bookings in the planner', () => {
  it('holds accepted bookings as reserved capacity, so plugged-in cars are planned around them', () => {
    const bookings = [
      booking('b1', { from: '2026-01-15T09:00:00Z', until: '2026-01-15T10:00:00Z', powerW: 15_000 }),
      booking('b2', { status: 'cancelled' }),
      booking('b3', { locationId: 'LOC2' }),
      booking('b4', { evseUid: 'EVSE-B', from: '2026-01-15T10:00:00Z', until: '2026-01-15T11:00:00Z', powerW: 22_000 }),
    ];
    expect(bookingReservations(bookings, 'LOC1', ['b4'])).toEqual([{ from: '2026-01-15T09:00:00Z', until: '2026-01-15T10:00:00Z', powerW: 15_000 }]);
    const result = plan({
      start: '2026-01-15T08:00:00Z',
      horizonHours: 3,
      site: { baseLimitW: 22_000, timeZone: AMSTERDAM, reserved: bookingReservations(bookings, 'LOC1', ['b4']) },
      cars: [{ id: 'walk-in', arrival: '2026-01-15T08:00:00Z', departure: '2026-01-15T11:00:00Z', energyWh: 60_000, maxPowerW: 22_000 }],
    });
    expect(result.slots.map((s) => s.limitW)).toEqual([22_000, 22_000, 22_000, 22_000, 7_000, 7_000, 7_000, 7_000, 22_000, 22_000, 22_000, 22_000]);
    expect(result.cars[0].powerW).toEqual(result.slots.map((s) => s.limitW));
  });
});

describe('no-show', () => {
  const b = booking('b1');

  it('is pending until the grace period ends, attended when the driver came in time, a no-show after', () => {
    expect(noShowDeadline(b, rules).toISOString()).toBe('2026-01-15T09:15:00.000Z');
    expect(attendance(b, '2026-01-15T09:10:00Z', rules)).toBe('pending');
    expect(attendance(b, '2026-01-15T09:20:00Z', rules, '2026-01-15T09:14:59Z')).toBe('attended');
    expect(attendance(b, '2026-01-15T09:20:00Z', rules, '2026-01-15T08:50:00Z')).toBe('attended');
    expect(attendance(b, '2026-01-15T09:15:00Z', rules)).toBe('no-show');
    expect(attendance(b, '2026-01-15T09:20:00Z', rules, '2026-01-15T09:16:00Z')).toBe('no-show');
    // A session reported for the future does not count yet.
    expect(attendance(b, '2026-01-15T09:05:00Z', rules, '2026-01-15T09:06:00Z')).toBe('pending');
  });

  it('counts the grace as real minutes across a DST change (spring forward in Amsterdam)', () => {
    // 01:50 CET on 29 March 2026; clocks jump 02:00 -> 03:00. 20 minutes later it is 03:10 CEST.
    const night = booking('b2', { from: '2026-03-29T00:50:00Z', until: '2026-03-29T02:00:00Z' });
    const deadline = noShowDeadline(night, { ...rules, noShowGraceMinutes: 20 });
    expect(deadline.toISOString()).toBe('2026-03-29T01:10:00.000Z');
    expect(displayLocal(night.from, AMSTERDAM)).toBe('2026-03-29 01:50 (UTC+01:00)');
    expect(displayLocal(deadline, AMSTERDAM)).toBe('2026-03-29 03:10 (UTC+02:00)');
  });

  it('ends the grace no later than the booking', () => {
    const short = booking('b3', { from: '2026-01-15T09:00:00Z', until: '2026-01-15T09:10:00Z' });
    expect(attendance(short, '2026-01-15T09:10:00Z', rules)).toBe('no-show');
  });
});

describe('cancellation', () => {
  it('is free until 18:00 local the day before, counted in local days across spring forward', () => {
    // Booked Sunday 29 March 2026 10:00 CEST (08:00 UTC); the day before 18:00 is still CET (17:00 UTC).
    const spring = booking('b1', { from: '2026-03-29T08:00:00Z', until: '2026-03-29T10:00:00Z' });
    expect(freeCancellationUntil(spring, rules, AMSTERDAM).toISOString()).toBe('2026-03-28T17:00:00.000Z');
    expect(cancellationTerms(spring, '2026-03-28T16:59:59Z', rules, AMSTERDAM)).toEqual({ late: false, freeUntil: '2026-03-28T17:00:00.000Z', afterStart: false });
    expect(cancellationTerms(spring, '2026-03-28T17:00:00Z', rules, AMSTERDAM)).toMatchObject({ late: true, afterStart: false });
    expect(cancellationTerms(spring, '2026-03-29T08:15:00Z', rules, AMSTERDAM)).toMatchObject({ late: true, afterStart: true });
  });

  it('is free until 18:00 local the day before across fall back, and in another zone', () => {
    // Sunday 25 October 2026 10:00 CET (09:00 UTC); Saturday 18:00 is CEST (16:00 UTC).
    const autumn = booking('b1', { from: '2026-10-25T09:00:00Z', until: '2026-10-25T10:00:00Z' });
    expect(freeCancellationUntil(autumn, rules, AMSTERDAM).toISOString()).toBe('2026-10-24T16:00:00.000Z');
    // New York springs forward on 8 March 2026: Monday 9 March 09:00 EDT (13:00 UTC); Sunday 18:00 EDT is 22:00 UTC.
    const newYork = booking('b2', { from: '2026-03-09T13:00:00Z', until: '2026-03-09T14:00:00Z' });
    expect(freeCancellationUntil(newYork, rules, 'America/New_York').toISOString()).toBe('2026-03-08T22:00:00.000Z');
    // Two days before: Saturday 18:00 EST = 23:00 UTC.
    expect(freeCancellationUntil(newYork, { ...rules, freeCancellation: { daysBefore: 2, localTime: '18:00' } }, 'America/New_York').toISOString()).toBe(
      '2026-03-07T23:00:00.000Z',
    );
  });

  it('counts "minutes before" as real minutes, and a local time that does not exist as the moment after the gap', () => {
    const spring = booking('b1', { from: '2026-03-29T02:00:00Z', until: '2026-03-29T03:00:00Z' }); // 04:00 CEST
    expect(freeCancellationUntil(spring, { ...rules, freeCancellation: { minutesBefore: 180 } }, AMSTERDAM).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // "02:30 on the day itself" never happens on 29 March in Amsterdam: the deadline is 03:00 CEST (01:00 UTC).
    expect(freeCancellationUntil(spring, { ...rules, freeCancellation: { daysBefore: 0, localTime: '02:30' } }, AMSTERDAM).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
  });

  it('refuses a malformed rule with a clear error', () => {
    expect(() => freeCancellationUntil(booking('b1'), { ...rules, freeCancellation: { daysBefore: 1, localTime: '25:00' } }, AMSTERDAM)).toThrow(
      'freeCancellation needs daysBefore (a whole number >= 0) and localTime HH:MM',
    );
  });
});
