import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase } from '../support/database';

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
});
