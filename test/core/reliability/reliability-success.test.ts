import {
  attemptOutcome,
  emptyHistory,
  evseTotals,
  figuresOf,
  meterAnomalies,
  powerShortfalls,
  rollUp,
  sessionFigures,
  sessionTotals,
  type ChargingAttempt,
  type EvseHistory,
} from '../../../src/core/reliability/reliability-core';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;

let seq = 0;
function attempt(minute: number, extra: Partial<ChargingAttempt> = {}): ChargingAttempt {
  const at = T0 + minute * M;
  return { id: `A${seq++}`, at, origin: 'ocpp_authorize', authorization: 'accepted', startedAt: at + M, endedAt: at + 30 * M, energyWh: 10_000, stopReason: 'EVDisconnected', ...extra };
}

describe('charging success (NOW GmbH / P3 Charging Success Rate)', () => {
  it('classifies each attempt', () => {
    expect(attemptOutcome(attempt(0))).toBe('success');
    expect(attemptOutcome(attempt(0, { stopReason: undefined }))).toBe('success'); // OCPP 1.6: omitted only when Local
    expect(attemptOutcome(attempt(0, { stopReason: 'PowerLoss' }))).toBe('ended_abnormally');
    expect(attemptOutcome(attempt(0, { stopReason: 'SomethingNew' }))).toBe('ended_abnormally');
    expect(attemptOutcome(attempt(0, { stopReason: 'SOCLimitReached' }))).toBe('success'); // OCPP 2.0.1
    expect(attemptOutcome(attempt(0, { startedAt: undefined, energyWh: 0 }))).toBe('not_started');
    expect(attemptOutcome(attempt(0, { energyWh: 0 }))).toBe('not_started'); // a transaction that never delivered
    expect(attemptOutcome(attempt(0, { startedAt: undefined, endedAt: undefined }))).toBe('pending');
    expect(attemptOutcome(attempt(0, { endedAt: undefined }))).toBe('pending');
    expect(attemptOutcome(attempt(0, { authorization: 'no_answer', startedAt: undefined, endedAt: undefined }))).toBe('not_started');
    expect(attemptOutcome(attempt(0, { authorization: 'refused_token' }))).toBe('refused_token');
    const ocpi = { origin: 'ocpi_session' as const, stopReason: undefined };
    expect(attemptOutcome(attempt(0, { ...ocpi, ocpiEndStatus: 'COMPLETED' }))).toBe('success');
    expect(attemptOutcome(attempt(0, { ...ocpi, ocpiEndStatus: 'INVALID' }))).toBe('ended_abnormally');
  });

  it('computes the rate over attempts of the period, leaving out refused tokens and attempts still running', () => {
    const attempts = [
      attempt(0),
      attempt(60, { stopReason: 'EmergencyStop' }),
      attempt(120, { startedAt: undefined, energyWh: 0 }),
      attempt(180, { authorization: 'refused_token' }),
      attempt(240, { endedAt: undefined }),
      attempt(300, { stopReason: 'PowerLoss' }),
      attempt(360, { stopReason: 'PowerLoss' }),
      attempt(24 * 60 + 5), // the next day
    ];
    const t = sessionTotals(attempts, T0, T0 + DAY);
    expect(t).toMatchObject({ attempts: 5, successes: 1, notStarted: 1, endedAbnormally: 3, refusedTokens: 1, pending: 1 });
    expect(sessionFigures(t).successRate).toBeCloseTo(1 / 5, 12);
    const history: EvseHistory = { ...emptyHistory({ evseId: 'E', chargerId: 'C', locationId: 'L', cpoId: 'P', kind: 'own', maxPowerKw: 50 }), attempts };
    expect(figuresOf(evseTotals(history, { from: T0, to: T0 + DAY })).abnormalEnds).toEqual([
      { reason: 'PowerLoss', count: 2 },
      { reason: 'EmergencyStop', count: 1 },
    ]);
    expect(sessionFigures(sessionTotals([], T0, T0 + DAY)).successRate).toBeNull();
  });

  it('groups retries into visits for first-attempt success, across midnight too', () => {
    const failed = { startedAt: undefined, energyWh: 0 };
    const attempts = [
      attempt(10, { ...failed, driverKey: 'd1' }),
      attempt(14, { driverKey: 'd1' }), // retry, succeeded
      attempt(100, { driverKey: 'd2' }), // first try
      attempt(200, { driverKey: 'd1' }), // a new visit (> 15 min later)
      attempt(300), // no key: its own visit
      attempt(24 * 60 - 5, { ...failed, driverKey: 'd3' }),
      attempt(24 * 60 + 3, { driverKey: 'd3' }), // retry after midnight
    ];
    const previous = new Map<string, number>();
    const d0 = sessionTotals(attempts, T0, T0 + DAY, previous);
    expect(d0.visits).toBe(5);
    expect(d0.firstAttemptSuccesses).toBe(3);
    expect(sessionFigures(d0).firstAttemptSuccess).toBeCloseTo(3 / 5, 12);
    const d1 = sessionTotals(attempts, T0 + DAY, T0 + 2 * DAY, previous);
    expect(d1).toMatchObject({ attempts: 1, successes: 1, visits: 0, firstAttemptSuccesses: 0 });
  });

  it('weighs energy delivered against expected, and power below offered', () => {
    const t = sessionTotals([attempt(0, { energyWh: 8_000, expectedEnergyWh: 10_000 }), attempt(60, { energyWh: 5_000, expectedEnergyWh: 10_000 }), attempt(120)], T0, T0 + DAY);
    expect(sessionFigures(t).energyRatio).toBeCloseTo(13 / 20, 12);
    const p = powerShortfalls(
      [
        { at: T0, offeredKw: 150, deliveredKw: 140 },
        { at: T0 + M, offeredKw: 150, deliveredKw: 100 },
        { at: T0 + 2 * M, offeredKw: 0, deliveredKw: 0 }, // nothing offered: not a sample
        { at: T0 + DAY, offeredKw: 150, deliveredKw: 10 }, // another day
      ],
      T0,
      T0 + DAY,
    );
    expect(p).toEqual({ samples: 2, shortfalls: 1 });
  });

  it('finds meter anomalies: a register going down, or faster than the charger could, but not a new transaction', () => {
    const r = (minute: number, registerWh: number, transactionId = 'T1') => ({ at: T0 + minute * M, registerWh, transactionId });
    const readings = [r(0, 1000), r(10, 5000), r(20, 4000), r(30, 4000, 'T2'), r(31, 200_000, 'T2'), r(40, 0, 'T3'), r(50, 3000, 'T3')];
    // 50 kW for 10 min is at most ~12.5 kWh with the 1.5 margin: +4 kWh fine; −1 kWh bad; +196 kWh in 1 min bad.
    expect(meterAnomalies(readings, 50, T0, T0 + DAY)).toBe(2);
    expect(meterAnomalies([r(0, 10), r(0, 20)], 50, T0, T0 + DAY)).toBe(1); // energy in no time
    // The pair across midnight is judged in the second day, given the last reading before it.
    expect(meterAnomalies([r(24 * 60 + 1, 500)], 50, T0 + DAY, T0 + 2 * DAY, r(24 * 60 - 1, 900))).toBe(1);
  });

  it('rolls EVSE totals up per location, CPO and network from sums, with the UK average over rapid EVSEs', () => {
    const H = 3_600_000;
    const evse = (evseId: string, locationId: string, cpoId: string, maxPowerKw: number, downHours: number, outcomes: Partial<ChargingAttempt>[]) => {
      const h: EvseHistory = {
        ...emptyHistory({ evseId, chargerId: evseId, locationId, cpoId, kind: 'partner', maxPowerKw }),
        statuses: [
          { at: T0, status: 'AVAILABLE' },
          { at: T0 + H, status: 'OUTOFORDER' },
          { at: T0 + H + downHours * H, status: 'AVAILABLE' },
        ],
        attempts: outcomes.map((o, i) => attempt(120 + i * 60, o)),
      };
      return { evseId, locationId, cpoId, maxPowerKw, totals: evseTotals(h, { from: T0, to: T0 + DAY }) };
    };
    const failed = { startedAt: undefined, energyWh: 0 };
    const rows = [
      evse('A', 'L1', 'X', 150, 0, [{}, {}]),
      evse('B', 'L1', 'X', 150, 12, [{}, failed]),
      evse('C', 'L2', 'X', 22, 24, [failed]),
      evse('D', 'L3', 'Y', 50, 6, [{}, {}, {}, failed]),
    ];
    const cpo = rollUp(rows, 'cpo');
    expect(cpo.map((r) => r.key)).toEqual(['X', 'Y']);
    const x = cpo[0];
    expect(x.evses).toBe(3);
    expect(x.figures.successRate).toBeCloseTo(3 / 5, 12);
    expect(x.totals.time.ukNotReliableMs).toBe(35 * H); // A 0 h, B 12 h, C 23 h (from 01:00 to the end of the day)
    expect(x.rapidEvses).toBe(2);
    expect(x.ukRapidAverage).toBeCloseTo((1 + 12 / 24) / 2, 12);
    expect(x.meetsUkRapidTarget).toBe(false);
    const network = rollUp(rows, 'network');
    expect(network).toHaveLength(1);
    expect(network[0].totals.sessions.attempts).toBe(9);
    expect(rollUp(rows, 'location').map((r) => r.key)).toEqual(['X/L1', 'X/L2', 'Y/L3']);
    expect(rollUp(rows, 'evse')).toHaveLength(4);
  });
});
