import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { createLogger } from '../../../src/foundation/log';
import { Scheduler } from '../../../src/scheduler';
import { ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { ReliabilityReport } from '../../../src/hub/reliability/reliability-report';
import { ReliabilityDays, LATE_DAYS } from '../../../src/hub/reliability/reliability-days-store';
import { ReliabilityExclusions } from '../../../src/hub/reliability/reliability-exclusions';
import { EvseStatusHistory } from '../../../src/hub/reliability/evse-status-history';
import { createTestDatabase } from '../../support/database';

const H = 3_600_000;
const M = 60_000;
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 1, 1);
const D = (n: number) => D0 + n * DAY;
const iso = (t: number) => new Date(t).toISOString();
const OWN = { countryCode: 'XX', partyId: 'OWN' };

describe('day totals in PostgreSQL: the nightly job, and reports from stored days equal to reports from the facts', () => {
  let db: DataSource;
  const now = D(11) + 13 * H; // "today" is day 11
  let facts: ReliabilityFacts;
  let days: ReliabilityDays;

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 4 });
    facts = new ReliabilityFacts({ db, ownCpo: OWN, now: () => new Date(now) });
    days = new ReliabilityDays({ db, facts, now: () => new Date(now) });
    // The hub ran from day 0, restarted on day 4 (10:02–12:00 no data) and again over midnight into day 8.
    await db.query(`INSERT INTO hub_presence (instance, started_at, last_seen_at) VALUES ('t:1', $1, $2), ('t:1', $3, $4), ('t:1', $5, $6)`, [
      new Date(D(0) + 6 * H), new Date(D(4) + 10 * H), new Date(D(4) + 12 * H), new Date(D(7) + 23 * H), new Date(D(8) + H), new Date(D(30)),
    ]);
    const put = (evse: string, status: string, at: number, receivedAt = at) =>
      db.query(
        `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
         VALUES ('NL', 'CPA', 'L1', $1, false, $2, $3, $4, 150)`,
        [evse, status, new Date(at), new Date(receivedAt)],
      );
    await put('E1', 'AVAILABLE', D(0) + 7 * H);
    await put('E1', 'OUTOFORDER', D(2) + 22 * H); // over midnight
    await put('E1', 'AVAILABLE', D(3) + 2 * H);
    await put('E1', 'INOPERATIVE', 0, D(5) + 10 * H); // a charger clock at 1970, placed at receipt
    await put('E1', 'AVAILABLE', D(5) + 11 * H);
    await put('E1', 'OUTOFORDER', D(9) + 20 * H); // still out today
    await put('E2', 'AVAILABLE', D(3) + 12 * H); // says nothing for three days
    await put('E2', 'CHARGING', D(6) + 9 * H);
    await put('E2', 'AVAILABLE', D(6) + 10 * H);
    await new EvseStatusHistory({ db, ownCpo: OWN }).rebuildCurrent();
    const session = (id: string, evse: string, start: number, kwh: number, status = 'COMPLETED', driver = `drv-${id}`) =>
      db.query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('sessions', 'NL', 'CPA', $1, $2, $3)`, [
        id,
        JSON.stringify({ id, location_id: 'L1', evse_uid: evse, status, kwh, start_date_time: iso(start), end_date_time: iso(start + H), cdr_token: { uid: driver } }),
        new Date(start + H),
      ]);
    for (let d = 0; d < 12; d++) {
      await session(`a${d}`, 'E1', D(d) + 9 * H, 12);
      if (d % 3 === 0) await session(`b${d}`, 'E1', D(d) + 14 * H, 0, 'INVALID');
      await session(`c${d}`, 'E2', D(d) + 16 * H, d % 4 === 0 ? 0 : 8, d % 4 === 0 ? 'INVALID' : 'COMPLETED');
    }
    // A visit over midnight: a failed attempt at 23:55, its retry at 00:05.
    await session('n1', 'E2', D(6) - 5 * M, 0, 'INVALID', 'night');
    await session('n2', 'E2', D(6) + 5 * M, 9, 'COMPLETED', 'night');
    await db.query(`ANALYZE`);
  });
  afterAll(() => db?.destroy());

  it('stores a row per EVSE and day up to yesterday, from the hub\'s first day; again, the same rows', async () => {
    expect(await days.catchUp()).toEqual({ evses: 2, rows: 2 * 11 });
    const rows = async () =>
      (await db.query(`SELECT * FROM reliability_evse_days ORDER BY evse_uid, day`)).map(({ computed_at: _, ...r }: Record<string, unknown>) => r);
    const first = await rows();
    expect(first.map((r: { day: string }) => r.day)).toHaveLength(22);
    // Day 2 ends OUTOFORDER and day 3 begins so: each holds its part of the outage (2 h each).
    const e1 = first.filter((r: { evse_uid: string }) => r.evse_uid === 'E1');
    expect(Number(e1[2].uk_not_reliable_ms)).toBe(2 * H);
    expect(Number(e1[3].uk_not_reliable_ms)).toBe(2 * H);
    expect(e1[2].failures + e1[3].failures).toBe(1);
    // Running again recomputes the last LATE_DAYS days and writes the same rows.
    expect(await days.catchUp()).toEqual({ evses: 2, rows: 2 * LATE_DAYS });
    expect(await rows()).toEqual(first);
  });

  it.each([
    ['whole days', D(0), D(11)],
    ['from a midnight inside an outage', D(3), D(10)],
    ['from the midnight inside a visit', D(6), D(8)],
    ['partial days at both edges', D(2) + 21 * H, D(9) + 3 * H],
    ['up to now (today read from the facts)', D(1), now],
    ['a week up to now', now - 7 * DAY, now],
  ])('gives the very same report over %s as the facts alone', async (_, from, to) => {
    const viaFacts = await new ReliabilityReport(facts).run({}, { from, to });
    const stored = new ReliabilityReport(facts, days);
    const summed = jest.spyOn(days, 'aggregate');
    const viaDays = await stored.run({}, { from, to });
    expect(summed).toHaveBeenCalled();
    summed.mockRestore();
    expect(viaDays).toEqual(viaFacts);
    expect(viaDays.evses.map((e) => e.attempts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('reads the stored days indeed: a changed row changes the report (and only the facts of partial days are read)', async () => {
    const period = { from: D(1), to: D(11) };
    const read = jest.spyOn(facts, 'histories');
    const before = await new ReliabilityReport(facts, days).run({}, period);
    expect(read).not.toHaveBeenCalled(); // whole days only: nothing from the facts
    read.mockRestore();
    await db.query(`UPDATE reliability_evse_days SET attempts = attempts + 100 WHERE evse_uid = 'E1' AND day = $1::date`, [iso(D(4)).slice(0, 10)]);
    const changed = await new ReliabilityReport(facts, days).run({}, period);
    expect(changed.evses.find((e) => e.evseUid === 'E1')!.attempts).toBe(before.evses.find((e) => e.evseUid === 'E1')!.attempts + 100);
    await db.query(`UPDATE reliability_evse_days SET attempts = attempts - 100 WHERE evse_uid = 'E1' AND day = $1::date`, [iso(D(4)).slice(0, 10)]);
  });

  it('reads an EVSE missing a stored day from the facts, and forgets the days an exclusion changes', async () => {
    const period = { from: D(1), to: D(11) };
    await db.query(`DELETE FROM reliability_evse_days WHERE evse_uid = 'E2' AND day = $1::date`, [iso(D(5)).slice(0, 10)]);
    expect(await new ReliabilityReport(facts, days).run({}, period)).toEqual(await new ReliabilityReport(facts).run({}, period));
    const exclusions = new ReliabilityExclusions(db);
    const excluded = await exclusions.add({ cpo: 'NL/CPA', location_id: 'L1', evse_uid: 'E1', cause: 'scheduled_maintenance', from: new Date(D(9) + 19 * H), to: new Date(D(10)) });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM reliability_evse_days WHERE evse_uid = 'E1' AND day >= $1::date`, [iso(D(9)).slice(0, 10)]);
    expect(n).toBe(0);
    const withExclusion = await new ReliabilityReport(facts, days).run({}, period);
    expect(withExclusion).toEqual(await new ReliabilityReport(facts).run({}, period));
    expect(withExclusion.evses.find((e) => e.evseUid === 'E1')!.time.neviExcludedOutageMs).toBe(4 * H);
    await days.catchUp();
    expect(await new ReliabilityReport(facts, days).run({}, period)).toEqual(withExclusion);
    await exclusions.remove(excluded.id);
  });

  it('runs on one instance at a time under the scheduler\'s advisory lock', async () => {
    const log = createLogger('silent');
    const a = new Scheduler(db, log);
    const b = new Scheduler(db, log);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = a.runExclusive('reliability-days', async () => {
      await held;
      return days.catchUp();
    });
    // Once a holds the lock, b skips its run.
    for (let i = 0; i < 200; i++) {
      const [{ locked }] = await db.query(`SELECT count(*)::int AS locked FROM pg_locks WHERE locktype = 'advisory' AND granted`);
      if (locked > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    let ranB = false;
    expect(await b.runExclusive('reliability-days', async () => void (ranB = true))).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(ranB).toBe(false);
  });
});
