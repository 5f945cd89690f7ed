// The OCPI Bookings module (tag v2.3.0-bookings, mod_bookings.asciidoc, docs/versions.md) through the hub:
// a CPO and eMSPs as real 2.3.0 HTTP servers with a `bookings` endpoint, a 2.2.1 eMSP that never sees
// the module. An eMSP books at a partner CPO (the request forwarded at once, the CPO's Booking answered,
// its later pushes passed on), reads BookingLocations, and books at the hub's own CPO, which decides
// in-process (accepted, refused with the reasons, cancelled by the eMSP).
import axios, { type AxiosInstance } from 'axios';
import { waitFor } from '../support/network';
import { startPartner, type TestPartner } from '../support/partner';
import type { PartnerEndpoint } from '../../src/demo/demo-partner';
import { ownLocation, OWN_TARIFF } from '../support/own-network';
import { startTestHub, type TestHub } from '../support/test-hub';

type Json = Record<string, any>;

interface Member {
  partner: TestPartner;
  /** axios to the hub in the member's version, as the member (token C, OCPI-from-*); never throws. */
  ocpi: AxiosInstance;
}

const EMSP_ENDPOINTS: PartnerEndpoint[] = [
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
  { identifier: 'bookings', role: 'RECEIVER', path: '/bookings' },
];
const CPO_ENDPOINTS: PartnerEndpoint[] = [
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: '/clientinfo' },
  { identifier: 'bookings', role: 'SENDER', path: '/bookings' },
];

const TOKEN = { country_code: 'DE', party_id: 'TNM', uid: 'TNM-RFID-1', type: 'RFID', contract_id: 'DETNMC00001' };
const TERMS = { supported_access_methods: ['TOKEN'], change_until_minutes: 60, cancel_until_minutes: 60, noshow_timeout: 15 };

const bookingRequest = (requestId: string, locationId: string, from: string, until: string, extra: Json = {}) => ({
  country_code: 'DE',
  party_id: 'TNM',
  request_id: requestId,
  location_id: locationId,
  tokens: [TOKEN],
  period: { start_from: from, end_before: until },
  authorization_reference: `AUTH-${requestId}`,
  ...extra,
});

describe('the OCPI 2.3.0 Bookings module through the hub', () => {
  let hub: TestHub;
  const members: Record<string, Member> = {};

  async function join(countryCode: string, partyId: string, role: string, version: '2.2.1' | '2.3.0', endpoints: PartnerEndpoint[], answer?: TestPartner['options']['answer']): Promise<Member> {
    const created = await hub.admin.post('/admin/parties', { country_code: countryCode, party_id: partyId, roles: [role], name: `${partyId} ${role}` });
    const partner = await startPartner({ countryCode, partyId, role, version, endpoints, ...(answer && { answer }) });
    const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
    if (body.status_code !== 1000) throw new Error(`could not register ${partyId}: ${JSON.stringify(body)}`);
    const ocpi = axios.create({
      baseURL: `${hub.url}/ocpi/${version}`,
      validateStatus: () => true,
      headers: { Authorization: partner.authorization(body.data.token), 'OCPI-from-country-code': countryCode, 'OCPI-from-party-id': partyId },
    });
    return (members[partyId] = { partner, ocpi });
  }
  const agree = async (cpo: string, emsp: string) => expect((await hub.admin.post('/admin/agreements', { cpo, emsp })).status).toBe(201);
  const toCpo = { 'OCPI-to-country-code': 'BE', 'OCPI-to-party-id': 'BEC' };

  /** BEC answers a BookingRequest as PENDING: its definite answer follows as a push. */
  const becAnswers = (req: { method: string; path: string; body?: unknown }) => {
    if (req.method !== 'POST' || req.path !== '/ocpi/2.3.0/bookings') return undefined;
    const request = req.body as Json;
    return {
      data: {
        id: `BEC-${request.request_id}`,
        country_code: 'BE',
        party_id: 'BEC',
        request_id: request.request_id,
        location_id: request.location_id,
        booking_tokens: request.tokens,
        period: request.period,
        reservation_status: 'PENDING',
        authorization_reference: request.authorization_reference,
        booking_terms: TERMS,
        booking_requests: [{ request_status: 'PENDING', booking_request: request, request_received: '2030-01-01T10:00:00Z' }],
        last_updated: '2030-01-01T10:00:00Z',
      },
    };
  };

  beforeAll(async () => {
    hub = await startTestHub({ env: { OCPI_VERSIONS: '2.2.1,2.3.0', BOOKING_NO_SHOW_GRACE_MINUTES: '10' } });
    await join('BE', 'BEC', 'CPO', '2.3.0', CPO_ENDPOINTS, becAnswers);
    await join('DE', 'TNM', 'EMSP', '2.3.0', EMSP_ENDPOINTS);
    await join('NL', 'OLD', 'EMSP', '2.2.1', EMSP_ENDPOINTS);
    for (const emsp of ['DE/TNM', 'NL/OLD']) await agree('BE/BEC', emsp);
    // The hub's own CPO, with one location of two EVSEs (3 × 32 A × 230 V each: 22.08 kW apiece).
    const own = hub.services.ownCpo;
    await agree(`${own.countryCode}/${own.partyId}`, 'DE/TNM');
    await hub.services.tariffs.put(own, undefined, OWN_TARIFF.id, OWN_TARIFF);
    await hub.services.locations.change(own, undefined, { locationId: 'SITE1' }, 'PUT', ownLocation('SITE1', ['E1', 'E2']));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(members).map((m) => m.partner.stop()));
    await hub?.close();
  });

  it('lists the bookings endpoints in the 2.3.0 version details only; 2.2.1 has no such routes', async () => {
    const v230 = (await members.TNM.ocpi.get(`${hub.url}/ocpi/2.3.0`)).data.data.endpoints as Json[];
    expect(v230.filter((e) => e.identifier === 'bookings')).toEqual([
      { identifier: 'bookings', role: 'SENDER', url: `${hub.url}/ocpi/2.3.0/sender/bookings` },
      { identifier: 'bookings', role: 'RECEIVER', url: `${hub.url}/ocpi/2.3.0/receiver/bookings` },
    ]);
    const v221 = (await members.OLD.ocpi.get(`${hub.url}/ocpi/2.2.1`)).data.data.endpoints as Json[];
    expect(v221.map((e) => e.identifier)).not.toContain('bookings');
    expect((await members.OLD.ocpi.post('/sender/bookings', bookingRequest('X', 'L1', '2030-06-01T10:00:00Z', '2030-06-01T11:00:00Z'))).status).toBe(404);
  });

  it('passes a CPO\'s BookingLocation on to the eMSPs that speak the module, and lets them read it', async () => {
    const location = {
      country_code: 'BE',
      party_id: 'BEC',
      id: 'BL-1',
      location_id: 'LOC-BE-1',
      evse_uid: 'BE-EVSE-1',
      booking_terms: [TERMS],
      calendars: [{ id: 'CAL-1', begin_from: '2030-06-01T00:00:00Z', end_before: '2030-06-02T00:00:00Z', step_size: 15, available_timeslots: [{ start_from: '2030-06-01T08:00:00Z', end_before: '2030-06-01T18:00:00Z', max_power: 22000 }], last_updated: '2030-01-01T09:00:00Z' }],
      last_updated: '2030-01-01T09:00:00Z',
    };
    const put = await members.BEC.ocpi.put('/receiver/bookings/BE/BEC/booking_locations/BL-1', location);
    expect(put.data.status_code).toBe(1000);
    const pushed = await waitFor(() => members.TNM.partner.received('PUT', '/ocpi/2.3.0/bookings/BE/BEC/booking_locations/BL-1')[0], 'the BookingLocation at TNM');
    expect(pushed.body).toEqual(location);
    expect((await members.TNM.ocpi.get('/sender/bookings/booking_locations')).data.data).toEqual([location]);
    expect((await members.TNM.ocpi.get('/sender/bookings/booking_locations/BL-1/CAL-1')).data.data).toEqual(location.calendars[0]);
    expect((await members.TNM.ocpi.get('/sender/bookings/booking_locations/BL-1/NOPE')).data.status_code).toBe(2000);
    // A BookingLocation without an EVSE or parking options is refused, and nothing is passed on.
    const bad = await members.BEC.ocpi.put('/receiver/bookings/BE/BEC/booking_locations/BL-2', { ...location, id: 'BL-2', evse_uid: undefined });
    expect(bad.data.status_code).toBe(2001);
    expect(members.OLD.partner.received('PUT', '/ocpi/2.2.1/bookings').length).toBe(0);
  });

  it('an eMSP books at a partner CPO: the request is forwarded, the CPO\'s Booking answered, its pushes passed on', async () => {
    const request = bookingRequest('REQ-1', 'LOC-BE-1', '2030-06-01T10:00:00Z', '2030-06-01T11:00:00Z', { evse_uid: 'BE-EVSE-1' });
    const answered = await members.TNM.ocpi.post('/sender/bookings', request, { headers: toCpo });
    expect(answered.data).toMatchObject({ status_code: 1000, data: { id: 'BEC-REQ-1', reservation_status: 'PENDING', request_id: 'REQ-1' } });
    const forwarded = members.BEC.partner.received('POST', '/ocpi/2.3.0/bookings');
    expect(forwarded.map((r) => r.body)).toEqual([request]);
    expect(forwarded[0].headers['ocpi-from-party-id']).toBe('TNM');

    // The CPO's definite answer: a PUT of the Booking, RESERVED, passed on to TNM (the party of its request).
    const reserved = { ...answered.data.data, reservation_status: 'RESERVED', booking_requests: [{ ...answered.data.data.booking_requests[0], request_status: 'ACCEPTED' }], last_updated: '2030-01-01T10:01:00Z' };
    expect((await members.BEC.ocpi.put('/receiver/bookings/BE/BEC/BEC-REQ-1', reserved)).data.status_code).toBe(1000);
    const put = await waitFor(() => members.TNM.partner.received('PUT', '/ocpi/2.3.0/bookings/BE/BEC/BEC-REQ-1')[0], 'the Booking at TNM');
    expect(put.body).toEqual(reserved);
    // Later the session fulfils it: a PATCH, merged at the hub and passed on.
    const patch = { reservation_status: 'FULFILLED', last_updated: '2030-06-01T10:05:00Z' };
    expect((await members.BEC.ocpi.patch('/receiver/bookings/BE/BEC/BEC-REQ-1', patch)).data.status_code).toBe(1000);
    expect((await waitFor(() => members.TNM.partner.received('PATCH', '/ocpi/2.3.0/bookings/BE/BEC/BEC-REQ-1')[0], 'the PATCH at TNM')).body).toEqual(patch);
    const listed = (await members.TNM.ocpi.get('/sender/bookings')).data.data as Json[];
    expect(listed.find((b) => b.id === 'BEC-REQ-1')).toMatchObject({ reservation_status: 'FULFILLED', last_updated: '2030-06-01T10:05:00Z' });
    // The CPO reads back what it holds; nobody else's booking is another eMSP's business.
    expect((await members.BEC.ocpi.get('/receiver/bookings/BE/BEC/BEC-REQ-1')).data.data.reservation_status).toBe('FULFILLED');
    const others = await members.OLD.ocpi.get(`${hub.url}/ocpi/2.3.0/sender/bookings`);
    expect(others.data).toMatchObject({ status_code: 1000, data: [] });
  });

  it('refuses what cannot be routed or read: another eMSP\'s name, an unknown location, a CPO\'s Booking for an eMSP without agreement', async () => {
    const other = await members.TNM.ocpi.post('/sender/bookings', { ...bookingRequest('REQ-2', 'LOC-BE-1', '2030-06-01T12:00:00Z', '2030-06-01T13:00:00Z'), party_id: 'XXX' }, { headers: toCpo });
    expect(other.data.status_code).toBe(2001);
    const unknown = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('REQ-3', 'NOWHERE', '2030-06-01T12:00:00Z', '2030-06-01T13:00:00Z'));
    expect(unknown.data.status_code).toBe(2003);
    const stray = await members.BEC.ocpi.put('/receiver/bookings/BE/BEC/B-STRAY', {
      ...becAnswers({ method: 'POST', path: '/ocpi/2.3.0/bookings', body: { ...bookingRequest('REQ-4', 'LOC-BE-1', '2030-06-01T12:00:00Z', '2030-06-01T13:00:00Z'), country_code: 'FR', party_id: 'NOP' } })!.data,
      id: 'B-STRAY',
    });
    expect(stray.data.status_code).toBe(4001);
    expect(members.BEC.partner.received('POST', '/ocpi/2.3.0/bookings').length).toBe(1);
  });

  it('the own CPO decides at once: accepted (RESERVED), refused with the reasons (REJECTED), cancelled by the eMSP', async () => {
    // Routed by the location: SITE1 is the own CPO's.
    const first = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-1', 'SITE1', '2030-07-01T08:00:00Z', '2030-07-01T09:00:00Z', { evse_uid: 'E1', power_required: 22 }));
    expect(first.data).toMatchObject({
      status_code: 1000,
      data: { country_code: 'NL', party_id: 'HUB', request_id: 'OWN-1', location_id: 'SITE1', evse_uid: 'E1', reservation_status: 'RESERVED', booking_terms: { noshow_timeout: 10 } },
    });
    const stored = await hub.services.ownBookings.get(first.data.data.id);
    expect(stored).toMatchObject({ status: 'RESERVED', powerW: 22000, idToken: 'TNM-RFID-1', requester: { country_code: 'DE', party_id: 'TNM', request_id: 'OWN-1' } });

    const taken = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-2', 'SITE1', '2030-07-01T08:30:00Z', '2030-07-01T09:30:00Z', { evse_uid: 'E1', power_required: 11 }));
    expect(taken.data).toMatchObject({ status_code: 1000, data: { reservation_status: 'REJECTED', booking_requests: [{ request_status: 'DECLINED' }] } });
    expect(taken.data.status_message).toMatch(/EVSE E1 is booked by/);
    // 22 kW held on E1 and 44.16 kW in all (2 × 3 × 32 A × 230 V): 30 kW more on E2 is over by 7.84 kW.
    const over = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-3', 'SITE1', '2030-07-01T08:00:00Z', '2030-07-01T09:00:00Z', { evse_uid: 'E2', power_required: 30 }));
    expect(over.data.data.reservation_status).toBe('REJECTED');
    expect(over.data.status_message).toMatch(/at most by 7840 W/);
    const past = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-4', 'SITE1', '2020-07-01T08:00:00Z', '2020-07-01T09:00:00Z', { evse_uid: 'E2' }));
    expect(past.data.status_code).toBe(2001);

    const cancel = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-1', 'SITE1', '2030-07-01T08:00:00Z', '2030-07-01T09:00:00Z', { evse_uid: 'E1', canceled: { cancellation_reason: 'TRAFFIC', who_canceled: 'EMSP' } }));
    expect(cancel.data.data).toMatchObject({ id: first.data.data.id, reservation_status: 'CANCELED', canceled: { cancellation_reason: 'TRAFFIC', who_canceled: 'EMSP' } });
    expect((await hub.services.ownBookings.get(first.data.data.id))!.status).toBe('CANCELED');
    // Every change of an own booking is pushed to the eMSP that made it.
    const pushes = await waitFor(() => {
      const got = members.TNM.partner.received('PUT', `/ocpi/2.3.0/bookings/NL/HUB/${first.data.data.id}`).map((r) => (r.body as Json).reservation_status);
      return got.includes('CANCELED') && got;
    }, 'the own booking pushed to TNM');
    expect(pushes).toEqual(['RESERVED', 'CANCELED']);
    // A cancelled request is final: sent again it is declined, naming why.
    const resent = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-1', 'SITE1', '2030-07-01T08:00:00Z', '2030-07-01T09:00:00Z', { evse_uid: 'E1' }));
    expect(resent.data).toMatchObject({ data: { reservation_status: 'CANCELED', booking_requests: [{ request_status: 'ACCEPTED' }, { request_status: 'DECLINED' }] } });
    expect(resent.data.status_message).toMatch(/is CANCELED: book again with a new request_id/);
    // The capacity is free again: the same window books.
    const again = await members.TNM.ocpi.post('/sender/bookings', bookingRequest('OWN-5', 'SITE1', '2030-07-01T08:00:00Z', '2030-07-01T09:00:00Z', { evse_uid: 'E1', power_required: 22 }));
    expect(again.data.data.reservation_status).toBe('RESERVED');
  });
});
