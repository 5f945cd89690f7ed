import { evseTotals, emptyHistory, figuresOf, type EvseHistory } from '../../../src/core/reliability/reliability-core';
import { ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { example, startNetwork, type TestNetwork } from '../../support/network';

const H = 3_600_000;
const DAY = Date.UTC(2026, 0, 10); // a past day: the test hub's own presence marks come much later
const iso = (t: number) => new Date(t).toISOString();

describe('reliability adapters: status history from real pushes, measures from hand-built histories in PostgreSQL', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startNetwork({ cpos: ['NL/CPA'], emsps: [] });
  });
  afterAll(async () => net?.close());

  const history = async (location: string) =>
    (await net.hub.services.db.query(`SELECT evse_uid, status, own, max_power_kw FROM evse_status_history WHERE location_id = $1 ORDER BY id`, [location])) as {
      evse_uid: string; status: string; own: boolean; max_power_kw: number;
    }[];

  it('marks the running hub present (time between runs is a hub gap)', async () => {
    const [run] = await net.hub.services.db.query(`SELECT instance, started_at, last_seen_at FROM hub_presence WHERE instance = $1`, [net.hub.services.ocpp.instanceId]);
    expect(run.last_seen_at.getTime()).toBeGreaterThanOrEqual(run.started_at.getTime());
    expect(Date.now() - run.last_seen_at.getTime()).toBeLessThan(120_000);
  });

  it('records every EVSE status change of a partner PUT and PATCH, once, and nothing for unchanged statuses', async () => {
    const { CPA } = net.parties;
    const location = { ...example<Record<string, unknown>>('location_example.json'), country_code: 'NL', party_id: 'CPA', id: 'LOCH' };
    expect((await CPA.ocpi.put('/receiver/locations/NL/CPA/LOCH', location)).data.status_code).toBe(1000);
    expect(await history('LOCH')).toEqual([
      expect.objectContaining({ evse_uid: '3256', status: 'AVAILABLE', own: false }),
      expect.objectContaining({ evse_uid: '3257', status: 'RESERVED', own: false }),
    ]);
    const patch = (status: string, at: string) => CPA.ocpi.patch('/receiver/locations/NL/CPA/LOCH/3256', { status, last_updated: at });
    expect((await patch('CHARGING', '2026-01-10T10:00:00Z')).data.status_code).toBe(1000);
    expect((await patch('CHARGING', '2026-01-10T10:05:00Z')).data.status_code).toBe(1000); // the same status again
    expect((await CPA.ocpi.patch('/receiver/locations/NL/CPA/LOCH/3256/1', { max_amperage: 16, last_updated: '2026-01-10T10:06:00Z' })).data.status_code).toBe(1000);
    const rows = await history('LOCH');
    expect(rows.map((r) => `${r.evse_uid} ${r.status}`)).toEqual(['3256 AVAILABLE', '3257 RESERVED', '3256 CHARGING']);
    // The CPO's own time of the change is kept beside the hub's receipt.
    const [charging] = await net.hub.services.db.query(`SELECT status_at FROM evse_status_history WHERE location_id = 'LOCH' AND status = 'CHARGING'`);
    expect(charging.status_at.toISOString()).toBe('2026-01-10T10:00:00.000Z');
    // A refused push (unknown EVSE) records nothing.
    expect((await CPA.ocpi.patch('/receiver/locations/NL/CPA/LOCH/NOPE', { status: 'OUTOFORDER', last_updated: '2026-01-10T10:07:00Z' })).data.status_code).not.toBe(1000);
    expect(await history('LOCH')).toHaveLength(3);
  });

  describe('a hand-built day with a hub restart, a charger clock reset, an EVSE whose statuses start late', () => {
    const db = () => net.hub.services.db;
    beforeAll(async () => {
      // Two runs of the hub: down from 10:00 (last mark; 2 minutes' grace) to 12:00.
      await db().query(`INSERT INTO hub_presence (instance, started_at, last_seen_at) VALUES ('old:1', $1, $2), ('old:1', $3, $4)`, [
        new Date(DAY - 24 * H), new Date(DAY + 10 * H), new Date(DAY + 12 * H), new Date(DAY + 48 * H),
      ]);
      const put = (evse: string, status: string, statusAt: number, receivedAt = statusAt) =>
        db().query(
          `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
           VALUES ('NL', 'CPA', 'LOC9', $1, false, $2, $3, $4, 150)`,
          [evse, status, new Date(statusAt), new Date(receivedAt)],
        );
      await put('E1', 'AVAILABLE', DAY - H); // in force when the day begins
      await put('E1', 'OUTOFORDER', DAY + 6 * H);
      await put('E1', 'AVAILABLE', DAY + 8 * H);
      // After the restart the status is re-read at 13:00: 12:00–13:00 is no data, not AVAILABLE.
      await put('E1', 'AVAILABLE', DAY + 13 * H);
      // A charger whose clock went back to 1970: placed at the hub's receipt, 18:00.
      await put('E1', 'OUTOFORDER', 0, DAY + 18 * H);
      await put('E1', 'AVAILABLE', DAY + 20 * H);
      // E2 says nothing until 12:30 (missing statuses are no data, never down).
      await put('E2', 'AVAILABLE', DAY + 12.5 * H);
      await net.hub.services.statusHistory.rebuildCurrent(); // rows written by SQL above
      const session = (id: string, status: string, kwh: number, evse = 'E1', start = DAY + 9 * H) =>
        db().query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('sessions', 'NL', 'CPA', $1, $2, $3)`, [
          id,
          JSON.stringify({ id, location_id: 'LOC9', evse_uid: evse, status, kwh, start_date_time: iso(start), end_date_time: iso(start + H), cdr_token: { uid: `driver-${id}` } }),
          new Date(start + H),
        ]);
      const cdr = (id: string, sessionId: string, kwh: number) =>
        db().query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('cdrs', 'NL', 'CPA', $1, $2, $3)`, [
          id,
          JSON.stringify({ id, session_id: sessionId, cdr_location: { id: 'LOC9', evse_uid: 'E1' }, total_energy: kwh, start_date_time: iso(DAY + 14 * H), end_date_time: iso(DAY + 15 * H), cdr_token: { uid: 'driver-cdr' } }),
          new Date(DAY + 15 * H),
        ]);
      await session('S1', 'COMPLETED', 10);
      await session('S2', 'INVALID', 0, 'E1', DAY + 9.5 * H); // nothing flowed: a failed attempt
      await session('S3', 'COMPLETED', 5, 'E1', DAY + 16 * H);
      await cdr('C3', 'S3', 5); // the CDR of S3: the same attempt
      await cdr('C4', 'S-NEVER-SEEN', 7); // a CDR whose session the hub never saw: an attempt of its own
    });

    const period = { from: DAY, to: DAY + 24 * H };

    it('gives the uptime, failures, MTTR and success rate the rules define, and the same totals as the core on the same history', async () => {
      const facts = new ReliabilityFacts({ db: db(), ownCpo: net.hub.services.ownCpo });
      const [e1, e2] = await facts.evses({ cpo: 'NL/CPA', location: 'LOC9' });
      expect([e1.evseUid, e2.evseUid, e1.maxPowerKw]).toEqual(['E1', 'E2', 150]);
      const gaps = await facts.hubGaps(period);
      expect(gaps).toEqual([{ from: DAY + 10 * H + 120_000, to: DAY + 12 * H }]);
      const [h1, h2] = await facts.histories([e1, e2], period);
      const totals = evseTotals(h1, period);
      // Reliable: 0–6, 8–10:02, 13–18, 20–24; not reliable 6–8, 18–20; no data 10:02–13:00.
      expect(totals.time.ukReliableMs).toBe(17 * H + 120_000);
      expect(totals.time.ukNotReliableMs).toBe(4 * H);
      expect(totals.time.unmeasuredMs).toBe(3 * H - 120_000);
      expect(totals.time.failures).toBe(2);
      const f = figuresOf(totals);
      expect(f.uk).toBeCloseTo((17 * H + 120_000) / (21 * H + 120_000), 10);
      expect(f.mttrMs).toBe(2 * H);
      // S1 ok, S2 not started, S3 (+ its CDR) ok, C4 ok: 3 of 4.
      expect(totals.sessions.attempts).toBe(4);
      expect(f.successRate).toBe(0.75);
      // E2: no data until 12:30, then available.
      expect(evseTotals(h2, period).time.unmeasuredMs).toBe(12.5 * H);
      expect(figuresOf(evseTotals(h2, period)).uk).toBe(1);

      // The same history built by hand gives the very same totals through the core.
      const byHand: EvseHistory = {
        ...emptyHistory({ evseId: 'NL/CPA/LOC9/E1', chargerId: 'x', locationId: 'LOC9', cpoId: 'NL/CPA', kind: 'partner', maxPowerKw: 150 }),
        statuses: [
          { at: DAY - H, status: 'AVAILABLE' },
          { at: DAY + 6 * H, status: 'OUTOFORDER' },
          { at: DAY + 8 * H, status: 'AVAILABLE' },
          { at: DAY + 13 * H, status: 'AVAILABLE' },
          { at: 0, status: 'OUTOFORDER', receivedAt: DAY + 18 * H },
          { at: DAY + 20 * H, status: 'AVAILABLE' },
        ],
        hubGaps: [{ from: DAY + 10 * H + 120_000, to: DAY + 12 * H }],
      };
      expect(evseTotals(byHand, period).time).toEqual(totals.time);
    });

    it('answers the same figures through the admin API, with a health explanation, scorecards and CSV', async () => {
      const q = `from=${iso(period.from)}&to=${iso(period.to)}`;
      const one = await net.hub.admin.get(`/admin/reliability/evses/${encodeURIComponent('NL/CPA/LOC9/E1')}?${q}`);
      expect(one.status).toBe(200);
      expect(one.data).toMatchObject({ evse: 'NL/CPA/LOC9/E1', kind: 'partner', attempts: 4, success_rate: 0.75, failures: 2, mttr_hours: 2 });
      expect(one.data.uptime_uk).toBeCloseTo((17 * H + 120_000) / (21 * H + 120_000), 4);
      expect(one.data.time_hours).toMatchObject({ uk_not_reliable: 4 });
      expect(one.data.health.score).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(one.data.health.explanation)).toBe(true);
      expect(one.data.health.not_observed).toContain('reboots'); // a partner's EVSE reports no reboots over OCPI

      const list = await net.hub.admin.get(`/admin/reliability/evses?cpo=NL/CPA&location=LOC9&${q}`);
      expect(list.data.evses.map((e: { evse: string }) => e.evse).sort()).toEqual(['NL/CPA/LOC9/E1', 'NL/CPA/LOC9/E2']);

      const cards = await net.hub.admin.get(`/admin/reliability/partners?${q}`);
      const cpa = cards.data.cpos.find((c: { cpo: string }) => c.cpo === 'NL/CPA');
      expect(cpa).toMatchObject({ attempts: 4, success_rate: 0.75, rapid_evses: expect.any(Number) });
      expect(cpa.worst_evses.length).toBeGreaterThan(0);
      const csv = await net.hub.admin.get(`/admin/reliability/partners.csv?${q}`);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const [header, row] = String(csv.data).split('\r\n');
      expect(header.split(',').slice(0, 6)).toEqual(['cpo', 'from', 'to', 'evses', 'attempts', 'success_rate']);
      expect(row.split(',')).toEqual(expect.arrayContaining(['NL/CPA', '0.75']));
    });

    it('leaves an excluded outage out of the NEVI-style uptime only, and states it; refuses a reversed exclusion', async () => {
      const q = `from=${iso(period.from)}&to=${iso(period.to)}`;
      const body = { cpo: 'NL/CPA', location_id: 'LOC9', evse_uid: 'E1', cause: 'scheduled_maintenance', from: iso(DAY + 6 * H), to: iso(DAY + 8 * H), note: 'connector swap' };
      expect((await net.hub.admin.post('/admin/reliability/exclusions', { ...body, to: iso(DAY + 5 * H) })).status).toBe(400);
      expect((await net.hub.admin.post('/admin/reliability/exclusions', { ...body, cause: 'bad_luck' })).status).toBe(400);
      const created = await net.hub.admin.post('/admin/reliability/exclusions', body);
      expect(created.status).toBe(201);
      const one = (await net.hub.admin.get(`/admin/reliability/evses/${encodeURIComponent('NL/CPA/LOC9/E1')}?${q}`)).data;
      // NEVI: the 6–8 outage is excluded, 18–20 still counts; UK: both stay not reliable.
      expect(one.time_hours).toMatchObject({ nevi_excluded_outage: 2, uk_not_reliable: 4 });
      expect(one.uptime_nevi).toBeCloseTo(1 - (2 * H) / (21 * H + 120_000), 4);
      expect(one.mttr_hours).toBe(2); // only the 18–20 failure counts
      expect(one.failures).toBe(1);
      expect((await net.hub.admin.get('/admin/reliability/exclusions?cpo=NL/CPA')).data.exclusions).toEqual([expect.objectContaining({ id: created.data.id, cause: 'scheduled_maintenance', note: 'connector swap' })]);
      expect((await net.hub.admin.delete(`/admin/reliability/exclusions/${created.data.id}`)).status).toBe(204);
      expect((await net.hub.admin.delete(`/admin/reliability/exclusions/${created.data.id}`)).status).toBe(404);
      expect((await net.hub.admin.get(`/admin/reliability/evses/${encodeURIComponent('NL/CPA/LOC9/E1')}?${q}`)).data.failures).toBe(2);
    });

    it('refuses a bad period or key with a clear 4xx and answers 404 for an EVSE without history', async () => {
      expect((await net.hub.admin.get(`/admin/reliability/evses?from=${iso(DAY)}&to=${iso(DAY - H)}`)).status).toBe(400);
      expect((await net.hub.admin.get(`/admin/reliability/evses?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).data.error.message).toMatch(/at most 400 days/);
      expect((await net.hub.admin.get(`/admin/reliability/evses/not-a-key`)).status).toBe(400);
      expect((await net.hub.admin.get(`/admin/reliability/evses/${encodeURIComponent('NL/CPA/LOC9/NOPE')}`)).status).toBe(404);
    });
  });
});
