import { priceTransaction, type TransactionFacts } from '../../../src/core/charging/ocpi-records';
import type { Tariff } from '../../../src/core/pricing/tariff.schema';

const tariff = {
  country_code: 'NL',
  party_id: 'HUB',
  id: 'FLAT-ENERGY',
  currency: 'EUR',
  elements: [
    {
      price_components: [
        { type: 'FLAT', price: 0.5, step_size: 1 },
        { type: 'ENERGY', price: 0.25, step_size: 1 },
        { type: 'TIME', price: 2, step_size: 60 },
      ],
    },
  ],
  last_updated: '2026-01-01T00:00:00Z',
} as unknown as Tariff;

const facts = (startedAt: Date, stoppedAt: Date, meterStopWh: number): TransactionFacts => ({
  owner: { countryCode: 'NL', partyId: 'HUB' },
  sessionId: 'S1',
  startedAt,
  stoppedAt,
  meterStartWh: 0,
  meterStopWh,
  readings: [],
  cdrToken: { country_code: 'NL', party_id: 'EM1', uid: 'U1', type: 'RFID', contract_id: 'C1' },
  authMethod: 'WHITELIST',
  locationId: 'L1',
  evseUid: 'E1',
  connectorId: '1',
  tariff,
  timeZone: 'Europe/Amsterdam',
  currency: 'EUR',
});

/** Chargers with whole-second clocks report a start and stop in the same second (issue 14). */
describe('a transaction whose start and stop fall within the same second', () => {
  const at = new Date('2026-03-02T10:00:00Z');

  it('keeps its energy in a period without duration and prices the energy and the flat fee', () => {
    const priced = priceTransaction(facts(at, at, 1000), at);
    expect(priced.kwh).toBe(1);
    expect(priced.periods).toEqual([
      { start_date_time: at.toISOString(), dimensions: [{ type: 'ENERGY', volume: 1 }, { type: 'TIME', volume: 0 }], tariff_id: 'FLAT-ENERGY' },
    ]);
    expect(priced.totals!.total_energy_cost!.excl_vat).toBeCloseTo(0.25, 6);
    expect(priced.totals!.total_fixed_cost!.excl_vat).toBeCloseTo(0.5, 6);
    expect(priced.totals!.total_cost.excl_vat).toBeCloseTo(0.75, 6);
  });

  it('without energy it has no period, and the flat fee is still due', () => {
    const priced = priceTransaction(facts(at, at, 0), at);
    expect(priced.periods).toEqual([]);
    expect(priced.totals!.total_cost.excl_vat).toBeCloseTo(0.5, 6);
  });
});
