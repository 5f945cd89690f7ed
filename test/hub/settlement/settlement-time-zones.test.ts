// Statement periods in the time zone of each CPO/eMSP pair: the SQL run agrees with the core's
// settlePeriod given the same zones, around month ends in zones ahead of and behind UTC.
import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { keyString, parsePeriodLabel, periodOf, settlePeriod, statementId, type Period, type StatementKey, type StoredCdr } from '../../../src/core/settlement/settlement-core';
import { openDatabase } from '../../../src/db/data-source';
import { createLogger } from '../../../src/foundation/log';
import { ObjectStore } from '../../../src/hub/routing/object-store';
import { SettlementService } from '../../../src/hub/settlement/settlement.service';
import { createTestDatabase } from '../../support/database';
import { generateCdrs } from './settlement-data';

const month = (label: string) => parsePeriodLabel(label, 'monthly') as Period;
const ZONES: Record<string, string> = { 'BE/BEC|DE/TNM': 'Europe/Amsterdam', 'NL/CP2|NL/EM1': 'America/New_York', 'NL/CP2|DE/TNM': 'Pacific/Kiritimati' };
const zoneOf = (key: Pick<StatementKey, 'cpo' | 'emsp'>) => ZONES[`${key.cpo}|${key.emsp}`] ?? 'UTC';

describe('settlement periods in each pair’s time zone', () => {
  let db: DataSource;
  let settlement: SettlementService;
  const stored: StoredCdr[] = [];

  beforeAll(async () => {
    db = await openDatabase({ url: await createTestDatabase(), poolSize: 2 });
    settlement = new SettlementService(db, { periodKind: 'monthly', log: createLogger('silent') });
    for (const [pair, zone] of Object.entries(ZONES)) {
      const [cpo, emsp] = pair.split('|');
      expect(await settlement.setPairTimeZone(cpo, emsp, zone)).toMatchObject({ cpo, emsp, time_zone: zone });
    }
    const store = new ObjectStore(db);
    const generated = generateCdrs(300, 21);
    // CDRs an hour either side of the UTC month ends: these move month in the zones above.
    const edges = ['2024-02-29T23:30:00Z', '2024-03-01T00:30:00Z', '2024-03-31T22:30:00Z', '2024-04-01T03:30:00Z', '2024-03-31T10:30:00Z'];
    edges.forEach((end, i) => {
      for (const [j, template] of generated.slice(0, 6).entries()) {
        const cdr = { ...template.cdr, id: `EDGE${i}-${j}`, end_date_time: end, start_date_time: new Date(Date.parse(end) - 3_600_000).toISOString(), credit: false, credit_reference_id: undefined, total_cost: { excl_vat: 1 + i, incl_vat: 1.21 + i } };
        generated.push({ owner: template.owner, cdr });
      }
    });
    for (const { owner, cdr } of generated) {
      await store.put({ module: 'cdrs', ...owner, objectId: cdr.id }, cdr, new Date());
      stored.push({ cpo: `${owner.countryCode}/${owner.partyId}`, cdr });
    }
  });
  afterAll(() => db.destroy());

  it('puts each CDR on the statement of the month its end falls in, in its pair’s zone, as the core does', async () => {
    for (const label of ['2024-02', '2024-03', '2024-04']) {
      const period = month(label);
      const outcome = await settlement.run(period);
      const core = settlePeriod(period, stored, new Map(), new Set(), zoneOf);
      expect(outcome.statements.map((s) => s.id).sort()).toEqual(core.map((s) => statementId(period, s.key)).sort());
      for (const computed of core) {
        const id = statementId(period, computed.key);
        const view = await settlement.statement(id);
        expect(view.period).toEqual({ ...period, time_zone: zoneOf(computed.key) });
        const shown = await settlement.version(id, undefined, { offset: 0, limit: 10_000 });
        expect(shown.lines.map((l) => l.cdr_id)).toEqual(computed.lines.map((l) => l.cdrId));
        expect(new Decimal(shown.version.gross).toString()).toBe(computed.totals.gross === null ? '0' : new Decimal(computed.totals.gross).toString());
        expect(shown.lines.every((l) => l.late === false)).toBe(true);
      }
    }
    // The edges really moved: 31 March 22:30 UTC is April in Amsterdam, March in UTC and New York.
    const amsterdamApril = statementId(month('2024-04'), { cpo: 'BE/BEC', emsp: 'DE/TNM', currency: 'EUR' });
    const lines = (await settlement.version(amsterdamApril, undefined, { offset: 0, limit: 10_000 })).lines;
    expect(lines.some((l) => l.end_date_time.toISOString() === '2024-03-31T22:30:00.000Z')).toBe(true);
    expect(periodOf('2024-03-31T22:30:00Z', 'monthly', 'America/New_York').label).toBe('2024-03');
  });

  it('lists the zones with the default, and refuses a zone that is none, a party that is none, or a change once statements exist', async () => {
    const listed = await settlement.pairTimeZones();
    expect(listed.default_time_zone).toBe('UTC');
    expect(listed.pairs.map((p) => `${p.cpo}|${p.emsp}=${p.time_zone}`).sort()).toEqual(Object.entries(ZONES).map(([k, v]) => `${k}=${v}`).sort());
    await expect(settlement.setPairTimeZone('BE/BEC', 'DE/TNM', 'Europe/Atlantis')).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('not an IANA time zone') });
    await expect(settlement.setPairTimeZone('BEBEC', 'DE/TNM', 'UTC')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(settlement.setPairTimeZone('BE/BEC', 'DE/TNM', 'UTC')).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/^BE\/BEC and DE\/TNM have \d+ statement\(s\) cut in Europe\/Amsterdam/),
    });
    // Nothing changed.
    expect((await settlement.pairTimeZones()).pairs.find((p) => p.cpo === 'BE/BEC' && p.emsp === 'DE/TNM')!.time_zone).toBe('Europe/Amsterdam');
    // The same zone again is fine (idempotent), and so is a new pair with no statements.
    await expect(settlement.setPairTimeZone('BE/BEC', 'DE/TNM', 'Europe/Amsterdam')).resolves.toMatchObject({ time_zone: 'Europe/Amsterdam' });
    await expect(settlement.setPairTimeZone('FR/NEW', 'DE/TNM', 'Europe/Paris')).resolves.toMatchObject({ time_zone: 'Europe/Paris' });
    expect(keyString({ cpo: 'BE/BEC', emsp: 'DE/TNM', currency: 'EUR' })).toBe('BE/BEC|DE/TNM|EUR');
  });

  it('runs on schedule the last month complete in the default zone', async () => {
    const tokyo = new SettlementService(db, { periodKind: 'monthly', defaultTimeZone: 'Asia/Tokyo', log: createLogger('silent') });
    // 2024-04-30T16:00Z is 1 May 01:00 in Tokyo: April is complete there, not yet in UTC.
    expect((await tokyo.runScheduled(Date.parse('2024-04-30T16:00:00Z'))).period.label).toBe('2024-04');
    expect((await settlement.runScheduled(Date.parse('2024-04-30T16:00:00Z'))).period.label).toBe('2024-03');
  });
});
