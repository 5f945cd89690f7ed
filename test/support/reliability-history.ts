import { DAY_MS, evseDay, type DayCarryOut, type EvseDay, type EvseHistory } from '../../src/core/reliability/reliability-core';

/** `days` stored days from `firstDayStart`, each from the carry the day before left, as the nightly job makes them. */
export function storedEvseDays(h: EvseHistory, firstDayStart: number, days: number): EvseDay[] {
  const out: EvseDay[] = [];
  let carry: DayCarryOut | undefined;
  for (let d = 0; d < days; d++) {
    const day = evseDay(h, firstDayStart + d * DAY_MS, carry);
    carry = day.edges.carryOut;
    out.push(day);
  }
  return out;
}

/** The facts a report reads for a period ending at `to` (nothing after it). */
export function historyUpTo(h: EvseHistory, to: number): EvseHistory {
  return {
    ...h,
    statuses: h.statuses.filter((s) => (s.receivedAt ?? s.at) < to),
    attempts: h.attempts.filter((a) => a.at < to),
    faults: h.faults.filter((t) => t < to),
    reboots: h.reboots.filter((t) => t < to),
    power: h.power.filter((p) => p.at < to),
    meter: h.meter.filter((m) => m.at < to),
    hubGaps: h.hubGaps.filter((g) => g.from < to),
    offline: h.offline.filter((g) => g.from < to),
    excluded: h.excluded.filter((g) => g.from < to),
  };
}

/**
 * Adds charging attempts to a hand-built history: one that works starts a minute after it is made
 * and charges 10 kWh of 11 expected in an hour; one that fails ends two minutes after, without energy.
 */
export function attemptRecorder(h: EvseHistory) {
  let n = 0;
  return (at: number, ok: boolean, driver?: string, extra: Partial<EvseHistory['attempts'][number]> = {}) =>
    h.attempts.push({
      id: `a${n++}`,
      at,
      origin: 'ocpp_transaction',
      authorization: 'accepted',
      ...(ok ? { startedAt: at + 60_000, endedAt: at + 3_600_000, stopReason: 'EVDisconnected', energyWh: 10_000, expectedEnergyWh: 11_000 } : { endedAt: at + 120_000, energyWh: 0 }),
      ...(driver && { driverKey: driver }),
      ...extra,
    });
}
