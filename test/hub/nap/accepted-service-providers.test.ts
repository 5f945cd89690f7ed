/**
 * The own CPO's Locations carry, in OCPI 2.3.0 only, each EVSE's accepted_service_providers: the
 * eMSPs it has agreements with. Pushed to a 2.3.0 eMSP and answered to its GETs; a 2.2.1 eMSP and the
 * hub form never see the field.
 */
import { waitFor } from '../../support/network';
import { type OwnNetwork, startOwnNetwork } from '../../support/own-network';

describe('accepted_service_providers of the own CPO', () => {
  let net: OwnNetwork;
  let names: string[];
  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['DE/TNM', 'NL/EM1'], versions: { 'DE/TNM': '2.3.0' }, hub: { env: { OCPI_VERSIONS: '2.2.1,2.3.0' } }, evses: ['E1'] });
    // The names the two eMSPs gave in their credentials (business details).
    names = ['EM1 test partner', 'TNM test partner'];
  });
  afterAll(() => net.close());

  const evsesOf = (location: { evses?: Record<string, unknown>[] }) => location.evses ?? [];

  it('pushes them to the 2.3.0 eMSP, not to the 2.2.1 one', async () => {
    const v230 = await waitFor(() => net.parties.TNM.partner.received('PUT', '/ocpi/2.3.0/locations/NL/HUB/SITE1')[0], 'the 2.3.0 push');
    expect(evsesOf(v230.body as never).map((e) => e.accepted_service_providers)).toEqual([names]);
    const v221 = await waitFor(() => net.parties.EM1.partner.received('PUT', '/ocpi/2.2.1/locations/NL/HUB/SITE1')[0], 'the 2.2.1 push');
    expect(evsesOf(v221.body as never).every((e) => !('accepted_service_providers' in e))).toBe(true);
    const stored = await net.hub.services.locations.storedOf(net.hub.services.ownCpo, 'SITE1');
    expect(JSON.stringify(stored)).not.toContain('accepted_service_providers');
  });

  it('answers them to the 2.3.0 eMSP\'s GETs, list and one EVSE', async () => {
    const list = await net.parties.TNM.ocpi.get('/sender/locations');
    expect(list.data.status_code).toBe(1000);
    expect(evsesOf(list.data.data[0]).map((e) => e.accepted_service_providers)).toEqual([names]);
    const one = await net.parties.TNM.ocpi.get('/sender/locations/SITE1/E1');
    expect(one.data.data.accepted_service_providers).toEqual(names);
    const v221 = await net.parties.EM1.ocpi.get('/sender/locations/SITE1/E1');
    expect(v221.data.data).not.toHaveProperty('accepted_service_providers');
  });

  it('follows the agreements: an eMSP whose agreement ends is no longer named', async () => {
    const agreements = (await net.hub.admin.get('/admin/agreements')).data as { id: string; cpo: string; emsp: string }[];
    const em1 = agreements.find((a) => a.cpo === 'NL/HUB' && a.emsp === 'NL/EM1')!;
    expect((await net.hub.admin.delete(`/admin/agreements/${em1.id}`)).status).toBe(204);
    const one = await net.parties.TNM.ocpi.get('/sender/locations/SITE1/E1');
    expect(one.data.data.accepted_service_providers).toEqual(['TNM test partner']);
  });
});
