/**
 * The DATEX II v3 publications built from OCPI Locations and Tariffs: valid against the DATEX II 3.3
 * schemas (test/fixtures/datex2-v3), and saying what the OCPI objects say.
 */
import { convert } from 'xmlbuilder2';
import { type Datex2Cpo, energyInfrastructureStatus, energyInfrastructureTable } from '../../../src/core/afir/datex2-energy-infrastructure';
import { datex2SchemaErrors } from '../../support/datex2-schema';
import { HPC_TARIFF, hpcLocation } from '../../hub/nap/afir-support';

const AT = new Date('2026-11-20T10:00:00Z');
const PUBLISHER = { country: 'NL', nationalIdentifier: 'NL-HUB' };

function network(): Datex2Cpo[] {
  const fast = { ...hpcLocation('FAST1'), help_phone: '+4930123456' };
  fast.evses.push({
    ...fast.evses[0],
    uid: 'FAST1-2',
    evse_id: 'DE*CPA*EFAST12',
    status: 'CHARGING',
    connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, tariff_ids: ['HPC'], last_updated: fast.last_updated } as never],
  });
  const removed = { ...fast.evses[0], uid: 'OLD', evse_id: 'DE*CPA*EOLD', status: 'REMOVED' };
  const bare = { ...hpcLocation('BARE'), opening_times: undefined, operator: undefined, postal_code: undefined, evses: [removed] };
  const shop = {
    ...hpcLocation('SHOP'),
    opening_times: {
      twentyfourseven: false,
      regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '20:00' }, { weekday: 6, period_begin: '09:00', period_end: '14:30' }],
      exceptional_closings: [{ period_begin: '2026-12-25T00:00:00Z', period_end: '2026-12-26T00:00:00Z' }],
    },
  };
  const timeOfUse = {
    ...HPC_TARIFF,
    elements: [
      { price_components: [{ type: 'ENERGY', price: 0.595, vat: 19, step_size: 1 }, { type: 'PARKING_TIME', price: 6, vat: 19, step_size: 60 }], restrictions: { start_time: '08:00', end_time: '20:00', day_of_week: ['MONDAY', 'TUESDAY'] } },
      { price_components: [{ type: 'ENERGY', price: 0.49, vat: 19, step_size: 1 }] },
    ],
  };
  return [{ locations: [fast, bare, shop] as never, tariffs: new Map([['HPC', timeOfUse]]) as never }];
}

/** The parsed document, arrays where DATEX II repeats. */
const parse = (xml: string) => convert(xml, { format: 'object' }) as Record<string, any>;
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('DATEX II v3 energy infrastructure', () => {
  it('the table publication is valid DATEX II 3 and holds sites, charging points, connectors and the ad hoc price', async () => {
    const xml = energyInfrastructureTable(network(), PUBLISHER, AT);
    expect(await datex2SchemaErrors(xml)).toEqual([]);
    const payload = parse(xml)['d2:payload'];
    expect(payload['@xsi:type']).toBe('egi:EnergyInfrastructureTablePublication');
    const sites = arr(payload['egi:energyInfrastructureTable']['egi:energyInfrastructureSite']);
    expect(sites.map((s) => s['@id'])).toEqual(['DE*CPA*FAST1', 'DE*CPA*BARE', 'DE*CPA*SHOP']);
    // Regular hours: one valid period per OCPI entry, the closing as an exception.
    const hours = sites[2]['fac:operatingHours'];
    expect(hours['@xsi:type']).toBe('fac:OperatingHoursSpecification');
    expect(arr(hours['fac:overallPeriod']['com:validPeriod']).map((p: any) => [p['com:recurringDayWeekMonthPeriod']['com:applicableDay'], p['com:recurringTimePeriodOfDay']['com:startTimeOfPeriod'], p['com:recurringTimePeriodOfDay']['com:endTimeOfPeriod']]))
      .toEqual([['monday', '08:00:00', '20:00:00'], ['saturday', '09:00:00', '14:30:00']]);
    expect(hours['fac:overallPeriod']['com:exceptionPeriod']['com:startOfPeriod']).toBe('2026-12-25T00:00:00Z');
    expect(sites[0]['fac:operatingHours']['@xsi:type']).toBe('fac:OpenAllHours');
    const points = arr(sites[0]['egi:energyInfrastructureStation']['egi:refillPoint']);
    expect(points.map((p) => [p['@id'], p['egi:availableChargingPower']])).toEqual([['DE*CPA*EFAST11', '150000'], ['DE*CPA*EFAST12', '22080']]);
    expect(points[1]['egi:connector']).toMatchObject({ 'egi:connectorType': 'iec62196T2', 'egi:chargingMode': 'mode3AC3p', 'egi:connectorFormat': 'socket' });
    const rates = points[0]['fac:rates'];
    expect(rates['@id']).toBe('DE*CPA*HPC');
    const [peak, offPeak] = arr(rates['fac:rateLineCollection']);
    // Two decimals in DATEX II: 0.595 is published as 0.60, the exact price in the description.
    expect(arr(peak['fac:rateLine']).map((l) => [l['fac:rateLineType'], l['fac:value']])).toEqual([['perUnit', '0.60'], ['perUnit', '6.00']]);
    expect(arr(peak['fac:rateLine'])[0]['fac:description']['com:values']['com:value']['#']).toBe('0.595 EUR per kWh, excl. VAT (only mon,tue; 08:00-20:00)');
    expect(peak['fac:taxRate']).toBe('19');
    expect(arr(offPeak['fac:rateLine'])[0]['fac:value']).toBe('0.49');
    expect(sites[0]['fac:operator']['fac:organisationUnit']['fac:contactInformation']['fac:telephoneNumber']).toBe('+4930123456');
    // A site with nothing but a REMOVED EVSE: the site without a station, no operating hours or operator.
    expect(sites[1]['egi:energyInfrastructureStation']).toBeUndefined();
    expect(sites[1]['fac:operatingHours']).toBeUndefined();
  });

  it('the status publication is valid DATEX II 3 and names the table\'s charging points with their status', async () => {
    const xml = energyInfrastructureStatus(network(), PUBLISHER, AT);
    expect(await datex2SchemaErrors(xml)).toEqual([]);
    const payload = parse(xml)['d2:payload'];
    expect(payload['@xsi:type']).toBe('egi:EnergyInfrastructureStatusPublication');
    expect(payload['com:publicationTime']).toBe('2026-11-20T10:00:00.000Z');
    const [site, bare] = arr(payload['egi:energyInfrastructureSiteStatus']);
    expect(arr(payload['egi:energyInfrastructureSiteStatus'])).toHaveLength(3);
    expect(site['fac:reference']['@id']).toBe('DE*CPA*FAST1');
    const points = arr(site['egi:energyInfrastructureStationStatus']['egi:refillPointStatus']);
    expect(points.map((p) => [p['fac:reference']['@id'], p['egi:status']])).toEqual([['DE*CPA*EFAST11', 'available'], ['DE*CPA*EFAST12', 'charging']]);
    expect(bare['egi:energyInfrastructureStationStatus']).toBeUndefined();
  });

  it('an empty network is a valid status publication; the schema check does find a wrong value', async () => {
    expect(await datex2SchemaErrors(energyInfrastructureStatus([], PUBLISHER, AT))).toEqual([]);
    const wrong = energyInfrastructureStatus(network(), PUBLISHER, AT).replace('<egi:status>charging', '<egi:status>busy');
    expect((await datex2SchemaErrors(wrong)).join('\n')).toMatch(/'busy' is not an element of the set/);
  });
});
