/**
 * The AFIR price rules as a table: each case is an EVSE (its power), the ad hoc tariff its connector
 * names, and the findings expected (rule and severity), nothing more and nothing less.
 */
import { type AfirLocation, type AfirTariff, connectorPowerKw, lintAfirTariffs } from '../../../src/core/afir/afir-core';

type Component = [type: string, price: number];

function tariff(id: string, elements: Component[][], type: string | null = 'AD_HOC_PAYMENT'): AfirTariff {
  return { id, currency: 'EUR', ...(type && { type }), elements: elements.map((cs) => ({ price_components: cs.map(([t, price]) => ({ type: t, price })) })) };
}

/** One EVSE whose one connector has this power (W) and names these tariffs. */
function location(watts: number | undefined, tariffIds: string[]): AfirLocation {
  return {
    id: 'LOC1', country_code: 'DE', party_id: 'ABC', publish: true,
    evses: [{
      uid: 'E1', evse_id: 'DE*ABC*E1', status: 'AVAILABLE',
      connectors: [{ id: '1', power_type: 'DC', max_voltage: 0, max_amperage: 0, ...(watts !== undefined && { max_electric_power: watts }), tariff_ids: tariffIds }],
    }],
  };
}

const CASES: { name: string; watts?: number; tariffs: AfirTariff[]; named?: string[]; expected: [rule: string, severity: string][] }[] = [
  { name: '150 kW, per kWh only', watts: 150_000, tariffs: [tariff('T', [[['ENERGY', 0.59]]])], expected: [] },
  { name: '150 kW, per kWh and an occupancy fee', watts: 150_000, tariffs: [tariff('T', [[['ENERGY', 0.59], ['PARKING_TIME', 0.1]]])], expected: [] },
  { name: 'exactly 50 kW is high power', watts: 50_000, tariffs: [tariff('T', [[['TIME', 0.2]]])], expected: [['high-power-price-per-kwh', 'error'], ['high-power-only-kwh-and-occupancy', 'error']] },
  { name: '150 kW, a session fee beside the kWh price', watts: 150_000, tariffs: [tariff('T', [[['ENERGY', 0.59], ['FLAT', 1]]])], expected: [['high-power-only-kwh-and-occupancy', 'error']] },
  { name: '150 kW, per minute of charging beside the kWh price', watts: 150_000, tariffs: [tariff('T', [[['ENERGY', 0.59]], [['TIME', 0.05]]])], expected: [['high-power-only-kwh-and-occupancy', 'error']] },
  { name: '22 kW, components in order kWh, minute, session', watts: 22_000, tariffs: [tariff('T', [[['ENERGY', 0.39], ['TIME', 0.02], ['FLAT', 0.5]]])], expected: [] },
  { name: '22 kW, session fee before the kWh price', watts: 22_000, tariffs: [tariff('T', [[['FLAT', 0.5], ['ENERGY', 0.39]]])], expected: [['low-power-component-order', 'warning']] },
  { name: '22 kW, per minute before per kWh, in the second element', watts: 22_000, tariffs: [tariff('T', [[['ENERGY', 0.39]], [['PARKING_TIME', 0.1], ['ENERGY', 0.39]]])], expected: [['low-power-component-order', 'warning']] },
  { name: '22 kW, per session only', watts: 22_000, tariffs: [tariff('T', [[['FLAT', 5]]])], expected: [] },
  { name: 'no ad hoc tariff (a REGULAR one)', watts: 22_000, tariffs: [tariff('T', [[['ENERGY', 0.39]]], 'REGULAR')], expected: [['ad-hoc-tariff', 'error']] },
  { name: 'no type at all is not ad hoc', watts: 22_000, tariffs: [tariff('T', [[['ENERGY', 0.39]]], null)], expected: [['ad-hoc-tariff', 'error']] },
  { name: 'a tariff the hub does not hold', watts: 22_000, tariffs: [], named: ['GONE'], expected: [['ad-hoc-tariff-known', 'warning'], ['ad-hoc-tariff', 'error']] },
  { name: 'no tariff named', watts: 22_000, tariffs: [], named: [], expected: [['ad-hoc-tariff', 'error']] },
  { name: 'a negative price', watts: 22_000, tariffs: [tariff('T', [[['ENERGY', -0.1]]])], expected: [['ad-hoc-price-positive', 'error']] },
  { name: 'unknown power: checked as below 50 kW', tariffs: [tariff('T', [[['FLAT', 1], ['ENERGY', 0.3]]])], expected: [['low-power-component-order', 'warning']] },
];

describe('AFIR tariff lint', () => {
  it.each(CASES)('$name', ({ watts, tariffs, named, expected }) => {
    const report = lintAfirTariffs(location(watts, named ?? tariffs.map((t) => t.id)), new Map(tariffs.map((t) => [t.id, t])));
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual(expected);
    for (const f of report.findings) {
      expect(f.article).toMatch(/^Art\. \d+\(\d\)$/);
      expect(f.evse_uid).toBe('E1');
    }
  });

  it('names the regime and the ad hoc tariffs of each EVSE', () => {
    const report = lintAfirTariffs(location(150_000, ['T', 'R']), new Map([['T', tariff('T', [[['ENERGY', 0.59]]])], ['R', tariff('R', [[['ENERGY', 0.4]]], 'REGULAR')]]));
    expect(report.evses).toEqual([{ evse_uid: 'E1', evse_id: 'DE*ABC*E1', power_kw: 150, regime: 'high', ad_hoc_tariff_ids: ['T'] }]);
  });

  it('says what is wrong in words a CPO reads', () => {
    const [f] = lintAfirTariffs(location(150_000, ['T']), new Map([['T', tariff('T', [[['TIME', 0.2]]])]])).findings;
    expect(f.message).toBe('EVSE E1 delivers 150 kW (≥ 50 kW) but its ad hoc tariff T has no price per kWh (ENERGY component)');
    expect(f.article).toBe('Art. 5(3)');
  });

  it('skips REMOVED EVSEs', () => {
    const loc = location(22_000, []);
    loc.evses![0].status = 'REMOVED';
    expect(lintAfirTariffs(loc, new Map()).findings).toEqual([]);
  });

  it('computes connector power from voltage and amperage, three phases for AC_3_PHASE', () => {
    expect(connectorPowerKw({ id: '1', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32 })).toBeCloseTo(22.08);
    expect(connectorPowerKw({ id: '1', power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16 })).toBeCloseTo(3.68);
    expect(connectorPowerKw({ id: '1', power_type: 'DC', max_voltage: 920, max_amperage: 500, max_electric_power: 350_000 })).toBe(350);
    expect(connectorPowerKw({ id: '1', power_type: 'DC', max_voltage: 0, max_amperage: 0 })).toBeUndefined();
  });
});
