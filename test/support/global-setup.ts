import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../../src/db/data-source';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/db/embedded-postgres';
import { databaseUrl } from './database';

declare global {
  // Shared with global-teardown.ts, which runs in the same process.
  var __embeddedPostgres: RunningPostgres | undefined;
}

/**
 * Starts one PostgreSQL for the whole run (embedded, unless DATABASE_URL names a server), migrates a
 * template database once, and tells the workers where it is. Each test file then clones the template.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-test-pg-'));
    globalThis.__embeddedPostgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    serverUrl = globalThis.__embeddedPostgres.url;
  }
  const template = `hubtest_${runId}_template`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const dataSource = await openDatabase({ url: databaseUrl(serverUrl, template), poolSize: 1 });
  await dataSource.destroy();
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.TEST_DATABASE_TEMPLATE = template;
  process.env.TEST_RUN_ID = runId;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
