import { Client } from 'pg';

/** Drops every database this run created and stops the embedded server, if one was started. */
export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL;
  const runId = process.env.TEST_RUN_ID;
  if (serverUrl && runId && !globalThis.__embeddedPostgres) {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1`,
        [`hubtest\\_${runId}\\_%`],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await globalThis.__embeddedPostgres?.stop();
}
