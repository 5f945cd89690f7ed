import type { Server } from 'node:http';
import path from 'node:path';
import { createApp, hubHttpServer } from './app';
import { loadConfig } from './foundation/config';
import { openDatabase } from './db/data-source';
import { startEmbeddedPostgres } from './db/embedded-postgres';
import { createLogger } from './foundation/log';
import { versionsUrl } from './hub/modules/versions/hub-versions';
import { createOcppTlsServer, trustHubCa } from './own-cpo/ocpp/ocpp-tls';
import { attachOcpp, OCPP_PATH } from './own-cpo/ocpp/ocpp-server';
import { ADMIN_KEY_FILE, resolveSecrets } from './foundation/secrets';
import { createServices } from './services';
import { startHub } from './lifecycle';
import { decideDemo, startDemo } from './demo/demo-network';
import { demoPayments } from './demo/demo-payments';

/** How long a shutdown may take before the hub gives up waiting and exits with an error. */
const SHUTDOWN_LIMIT_MS = 30_000;

/** How long HTTP requests under way at shutdown may take to finish before their connections are cut. */
const HTTP_GRACE_MS = 10_000;

/** Stops accepting HTTP connections; resolves when those open have ended (idle ones at once), or after HTTP_GRACE_MS. */
function closeHttp(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, HTTP_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

/** config → database → services → http server (OCPI, admin, OCPP) → background work. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // A promise nobody awaited that rejects would end the process (Node's default), with every charger
  // and partner connection on it: logged as the bug it is instead (the causes are fixed where found).
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection (a bug; the hub keeps running)'));
  const secrets = resolveSecrets(config);
  // Read before anything starts, so missing TLS files stop the start at once.
  const ocppTls = config.ocpp.tls && { server: createOcppTlsServer(config.ocpp.tls), port: config.ocpp.tls.port };

  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.embeddedPostgresPort,
        persistent: true,
        onLog: (line) => log.debug({ postgres: line }),
      });
  const db = await openDatabase({ url: config.databaseUrl ?? embedded!.url });

  // A first start on an empty embedded database brings up the demo network (DEMO=false: never).
  const demo = await decideDemo(config, db);
  // The demo's drivers pay through a local Stripe stand-in unless a Stripe account is configured.
  const payments = demo.mode === 'off' ? undefined : await demoPayments(demo.config, log);
  const services = createServices({ config: payments?.config ?? config, secrets, db, log });
  const app = createApp(services);
  const server = hubHttpServer(app.callback());
  const running = await startHub(services); // before listening: the own CPO and connection marks are ready first
  attachOcpp(server, services);
  await listen(server, config.port, config.host);
  if (ocppTls && config.ocpp.tls?.hubCa) {
    // OCPP_TLS_CA=hub: the listener trusts the hub CA (made now if it is the first start), and the one the operator imports later.
    const tls = config.ocpp.tls;
    const trust = async () => trustHubCa(ocppTls.server, tls, await services.certificateAuthority.trustedChainPem());
    await trust();
    services.certificateAuthority.onChange(() => trust().catch((error) => log.error({ err: error }, 'could not trust the new hub CA on the TLS listener')));
  }
  if (ocppTls) {
    attachOcpp(ocppTls.server, services);
    await listen(ocppTls.server, ocppTls.port, config.host);
  }

  log.info({ url: config.publicUrl, database: embedded ? 'embedded' : 'external' }, 'hub started');
  const demoNetwork =
    demo.mode === 'off'
      ? undefined
      : await startDemo(services, {
          mode: demo.mode,
          hubUrl: `http://127.0.0.1:${config.port}`,
          ocppUrl: `ws://127.0.0.1:${config.port}${OCPP_PATH}`,
          versionsUrl: versionsUrl(config.publicUrl),
          dataDir: config.dataDir,
          log,
        });
  // The key is shown once, by the start that made it: a key from ADMIN_API_KEY or from its file stays
  // out of logs (container logs are read by more people than the admin).
  const keyFile = path.join(config.dataDir, ADMIN_KEY_FILE);
  const shown = secrets.adminApiKeyOrigin === 'generated';
  const keyLine = shown
    ? `${secrets.adminApiKey}  (made now and kept in ${keyFile}; shown this once)`
    : secrets.adminApiKeyOrigin === 'env'
      ? 'from ADMIN_API_KEY (not shown)'
      : `kept in ${keyFile} (not shown)`;
  const bearer = shown ? secrets.adminApiKey : '<admin key>';
  process.stdout.write(
    [
      '',
      `  OCPI hub listening on ${config.publicUrl}`,
      `  OCPI versions URL:  ${versionsUrl(config.publicUrl)}`,
      `  OCPP endpoint:      ${config.publicUrl.replace(/^http/, 'ws')}${OCPP_PATH}/<charge point id>` +
        (config.ocpp.tls ? `  (TLS: wss://${config.host}:${config.ocpp.tls.port}${OCPP_PATH}/<charge point id>)` : ''),
      `  Dashboard:          ${config.publicUrl}/dashboard  (enter the admin key once)`,
      `  Admin API key:      ${keyLine}`,
      `  Metrics:            ${config.publicUrl}/metrics  (Bearer METRICS_TOKEN or the admin key)`,
      ...(demoNetwork?.summary ?? []),
      ...(payments?.summary ?? []),
      `  Database:           ${embedded ? `embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')}` : 'DATABASE_URL'}`,
      '',
      `  Onboard a partner:  curl -X POST ${config.publicUrl}/admin/parties -H 'Authorization: Bearer ${bearer}' \\`,
      `                        -H 'Content-Type: application/json' -d '{"country_code":"NL","party_id":"ABC","roles":["EMSP"],"name":"ABC eMobility"}'`,
      '',
    ].join('\n') + '\n',
  );

  // The order matters: nothing new comes in, what came in is answered and written, background work
  // stops, then the database closes and last the embedded server stops (docs/operations.md).
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'the shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    try {
      await demoNetwork?.stop();
      await payments?.stop();
      const http = [closeHttp(server), ...(ocppTls ? [closeHttp(ocppTls.server)] : [])]; // no new connections from here on
      await running.stop(); // OCPP: calls under way answered and written, connections closed; then the outbox and jobs
      await Promise.all(http); // HTTP requests under way finish (they may still need the database)
      await db.destroy();
      await embedded?.stop();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'the shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP')); // the terminal closed: the server, in its own process group, does not see it
}

main().catch((error: Error) => {
  process.stderr.write(`The hub could not start: ${error.message}\n`);
  process.exit(1);
});
