import type { RPCClient } from 'ocpp-rpc';
import { connectChargePoint } from './charge-point';
import { type NetworkSpec, startNetwork, type TestNetwork } from './network';
import { ownSite } from './own-sites';

export const OWN = { countryCode: 'NL', partyId: 'HUB' };
export const CHARGER_PASSWORD = 'own-network-password-01';

/** The own CPO's tariff in these tests: 0.25/kWh + 2.00/h charging, 10 % VAT. */
export const OWN_TARIFF = {
  country_code: OWN.countryCode,
  party_id: OWN.partyId,
  id: 'OWN-AC',
  currency: 'EUR',
  elements: [
    {
      price_components: [
        { type: 'ENERGY', price: 0.25, vat: 10, step_size: 1 },
        { type: 'TIME', price: 2, vat: 10, step_size: 60 },
      ],
    },
  ],
  last_updated: '2026-01-01T00:00:00Z',
};

/** An own location with one EVSE per charger, connector 1 priced with OWN_TARIFF. */
export function ownLocation(id: string, evseUids: string[]) {
  return {
    country_code: OWN.countryCode,
    party_id: OWN.partyId,
    id,
    ...ownSite(id),
    evses: evseUids.map((uid) => ({
      uid,
      evse_id: `NL*HUB*E${uid.replace(/[^A-Za-z0-9]/g, '')}`,
      status: 'AVAILABLE',
      capabilities: ['RESERVABLE', 'REMOTE_START_STOP_CAPABLE', 'RFID_READER'],
      connectors: [
        { id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, tariff_ids: [OWN_TARIFF.id], last_updated: '2026-01-01T00:00:00Z' },
      ],
      last_updated: '2026-01-01T00:00:00Z',
    })),
    last_updated: '2026-01-01T00:00:00Z',
  };
}

export interface OwnNetwork extends TestNetwork {
  /** Registers a charger mapped to EVSE `evseUid` of location `locationId` (connector key '1' for 1.6, '1/1' for 2.0.1). */
  addCharger(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1', locationId: string, evseUid: string): Promise<void>;
  /** Connects a registered charger and boots it. */
  connect(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1', hubUrl?: string): Promise<RPCClient>;
  /** An eMSP pushes a token to the hub. */
  pushToken(emsp: string, token: Record<string, unknown>): Promise<void>;
}

/** A hub with eMSP partners that have roaming agreements with the hub's own CPO, and one own location. */
export async function startOwnNetwork(spec: Partial<NetworkSpec> & { emsps: string[]; evses?: string[] }): Promise<OwnNetwork> {
  const network = await startNetwork({ cpos: [], agreements: [], ...spec, hub: { ...spec.hub, env: { SESSION_UPDATE_INTERVAL_SECONDS: '0', ...spec.hub?.env } } });
  const { hub } = network;
  for (const emsp of spec.emsps) {
    const response = await hub.admin.post('/admin/agreements', { cpo: `${OWN.countryCode}/${OWN.partyId}`, emsp });
    if (response.status !== 201) throw new Error(`own agreement with ${emsp} failed: ${JSON.stringify(response.data)}`);
  }
  const own = hub.services.ownCpo;
  await hub.services.tariffs.put(own, undefined, OWN_TARIFF.id, OWN_TARIFF);
  await hub.services.locations.change(own, undefined, { locationId: 'SITE1' }, 'PUT', ownLocation('SITE1', spec.evses ?? ['E1', 'E2']));
  const clients: RPCClient[] = [];
  return {
    ...network,
    async addCharger(id, protocol, locationId, evseUid) {
      const connector = protocol === 'ocpp1.6' ? '1' : '1/1';
      const response = await hub.admin.post('/admin/chargers', {
        id,
        password: CHARGER_PASSWORD,
        location_id: locationId,
        evses: [{ ocpp_connector: connector, evse_uid: evseUid, connector_id: '1' }],
      });
      if (response.status !== 201) throw new Error(`charger ${id}: ${JSON.stringify(response.data)}`);
      const accepted = await hub.admin.patch(`/admin/chargers/${id}`, { status: 'ACCEPTED' });
      if (accepted.status !== 200) throw new Error(`charger ${id}: ${JSON.stringify(accepted.data)}`);
    },
    async connect(id, protocol, hubUrl) {
      const client = await connectChargePoint({ ocppUrl: hubUrl ?? hub.ocppUrl }, { id, password: CHARGER_PASSWORD, protocol });
      clients.push(client);
      if (protocol === 'ocpp1.6') await client.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'AC22' });
      else await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Test', model: 'AC22' } });
      return client;
    },
    async pushToken(emsp, token) {
      const party = network.parties[emsp];
      const put = await party.ocpi.put(`/receiver/tokens/${token.country_code}/${token.party_id}/${token.uid}?type=${token.type}`, token);
      if (put.data?.status_code !== 1000) throw new Error(`token push failed: ${JSON.stringify(put.data)}`);
    },
    async close() {
      await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
      await network.close();
    },
  };
}

/** An eMSP token as pushed to the hub. */
export function rfidToken(emsp: { countryCode: string; partyId: string }, uid: string, whitelist = 'ALLOWED', valid = true) {
  return {
    country_code: emsp.countryCode,
    party_id: emsp.partyId,
    uid,
    type: 'RFID',
    contract_id: `${emsp.countryCode}${emsp.partyId}C${uid}`,
    issuer: `${emsp.partyId} eMobility`,
    valid,
    whitelist,
    last_updated: '2026-01-01T00:00:00Z',
  };
}
