import { waitFor } from '../support/network';
import { OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../support/own-network';

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
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3'] });
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
});
