import type { RPCClient } from 'ocpp-rpc';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { waitFor } from '../../support/network';
import { OWN, ownLocation, rfidToken, startOwnNetwork, type OwnNetwork } from '../../support/own-network';

/**
 * Bookings at the hub's own locations through the admin API, on a real database and real OCPP
 * chargers: the booking rules (overlaps, the site's capacity over time, opening hours on a DST day),
 * the EVSE reserved on its charger at the window's start, a no-show freeing it, a booking fulfilled by
 * a session, cancellation. The scheduled job is driven with chosen instants (tick(at)), so nothing sleeps.
 */
describe('bookings at the own CPO', () => {
  let net: OwnNetwork;
  let cp16: RPCClient;
  let cs201: RPCClient;
  const calls: { charger: string; action: string; params: Record<string, any> }[] = [];
  const evsePatches = (location: string, evse: string) =>
    net.parties.EM1.partner.received('PATCH', `/ocpi/2.2.1/locations/${OWN.countryCode}/${OWN.partyId}/${location}/${evse}`).map((r) => (r.body as { status: string }).status);
  const book = (body: Record<string, unknown>) => net.hub.admin.post('/admin/bookings', body);
  /** Runs the bookings job at `at`; what it did to the bookings named (earlier tests' bookings become no-shows too). */
  const tick = async (at: string, ...ids: string[]) => {
    const done = await net.hub.services.ownBookings.tick(new Date(at));
    return { reserved: done.reserved.filter((id) => ids.includes(id)), noShows: done.noShows.filter((id) => ids.includes(id)) };
  };

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3'], hub: { env: { BOOKING_NO_SHOW_GRACE_MINUTES: '15', BOOKING_FREE_CANCEL_MINUTES: '60' } } });
    await net.addCharger('BK16', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('BK201', 'ocpp2.0.1', 'SITE1', 'E2');
    // SITE1's chargers are behind a 30 kW connection, lowered to 12 kW from 17:00 to 20:00 local time.
    const site = await net.hub.admin.put('/admin/sites/BOOKSITE', {
      time_zone: 'Europe/Amsterdam',
      limit: { kilowatts: 30 },
      time_windows: [{ start: '17:00', end: '20:00', limit: { kilowatts: 12 } }],
      chargers: [
        { charger_id: 'BK16', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] },
        { charger_id: 'BK201', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] },
      ],
    });
    expect(site.status).toBe(201);
    // SITE2 (no chargers, no site: its EVSE's 22 kW is its capacity) opens 07:00–19:00 local every day.
    await net.hub.services.locations.change(net.hub.services.ownCpo, undefined, { locationId: 'SITE2' }, 'PUT', {
      ...ownLocation('SITE2', ['F1']),
      opening_times: { twentyfourseven: false, regular_hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, period_begin: '07:00', period_end: '19:00' })) },
    });
    cp16 = await net.connect('BK16', 'ocpp1.6');
    cs201 = await net.connect('BK201', 'ocpp2.0.1');
    for (const [id, client] of [['BK16', cp16], ['BK201', cs201]] as const) {
      for (const action of ['ReserveNow', 'CancelReservation']) {
        client.handle(action, async ({ params }: { params?: Record<string, any> }) => {
          calls.push({ charger: id, action, params: params ?? {} });
          return { status: 'Accepted' };
        });
      }
    }
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  });
  afterAll(() => net.close());

  it('refuses an overlapping booking of the same EVSE, naming the booking that holds it; touching windows are fine', async () => {
    const first = await book({ id: 'OV-1', location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-03T08:00:00Z', until: '2030-06-03T09:00:00Z', power_kw: 11, id_token: 'TOK1' });
    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({ id: 'OV-1', status: 'RESERVED', power_w: 11000, no_show_at: '2030-06-03T08:15:00.000Z', reserved_on_charger: false });
    const overlapping = await book({ location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-03T08:30:00Z', until: '2030-06-03T09:30:00Z', power_kw: 11, id_token: 'TOK2' });
    expect(overlapping.status).toBe(409);
    expect(overlapping.data).toMatchObject({ error: { code: 'booking_refused' }, refusals: [{ reason: 'evse-taken', evseUid: 'E1', bookingIds: ['OV-1'] }] });
    const touching = await book({ id: 'OV-2', location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-03T09:00:00Z', until: '2030-06-03T10:00:00Z', power_kw: 11, id_token: 'TOK2' });
    expect(touching.status).toBe(201);
    expect((await net.hub.admin.get('/admin/bookings?location=SITE1&from=2030-06-03T00:00:00Z&to=2030-06-04T00:00:00Z')).data.map((b: { id: string }) => b.id)).toEqual(['OV-1', 'OV-2']);
  });

  it("refuses what would go over the site's capacity in any slot, saying by how much; the peak window counts", async () => {
    expect((await book({ id: 'CAP-1', location_id: 'SITE1', from: '2030-06-04T08:00:00Z', until: '2030-06-04T09:00:00Z', power_kw: 20 })).status).toBe(201);
    const over = await book({ location_id: 'SITE1', from: '2030-06-04T08:30:00Z', until: '2030-06-04T09:30:00Z', power_kw: 15 });
    expect(over.status).toBe(409);
    expect(over.data.refusals).toEqual([
      {
        reason: 'over-capacity',
        slots: [
          { start: '2030-06-04T08:30:00.000Z', end: '2030-06-04T08:45:00.000Z', capacityW: 30000, bookedW: 20000, requestedW: 15000, overByW: 5000 },
          { start: '2030-06-04T08:45:00.000Z', end: '2030-06-04T09:00:00.000Z', capacityW: 30000, bookedW: 20000, requestedW: 15000, overByW: 5000 },
        ],
      },
    ]);
    expect(over.data.error.message).toMatch(/at most by 5000 W/);
    expect((await book({ id: 'CAP-2', location_id: 'SITE1', from: '2030-06-04T08:30:00Z', until: '2030-06-04T09:30:00Z', power_kw: 10 })).status).toBe(201);
    // 19:00 local (CEST) is 17:00 UTC: inside the 12 kW peak window.
    const peak = await book({ location_id: 'SITE1', from: '2030-06-04T16:45:00Z', until: '2030-06-04T17:15:00Z', power_kw: 15 });
    expect(peak.status).toBe(409);
    expect(peak.data.refusals[0].slots.map((s: { start: string; capacityW: number }) => [s.start, s.capacityW])).toEqual([
      ['2030-06-04T16:45:00.000Z', 12000],
      ['2030-06-04T17:00:00.000Z', 12000],
    ]);
  });

  it('decides bookings of one location one at a time: of two that fit alone but not together, one is accepted', async () => {
    const both = await Promise.all([
      book({ location_id: 'SITE1', from: '2030-06-10T08:00:00Z', until: '2030-06-10T09:00:00Z', power_kw: 20 }),
      book({ location_id: 'SITE1', from: '2030-06-10T08:00:00Z', until: '2030-06-10T09:00:00Z', power_kw: 20 }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('follows the opening hours in local time across the spring DST change in Europe/Amsterdam', async () => {
    // Sunday 30 March 2030 is still CET (07:00 local = 06:00Z); on Sunday 31 March clocks go to CEST (07:00 = 05:00Z).
    const dayBefore = await book({ location_id: 'SITE2', from: '2030-03-30T05:00:00Z', until: '2030-03-30T06:00:00Z', power_kw: 11 });
    expect(dayBefore.status).toBe(409);
    expect(dayBefore.data.refusals).toEqual([{ reason: 'closed', periods: [{ from: '2030-03-30T05:00:00.000Z', until: '2030-03-30T06:00:00.000Z' }] }]);
    expect((await book({ id: 'DST-1', location_id: 'SITE2', from: '2030-03-31T05:00:00Z', until: '2030-03-31T06:00:00Z', power_kw: 11 })).status).toBe(201);
    const early = await book({ location_id: 'SITE2', from: '2030-03-31T04:30:00Z', until: '2030-03-31T05:30:00Z', power_kw: 11 });
    // Closed until 07:00 CEST = 05:00Z; the capacity is fine (its 22 kW EVSE: DST-1's 11 kW + 11 kW).
    expect(early.data.refusals).toEqual([{ reason: 'closed', periods: [{ from: '2030-03-31T04:30:00.000Z', until: '2030-03-31T05:00:00.000Z' }] }]);
    // The free windows of that day: 07:00–19:00 local, i.e. 05:00Z–17:00Z, with DST-1's 11 kW held over 05:00–06:00 (of 3 × 32 A × 230 V).
    const free = await net.hub.admin.get('/admin/bookings/availability?location=SITE2&from=2030-03-31T00:00:00Z&to=2030-04-01T00:00:00Z&power_kw=11');
    expect(free.status).toBe(200);
    expect(free.data).toEqual({
      location_id: 'SITE2',
      time_zone: 'Europe/Amsterdam',
      windows: [{ evse_uid: 'F1', from: '2030-03-31T05:00:00.000Z', until: '2030-03-31T17:00:00.000Z', free_w: 11080 }],
    });
  });

  it('searches the free windows of a location given its bookings and capacity', async () => {
    const free = await net.hub.admin.get('/admin/bookings/availability?location=SITE1&from=2030-06-03T07:00:00Z&to=2030-06-03T11:00:00Z&power_kw=11&minimum_minutes=60');
    expect(free.status).toBe(200);
    expect(free.data.windows).toEqual([
      { evse_uid: 'E1', from: '2030-06-03T07:00:00.000Z', until: '2030-06-03T08:00:00.000Z', free_w: 30000 },
      { evse_uid: 'E1', from: '2030-06-03T10:00:00.000Z', until: '2030-06-03T11:00:00.000Z', free_w: 30000 },
      { evse_uid: 'E2', from: '2030-06-03T07:00:00.000Z', until: '2030-06-03T11:00:00.000Z', free_w: 19000 },
      { evse_uid: 'E3', from: '2030-06-03T07:00:00.000Z', until: '2030-06-03T11:00:00.000Z', free_w: 19000 },
    ]);
    const one = await net.hub.admin.get('/admin/bookings/availability?location=SITE1&evse=E9&from=2030-06-03T07:00:00Z&to=2030-06-03T11:00:00Z');
    expect(one.status).toBe(404);
  });

  it('reserves the EVSE on its charger at the window start (ReserveNow) and frees it as a no-show after the grace period', async () => {
    expect((await book({ id: 'NS-1', location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-05T08:00:00Z', until: '2030-06-05T09:00:00Z', power_kw: 11, id_token: 'NSTOK' })).status).toBe(201);
    expect(await tick('2030-06-05T07:59:59Z', 'NS-1')).toEqual({ reserved: [], noShows: [] });
    expect(await tick('2030-06-05T08:00:00Z', 'NS-1')).toEqual({ reserved: ['NS-1'], noShows: [] });
    expect(calls.filter((c) => c.action === 'ReserveNow').at(-1)).toEqual({
      charger: 'BK16',
      action: 'ReserveNow',
      params: { connectorId: 1, expiryDate: '2030-06-05T08:15:00.000Z', idTag: 'NSTOK', reservationId: expect.any(Number) },
    });
    await waitFor(() => evsePatches('SITE1', 'E1').at(-1) === 'RESERVED', 'E1 RESERVED at the eMSP');
    expect((await net.hub.admin.get('/admin/bookings/NS-1')).data).toMatchObject({ status: 'RESERVED', reserved_on_charger: true });
    // A second tick in the window does not reserve again.
    expect(await tick('2030-06-05T08:05:00Z', 'NS-1')).toEqual({ reserved: [], noShows: [] });
    expect(await tick('2030-06-05T08:15:00Z', 'NS-1')).toEqual({ reserved: [], noShows: ['NS-1'] });
    expect((await net.hub.admin.get('/admin/bookings/NS-1')).data.status).toBe('NO_SHOW');
    await waitFor(() => evsePatches('SITE1', 'E1').at(-1) === 'AVAILABLE', 'E1 AVAILABLE after the no-show');
    const [reservation] = await net.hub.services.db.query(`SELECT r.status FROM ocpp_reservations r JOIN own_bookings b ON b.reservation_id = r.id WHERE b.id = 'NS-1'`);
    expect(reservation.status).toBe('EXPIRED');
    // The no-show holds nothing any more: the rest of its window can be booked.
    expect((await book({ location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-05T08:30:00Z', until: '2030-06-05T09:00:00Z', power_kw: 11, id_token: 'LATE' })).status).toBe(201);
  });

  it('a session started on the reservation fulfils the booking', async () => {
    await net.pushToken('EM1', rfidToken({ countryCode: 'NL', partyId: 'EM1' }, 'FULTOK'));
    expect((await book({ id: 'FU-1', location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-06T08:00:00Z', until: '2030-06-06T09:00:00Z', power_kw: 11, id_token: 'FULTOK' })).status).toBe(201);
    expect((await tick('2030-06-06T08:00:00Z', 'FU-1')).reserved).toEqual(['FU-1']);
    const reservationId = calls.filter((c) => c.action === 'ReserveNow').at(-1)!.params.reservationId;
    await cp16.call('StartTransaction', { connectorId: 1, idTag: 'FULTOK', meterStart: 0, timestamp: new Date().toISOString(), reservationId });
    await waitFor(async () => (await net.hub.admin.get('/admin/bookings/FU-1')).data.status === 'FULFILLED', 'the booking fulfilled');
    // Fulfilled is final: the no-show deadline passes without changing it.
    expect(await tick('2030-06-06T08:30:00Z', 'FU-1')).toEqual({ reserved: [], noShows: [] });
  });

  it('cancellation frees the capacity at once and cancels the reservation on a 2.0.1 station', async () => {
    expect((await book({ id: 'CA-1', location_id: 'SITE1', evse_uid: 'E2', from: '2030-06-07T08:00:00Z', until: '2030-06-07T09:00:00Z', power_kw: 22, id_token: 'CATOK' })).status).toBe(201);
    expect((await tick('2030-06-07T08:00:00Z', 'CA-1')).reserved).toEqual(['CA-1']);
    const reserve = calls.filter((c) => c.charger === 'BK201' && c.action === 'ReserveNow').at(-1)!;
    expect(reserve.params).toEqual({ id: expect.any(Number), evseId: 1, expiryDateTime: '2030-06-07T08:15:00.000Z', idToken: { idToken: 'CATOK', type: 'Central' } });
    await waitFor(() => evsePatches('SITE1', 'E2').at(-1) === 'RESERVED', 'E2 RESERVED');
    const canceled = await net.hub.admin.delete('/admin/bookings/CA-1?reason=BROKEN_CHARGER');
    expect(canceled.status).toBe(200);
    expect(canceled.data).toMatchObject({ status: 'CANCELED', canceled: { cancellation_reason: 'BROKEN_CHARGER', who_canceled: 'CPO', late: false } });
    expect(calls.filter((c) => c.charger === 'BK201' && c.action === 'CancelReservation').at(-1)!.params).toEqual({ reservationId: reserve.params.id });
    await waitFor(() => evsePatches('SITE1', 'E2').at(-1) === 'AVAILABLE', 'E2 AVAILABLE');
    expect((await net.hub.admin.delete('/admin/bookings/CA-1')).status).toBe(409);
    // 22 kW held and now free: the same window books again.
    expect((await book({ location_id: 'SITE1', evse_uid: 'E2', from: '2030-06-07T08:00:00Z', until: '2030-06-07T09:00:00Z', power_kw: 22, id_token: 'CATOK2' })).status).toBe(201);
  });

  it('the CLI books, searches, lists and cancels through the admin API', async () => {
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
      return { code, out, err };
    };
    const added = await cli('booking', 'add', '--location', 'SITE1', '--evse', 'E3', '--id-token', 'CLITOK', '--from', '2030-06-09T08:00:00Z', '--until', '2030-06-09T09:00:00Z', '--energy-kwh', '11');
    expect(added.code).toBe(0);
    const booking = JSON.parse(added.out);
    expect(booking).toMatchObject({ location_id: 'SITE1', evse_uid: 'E3', power_w: 11000, status: 'RESERVED' });
    const refused = await cli('booking', 'add', '--location', 'SITE1', '--from', '2030-06-09T08:00:00Z', '--until', '2030-06-09T09:00:00Z', '--power-kw', '25');
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('at most by 6000 W') });
    const free = await cli('booking', 'availability', '--location', 'SITE1', '--evse', 'E3', '--from', '2030-06-09T07:00:00Z', '--to', '2030-06-09T10:00:00Z', '--power-kw', '11');
    expect(JSON.parse(free.out).windows.map((w: { from: string; until: string }) => [w.from, w.until])).toEqual([
      ['2030-06-09T07:00:00.000Z', '2030-06-09T08:00:00.000Z'],
      ['2030-06-09T09:00:00.000Z', '2030-06-09T10:00:00.000Z'],
    ]);
    expect(JSON.parse((await cli('booking', 'list', '--location', 'SITE1', '--from', '2030-06-09T00:00:00Z', '--to', '2030-06-10T00:00:00Z')).out).map((b: { id: string }) => b.id)).toEqual([booking.id]);
    expect(JSON.parse((await cli('booking', 'cancel', booking.id, '--reason', 'FULL')).out)).toMatchObject({ status: 'CANCELED', canceled: { cancellation_reason: 'FULL' } });
    expect((await cli('booking', 'add', '--location', 'SITE1', '--from', '2030-06-09T08:00:00Z', '--until', '2030-06-09T09:00:00Z')).code).toBe(2);
  });

  it('bad requests change nothing', async () => {
    const before = (await net.hub.admin.get('/admin/bookings')).data.length;
    expect((await book({ location_id: 'SITE1', from: '2030-06-08T08:00:00Z', until: '2030-06-08T09:00:00Z' })).status).toBe(400);
    expect((await book({ location_id: 'SITE1', from: '2020-06-08T08:00:00Z', until: '2020-06-08T09:00:00Z', power_kw: 5 })).status).toBe(400);
    expect((await book({ location_id: 'SITE1', evse_uid: 'E1', from: '2030-06-08T08:00:00Z', until: '2030-06-08T09:00:00Z', power_kw: 5 })).data.error.message).toMatch(/token/);
    expect((await book({ location_id: 'NOWHERE', from: '2030-06-08T08:00:00Z', until: '2030-06-08T09:00:00Z', power_kw: 5 })).status).toBe(404);
    expect((await book({ location_id: 'SITE1', evse_uid: 'E9', from: '2030-06-08T08:00:00Z', until: '2030-06-08T09:00:00Z', power_kw: 5, id_token: 'X' })).status).toBe(404);
    expect((await book({ location_id: 'SITE1', from: '2030-06-08T09:00:00Z', until: '2030-06-08T08:00:00Z', power_kw: 5 })).data.refusals[0].reason).toBe('invalid');
    expect((await net.hub.admin.get('/admin/bookings/NOPE')).status).toBe(404);
    expect((await net.hub.admin.get('/admin/bookings')).data.length).toBe(before);
  });
});
