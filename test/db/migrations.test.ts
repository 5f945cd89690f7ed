import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, openDatabase } from '../../src/db/data-source';
import { migrations } from '../../migrations';
import { createTestDatabase, databaseUrl } from '../support/database';

describe('migrations', () => {
  it('bring a fresh database to the current schema and reverse cleanly', async () => {
    const dataSource = createDataSource({ url: await createTestDatabase(), poolSize: 1 });
    await dataSource.initialize();
    try {
      expect(await dataSource.showMigrations()).toBe(false);
      const tables = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
        expect.arrayContaining(['charger_connector_status', 'chargers', 'migrations', 'ocpp_events', 'outbox', 'parties', 'party_roles']),
      );
      await dataSource.undoLastMigration();
      expect(await dataSource.showMigrations()).toBe(true);
      await dataSource.runMigrations();
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });

  it('let instances starting together on an empty database migrate it once, one after the other', async () => {
    const serverUrl = process.env.TEST_DATABASE_SERVER_URL!;
    const name = `hubtest_empty_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = databaseUrl(serverUrl, name);
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url, poolSize: 2 })));
    try {
      const applied = await instances[0].query(`SELECT name, count(*)::int AS times FROM migrations GROUP BY name`);
      expect(applied).toHaveLength(migrations.length);
      expect(applied.every((m: { times: number }) => m.times === 1)).toBe(true);
      for (const instance of instances) expect(await instance.showMigrations()).toBe(false);
    } finally {
      await Promise.all(instances.map((i) => i.destroy()));
    }
  });
});
