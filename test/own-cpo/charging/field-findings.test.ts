import { waitFor } from '../../support/network';
import { OWN, ownLocation, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * What trying the hub with chargers the project did not write showed (issue 14): an EVSE published
 * AVAILABLE before its charger ever connected, session updates that rewrote periods, a same-second
 * transaction priced at zero. Real ocpp-rpc chargers, a real eMSP server.
 */
describe('own chargers: findings from chargers the project did not write', () => {
  let net: OwnNetwork;
  const emsp = () => net.parties.EM1.partner;
  const evseStatuses = (evse: string) =>
    emsp()
      .received('PATCH', `/ocpi/2.2.1/locations/${OWN.countryCode}/${OWN.partyId}/SITE1/${evse}`)
      .map((r) => (r.body as { status?: string }).status)
      .filter(Boolean);
  const storedStatus = async (evse: string) =>
    (await net.hub.services.store.get<{ evses: { uid: string; status: string }[] }>({ module: 'locations', countryCode: OWN.countryCode, partyId: OWN.partyId, objectId: 'SITE1' }))!.data.evses.find(
      (e) => e.uid === evse,
    )!.status;

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3', 'E4'] });
    await net.pushToken('EM1', rfidToken(net.parties.EM1, 'FIELD1'));
  });
  afterAll(() => net.close());

  it('an EVSE whose charger never connected is UNKNOWN to eMSPs and the dashboard until the charger reports a status', async () => {
    expect(await storedStatus('E1')).toBe('AVAILABLE'); // as the operator wrote the location
    await net.addCharger('NEVER1', 'ocpp1.6', 'SITE1', 'E1');
    expect(await storedStatus('E1')).toBe('UNKNOWN');
    await waitFor(() => evseStatuses('E1').includes('UNKNOWN'), 'the UNKNOWN status at the eMSP');
    const dashboard = await net.hub.admin.get('/admin/dashboard/locations');
    const site = (dashboard.data.locations as { id: string; evses: { uid: string; status: string; charger_id: string }[] }[]).find((l) => l.id === 'SITE1')!;
    expect(site.evses.find((e) => e.uid === 'E1')).toMatchObject({ status: 'UNKNOWN', charger_id: 'NEVER1' });

    const cp = await net.connect('NEVER1', 'ocpp1.6');
    await cp.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError' });
    await waitFor(async () => (await storedStatus('E1')) === 'AVAILABLE', 'the reported status');
    await waitFor(() => evseStatuses('E1').at(-1) === 'AVAILABLE', 'AVAILABLE at the eMSP');
    expect(evseStatuses('E1')).toEqual(['UNKNOWN', 'AVAILABLE']);
  });

  it('a running session goes out as one PUT, then PATCHes that each append closed periods, never a rewrite of one sent before', async () => {
    await net.addCharger('PERIODS1', 'ocpp1.6', 'SITE1', 'E2');
    const cp = await net.connect('PERIODS1', 'ocpp1.6');
    const t0 = Date.now() - 30 * 60_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FIELD1', meterStart: 0, timestamp: at(0) })) as { transactionId: number };
    // charging, then parked (the register stands still), then charging again
    for (const [minute, wh] of [[5, 1000], [10, 2000], [15, 2000], [20, 2000], [25, 3000]]) {
      const meterValue = [{ timestamp: at(minute), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];
      await cp.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue });
    }
    await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 3500, timestamp: at(28) });
    const { sessionId } = (await net.hub.services.transactions.find('PERIODS1', String(started.transactionId)))!;
    const cdrs = () => emsp().received('POST', '/ocpi/2.2.1/cdrs').filter((r) => (r.body as { session_id: string }).session_id === sessionId);
    await waitFor(() => cdrs().length === 1, 'the CDR');
    const path = `/ocpi/2.2.1/sessions/${OWN.countryCode}/${OWN.partyId}/${sessionId}`;
    await waitFor(() => emsp().received('PATCH', path).some((r) => (r.body as { status?: string }).status === 'COMPLETED'), 'the COMPLETED session');

    const puts = emsp().received('PUT', path);
    const patches = emsp().received('PATCH', path).map((r) => r.body as { charging_periods?: { start_date_time: string }[] });
    expect(puts).toHaveLength(1);
    // each period goes out once it is closed: after the reading that shows the next one began, the last one at the stop
    expect(patches.filter((p) => p.charging_periods?.length).map((p) => p.charging_periods!.length)).toEqual([1, 1, 1]);
    const sent = [...((puts[0].body as { charging_periods?: unknown[] }).charging_periods ?? []), ...patches.flatMap((p) => p.charging_periods ?? [])];
    const cdrPeriods = (cdrs()[0].body as { charging_periods: { start_date_time: string; dimensions: { type: string }[] }[] }).charging_periods;
    expect(cdrPeriods.map((p) => [p.start_date_time, p.dimensions[0].type])).toEqual([
      [at(0), 'ENERGY'],
      [at(10), 'PARKING_TIME'],
      [at(20), 'ENERGY'],
    ]);
    // appended one by one, each exactly as the CDR has it: nothing sent was ever rewritten
    expect(sent).toEqual(cdrPeriods);
  });

  it('a transaction started and stopped within the same second (a whole-second clock) is priced: its energy and the flat fee', async () => {
    const own = net.hub.services.ownCpo;
    const tariff = {
      country_code: OWN.countryCode,
      party_id: OWN.partyId,
      id: 'OWN-FLAT',
      currency: 'EUR',
      elements: [{ price_components: [{ type: 'FLAT', price: 0.5, step_size: 1 }, { type: 'ENERGY', price: 0.25, step_size: 1 }, { type: 'TIME', price: 2, step_size: 60 }] }],
      last_updated: '2026-01-01T00:00:00Z',
    };
    await net.hub.services.tariffs.put(own, undefined, tariff.id, tariff);
    await net.hub.services.locations.change(own, undefined, { locationId: 'SITE1', evseUid: 'E3', connectorId: '1' }, 'PATCH', { tariff_ids: [tariff.id], last_updated: new Date().toISOString() });
    await net.addCharger('SECOND1', 'ocpp1.6', 'SITE1', 'E3');
    const cp = await net.connect('SECOND1', 'ocpp1.6');
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString().replace('.000Z', 'Z');
    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'FIELD1', meterStart: 5000, timestamp: second })) as { transactionId: number };
    await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 6000, timestamp: second });
    const { sessionId } = (await net.hub.services.transactions.find('SECOND1', String(started.transactionId)))!;
    const cdrs = () => emsp().received('POST', '/ocpi/2.2.1/cdrs').filter((r) => (r.body as { session_id: string }).session_id === sessionId);
    await waitFor(() => cdrs().length === 1, 'the CDR');
    const cdr = cdrs()[0].body as Record<string, any>;
    expect(cdr.total_energy).toBe(1);
    expect(cdr.charging_periods).toEqual([{ start_date_time: new Date(second).toISOString(), dimensions: [{ type: 'ENERGY', volume: 1 }, { type: 'TIME', volume: 0 }], tariff_id: 'OWN-FLAT' }]);
    expect(cdr.total_energy_cost.excl_vat).toBeCloseTo(0.25, 6);
    expect(cdr.total_fixed_cost.excl_vat).toBeCloseTo(0.5, 6);
    expect(cdr.total_cost.excl_vat).toBeCloseTo(0.75, 6);
  });

  it('the admin API names the own CPO the chargers are published as', async () => {
    const response = await net.hub.admin.get('/admin/own-cpo');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ country_code: OWN.countryCode, party_id: OWN.partyId, role: 'CPO', name: expect.any(String), currency: expect.stringMatching(/^[A-Z]{3}$/) });
    const party = await net.hub.services.db.query(`SELECT own FROM parties WHERE country_code = $1 AND party_id = $2`, [OWN.countryCode, OWN.partyId]);
    expect(party).toEqual([{ own: true }]);
    expect((await net.hub.admin.get('/admin/own-cpo?verbose=1')).status).toBe(400);
  });

  it('a location the operator writes again keeps the statuses its chargers decide: a silent charger stays UNKNOWN', async () => {
    await net.addCharger('NEVER2', 'ocpp2.0.1', 'SITE1', 'E4');
    expect(await storedStatus('E4')).toBe('UNKNOWN');
    const { evses } = ownLocation('SITE1', ['E4']);
    const evsePut = await net.hub.admin.put('/admin/locations/SITE1/evses/E4', { ...evses[0], status: 'AVAILABLE', last_updated: undefined });
    expect(evsePut.status).toBe(200);
    expect(await storedStatus('E4')).toBe('UNKNOWN');
    const { country_code, party_id, last_updated, ...location } = ownLocation('SITE1', ['E1', 'E2', 'E3', 'E4']);
    void country_code, party_id, last_updated;
    const locationPut = await net.hub.admin.put('/admin/locations/SITE1', { ...location, evses: location.evses.map(({ last_updated: _, ...evse }) => ({ ...evse, status: 'AVAILABLE' })) });
    expect(locationPut.status).toBe(200);
    expect(await storedStatus('E4')).toBe('UNKNOWN');
    expect(await storedStatus('E1')).toBe('AVAILABLE'); // NEVER1 reported Available
    // a status no charger decides stays the operator's
    const planned = await net.hub.admin.patch('/admin/locations/SITE1/evses/E4', { status: 'PLANNED' });
    expect(planned.status).toBe(200);
    expect(await storedStatus('E4')).toBe('PLANNED');
    expect(evseStatuses('E4')).not.toContain('AVAILABLE');
  });
});
