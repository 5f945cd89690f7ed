import { allocate } from '../../src/core/allocation/allocation-core';
import { simulateEvening, type EveningScenario } from '../../bench/evening-simulation';

const connector = (connectorKey: string) => ({ connectorKey, phases: 3 as const, maxAmps: 32 });

/**
 * Five cars on a 40 A site (5 % margin) with a 25 A evening peak window: two short stays that leave
 * early, one slow single-phase car, and two overnight cars.
 */
const evening: EveningScenario = {
  site: {
    id: 'evening',
    timeZone: 'Europe/Amsterdam',
    limit: { amps: 40 },
    safetyMargin: { percent: 5 },
    timeWindows: [{ id: 'peak', start: '17:00', end: '21:00', limit: { amps: 25 } }],
    connectors: ['a', 'b', 'c', 'd', 'e'].map(connector),
  },
  start: '2024-01-10T15:00:00Z',
  end: '2024-01-11T07:00:00Z',
  cars: [
    { id: 'A', connectorKey: 'a', arrival: '2024-01-10T15:00:00Z', departure: '2024-01-10T18:00:00Z', energyNeededWh: 20_000, phases: 3, maxAmps: 16 },
    { id: 'B', connectorKey: 'b', arrival: '2024-01-10T15:30:00Z', departure: '2024-01-11T06:30:00Z', energyNeededWh: 40_000, phases: 3, maxAmps: 32 },
    { id: 'C', connectorKey: 'c', arrival: '2024-01-10T16:00:00Z', departure: '2024-01-10T21:00:00Z', energyNeededWh: 10_000, phases: 1, maxAmps: 16 },
    { id: 'D', connectorKey: 'd', arrival: '2024-01-10T16:30:00Z', departure: '2024-01-10T19:30:00Z', energyNeededWh: 15_000, phases: 3, maxAmps: 16 },
    { id: 'E', connectorKey: 'e', arrival: '2024-01-10T17:00:00Z', departure: '2024-01-11T06:00:00Z', energyNeededWh: 50_000, phases: 3, maxAmps: 32 },
  ],
};

describe('simulateEvening', () => {
  it('delivers at least as much energy by departure with the smart strategy as with a plain equal share', () => {
    const smart = simulateEvening(evening, 'smart');
    const equal = simulateEvening(evening, 'equal-share');
    expect(smart.ticks).toBe(16 * 60);
    expect(smart.totalDeliveredWh).toBeGreaterThanOrEqual(equal.totalDeliveredWh);
    expect(smart.carsSatisfied).toBeGreaterThanOrEqual(equal.carsSatisfied);
    expect(smart.totalShortfallWh).toBeLessThan(equal.totalShortfallWh);
    // The early leaver D is the one a plain equal share lets down.
    expect(smart.cars.find((c) => c.id === 'D')!.satisfied).toBe(true);
    expect(equal.cars.find((c) => c.id === 'D')!.satisfied).toBe(false);
    // Neither strategy ever overloads a node with the cars' actual draw.
    expect(smart.maxOverloadAmps).toBe(0);
    expect(equal.maxOverloadAmps).toBe(0);
  });

  it('is deterministic', () => {
    expect(simulateEvening(evening, 'smart')).toEqual(simulateEvening(evening, 'smart'));
  });

  it('accepts a custom strategy and cars that do not share their preferences', () => {
    const scenario: EveningScenario = { ...evening, cars: evening.cars.map((car) => ({ ...car, sharesPreferences: false })) };
    const noUrgency = simulateEvening(scenario, function giveBackOnly(site, sessions, now, previous) {
      return allocate(site, sessions, now, { previous, urgency: false });
    });
    expect(noUrgency.strategy).toBe('giveBackOnly');
    expect(noUrgency.totalDeliveredWh).toBeGreaterThan(0);
    expect(noUrgency.maxOverloadAmps).toBe(0);
    expect(simulateEvening(scenario, 'smart')).toEqual({ ...noUrgency, strategy: 'smart' });
  });

  it('rejects two cars on one connector at the same time', () => {
    const clash: EveningScenario = { ...evening, cars: [evening.cars[0], { ...evening.cars[1], connectorKey: 'a' }] };
    expect(() => simulateEvening(clash, 'smart')).toThrow(/two cars on a/);
  });
});
