import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { createApp, hubHttpServer } from '../../src/app';
import { type Config, loadConfig } from '../../src/foundation/config';
import { openDatabase } from '../../src/db/data-source';
import { createLogger } from '../../src/foundation/log';
import { attachOcpp } from '../../src/own-cpo/ocpp/ocpp-server';
import { createServices, type Services } from '../../src/services';
import { type BackgroundOptions, startHub } from '../../src/lifecycle';
import { createTestDatabase } from './database';
import { checkAgainstOpenApi, type RecordedResponse } from './openapi';
import { ownSite } from './own-sites';

export interface TestHub {
  url: string;
  /** Where the hub's own charge points connect: `${ocppUrl}/<charge point id>`. */
  ocppUrl: string;
  versionsUrl: string;
  adminKey: string;
  services: Services;
  /** axios for the admin API, never throwing on HTTP errors. */
  admin: AxiosInstance;
  /** Lines the hub logged, for checking that secrets never reach a log. */
  logLines: string[];
  close(): Promise<void>;
}

export interface TestHubOptions {
  env?: Record<string, string>;
  databaseUrl?: string;
  startOutbox?: boolean;
  /** Background work besides the outbox (off unless asked for: tests drive sweeps and jobs themselves). */
  background?: Omit<BackgroundOptions, 'outbox'>;
  /** Benchmarks turn off the OpenAPI check and the in-memory log they do not need. */
  checkOpenApi?: boolean;
  logLevel?: string;
  /** Database connections of the hub (10 unless given; a test of a starved pool gives a tiny one). */
  poolSize?: number;
}

/** A real hub on a random 127.0.0.1 port with its own database (a fresh copy of the migrated template). */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const server: Server = hubHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const adminKey = randomBytes(18).toString('base64url');
  const config: Config = loadConfig({
    PORT: String(port),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ocpi-hub-test-')),
    ADMIN_API_KEY: adminKey,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    OCPI_TIMEOUT_MS: '2000',
    // Partners in tests are servers on 127.0.0.1: test mode of the outbound (SSRF) guard.
    OUTBOUND_ALLOW_PRIVATE: 'true',
    // Off unless a test asks: suites and benchmarks send far more than a partner would.
    RATE_LIMIT_PARTY_PER_SECOND: '0',
    RATE_LIMIT_CHARGER_PER_SECOND: '0',
    ...options.env,
  });
  const logLines: string[] = [];
  const log = createLogger(options.logLevel ?? 'debug', { write: (line: string) => void logLines.push(line) });
  const db = await openDatabase({ url: options.databaseUrl ?? (await createTestDatabase()), poolSize: options.poolSize ?? 10 });
  const services = createServices({ config, secrets: { adminApiKey: adminKey, tokenEncryptionKey: config.tokenEncryptionKey! }, db, log });
  const app = createApp(services);
  // Every response the hub gives in a test is checked against openapi/openapi.yaml when the hub closes.
  const responses: RecordedResponse[] = [];
  if (options.checkOpenApi !== false) {
    app.middleware.unshift(async (ctx, next) => {
      await next();
      // A JSON answer written as text (a GET-all page of stored JSON, envelope.ts respondJoinedData) is checked as what it says.
      const json = (typeof ctx.body === 'string' || Buffer.isBuffer(ctx.body)) && ctx.response.is('json') ? String(ctx.body) : JSON.stringify(ctx.body);
      const body = ctx.body === undefined || ctx.body === null ? ctx.body : JSON.parse(json);
      responses.push({ method: ctx.method, path: ctx.path, status: ctx.status, body });
    });
  }
  server.on('request', app.callback());
  attachOcpp(server, services);
  const running = await startHub(services, { outbox: options.startOutbox !== false, sweeps: false, scheduler: false, ...options.background });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    ocppUrl: `ws://127.0.0.1:${port}/ocpp`,
    versionsUrl: `${url}/ocpi/versions`,
    adminKey,
    services,
    logLines,
    admin: axios.create({ baseURL: url, headers: { Authorization: `Bearer ${adminKey}` }, validateStatus: () => true }),
    async close() {
      await running.stop();
      await new Promise((resolve) => server.close(resolve));
      await db.destroy();
      const problems = [...new Set(responses.flatMap(checkAgainstOpenApi))];
      if (problems.length) throw new Error(`Responses that do not match openapi/openapi.yaml:\n${problems.join('\n')}`);
    },
  };
}

/**
 * Stores own locations without EVSEs through the admin API: chargers may only be registered at an own
 * location that exists. For tests whose chargers' EVSEs need no location data.
 */
export async function putOwnLocations(hub: TestHub, ...ids: string[]): Promise<void> {
  for (const id of ids) {
    const response = await hub.admin.put(`/admin/locations/${encodeURIComponent(id)}`, ownSite(id));
    if (response.status !== 201 && response.status !== 200) throw new Error(`could not store own location ${id}: ${JSON.stringify(response.data)}`);
  }
}
