import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { ReliabilityReport } from '../../../src/hub/reliability/reliability-report';
import { ReliabilityDays } from '../../../src/hub/reliability/reliability-days-store';
import { ReliabilityExclusions } from '../../../src/hub/reliability/reliability-exclusions';
import { EvseStatusHistory } from '../../../src/hub/reliability/evse-status-history';
import { emptyTotals, monthOfDays, monthStartOf, type EvseDay } from '../../../src/core/reliability/reliability-core';
import { createTestDatabase } from '../../support/database';
import { ReliabilityMonths1763705400000 } from '../../../migrations/1763705400000-ReliabilityMonths';

const H = 3_600_000;
const M = 60_000;
const DAY = 86_400_000;
const utc = (m: number, d: number, h = 0) => Date.UTC(2026, m - 1, d, h);
const iso = (t: number) => new Date(t).toISOString();
const date = (t: number) => iso(t).slice(0, 10);
const OWN = { countryCode: 'XX', partyId: 'OWN' };

describe('month totals in PostgreSQL: kept with the days, and reports through months equal to the days path and the facts', () => {
  let db: DataSource;
  const now = utc(4, 12, 13); // "today" is 12 April
  let facts: ReliabilityFacts;
  let days: ReliabilityDays;

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 4 });
    facts = new ReliabilityFacts({ db, ownCpo: OWN, now: () => new Date(now) });
    days = new ReliabilityDays({ db, facts, now: () => new Date(now) });
    // The hub ran from 1 January 06:00, restarted over the midnight into March (23:00–01:00).
    await db.query(`INSERT INTO hub_presence (instance, started_at, last_seen_at) VALUES ('t:1', $1, $2), ('t:1', $3, $4)`, [
      new Date(utc(1, 1, 6)), new Date(utc(2, 28, 23)), new Date(utc(3, 1, 1)), new Date(utc(5, 1)),
    ]);
    const put = (evse: string, status: string, at: number) =>
      db.query(
        `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
         VALUES ('NL', 'CPA', 'L1', $1, false, $2, $3, $3, 150)`,
        [evse, status, new Date(at)],
      );
    await put('E1', 'AVAILABLE', utc(1, 1, 7));
    await put('E1', 'OUTOFORDER', utc(1, 31, 22)); // over the midnight into February
    await put('E1', 'AVAILABLE', utc(2, 1, 3));
    await put('E1', 'OUTOFORDER', utc(2, 28, 20)); // out when the hub went down over the midnight into March
    await put('E1', 'OUTOFORDER', utc(3, 1, 2));
    await put('E1', 'AVAILABLE', utc(3, 1, 5));
    await put('E1', 'INOPERATIVE', utc(4, 1)); // from the first moment of April
    await put('E1', 'AVAILABLE', utc(4, 1, 2));
    await put('E2', 'AVAILABLE', utc(1, 20, 12)); // says nothing before 20 January
    await put('E2', 'CHARGING', utc(3, 6, 9));
    await put('E2', 'AVAILABLE', utc(3, 6, 10));
    await new EvseStatusHistory({ db, ownCpo: OWN }).rebuildCurrent();
    const session = (id: string, evse: string, start: number, kwh: number, status = 'COMPLETED', driver = `drv-${id}`) =>
      db.query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('sessions', 'NL', 'CPA', $1, $2, $3)`, [
        id,
        JSON.stringify({ id, location_id: 'L1', evse_uid: evse, status, kwh, start_date_time: iso(start), end_date_time: iso(start + H), cdr_token: { uid: driver } }),
        new Date(start + H),
      ]);
    for (let t = utc(1, 1), d = 0; t < utc(4, 13); t += DAY, d++) {
      await session(`a${d}`, 'E1', t + 9 * H, 12);
      if (d % 5 === 0) await session(`b${d}`, 'E1', t + 14 * H, 0, 'INVALID');
      if (d % 7 === 3) await session(`x${d}`, 'E1', t + 18 * H, 5, 'INVALID'); // started, ended abnormally
      await session(`c${d}`, 'E2', t + 16 * H, d % 4 === 0 ? 0 : 8, d % 4 === 0 ? 'INVALID' : 'COMPLETED');
    }
    // A visit over the midnight into April: a failed attempt at 23:55, its retry at 00:05.
    await session('n1', 'E2', utc(4, 1) - 5 * M, 0, 'INVALID', 'night');
    await session('n2', 'E2', utc(4, 1) + 5 * M, 9, 'COMPLETED', 'night');
    await db.query(`ANALYZE`);
    await days.catchUp();
  });
  afterAll(() => db?.destroy());

  it('has a same-named column in reliability_evse_months for every numeric column of reliability_evse_days, of the same type', async () => {
    const columns = async (table: string) =>
      new Map<string, string>(
        (
          await db.query(
            `SELECT column_name, data_type FROM information_schema.columns
              WHERE table_name = $1 AND data_type IN ('smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision')`,
            [table],
          )
        ).map((c: { column_name: string; data_type: string }) => [c.column_name, c.data_type]),
      );
    const dayColumns = await columns('reliability_evse_days');
    const monthColumns = await columns('reliability_evse_months');
    expect(dayColumns.size).toBeGreaterThanOrEqual(30);
    const unmirrored = [...dayColumns].filter(([name, type]) => monthColumns.get(name) !== type).map(([name, type]) => `${name} ${type}`);
    expect(unmirrored).toEqual([]);
  });

  it('keeps a row per EVSE and month holding the sums of its stored days, written with them', async () => {
    const months = await db.query(`SELECT evse_uid, month::text AS month, days, attempts, not_started, period_ms::text AS period_ms FROM reliability_evse_months ORDER BY evse_uid, month`);
    expect(months.map((m: { evse_uid: string; month: string; days: number }) => `${m.evse_uid} ${m.month} ${m.days}`)).toEqual([
      'E1 2026-01-01 31', 'E1 2026-02-01 28', 'E1 2026-03-01 31', 'E1 2026-04-01 11',
      'E2 2026-01-01 31', 'E2 2026-02-01 28', 'E2 2026-03-01 31', 'E2 2026-04-01 11',
    ]);
    const fromDays = await db.query(
      `SELECT evse_uid, date_trunc('month', day)::date::text AS month, count(*)::int AS days, sum(attempts)::int AS attempts, sum(not_started)::int AS not_started, sum(period_ms)::text AS period_ms
         FROM reliability_evse_days GROUP BY evse_uid, date_trunc('month', day) ORDER BY evse_uid, month`,
    );
    expect(months).toEqual(fromDays);
    // The month's edges as the core makes them from its days (monthOfDays): the SQL agrees.
    const dayRows = await db.query(`SELECT * FROM reliability_evse_days ORDER BY evse_uid, day`);
    const monthRows = await db.query(`SELECT * FROM reliability_evse_months ORDER BY evse_uid, month`);
    for (const m of monthRows) {
      const inMonth: EvseDay[] = dayRows
        .filter((d: Record<string, unknown>) => d.evse_uid === m.evse_uid && monthStartOf((d.day as Date).getTime()) === (m.month as Date).getTime())
        .map((d: Record<string, any>) => ({
          day: (d.day as Date).getTime(),
          totals: { ...emptyTotals(), sessions: { ...emptyTotals().sessions, abnormalByReason: d.abnormal_by_reason ?? {} } },
          edges: {
            known: d.known, carryFailure: d.carry_failure, carryRetries: d.carry_retries ?? [], meter: d.has_meter, carryMeterAnomaly: d.carry_meter_anomaly,
            streak: { succeeded: d.streak_succeeded, notStartedSince: d.streak_not_started }, endStatus: d.end_status, carryOut: d.carry_out,
          },
        }));
      const core = monthOfDays(inMonth);
      expect({
        days: m.days, reasons: m.abnormal_by_reason ?? {}, retries: m.carry_retries ?? [], known: m.known ? m.carry_failure : null, meter: m.has_meter ? m.carry_meter_anomaly : null,
        streak: { succeeded: m.streak_succeeded, notStartedSince: m.streak_not_started }, carry: m.carry_out,
      }).toEqual({
        days: core.sums.days, reasons: core.sums.totals.sessions.abnormalByReason, retries: core.sums.firstCarryRetries, known: core.sums.firstKnownCarryFailure,
        meter: core.sums.firstMeterCarryAnomaly, streak: core.streak, carry: core.sums.lastCarryOut,
      });
    }
    expect(monthRows.some((m: { streak_succeeded: boolean; streak_not_started: number }) => m.streak_succeeded && m.streak_not_started > 0)).toBe(true);
    expect(monthRows.some((m: { abnormal_by_reason: unknown }) => m.abnormal_by_reason)).toBe(true);
    // The job's next run writes the last days again and their month with them: the same rows.
    const before = await db.query(`SELECT * FROM reliability_evse_months ORDER BY evse_uid, month`);
    await days.catchUp();
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ computed_at: _, ...r }) => r);
    expect(strip(await db.query(`SELECT * FROM reliability_evse_months ORDER BY evse_uid, month`))).toEqual(strip(before));
  });

  it('has its migration fill the months of the days stored before it as the job writes them', async () => {
    const rows = async () => (await db.query(`SELECT * FROM reliability_evse_months ORDER BY evse_uid, month`)).map(({ computed_at: _, ...r }: Record<string, unknown>) => r);
    const written = await rows();
    const runner = db.createQueryRunner();
    try {
      const migration = new ReliabilityMonths1763705400000();
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await rows()).toEqual(written);
    expect(written).toHaveLength(8);
  });

  it.each([
    ['whole months', utc(1, 1), utc(4, 1)],
    ['one month', utc(2, 1), utc(3, 1)],
    ['from mid-month and mid-day to mid-month and mid-day', utc(1, 10, 13), utc(3, 20, 7)],
    ['from the midnight inside an outage, over the restart into March', utc(2, 1), utc(3, 2)],
    ['from the midnight inside the visit into April, a month back to then', utc(3, 1), utc(4, 1) + 30 * M],
    ['a year up to now (today read from the facts)', now - 365 * DAY, now],
    ['from mid-January up to now', utc(1, 15, 8), now],
  ])('gives the very same report over %s as the days path and the facts alone', async (_, from, to) => {
    const viaFacts = await new ReliabilityReport(facts).run({}, { from, to });
    const viaDays = await new ReliabilityReport(facts, days, { monthTotals: false }).run({}, { from, to });
    const summed = jest.spyOn(days, 'aggregateMonths');
    const viaMonths = await new ReliabilityReport(facts, days).run({}, { from, to });
    expect(summed).toHaveBeenCalled();
    summed.mockRestore();
    expect(viaMonths).toEqual(viaFacts);
    expect(viaMonths).toEqual(viaDays);
    expect(viaMonths.evses.map((e) => e.attempts).reduce((a, b) => a + b, 0)).toBeGreaterThan(30);
  });

  it('reads the stored months indeed: a changed month row changes the report, and no facts are read for whole days', async () => {
    const period = { from: utc(1, 1), to: utc(4, 1) };
    const read = jest.spyOn(facts, 'histories');
    const before = await new ReliabilityReport(facts, days).run({}, period);
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
    await db.query(`UPDATE reliability_evse_months SET attempts = attempts + 100 WHERE evse_uid = 'E1' AND month = '2026-02-01'`);
    const changed = await new ReliabilityReport(facts, days).run({}, period);
    expect(changed.evses.find((e) => e.evseUid === 'E1')!.attempts).toBe(before.evses.find((e) => e.evseUid === 'E1')!.attempts + 100);
    await db.query(`UPDATE reliability_evse_months SET attempts = attempts - 100 WHERE evse_uid = 'E1' AND month = '2026-02-01'`);
  });

  it('reads an EVSE whose month misses a stored day from the facts, as the days path does, until the job computes the days again', async () => {
    const period = { from: utc(1, 1), to: utc(4, 1) };
    const expected = await new ReliabilityReport(facts).run({}, period);
    // An exclusion forgets E2's days from 14 February on: February keeps the sums of its first 13 days, the later months go.
    const exclusions = new ReliabilityExclusions(db);
    const excluded = await exclusions.add({ cpo: 'NL/CPA', location_id: 'L1', evse_uid: 'E2', cause: 'vandalism', from: new Date(utc(2, 14, 10)), to: new Date(utc(2, 14, 11)) });
    const e2 = await db.query(`SELECT month::text AS month, days FROM reliability_evse_months WHERE evse_uid = 'E2' ORDER BY month`);
    expect(e2).toEqual([{ month: '2026-01-01', days: 31 }, { month: '2026-02-01', days: 13 }]);
    const read = jest.spyOn(facts, 'histories');
    const withExclusion = await new ReliabilityReport(facts, days).run({}, period);
    expect(read.mock.calls.map(([refs, range]) => `${refs.map((r) => r.evseUid).join()} ${date(range.from)}`)).toEqual([`E2 ${date(utc(1, 1))}`]);
    read.mockRestore();
    expect(withExclusion).toEqual(await new ReliabilityReport(facts).run({}, period));
    expect(withExclusion).toEqual(expected); // outside the exclusion nothing was out of order
    await days.catchUp();
    expect((await db.query(`SELECT days FROM reliability_evse_months WHERE evse_uid = 'E2' AND month = '2026-02-01'`))[0].days).toBe(28);
    const again = jest.spyOn(facts, 'histories');
    expect(await new ReliabilityReport(facts, days).run({}, period)).toEqual(withExclusion);
    expect(again).not.toHaveBeenCalled();
    again.mockRestore();
    await exclusions.remove(excluded.id);
  });
});
