import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import type { TestPartner } from './partner';

const ROOT = path.join(__dirname, '../..');

/** What a hub process is started with; the same settings start it again after a kill. */
export interface HubProcessSettings {
  /** Empty: the hub runs its embedded PostgreSQL in DATA_DIR/postgres (EMBEDDED_PG_PORT in `env`). */
  databaseUrl: string;
  port: number;
  dataDir: string;
  adminKey: string;
  tokenEncryptionKey: string;
  /** More environment (OCPI_TIMEOUT_MS, LOG_LEVEL…). */
  env?: Record<string, string>;
}

/** The real hub (`node --import tsx src/main.ts`) as a child process, as an operator runs it. */
export interface HubProcess {
  settings: HubProcessSettings;
  child: ChildProcess;
  url: string;
  ocppUrl: string;
  versionsUrl: string;
  /** axios for the admin API, never throwing on HTTP errors. */
  admin: AxiosInstance;
  /** What it wrote to stdout and stderr (the last lines tell why it failed). */
  output: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed — the process is simply gone. */
  kill(): Promise<number | string>;
  /** SIGTERM: the orderly shutdown. */
  stop(): Promise<number | string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Settings for a fresh hub on `databaseUrl`: a free port, an empty DATA_DIR, new keys. */
export async function hubProcessSettings(databaseUrl: string, env: Record<string, string> = {}): Promise<HubProcessSettings> {
  return {
    databaseUrl,
    port: await freePort(),
    dataDir: mkdtempSync(path.join(tmpdir(), 'ocpi-hub-process-')),
    adminKey: randomBytes(18).toString('base64url'),
    tokenEncryptionKey: randomBytes(32).toString('hex'),
    env,
  };
}

/**
 * The test's time zone, locale and (under Debian's faketime) fake clock, so a hub process keeps the
 * clock of the chargers and partners the test runs: a charger clock far ahead of the hub's is not believed.
 */
function clockAndLocale(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && /^(TZ|LANG|LC_\w+|LD_PRELOAD|FAKETIME\w*|DONT_FAKE_MONOTONIC)$/.test(entry[0]),
    ),
  );
}

/** Starts the hub and resolves once it listens (it has migrated the database and started its work by then). */
export async function startHubProcess(settings: HubProcessSettings): Promise<HubProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...clockAndLocale(),
      PORT: String(settings.port),
      HOST: '127.0.0.1',
      ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
      DATA_DIR: settings.dataDir,
      ADMIN_API_KEY: settings.adminKey,
      TOKEN_ENCRYPTION_KEY: settings.tokenEncryptionKey,
      // Partners in tests are servers on 127.0.0.1: test mode of the outbound (SSRF) guard.
      OUTBOUND_ALLOW_PRIVATE: 'true',
      RATE_LIMIT_PARTY_PER_SECOND: '0',
      RATE_LIMIT_CHARGER_PER_SECOND: '0',
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      ...settings.env,
    },
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (output.some((line) => line.includes('OCPI hub listening'))) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`the hub exited (${code}) before it listened:\n${output.slice(-30).join('\n')}`)));
  });
  const url = `http://127.0.0.1:${settings.port}`;
  return {
    settings,
    child,
    url,
    ocppUrl: `ws://127.0.0.1:${settings.port}/ocpp`,
    versionsUrl: `${url}/ocpi/versions`,
    admin: axios.create({ baseURL: url, headers: { Authorization: `Bearer ${settings.adminKey}` }, validateStatus: () => true }),
    output,
    exited,
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Onboarding as an operator does it: each partner created through the admin API, then its own
 * credentials handshake. Returns an OCPI client (token C, OCPI-from-*, never throwing on HTTP errors)
 * for each onboarded party id.
 */
export async function onboardPartners(hub: HubProcess, partners: readonly (readonly [TestPartner, 'CPO' | 'EMSP'])[]): Promise<(partyId: string) => AxiosInstance> {
  const tokenC: Record<string, string> = {};
  for (const [partner, role] of partners) {
    const created = await hub.admin.post('/admin/parties', { country_code: partner.options.countryCode, party_id: partner.options.partyId, roles: [role], name: partner.options.partyId });
    expect(created.status).toBe(201);
    const { body } = await partner.registerWith(hub.versionsUrl, created.data.token_a);
    expect(body.status_code).toBe(1000);
    tokenC[partner.options.partyId] = body.data.token;
  }
  const countryOf = Object.fromEntries(partners.map(([p]) => [p.options.partyId, p.options.countryCode]));
  return (partyId) =>
    axios.create({
      baseURL: `${hub.url}/ocpi/2.2.1`,
      validateStatus: () => true,
      headers: { Authorization: `Token ${Buffer.from(tokenC[partyId]).toString('base64')}`, 'OCPI-from-country-code': countryOf[partyId], 'OCPI-from-party-id': partyId },
    });
}
