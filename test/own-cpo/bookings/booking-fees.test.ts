import { OWN, rfidToken, startOwnNetwork, type OwnNetwork } from '../../support/own-network';
import { waitFor } from '../../support/network';

/**
 * No-show and late-cancellation fees at the own CPO, with a real hub, real PostgreSQL and real eMSP
 * partner servers: an unused booking is priced by the pricing engine under the tariff's reservation
 * elements into a CDR for the booking's token, sent to that token's eMSP through the normal CDR path
 * and settled like any CDR; the tariff is the eMSP's own where it has one; a booking cancelled in time
 * costs nothing. The bookings job runs at chosen instants (tick(at)).
 */
/** A whole minute `minutes` from now (bookings start in the future; the job runs at instants after them). */
const soon = (minutes: number) => new Date(Math.ceil(Date.now() / 60_000) * 60_000 + minutes * 60_000);
const iso = (at: Date, plusMinutes = 0) => new Date(at.getTime() + plusMinutes * 60_000).toISOString();
const ocpiTime = (at: Date, plusMinutes = 0) => iso(at, plusMinutes).replace('.000Z', 'Z');

describe('fees for unused bookings', () => {
  let net: OwnNetwork;
  const admin = () => net.hub.admin;
  const book = (body: Record<string, unknown>) => admin().post('/admin/bookings', body);
  const cdrsAt = (emsp: 'EM1' | 'EM2') => net.parties[emsp].partner.received('POST', '/ocpi/2.2.1/cdrs').map((r) => r.body as Record<string, any>);
  const fees = async (at: string) => (await net.hub.services.ownBookings.tick(new Date(at))).fees;

  beforeAll(async () => {
    // Grace 60 min, free cancellation until 60 min before the start.
    net = await startOwnNetwork({ emsps: ['NL/EM1', 'DE/EM2'], evses: ['E1', 'E2'], hub: { env: { BOOKING_NO_SHOW_GRACE_MINUTES: '60', BOOKING_FREE_CANCEL_MINUTES: '60' } } });
    await net.pushToken('EM1', rfidToken({ countryCode: 'NL', partyId: 'EM1' }, 'EM1TOK'));
    await net.pushToken('EM2', rfidToken({ countryCode: 'DE', partyId: 'EM2' }, 'EM2TOK'));
    // OCPI 2.2.1 "Tariff example with reservation price and expire fee" (mod_tariffs, tariff_17): reservation
    // 3.00/h (expired: 2.00/h), a 4.00 expiration fee; VAT 20 %.
    const reservationTariff = {
      kind: 'simple',
      currency: 'EUR',
      vat: 20,
      prices: { energy: 0.25 },
      reservation: { time: 3, expired: { flat: 4, time: 2 } },
    };
    expect((await admin().put('/admin/tariffs/OWN-AC', reservationTariff)).status).toBe(200);
    // EM2's drivers: 0.30/kWh, and a 10.00 fee for an unused booking, nothing per hour.
    expect((await admin().put('/admin/tariffs/EM2-AC', { ...reservationTariff, emsps: ['DE/EM2'], prices: { energy: 0.3 }, reservation: { expired: { flat: 10 } } })).status).toBe(201);
    for (const evse of ['E1', 'E2']) {
      expect((await admin().patch(`/admin/locations/SITE1/evses/${evse}/connectors/1`, { tariff_ids: ['OWN-AC', 'EM2-AC'] })).status).toBe(200);
    }
  });
  afterAll(() => net.close());

  it('charges a no-show the reserved time and the expiration fee, in a CDR to its eMSP, once', async () => {
    const from = soon(10);
    expect((await book({ id: 'NS-1', location_id: 'SITE1', evse_uid: 'E1', from: iso(from), until: iso(from, 120), power_kw: 11, id_token: 'EM1TOK' })).status).toBe(201);
    expect(await fees(iso(from, 59))).toEqual([]);
    expect(await fees(iso(from, 60))).toEqual(['booking-NS-1']);
    expect((await admin().get('/admin/bookings/NS-1')).data.status).toBe('NO_SHOW');
    const cdr = await waitFor(() => cdrsAt('EM1').find((c) => c.id === 'booking-NS-1'), 'the fee CDR at EM1');
    // tariff_17's breakdown of an expired 1-hour reservation: "Flat 1 4.00 … Time 60 minutes 2.00 per hour 2.00 … Total 6.00 … 7.20".
    expect(cdr).toMatchObject({
      country_code: OWN.countryCode,
      party_id: OWN.partyId,
      start_date_time: ocpiTime(from),
      end_date_time: ocpiTime(from, 60),
      cdr_token: { country_code: 'NL', party_id: 'EM1', uid: 'EM1TOK' },
      cdr_location: { id: 'SITE1', evse_uid: 'E1', connector_id: '1' },
      charging_periods: [{ start_date_time: ocpiTime(from), dimensions: [{ type: 'RESERVATION_TIME', volume: 1 }] }],
      total_cost: { excl_vat: 6, incl_vat: 7.2 },
      total_reservation_cost: { excl_vat: 6, incl_vat: 7.2 },
      total_energy: 0,
    });
    expect(cdr.session_id).toBeUndefined();
    expect(cdr.tariffs.map((t: { id: string }) => t.id)).toEqual(['OWN-AC']);
    expect(cdrsAt('EM2').find((c) => c.id === 'booking-NS-1')).toBeUndefined();
    // Charged once.
    expect(await fees(iso(from, 180))).toEqual([]);
  });

  it('charges a late cancellation with the eMSP\'s own tariff, at the no-show deadline', async () => {
    // 30 minutes before its start: after the free cancellation deadline (60 minutes before).
    const from = soon(30);
    expect((await book({ id: 'LC-1', location_id: 'SITE1', evse_uid: 'E2', from: iso(from), until: iso(from, 120), power_kw: 11, id_token: 'EM2TOK' })).status).toBe(201);
    const canceled = await admin().delete('/admin/bookings/LC-1?reason=UNKNOWN');
    expect(canceled.data).toMatchObject({ status: 'CANCELED', canceled: { late: true } });
    expect(await fees(iso(from, 30))).toEqual([]);
    expect(await fees(iso(from, 60))).toEqual(['booking-LC-1']);
    const cdr = await waitFor(() => cdrsAt('EM2').find((c) => c.id === 'booking-LC-1'), 'the fee CDR at EM2');
    expect(cdr).toMatchObject({ cdr_token: { party_id: 'EM2', uid: 'EM2TOK' }, total_cost: { excl_vat: 10, incl_vat: 12 } });
    expect(cdr.tariffs.map((t: { id: string }) => t.id)).toEqual(['EM2-AC']);
    expect(cdrsAt('EM1').find((c) => c.id === 'booking-LC-1')).toBeUndefined();
  });

  it('charges nothing for a booking cancelled in time', async () => {
    // Three hours before its start: in time.
    const from = soon(180);
    expect((await book({ id: 'OK-1', location_id: 'SITE1', evse_uid: 'E1', from: iso(from), until: iso(from, 120), power_kw: 11, id_token: 'EM1TOK' })).status).toBe(201);
    expect((await admin().delete('/admin/bookings/OK-1')).data).toMatchObject({ status: 'CANCELED', canceled: { late: false } });
    expect(await fees(iso(from, 300))).toEqual([]);
    const [row] = await net.hub.services.db.query(`SELECT fee_cdr_id FROM own_bookings WHERE id = 'OK-1'`);
    expect(row.fee_cdr_id).toBeNull();
    expect(cdrsAt('EM1').find((c) => c.id === 'booking-OK-1')).toBeUndefined();
  });

  it("prices a charging session of each eMSP's driver with its tariff for that eMSP (a real OCPP 1.6 charger)", async () => {
    await net.addCharger('FEE16', 'ocpp1.6', 'SITE1', 'E1');
    const cp = await net.connect('FEE16', 'ocpp1.6');
    const start = new Date(Date.now() - 30 * 60_000);
    for (const [emsp, idTag] of [['EM2', 'EM2TOK'], ['EM1', 'EM1TOK']] as const) {
      const started = (await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: start.toISOString() })) as { transactionId: number };
      await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 4000, timestamp: new Date(start.getTime() + 20 * 60_000).toISOString() });
      const cdr = await waitFor(() => cdrsAt(emsp).find((c) => c.session_id && c.cdr_token.uid === idTag), `the session CDR at ${emsp}`);
      // 4 kWh: at EM2's 0.30 = 1.20 excl. (1.44 incl.), at the public 0.25 = 1.00 (1.20).
      expect(cdr.tariffs.map((t: { id: string }) => t.id)).toEqual([emsp === 'EM2' ? 'EM2-AC' : 'OWN-AC']);
      expect(cdr.total_cost).toEqual(emsp === 'EM2' ? { excl_vat: 1.2, incl_vat: 1.44 } : { excl_vat: 1, incl_vat: 1.2 });
    }
    expect(cdrsAt('EM1').some((c) => c.tariffs?.some((t: { id: string }) => t.id === 'EM2-AC'))).toBe(false);
  });

  it('puts the fees on the settlement statements of their eMSPs', async () => {
    const run = await admin().post('/admin/settlement/runs', { period: new Date().toISOString().slice(0, 7) });
    expect(run.status).toBe(201);
    expect(run.data.lines_written).toBe(4); // the two fees and the two sessions above
    // Each statement (one per CPO/eMSP pair): its pair and the CDRs on its lines.
    const statements = await Promise.all(
      run.data.statements.map(async (s: { id: string }) => ({
        statement: JSON.stringify((await admin().get(`/admin/settlement/statements/${s.id}`)).data.statement),
        lines: JSON.stringify((await admin().get(`/admin/settlement/statements/${s.id}/lines`)).data),
      })),
    );
    const holding = (cdrId: string) => statements.filter((s) => s.lines.includes(cdrId));
    expect(holding('booking-NS-1')).toHaveLength(1);
    expect(holding('booking-NS-1')[0].statement).toContain('NL/EM1');
    expect(holding('booking-LC-1')).toHaveLength(1);
    expect(holding('booking-LC-1')[0].statement).toContain('DE/EM2');
  });
});
