import { allocate } from '../../../src/core/allocation/allocation-core';
import { setChargingProfileParams, profileAccepted } from '../../../src/own-cpo/load/ocpp-profiles';
import { activeChargingProfile, preferencesResponse } from '../../../src/own-cpo/load/own-smart-charging';
import { chargersOf, connectorKeyOf, SiteBody, siteProblems, splitConnectorKey, toCoreSite } from '../../../src/own-cpo/load/site-config';

const now = new Date('2026-11-20T12:00:00Z');

describe('the SetChargingProfile calls of an allocation', () => {
  it('1.6: a TxProfile bound to the running transaction, a TxDefaultProfile without one', () => {
    expect(setChargingProfileParams({ kind: 'connector', protocol: 'ocpp1.6', ocppConnector: '2', transactionId: '17', limitAmps: 10.6, phases: 3 }, now)).toEqual({
      connectorId: 2,
      csChargingProfiles: {
        chargingProfileId: 1002,
        transactionId: 17,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10.6, numberPhases: 3 }] },
      },
    });
    expect(setChargingProfileParams({ kind: 'connector', protocol: 'ocpp1.6', ocppConnector: '1', limitAmps: 0, phases: 1 }, now)).toMatchObject({
      connectorId: 1,
      csChargingProfiles: { chargingProfileId: 2001, chargingProfilePurpose: 'TxDefaultProfile', chargingSchedule: { chargingSchedulePeriod: [{ limit: 0, numberPhases: 1 }] } },
    });
  });

  it('2.0.1: a TxProfile per EVSE with a transaction, nothing without (the station maximum covers it)', () => {
    expect(setChargingProfileParams({ kind: 'connector', protocol: 'ocpp2.0.1', ocppConnector: '2/1', transactionId: 'TX-9', limitAmps: 16, phases: 3 }, now)).toEqual({
      evseId: 2,
      chargingProfile: {
        id: 3002,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        transactionId: 'TX-9',
        chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }] }],
      },
    });
    expect(setChargingProfileParams({ kind: 'connector', protocol: 'ocpp2.0.1', ocppConnector: '2/1', limitAmps: 0, phases: 3 }, now)).toBeNull();
    expect(setChargingProfileParams({ kind: 'station-max', limitAmps: 21.200000000000003 }, now)).toEqual({
      evseId: 0,
      chargingProfile: {
        id: 4000,
        stackLevel: 1,
        chargingProfilePurpose: 'ChargingStationMaxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [{ id: 1, startSchedule: '2026-11-20T11:59:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 21.2 }] }],
      },
    });
  });

  it('counts only Accepted as in force', () => {
    expect(profileAccepted({ status: 'Accepted' })).toBe(true);
    expect(profileAccepted({ status: 'Rejected' })).toBe(false);
    expect(profileAccepted({ status: 'NotSupported' })).toBe(false);
    expect(profileAccepted(undefined)).toBe(false);
  });
});

describe('a site as the operator writes it', () => {
  const body = SiteBody.parse({
    time_zone: 'Europe/Amsterdam',
    limit: { amps: 63 },
    groups: [{ id: 'F1', limit: { amps: 20 }, chargers: [{ charger_id: 'CP-1', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }, { ocpp_connector: '2', phases: 3, max_amps: 32 }] }] }],
    chargers: [{ charger_id: 'CS-2', max_amps: 40, connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }, { ocpp_connector: '2/1', phases: 3, max_amps: 32 }] }],
  });

  it('becomes the allocation core\'s tree: groups as nodes, a charger with a shared maximum as a node, connectors keyed charger/connector', () => {
    const site = toCoreSite('DEPOT', body);
    expect(site.children!.map((n) => [n.id, n.limit])).toEqual([
      ['charger:CS-2', { amps: 40 }],
      ['F1', { amps: 20 }],
    ]);
    const allocation = allocate(site, ['CP-1/1', 'CP-1/2', 'CS-2/1/1', 'CS-2/2/1'].map((connectorKey) => ({ connectorKey })), now);
    expect(Object.fromEntries(allocation.connectors.map((c) => [c.connectorKey, c.limitAmps]))).toEqual({ 'CS-2/1/1': 20, 'CS-2/2/1': 20, 'CP-1/1': 10, 'CP-1/2': 10 });
    expect(chargersOf(body).map((c) => c.charger_id)).toEqual(['CS-2', 'CP-1']);
    expect(splitConnectorKey(connectorKeyOf('CS-2', '1/1'))).toEqual({ chargerId: 'CS-2', ocppConnector: '1/1' });
    expect(siteProblems('DEPOT', body)).toEqual([]);
  });

  it('names the problems the schema cannot see', () => {
    const twice = { ...body, chargers: [...body.chargers!, { charger_id: 'CP-1', connectors: [{ ocpp_connector: '9', phases: 1 as const, max_amps: 16 }] }] };
    expect(siteProblems('DEPOT', twice)).toEqual(['charger CP-1 is listed twice']);
    expect(siteProblems('F1', body)).toEqual(['node F1: duplicate node id']);
    expect(siteProblems('DEPOT', { ...body, time_zone: 'Nowhere/Else' })).toEqual(['site DEPOT: unknown time zone "Nowhere/Else"']);
  });
});

describe('OCPI answers of the own CPO', () => {
  it('ChargingPreferences: departure and energy together, REGULAR or FAST, in a site', () => {
    const soon = '2026-11-20T14:00:00Z';
    expect(preferencesResponse({ profile_type: 'REGULAR', departure_time: soon, energy_need: 20 }, 'allocator', now)).toBe('ACCEPTED');
    expect(preferencesResponse({ profile_type: 'FAST' }, 'allocator', now)).toBe('ACCEPTED');
    expect(preferencesResponse({ profile_type: 'REGULAR', departure_time: soon, energy_need: 20 }, 'none', now)).toBe('NOT_POSSIBLE');
    expect(preferencesResponse({ profile_type: 'GREEN' }, 'allocator', now)).toBe('PROFILE_TYPE_NOT_SUPPORTED');
    expect(preferencesResponse({ profile_type: 'GREEN', departure_time: soon, energy_need: 20 }, 'planner', now)).toBe('PROFILE_TYPE_NOT_SUPPORTED');
    // CHEAP needs the planner's time-of-use prices; it takes departure and energy like REGULAR.
    expect(preferencesResponse({ profile_type: 'CHEAP', departure_time: soon, energy_need: 20 }, 'allocator', now)).toBe('PROFILE_TYPE_NOT_SUPPORTED');
    expect(preferencesResponse({ profile_type: 'CHEAP', departure_time: soon, energy_need: 20 }, 'planner', now)).toBe('ACCEPTED');
    expect(preferencesResponse({ profile_type: 'CHEAP', energy_need: 20 }, 'planner', now)).toBe('DEPARTURE_REQUIRED');
    expect(preferencesResponse({ profile_type: 'REGULAR', energy_need: 20 }, 'allocator', now)).toBe('DEPARTURE_REQUIRED');
    expect(preferencesResponse({ profile_type: 'REGULAR', departure_time: soon }, 'allocator', now)).toBe('ENERGY_NEED_REQUIRED');
    expect(preferencesResponse({ profile_type: 'REGULAR', departure_time: '2026-11-20T11:00:00Z', energy_need: 5 }, 'allocator', now)).toBe('NOT_POSSIBLE');
  });

  it('ActiveChargingProfile: one period in amps, with at most one decimal', () => {
    expect(activeChargingProfile(10.600000000000001, now, 900)).toEqual({
      start_date_time: '2026-11-20T12:00:00.000Z',
      charging_profile: { charging_rate_unit: 'A', duration: 900, charging_profile_period: [{ start_period: 0, limit: 10.6 }] },
    });
  });
});
