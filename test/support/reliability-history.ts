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
