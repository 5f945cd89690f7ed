import type { SessionDemand, Site, SiteNode } from '../../../src/core/allocation/allocation-core';

/**
 * A deterministic large site: a 5,000 A grid connection with 10 feeders of 10 chargers of `perCharger`
 * connectors (1,000 connectors by default), each charger a node with its own maximum, and sessions on
 * most connectors with a mix of phases, priorities, departures and measured draw.
 */
export function largeSite(perCharger = 10, peak = true): { site: Site; sessions: SessionDemand[]; now: Date } {
  const now = new Date('2024-01-10T17:30:00Z'); // 18:30 in Amsterdam, inside the peak window
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const sessions: SessionDemand[] = [];
  const feeders: SiteNode[] = [];
  for (let f = 0; f < 10; f++) {
    const chargers: SiteNode[] = [];
    for (let c = 0; c < 10; c++) {
      const id = `F${f}-C${c}`;
      const connectors = Array.from({ length: perCharger }, (_, k) => ({
        connectorKey: `${id}/${k + 1}`,
        phases: (random() < 0.8 ? 3 : 1) as 1 | 3,
        maxAmps: random() < 0.5 ? 32 : 16,
        singlePhaseOn: (['L1', 'L2', 'L3'] as const)[Math.floor(random() * 3)],
      }));
      chargers.push({ id, limit: { amps: 32 * 4 }, connectors });
      for (const connector of connectors) {
        if (random() < 0.15) continue;
        const r = random();
        sessions.push({
          connectorKey: connector.connectorKey,
          phases: connector.phases === 3 && r < 0.2 ? 1 : undefined,
          priority: r > 0.95 ? 1 : 0,
          measuredAmps: r < 0.3 ? Math.round(random() * 160) / 10 : undefined,
          currentLimitAmps: r < 0.3 ? 16 : undefined,
          departureTime: r < 0.6 ? new Date(now.getTime() + Math.round(random() * 12 * 3_600_000)) : undefined,
          energyNeededWh: r < 0.5 ? Math.round(random() * 60_000) : undefined,
        });
      }
    }
    feeders.push({ id: `F${f}`, limit: { amps: 500 }, safetyMargin: { amps: 5 }, children: chargers });
  }
  const site: Site = {
    id: 'depot',
    timeZone: 'Europe/Amsterdam',
    limit: { amps: 5000 },
    safetyMargin: { percent: 5 },
    timeWindows: peak ? [{ id: 'peak', start: '17:00', end: '21:00', limit: { kilowatts: 3000 } }] : [],
    children: feeders,
  };
  return { site, sessions, now };
}
