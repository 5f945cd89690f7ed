/** The AFIR readiness report: a complete location is ready; each missing item fails its own check. */
import { afirReadiness, type AfirLocation, type AfirTariff, READINESS_RULES } from '../../../src/core/afir/afir-core';

const AD_HOC: AfirTariff = { id: 'ADHOC', currency: 'EUR', type: 'AD_HOC_PAYMENT', elements: [{ price_components: [{ type: 'ENERGY', price: 0.59 }] }] };
const TARIFFS = new Map([[AD_HOC.id, AD_HOC]]);

function complete(): AfirLocation {
  return {
    id: 'LOC1', country_code: 'DE', party_id: 'ABC', publish: true, parking_type: 'PARKING_LOT',
    opening_times: { twentyfourseven: true }, operator: { name: 'ABC Laden' }, help_phone: '+4930123456',
    evses: [{
      uid: 'E1', evse_id: 'DE*ABC*E1', status: 'AVAILABLE', capabilities: ['CONTACTLESS_CARD_SUPPORT'],
      connectors: [{ id: '1', power_type: 'DC', max_voltage: 920, max_amperage: 400, max_electric_power: 150_000, tariff_ids: ['ADHOC'] }],
    }],
  };
}

const failing = (loc: AfirLocation, opted = true) =>
  afirReadiness(loc, TARIFFS, { napOptedIn: opted }).checks.filter((c) => c.findings.length > 0).map((c) => [c.rule, c.ok]);

describe('AFIR readiness', () => {
  it('a complete location is ready, with every check in order and its article', () => {
    const report = afirReadiness(complete(), TARIFFS, { napOptedIn: true });
    expect(report).toMatchObject({ location_id: 'LOC1', owner: 'DE/ABC', ready: true, errors: 0, warnings: 0 });
    expect(report.checks.map((c) => c.rule)).toEqual(READINESS_RULES);
    expect(report.checks.every((c) => c.ok && /^Art\. \d+\(\d\)$/.test(c.article))).toBe(true);
  });

  const CASES: { name: string; change: (l: AfirLocation) => void; opted?: boolean; expected: [string, boolean][] }[] = [
    { name: 'no opening hours', change: (l) => delete l.opening_times, expected: [['opening-hours', false]] },
    { name: 'no operator', change: (l) => delete l.operator, expected: [['operator-contact', false]] },
    { name: 'no help phone (a warning)', change: (l) => delete l.help_phone, expected: [['help-phone', true]] },
    { name: 'no evse_id', change: (l) => delete l.evses![0].evse_id, expected: [['evse-id', false]] },
    { name: 'no card payment at 150 kW', change: (l) => delete l.evses![0].capabilities, expected: [['card-payment-high-power', false]] },
    { name: 'no power known', change: (l) => Object.assign(l.evses![0].connectors[0], { max_electric_power: undefined, max_voltage: 0 }),
      // Without a power the EVSE is neither high power (no card check) nor known: the power check fails.
      expected: [['power-output', false]] },
    { name: 'status UNKNOWN (a warning)', change: (l) => { l.evses![0].status = 'UNKNOWN'; }, expected: [['evse-status', true]] },
    { name: 'nothing about parking (a warning)', change: (l) => delete l.parking_type, expected: [['accessibility-parking', true]] },
    { name: 'parking restrictions are enough', change: (l) => { delete l.parking_type; l.evses![0].parking_restrictions = ['EV_ONLY']; }, expected: [] },
    { name: 'the CPO has not opted in to the NAP', change: () => undefined, opted: false, expected: [['nap-published', false]] },
    { name: 'not published', change: (l) => { l.publish = false; }, expected: [['nap-published', false]] },
    { name: 'no ad hoc tariff', change: (l) => { l.evses![0].connectors[0].tariff_ids = []; }, expected: [['ad-hoc-tariff', false]] },
    { name: 'no EVSE at all', change: (l) => { l.evses = []; }, expected: [['evse-id', false]] },
  ];

  it.each(CASES)('$name', ({ change, opted, expected }) => {
    const loc = complete();
    change(loc);
    expect(failing(loc, opted ?? true)).toEqual(expected);
    const report = afirReadiness(loc, TARIFFS, { napOptedIn: opted ?? true });
    expect(report.ready).toBe(expected.every(([, ok]) => ok));
  });
});
