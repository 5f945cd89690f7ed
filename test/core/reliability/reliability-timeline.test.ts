import fc from 'fast-check';
import {
  addTimeTotals,
  emptyCarry,
  emptyHistory,
  emptyTimeTotals,
  evseTotals,
  segmentsOf,
  timeTotals,
  uptimeFigures,
  type EvseHistory,
  type EvseStatus,
  OCPI_EVSE_STATUSES,
} from '../../../src/core/reliability/reliability-core';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 0, 5);
const at = (hours: number) => T0 + hours * H;
const day = (n = 0) => ({ from: T0 + n * DAY, to: T0 + (n + 1) * DAY });

function history(statuses: [number, EvseStatus][], extra: Partial<EvseHistory> = {}): EvseHistory {
  return {
    ...emptyHistory({ evseId: 'E1', chargerId: 'C1', locationId: 'L1', cpoId: 'CPO', kind: 'own', maxPowerKw: 150 }),
    statuses: statuses.map(([h, status]) => ({ at: at(h), status })),
    ...extra,
  };
}
const totalsOf = (h: EvseHistory, period = day()) => timeTotals(segmentsOf(h, period)).totals;

describe('uptime from status history', () => {
  it('counts OUTOFORDER as not reliable (UK) and as an outage (NEVI), with one failure and its repair time', () => {
    const t = totalsOf(history([[0, 'AVAILABLE'], [10, 'OUTOFORDER'], [12, 'AVAILABLE']]));
    expect(t.ukReliableMs).toBe(22 * H);
    expect(t.ukNotReliableMs).toBe(2 * H);
    expect(t.failures).toBe(1);
    const f = uptimeFigures(t);
    expect(f.uk).toBeCloseTo(22 / 24, 12);
    expect(f.nevi).toBeCloseTo(22 / 24, 12);
    expect(f.mtbfMs).toBe(22 * H);
    expect(f.mttrMs).toBe(2 * H);
  });

  it('reads CHARGING and RESERVED as reliable, UNKNOWN and BLOCKED as ineligible (UK reg. 7(3))', () => {
    const t = totalsOf(history([[0, 'CHARGING'], [6, 'RESERVED'], [12, 'UNKNOWN'], [18, 'BLOCKED']]));
    expect(t.ukReliableMs).toBe(12 * H);
    expect(t.ukIneligibleMs).toBe(12 * H);
    expect(uptimeFigures(t).uk).toBe(1);
    // NEVI: UNKNOWN is offline (an outage); BLOCKED is up (the port works, the bay is taken).
    expect(t.neviOutageMs).toBe(6 * H);
    expect(t.neviUpMs).toBe(18 * H);
  });

  it('treats the time before the first status as unmeasured, not down (missing statuses)', () => {
    const t = totalsOf(history([[6, 'AVAILABLE']]));
    expect(t.unmeasuredMs).toBe(6 * H);
    const f = uptimeFigures(t);
    expect(f.uk).toBe(1);
    expect(f.nevi).toBe(1);
    expect(f.unmeasuredShare).toBe(0.25);
    expect(uptimeFigures(totalsOf(history([]))).uk).toBeNull();
  });

  it('carries a status from before the period into it', () => {
    const t = totalsOf(history([[-30, 'OUTOFORDER']]));
    expect(t.ukNotReliableMs).toBe(DAY);
    expect(uptimeFigures(t).uk).toBe(0);
  });

  it('after a hub restart, knows nothing until the next status arrives (no data ≠ down)', () => {
    const h = history([[0, 'AVAILABLE'], [4, 'OUTOFORDER'], [8, 'AVAILABLE']], { hubGaps: [{ from: at(5), to: at(6) }] });
    const t = totalsOf(h);
    expect(t.ukNotReliableMs).toBe(1 * H); // 4..5
    expect(t.unmeasuredMs).toBe(3 * H); // 5..6 in the gap, 6..8 stale until the next sample
    expect(t.ukReliableMs).toBe(20 * H);
    expect(t.failures).toBe(1);
    expect(uptimeFigures(t).uk).toBeCloseTo(20 / 21, 12);
    // The same restart with a fresh status read at start-up: unknown only inside the gap.
    const resynced = history([[0, 'AVAILABLE'], [4, 'OUTOFORDER'], [6, 'OUTOFORDER'], [8, 'AVAILABLE']], { hubGaps: [{ from: at(5), to: at(6) }] });
    const r = totalsOf(resynced);
    expect(r.unmeasuredMs).toBe(1 * H);
    expect(r.ukNotReliableMs).toBe(3 * H);
    // An outage interrupted by unknown time is still one failure.
    expect(r.failures).toBe(1);
  });

  it('does not believe a charger clock that is off by more than five minutes (clock gaps)', () => {
    const h = history([[0, 'AVAILABLE']]);
    // A charger rebooted with its clock at 1970 sends OUTOFORDER; we received it at 10:00.
    h.statuses.push({ at: 0, status: 'OUTOFORDER', receivedAt: at(10) }, { at: at(12) + 60_000, status: 'AVAILABLE', receivedAt: at(12) });
    const t = totalsOf(h);
    // 10:00 by receipt; 12:01 by the charger (one minute off is believed).
    expect(t.ukNotReliableMs).toBe(2 * H + 60_000);
  });

  it('sorts samples given out of order; of two at the same instant the later given wins', () => {
    const t = totalsOf(history([[12, 'AVAILABLE'], [0, 'AVAILABLE'], [6, 'OUTOFORDER'], [6, 'INOPERATIVE']]));
    expect(t.ukNotReliableMs).toBe(6 * H);
    const segs = segmentsOf(history([[0, 'AVAILABLE'], [6, 'OUTOFORDER'], [6, 'AVAILABLE']]), day());
    expect(segs).toHaveLength(1);
  });

  it('an own charger offline while the hub is up: UK ineligible (published UNKNOWN), NEVI outage, one disconnect', () => {
    const h = history([[0, 'AVAILABLE']], { offline: [{ from: at(2), to: at(5) }] });
    const t = totalsOf(h);
    expect(t.ukIneligibleMs).toBe(3 * H);
    expect(t.neviOutageMs).toBe(3 * H);
    expect(uptimeFigures(t).uk).toBe(1);
    expect(uptimeFigures(t).nevi).toBeCloseTo(21 / 24, 12);
    expect(evseTotals(h, day()).events.disconnects).toBe(1);
  });

  it('excludes NEVI outage causes (680.116(b)(4)) but not under the UK rule, except hours outside access (reg. 7(5))', () => {
    const h = history([[0, 'AVAILABLE'], [2, 'OUTOFORDER'], [6, 'AVAILABLE']], {
      excluded: [
        { from: at(2), to: at(6), cause: 'scheduled_maintenance' },
        { from: at(22), to: at(24), cause: 'outside_hours' },
      ],
    });
    const t = totalsOf(h);
    expect(t.neviExcludedOutageMs).toBe(4 * H);
    expect(uptimeFigures(t).nevi).toBe(1);
    expect(t.ukNotReliableMs).toBe(4 * H);
    expect(t.ukExcludedMs).toBe(2 * H);
    expect(uptimeFigures(t).uk).toBeCloseTo(18 / 22, 12); // 18 h reliable of 22 h counted
    // An excluded outage is not a failure.
    expect(t.failures).toBe(0);
  });

  it('counts PLANNED and REMOVED as not in service for both rules', () => {
    const t = totalsOf(history([[0, 'PLANNED'], [12, 'AVAILABLE']]));
    expect(t.notInServiceMs).toBe(12 * H);
    expect(t.ukExcludedMs).toBe(12 * H);
    expect(uptimeFigures(t).nevi).toBe(1);
  });

  it('counts a failure that spans midnight once when the day before is carried', () => {
    const h = history([[0, 'AVAILABLE'], [23, 'OUTOFORDER'], [26, 'AVAILABLE']]);
    const carry = emptyCarry();
    const d0 = evseTotals(h, day(0), carry);
    const d1 = evseTotals(h, day(1), carry);
    expect(d0.time.failures + d1.time.failures).toBe(1);
    expect(evseTotals(h, { from: T0, to: T0 + 2 * DAY }).time).toEqual(addTimeTotals(d0.time, d1.time));
  });

  it('refuses an empty period', () => {
    expect(() => segmentsOf(history([]), { from: T0, to: T0 })).toThrow(RangeError);
  });

  it('property: every instant in one class per rule, and days add up to the whole (any history)', () => {
    const statusArb = fc.constantFrom(...OCPI_EVSE_STATUSES);
    const minute = fc.integer({ min: -600, max: 3 * 1440 });
    const interval = fc.tuple(minute, fc.integer({ min: 1, max: 600 })).map(([m, len]) => ({ from: T0 + m * 60_000, to: T0 + (m + len) * 60_000 }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(minute, statusArb), { maxLength: 30 }),
        fc.array(interval, { maxLength: 3 }),
        fc.array(interval, { maxLength: 3 }),
        (samples, gaps, offline) => {
          const h = history([], { hubGaps: gaps, offline });
          h.statuses = samples.map(([m, status]) => ({ at: T0 + m * 60_000, status }));
          const whole = evseTotals(h, { from: T0, to: T0 + 3 * DAY }).time;
          const uk = whole.ukReliableMs + whole.ukNotReliableMs + whole.ukIneligibleMs + whole.ukExcludedMs + whole.unmeasuredMs;
          const nevi = whole.neviUpMs + whole.neviOutageMs + whole.notInServiceMs + whole.unmeasuredMs;
          expect(uk).toBe(3 * DAY);
          expect(nevi).toBe(3 * DAY);
          const carry = emptyCarry();
          let sum = emptyTimeTotals();
          for (let d = 0; d < 3; d++) sum = addTimeTotals(sum, evseTotals(h, day(d), carry).time);
          expect(sum).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });
});
