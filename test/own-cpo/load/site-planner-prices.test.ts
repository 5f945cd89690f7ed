import { classOfToken, priorityClassesOf, tariffEnergyPrices } from '../../../src/own-cpo/load/site-planner';

const SLOT = 15 * 60_000;

/** A time-of-use tariff: 0.10/kWh at night (00:00–06:00 local), 0.40 otherwise, with a flat and a time fee. */
const TOU = {
  country_code: 'NL',
  party_id: 'HUB',
  id: 'TOU',
  currency: 'EUR',
  elements: [
    { price_components: [{ type: 'FLAT', price: 1, step_size: 1 }] },
    { price_components: [{ type: 'ENERGY', price: 0.1, step_size: 1 }], restrictions: { start_time: '00:00', end_time: '06:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.4, step_size: 1 }, { type: 'TIME', price: 2, step_size: 60 }] },
  ],
  last_updated: '2026-01-01T00:00:00Z',
};

describe('the planner\'s prices from an own tariff', () => {
  it('takes the ENERGY price of each slot, local time, with flat and time fees cancelled', () => {
    // 22:00 UTC = 23:00 in Amsterdam (November, UTC+1): four slots at the day price, then the night price.
    const start = Date.parse('2026-11-20T22:00:00Z');
    const prices = tariffEnergyPrices(TOU, 'Europe/Amsterdam', start, SLOT, 8);
    expect(prices.map((p) => Math.round(p.pricePerKWh * 100) / 100)).toEqual([0.4, 0.4, 0.4, 0.4, 0.1, 0.1, 0.1, 0.1]);
    expect(new Date(prices[4].from).toISOString()).toBe('2026-11-20T23:00:00.000Z');
  });

  it('prices nothing it cannot price (the planner then uses the default price)', () => {
    expect(tariffEnergyPrices({ not: 'a tariff' }, 'Europe/Amsterdam', Date.parse('2026-11-20T22:00:00Z'), SLOT, 4)).toEqual([]);
  });

  it('puts a token in its class, else standard', () => {
    const settings = { enabled: true, classes: [{ id: 'fleet', rank: 2, tokens: ['VAN-1'] }] };
    expect(classOfToken(settings, 'VAN-1')).toBe('fleet');
    expect(classOfToken(settings, 'OTHER')).toBe('standard');
    expect(classOfToken(settings, null)).toBe('standard');
    expect(priorityClassesOf(settings)).toEqual([{ id: 'fleet', rank: 2 }, { id: 'standard', rank: 0 }]);
  });
});
