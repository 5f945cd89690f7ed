import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import {
  parsePeriodLabel,
  settlePeriod,
  statementId,
  type ComputedStatement,
  type Period,
  type StoredCdr,
} from '../../../src/core/settlement/settlement-core';
import { SettlementCdrAmounts1763705700000 } from '../../../migrations/1763705700000-SettlementCdrAmounts';
import { openDatabase } from '../../../src/db/data-source';
import { ObjectStore } from '../../../src/hub/routing/object-store';
import { createLogger } from '../../../src/foundation/log';
import { Scheduler } from '../../../src/scheduler';
import { SettlementService } from '../../../src/hub/settlement/settlement.service';
import { createTestDatabase } from '../../support/database';
import { generateCdrs, type GeneratedCdr } from './settlement-data';

const month = (label: string) => parsePeriodLabel(label, 'monthly') as Period;
const num = (v: string | null) => (v === null ? null : new Decimal(v).toString());

describe('settlement in SQL agrees with the pure core', () => {
  let db: DataSource;
  let store: ObjectStore;
  let settlement: SettlementService;
  const stored: StoredCdr[] = [];
  const closed = new Map<string, Set<string>>();
  const settled = new Set<string>();

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 4 });
    store = new ObjectStore(db);
    settlement = new SettlementService(db, { periodKind: 'monthly', log: createLogger('silent') });
  });
  afterAll(() => db.destroy());

  async function push(cdrs: GeneratedCdr[]) {
    for (const { owner, cdr } of cdrs) {
      await store.put({ module: 'cdrs', ...owner, objectId: cdr.id }, cdr, new Date());
      stored.push({ cpo: `${owner.countryCode}/${owner.partyId}`, cdr });
    }
  }

  /** What the database holds for each statement of the period, in the core's shape. */
  async function fromDatabase(period: Period, ids: string[]): Promise<Map<string, { lines: Record<string, unknown>[]; totals: Record<string, unknown> }>> {
    const statements = await settlement.listStatements({ period: period.label, limit: 1000, offset: 0 });
    const result = new Map();
    for (const s of statements.filter((s) => ids.includes(s.id))) {
      const shown = await settlement.version(s.id, s.latest_version, { offset: 0, limit: 100_000 });
      result.set(s.id, {
        lines: shown.lines.map((l: Record<string, any>) => ({
          cdrId: l.cdr_id,
          credit: l.credit,
          creditReferenceId: l.credit_reference_id,
          sessionId: l.session_id,
          locationId: l.location_id,
          evseUid: l.evse_uid,
          evseId: l.evse_id,
          startDateTime: l.start_date_time.toISOString(),
          endDateTime: l.end_date_time.toISOString(),
          energy: num(l.energy_kwh),
          time: num(l.time_hours),
          parkingTime: num(l.parking_hours),
          tariffId: l.tariff_id,
          net: num(l.net),
          vat: num(l.vat),
          gross: num(l.gross),
          netsAgainst: l.nets_against,
        })),
        totals: {
          lineCount: shown.version.line_count,
          creditLineCount: shown.version.credit_line_count,
          energy: num(shown.version.energy_kwh),
          time: num(shown.version.time_hours),
          parkingTime: num(shown.version.parking_hours),
          net: num(shown.version.net),
          vat: num(shown.version.vat),
          gross: num(shown.version.gross),
          linesWithoutVat: shown.version.lines_without_vat,
        },
      });
    }
    return result;
  }

  const expected = (period: Period, statements: ComputedStatement[]) =>
    new Map(statements.map((s) => [statementId(period, s.key), { lines: s.lines, totals: s.totals }]));

  async function runAndCompare(period: Period): Promise<ComputedStatement[]> {
    const outcome = await settlement.run(period);
    const core = settlePeriod(period, stored, closed, settled);
    expect(core.length).toBeGreaterThan(0);
    expect(outcome.statements.map((s) => s.id).sort()).toEqual(core.map((s) => statementId(period, s.key)).sort());
    expect(await fromDatabase(period, outcome.statements.map((s) => s.id))).toEqual(expected(period, core));
    return core;
  }

  async function closeAll(period: Period, core: ComputedStatement[], onlyCpo?: string) {
    for (const s of core.filter((c) => !onlyCpo || c.key.cpo === onlyCpo)) {
      await settlement.close(statementId(period, s.key));
      const key = `${s.key.cpo}|${s.key.emsp}|${s.key.currency}`;
      if (!closed.has(key)) closed.set(key, new Set());
      closed.get(key)!.add(period.start);
      for (const line of s.lines) settled.add(`${s.key.cpo}/${line.cdrId}`);
    }
  }

  it('gives the same statements, lines, netting and totals; late CDRs and late credits go into the next open period', async () => {
    const generated = generateCdrs(400);
    const heldBack = generated.filter((_, i) => i % 10 === 3); // arrive after their month was closed
    await push(generated.filter((_, i) => i % 10 !== 3));

    const january = await runAndCompare(month('2024-01'));
    expect(january.some((s) => s.lines.some((l) => l.netsAgainst))).toBe(true);
    await closeAll(month('2024-01'), january);
    const february = await runAndCompare(month('2024-02'));
    await closeAll(month('2024-02'), february, 'BE/BEC');

    // Late CDRs of January and February, and credits of CDRs settled on closed statements.
    const lateCredits = [...settled].slice(0, 5).map((key) => {
      const original = stored.find((s) => `${s.cpo}/${s.cdr.id}` === key)!;
      const [countryCode, partyId] = original.cpo.split('/');
      const cdr = { ...original.cdr, id: `${original.cdr.id}-LATE-C`, credit: true, credit_reference_id: original.cdr.id, total_cost: { excl_vat: -1 } };
      return { owner: { countryCode, partyId }, cdr } as GeneratedCdr;
    });
    await push([...heldBack, ...lateCredits]);

    // February again: NL/CP2's open statements take their late CDRs in a new version; BE/BEC's are closed.
    const februaryAgain = await runAndCompare(month('2024-02'));
    expect(februaryAgain.every((s) => s.key.cpo === 'NL/CP2')).toBe(true);
    const march = await runAndCompare(month('2024-03'));
    const lateOnMarch = march.flatMap((s) => s.lines).filter((l) => l.endDateTime < '2024-03-01');
    expect(lateOnMarch.map((l) => l.cdrId)).toEqual(expect.arrayContaining(lateCredits.filter((c) => c.owner.countryCode === 'BE').map((c) => c.cdr.id)));
    let lateShown = 0;
    for (const s of await settlement.listStatements({ period: '2024-03', limit: 100, offset: 0 })) {
      lateShown += (await settlement.version(s.id, undefined, { offset: 0, limit: 10_000 })).lines.filter((l) => l.late).length;
    }
    expect(lateShown).toBe(lateOnMarch.length);
  });

  it('keeps closed statements and written versions immutable in the database itself', async () => {
    const [closedStatement] = await settlement.listStatements({ period: '2024-01', status: 'closed', limit: 1, offset: 0 });
    await expect(db.query(`UPDATE settlement_statements SET currency = 'XXX' WHERE id = $1`, [closedStatement.id])).rejects.toThrow(/is closed/);
    // Lines are read from the CDRs, which are final.
    await expect(db.query(`UPDATE ocpi_objects SET data = data || '{"total_cost":{"excl_vat":0}}' WHERE module = 'cdrs'`)).rejects.toThrow(/is final/);
    await expect(db.query(`DELETE FROM ocpi_objects WHERE module = 'cdrs'`)).rejects.toThrow(/is final/);
    await expect(db.query(`DELETE FROM settlement_statement_versions WHERE statement_id = $1`, [closedStatement.id])).rejects.toThrow(/immutable/);
    await expect(settlement.close(closedStatement.id)).rejects.toThrow(/already closed/);
  });

  it('leaves nothing behind when a run fails half-way, and the re-run gives the same result', async () => {
    const april = month('2024-04');
    const counts = `SELECT (SELECT count(*) FROM settlement_runs)::int AS runs, (SELECT count(*) FROM settlement_statement_versions)::int AS versions,
                           (SELECT count(*) FROM settlement_statements)::int AS statements`;
    const before = await db.query(counts);
    // A real failure inside the database after the run has written its statements, versions and
    // lines: the run's last write (its own record) raises, saying how much the run had written by then.
    await db.query(`
      CREATE FUNCTION crash_settlement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'crash after % versions with % lines', (SELECT count(*) FROM settlement_statement_versions WHERE run_id = NEW.id),
          (SELECT sum(line_count) FROM settlement_statement_versions WHERE run_id = NEW.id);
      END $$`);
    await db.query(`CREATE TRIGGER crash_settlement BEFORE UPDATE ON settlement_runs FOR EACH ROW EXECUTE FUNCTION crash_settlement()`);
    const expected = settlePeriod(april, stored, closed, settled);
    const expectedLines = expected.reduce((n, s) => n + s.lines.length, 0);
    await expect(settlement.run(april)).rejects.toThrow(`crash after ${expected.length} versions with ${expectedLines} lines`);
    await db.query(`DROP TRIGGER crash_settlement ON settlement_runs; DROP FUNCTION crash_settlement()`);
    const after = await db.query(counts);
    expect(after).toEqual(before);

    const core = await runAndCompare(april);
    const first = await settlement.listStatements({ period: '2024-04', limit: 100, offset: 0 });
    expect(first.map((s) => s.latest_version)).toEqual(first.map(() => 1));
    // Running again over unchanged CDRs: the same statements, no new version.
    const again = await settlement.run(april);
    expect(again.statements).toEqual(core.map((s) => ({ id: statementId(april, s.key), version: 1, changed: false })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await settlement.listStatements({ period: '2024-04', limit: 100, offset: 0 })).toEqual(first);
  });
});

describe('closing and scheduling', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 4 });
    const store = new ObjectStore(db);
    for (const { owner, cdr } of generateCdrs(60, 11)) await store.put({ module: 'cdrs', ...owner, objectId: cdr.id }, cdr, new Date());
  });
  afterAll(() => db.destroy());

  it('runs the last complete period on schedule, under the scheduler’s advisory lock', async () => {
    const settlement = new SettlementService(db, { periodKind: 'monthly', log: createLogger('silent') });
    const scheduler = new Scheduler(db, createLogger('silent'));
    let outcome: Awaited<ReturnType<SettlementService['runScheduled']>> | undefined;
    expect(await scheduler.runExclusive('settlement', async () => (outcome = await settlement.runScheduled(Date.parse('2024-03-01T03:00:00Z'))))).toBe(true);
    expect(outcome!.period.label).toBe('2024-02');
    const [run] = await settlement.listRuns();
    expect(run).toMatchObject({ id: outcome!.runId, trigger: 'schedule', period_start: '2024-02-01', versions_written: outcome!.statements.length });
  });

  it('calls onStatementClosed with the closed statement after the commit; its failure does not reopen it', async () => {
    const closedSeen: { id: string; status: string; net: string }[] = [];
    const settlement = new SettlementService(db, {
      periodKind: 'monthly',
      log: createLogger('silent'),
      onStatementClosed: async (statement) => {
        // The hook sees the committed state: the statement is closed for every reader.
        const [row] = await db.query(`SELECT status FROM settlement_statements WHERE id = $1`, [statement.id]);
        closedSeen.push({ id: statement.id, status: row.status, net: statement.totals.net });
        throw new Error('payout provider down');
      },
    });
    const [first, second] = await settlement.listStatements({ period: '2024-02', limit: 10, offset: 0 });
    const closed = await settlement.close(first.id, 1);
    expect(closed.status).toBe('closed');
    expect(closedSeen).toEqual([{ id: first.id, status: 'closed', net: first.totals.net }]);
    expect((await settlement.statement(first.id)).status).toBe('closed');
    expect((await settlement.statement(second.id)).status).toBe('open');
  });
});

describe('the typed CDR amounts (settlement_cdr_amounts) a run reads', () => {
  let db: DataSource;
  let store: ObjectStore;
  let settlement: SettlementService;

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 4 });
    store = new ObjectStore(db);
    settlement = new SettlementService(db, { periodKind: 'monthly', log: createLogger('silent') });
  });
  afterAll(() => db.destroy());

  const keyOf = ({ owner, cdr }: GeneratedCdr) => ({ module: 'cdrs', ...owner, objectId: cdr.id });
  const decimal = (value: unknown) => (value === undefined ? null : new Decimal(String(value)).toString());

  const zoneLess = ({ cdr }: GeneratedCdr) => !/Z|[+-]\d\d:\d\d$/.test(cdr.end_date_time);

  /** What a CDR's JSON says, read in TypeScript (an OCPI date-time without a zone is UTC). */
  const expectedRow = ({ owner, cdr }: GeneratedCdr) => ({
    owner: `${owner.countryCode}/${owner.partyId}`,
    object_id: cdr.id,
    decoded: true,
    emsp: `${String(cdr.cdr_token.country_code).toUpperCase()}/${String(cdr.cdr_token.party_id).toUpperCase()}`,
    currency: cdr.currency,
    end_date_time: Date.parse(zoneLess({ owner, cdr }) ? `${cdr.end_date_time}Z` : cdr.end_date_time),
    credit: cdr.credit ?? null,
    credit_reference_id: cdr.credit_reference_id ?? null,
    total_energy: decimal(cdr.total_energy),
    total_time: decimal(cdr.total_time),
    total_parking_time: decimal(cdr.total_parking_time),
    excl_vat: decimal(cdr.total_cost.excl_vat),
    incl_vat: decimal(cdr.total_cost.incl_vat),
  });

  async function typedRows(where = 'true', params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const rows: Record<string, any>[] = await db.query(
      `SELECT owner, object_id, decoded, emsp, currency, end_date_time, credit, credit_reference_id, total_energy, total_time,
              total_parking_time, excl_vat, incl_vat
         FROM settlement_cdr_amounts WHERE ${where} ORDER BY owner, object_id`,
      params,
    );
    return rows.map((r) => ({
      ...r,
      end_date_time: r.end_date_time?.getTime() ?? null,
      ...Object.fromEntries(['total_energy', 'total_time', 'total_parking_time', 'excl_vat', 'incl_vat'].map((k) => [k, num(r[k])])),
    }));
  }

  /** Changes CDRs as the database otherwise refuses (cdrs_are_final), to see that the projection follows. */
  async function aroundFinality(change: () => Promise<unknown>) {
    await db.query(`ALTER TABLE ocpi_objects DISABLE TRIGGER cdrs_are_final`);
    try {
      await change();
    } finally {
      await db.query(`ALTER TABLE ocpi_objects ENABLE TRIGGER cdrs_are_final`);
    }
  }

  const generated = generateCdrs(300, 23);

  it('equal what the stored JSON says, whichever way a CDR is stored and in whatever session time zone', async () => {
    for (const [i, entry] of generated.entries()) {
      if (i % 3 === 0 && !zoneLess(entry)) await store.put(keyOf(entry), entry.cdr, new Date());
      else if (i % 3 === 1 && !zoneLess(entry)) await store.insert(keyOf(entry), entry.cdr, new Date());
      else {
        // A plain INSERT, as a seed or the bench writes, in a session whose zone is not UTC (every
        // CDR whose end time has no zone goes this way: it is still UTC).
        await db.transaction(async (tx) => {
          await tx.query(`SET LOCAL timezone = 'Pacific/Kiritimati'`);
          await tx.query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('cdrs', $1, $2, $3, $4, now())`, [
            entry.owner.countryCode,
            entry.owner.partyId,
            entry.cdr.id,
            JSON.stringify(entry.cdr),
          ]);
        });
      }
    }
    // A second POST of a stored CDR stores nothing, and its typed row stays the first one's.
    const [first] = generated;
    expect(await store.insert(keyOf(first), { ...first.cdr, total_energy: 999 }, new Date())).toBe(false);
    // Objects of other modules have no typed row.
    await store.put({ module: 'sessions', ...first.owner, objectId: 'S1' }, { id: 'S1', total_cost: { excl_vat: 1 } }, new Date());

    const expected = generated.map(expectedRow).sort((a, b) => (a.owner + a.object_id < b.owner + b.object_id ? -1 : 1));
    expect(await typedRows()).toEqual(expected);
    // The cases that matter are all there.
    expect(expected.some((r) => r.credit)).toBe(true);
    expect(expected.some((r) => r.total_parking_time === null)).toBe(true);
    expect(expected.some((r) => r.incl_vat === null)).toBe(true);
    expect(generated.some((g) => g.cdr.cdr_token.party_id !== String(g.cdr.cdr_token.party_id).toUpperCase())).toBe(true);
    expect(generated.some(zoneLess)).toBe(true);
  });

  it('follow an update and a delete of a CDR row', async () => {
    const [a, b] = generated;
    await aroundFinality(async () => {
      await db.query(`UPDATE ocpi_objects SET data = data || '{"total_energy": 12.345, "credit": true, "credit_reference_id": "X"}' WHERE module = 'cdrs' AND object_id = $1`, [a.cdr.id]);
      await db.query(`UPDATE ocpi_objects SET object_id = 'MOVED' WHERE module = 'cdrs' AND country_code = $1 AND party_id = $2 AND object_id = $3`, [
        b.owner.countryCode,
        b.owner.partyId,
        b.cdr.id,
      ]);
    });
    expect(await typedRows('object_id = $1', [a.cdr.id])).toEqual([{ ...expectedRow(a), total_energy: '12.345', credit: true, credit_reference_id: 'X' }]);
    expect(await typedRows('object_id = $1', [b.cdr.id])).toEqual([]);
    expect(await typedRows(`object_id = 'MOVED'`)).toEqual([{ ...expectedRow(b), object_id: 'MOVED' }]);

    await aroundFinality(() => db.query(`DELETE FROM ocpi_objects WHERE module = 'cdrs' AND object_id IN ($1, 'MOVED')`, [a.cdr.id]));
    expect(await typedRows('object_id IN ($1, $2, $3)', [a.cdr.id, b.cdr.id, 'MOVED'])).toEqual([]);
    const [{ objects, typed }] = await db.query(
      `SELECT (SELECT count(*) FROM ocpi_objects WHERE module = 'cdrs')::int AS objects, (SELECT count(*) FROM settlement_cdr_amounts)::int AS typed`,
    );
    expect(typed).toBe(objects);
  });

  it('never refuse a store or the backfill; a CDR whose values the decoding refuses makes a run read the JSON and fail as it did before', async () => {
    const [template] = generateCdrs(1, 5);
    const bad = (id: string, change: Record<string, unknown>) => ({ owner: template.owner, cdr: { ...template.cdr, id, ...change } }) as GeneratedCdr;
    // In the period run below: a CDR's numbers are cast only when its line is summed.
    const wrongEnergy = bad('BAD-ENERGY', { total_energy: '12,5', end_date_time: '2024-03-10T10:00:00Z' });
    const wrongEnd = bad('BAD-END', { end_date_time: '2024-02-30T10:00:00Z' });
    const march = month('2024-03');

    expect(await store.insert(keyOf(wrongEnergy), wrongEnergy.cdr, new Date())).toBe(true);
    const nothing = { emsp: null, currency: null, end_date_time: null, credit: null, credit_reference_id: null, total_energy: null, total_time: null,
      total_parking_time: null, excl_vat: null, incl_vat: null };
    expect(await typedRows(`object_id = 'BAD-ENERGY'`)).toEqual([{ owner: `${template.owner.countryCode}/${template.owner.partyId}`, object_id: 'BAD-ENERGY', decoded: false, ...nothing }]);
    await expect(settlement.run(march)).rejects.toThrow('cannot cast jsonb string to type numeric');

    expect(await store.insert(keyOf(wrongEnd), wrongEnd.cdr, new Date())).toBe(true);
    await expect(settlement.run(march)).rejects.toThrow('date/time field value out of range: "2024-02-30T10:00:00Z"');

    // The migration's backfill gives the same rows from the CDRs already stored, refused ones included.
    const before = await typedRows();
    const runner = db.createQueryRunner();
    try {
      await new SettlementCdrAmounts1763705700000().down(runner);
      await new SettlementCdrAmounts1763705700000().up(runner);
    } finally {
      await runner.release();
    }
    expect(before.filter((r) => !r.decoded)).toHaveLength(2);
    expect(await typedRows()).toEqual(before);

    // Once those CDRs are gone, runs read the typed rows again and agree with the core.
    await aroundFinality(() => db.query(`DELETE FROM ocpi_objects WHERE module = 'cdrs' AND object_id LIKE 'BAD-%'`));
    expect(await typedRows('NOT decoded')).toEqual([]);
    const outcome = await settlement.run(march);
    const stored: StoredCdr[] = (await db.query(`SELECT owner, data FROM ocpi_objects WHERE module = 'cdrs'`)).map((r: { owner: string; data: StoredCdr['cdr'] }) => ({ cpo: r.owner, cdr: r.data }));
    const core = settlePeriod(march, stored, new Map(), new Set());
    expect(outcome.statements.map((s) => s.id).sort()).toEqual(core.map((s) => statementId(march, s.key)).sort());
    for (const s of core) {
      const shown = await settlement.version(statementId(march, s.key), 1, { offset: 0, limit: 10_000 });
      expect({ lineCount: shown.version.line_count, net: num(shown.version.net), gross: num(shown.version.gross) })
        .toEqual({ lineCount: s.totals.lineCount, net: s.totals.net, gross: s.totals.gross });
    }
  });
});
