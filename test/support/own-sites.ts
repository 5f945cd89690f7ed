/**
 * The one own site of the tests: the fields an operator writes for a location of the hub's own CPO
 * (no country_code, party_id, last_updated or EVSEs). putOwnLocations stores it through the admin
 * API; ownLocation adds EVSEs and the OCPI fields for a module push.
 */
export function ownSite(id: string, timeZone = 'Europe/Amsterdam') {
  return {
    publish: true,
    name: `Hub site ${id}`,
    address: 'Stationsplein 1',
    city: 'Utrecht',
    postal_code: '3511ED',
    country: 'NLD',
    coordinates: { latitude: '52.089440', longitude: '5.110230' },
    time_zone: timeZone,
  };
}
