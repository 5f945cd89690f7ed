import { Client } from 'pg';
import { ObjectStore } from '../../src/hub/routing/object-store';
import { openDatabase } from '../../src/db/data-source';
import { createTestDatabase } from '../support/database';
import { type HubProcess, hubProcessSettings, startHubProcess } from '../support/hub-process';
import { waitFor } from '../support/network';
import { generateCdrs } from '../hub/settlement/settlement-data';

/**
 * The real hub process killed with SIGKILL in the middle of a settlement run: the run is one
 * transaction, so nothing of it is visible afterwards, and the run made after the restart gives the
 * statements a run would have given without the kill (running it once more changes nothing).
 */
describe('a settlement run killed half-way', () => {
  let databaseUrl: string;
  let sql: Client;
  let hub: HubProcess | undefined;
  const counts = () =>
    sql
      .query(`SELECT (SELECT count(*) FROM settlement_runs)::int AS runs, (SELECT count(*) FROM settlement_statements)::int AS statements,
                     (SELECT count(*) FROM settlement_statement_versions)::int AS versions`)
      .then((r) => r.rows[0]);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
    const store = new ObjectStore(db);
    for (const { owner, cdr } of generateCdrs(120, 23)) await store.put({ module: 'cdrs', ...owner, objectId: cdr.id }, cdr, new Date());
    await db.destroy();
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await hub?.kill().catch(() => undefined);
    await sql.end();
  });

  it('leaves nothing visible, and the run after the restart settles the period as if nothing had happened', async () => {
    const settings = await hubProcessSettings(databaseUrl, { DEMO: 'false' });
    hub = await startHubProcess(settings);
    const before = await counts();
    // Hold the run at its last write (its own record), after every statement, version and line of it.
    await sql.query(`CREATE FUNCTION hold_settlement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$`);
    await sql.query(`CREATE TRIGGER hold_settlement BEFORE UPDATE ON settlement_runs FOR EACH ROW EXECUTE FUNCTION hold_settlement()`);
    const running = hub.admin.post('/admin/settlement/runs', { period: '2024-02' }).catch(() => undefined);
    await waitFor(async () => {
      const { rows } = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%settlement_runs%'`);
      return rows.length > 0;
    }, 'the run to reach its last write');
    await hub.kill();
    hub = undefined;
    await running;
    // The killed hub's transaction ends without a COMMIT once its backend notices the client is gone.
    await waitFor(async () => (await sql.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'`)).rows.length === 0, 'the killed run to end', 15_000);
    await sql.query(`DROP TRIGGER hold_settlement ON settlement_runs; DROP FUNCTION hold_settlement()`);
    expect(await counts()).toEqual(before);

    hub = await startHubProcess(settings);
    const run = await hub.admin.post('/admin/settlement/runs', { period: '2024-02' });
    expect(run.status).toBe(201);
    expect(run.data.statements.length).toBeGreaterThan(0);
    expect(run.data.statements.every((s: { version: number; changed: boolean }) => s.version === 1 && s.changed)).toBe(true);
    const statements = (await hub.admin.get('/admin/settlement/statements', { params: { period: '2024-02' } })).data;
    // Once more over the same CDRs: the same statements, no new version.
    const again = await hub.admin.post('/admin/settlement/runs', { period: '2024-02' });
    expect(again.data.statements).toEqual(run.data.statements.map((s: { id: string }) => ({ id: s.id, version: 1, changed: false })));
    expect((await hub.admin.get('/admin/settlement/statements', { params: { period: '2024-02' } })).data).toEqual(statements);
  });
});
