// OCPI DateTimes without a zone are UTC; SQL casts read the session's zone, so the hub fixes it to UTC
// on its connections whatever the server (or an ALTER DATABASE) says.
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase } from '../support/database';

it('reads a DateTime without a zone as UTC on a database set to another zone', async () => {
  const url = await createTestDatabase();
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(admin.database!)} SET TimeZone = 'Europe/Amsterdam'`);
  } finally {
    await admin.end();
  }
  const plain = new Client({ connectionString: url });
  await plain.connect();
  const [{ zone: plainZone }] = (await plain.query("SELECT current_setting('TimeZone') AS zone")).rows;
  await plain.end();
  expect(plainZone).toBe('Europe/Amsterdam');

  const dataSource = createDataSource({ url, poolSize: 1 });
  await dataSource.initialize();
  try {
    const [row] = await dataSource.query(`SELECT current_setting('TimeZone') AS zone, '2024-02-29T23:59:59'::timestamptz AS at`);
    expect(row.zone).toBe('UTC');
    expect((row.at as Date).toISOString()).toBe('2024-02-29T23:59:59.000Z');
  } finally {
    await dataSource.destroy();
  }
});
