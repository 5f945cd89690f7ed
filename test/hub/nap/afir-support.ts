/** A partner CPO's fast-charging location and tariffs, and the own CPO's ad hoc tariff, for the AFIR tests. */
import { OWN, OWN_TARIFF } from '../../support/own-network';

export const CPO = { countryCode: 'DE', partyId: 'CPA' };
export const STAMP = '2026-11-20T08:00:00Z';

/** The own tariff of the test network, as an ad hoc tariff. */
export const OWN_AD_HOC = { ...OWN_TARIFF, type: 'AD_HOC_PAYMENT', last_updated: STAMP };

/** A partner's ad hoc tariff for a 150 kW charger, with a session fee AFIR does not allow there. */
export const HPC_TARIFF = {
  country_code: CPO.countryCode,
  party_id: CPO.partyId,
  id: 'HPC',
  currency: 'EUR',
  type: 'AD_HOC_PAYMENT',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.59, vat: 19, step_size: 1 }, { type: 'FLAT', price: 1, vat: 19, step_size: 1 }] }],
  last_updated: STAMP,
};

export function hpcLocation(id: string, { publish = true, status = 'AVAILABLE' } = {}) {
  return {
    country_code: CPO.countryCode,
    party_id: CPO.partyId,
    id,
    publish,
    name: `Schnellladepark ${id}`,
    address: 'Hauptstraße 12',
    city: 'Musterstadt',
    postal_code: '55555',
    country: 'DEU',
    coordinates: { latitude: '50.779599', longitude: '6.104507' },
    parking_type: 'PARKING_LOT',
    operator: { name: 'CPA Laden GmbH' },
    opening_times: { twentyfourseven: true },
    time_zone: 'Europe/Berlin',
    evses: [
      {
        uid: `${id}-1`,
        evse_id: `DE*CPA*E${id}1`,
        status,
        capabilities: ['CONTACTLESS_CARD_SUPPORT'],
        connectors: [
          { id: '1', standard: 'IEC_62196_T2_COMBO', format: 'CABLE', power_type: 'DC', max_voltage: 920, max_amperage: 400, max_electric_power: 150000, tariff_ids: ['HPC'], last_updated: STAMP },
        ],
        last_updated: STAMP,
      },
    ],
    last_updated: STAMP,
  };
}

export const OWN_PARTY = `${OWN.countryCode}*${OWN.partyId}`;
