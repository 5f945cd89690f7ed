import {
  DAY_MS,
  EvseReliabilityTracker,
  fromOcpp16Status,
  fromOcpp201Status,
  statusTime,
  type ChargingAttempt,
  type DaySlice,
} from '../../../src/core/reliability/reliability-core';

const START = Date.UTC(2026, 2, 1);
const H = 3_600_000;
const empty = (): DaySlice => ({ statuses: [], hubGaps: [], offline: [], excluded: [], attempts: [], faults: [], reboots: [], power: [], meter: [] });
const failedAt = (at: number, i: number): ChargingAttempt => ({ id: `F${i}`, at, origin: 'ocpi_session', authorization: 'accepted', endedAt: at + 60_000, energyWh: 0 });

describe('reliability input', () => {
  it('maps OCPP statuses to the OCPI EVSE status the hub publishes', () => {
    expect(['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'].map(fromOcpp16Status)).toEqual([
      'AVAILABLE',
      'CHARGING',
      'CHARGING',
      'CHARGING',
      'CHARGING',
      'CHARGING',
      'RESERVED',
      'INOPERATIVE',
      'OUTOFORDER',
    ]);
    expect(['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'].map(fromOcpp201Status)).toEqual(['AVAILABLE', 'CHARGING', 'RESERVED', 'INOPERATIVE', 'OUTOFORDER']);
    expect(() => fromOcpp16Status('Occupied')).toThrow(/Not an OCPP 1.6 ChargePointStatus: Occupied/);
    expect(() => fromOcpp201Status('Charging')).toThrow(RangeError);
  });

  it('believes a charger clock within five minutes of our receipt, not beyond', () => {
    expect(statusTime({ at: 1000, status: 'AVAILABLE' })).toBe(1000);
    expect(statusTime({ at: START + 4 * 60_000, status: 'AVAILABLE', receivedAt: START })).toBe(START + 4 * 60_000);
    expect(statusTime({ at: START + 6 * 60_000, status: 'AVAILABLE', receivedAt: START })).toBe(START);
  });
});

describe('the incremental tracker on hand-built days', () => {
  const identity = { evseId: 'E1', chargerId: 'C1', locationId: 'L1', cpoId: 'CPO', kind: 'partner' as const, maxPowerKw: 150 };

  it('alerts AVAILABLE-while-failing on a run of starts that never happen, and not while the hub saw nothing', () => {
    const tracker = new EvseReliabilityTracker(identity, START);
    const day0 = empty();
    day0.statuses.push({ at: START, status: 'AVAILABLE' });
    for (let i = 0; i < 4; i++) day0.attempts.push(failedAt(START + (8 + i) * H, i));
    const r0 = tracker.addDay(day0);
    expect(r0.alerts.map((a) => a.kind)).toContain('available_while_failing');
    expect(r0.totals.sessions).toMatchObject({ attempts: 4, notStarted: 4 });
    // Day 1: the hub restarts at 20:00 and has no status since: the EVSE's status is not known.
    const day1 = empty();
    day1.hubGaps.push({ from: START + DAY_MS + 20 * H, to: START + DAY_MS + 20 * H + 600_000 });
    const r1 = tracker.addDay(day1);
    expect(r1.alerts.map((a) => a.kind)).not.toContain('available_while_failing');
    expect(r1.totals.time.unmeasuredMs).toBe(4 * H);
    // Day 2: the status is read again at 06:00; still failing, so the alert is back.
    const day2 = empty();
    day2.statuses.push({ at: START + 2 * DAY_MS + 6 * H, status: 'AVAILABLE' });
    const r2 = tracker.addDay(day2);
    expect(r2.totals.time.unmeasuredMs).toBe(6 * H);
    expect(r2.alerts.map((a) => a.kind)).toContain('available_while_failing');
    // A success ends the run.
    const day3 = empty();
    day3.attempts.push({ id: 'OK', at: START + 3 * DAY_MS + 9 * H, origin: 'ocpi_session', authorization: 'accepted', startedAt: START + 3 * DAY_MS + 9 * H, endedAt: START + 3 * DAY_MS + 10 * H, energyWh: 20_000, ocpiEndStatus: 'COMPLETED' });
    expect(tracker.addDay(day3).alerts.map((a) => a.kind)).not.toContain('available_while_failing');
    expect(tracker.totalsOfDays(0, 4).sessions).toMatchObject({ attempts: 5, successes: 1 });
  });
});
