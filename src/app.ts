import { createServer, type RequestListener, type Server } from 'node:http';
import Koa, { type Middleware } from 'koa';
import compose from 'koa-compose';
import Router from '@koa/router';
import { adminErrorHandler, AdminError, requireAdminKey } from './http/admin-http';
import { agreementsAdminRouter } from './hub/admin/agreements.routes';
import { cdrRatingsAdminRouter } from './hub/admin/cdr-ratings.routes';
import { settlementAdminRouter } from './hub/admin/settlement.routes';
import { financeKeysAdminRouter } from './hub/admin/finance-keys.routes';
import { sitePlannerAdminRouter } from './own-cpo/admin/site-planner.routes';
import { EMS_PREFIX, emsRouter, requireEmsKey } from './own-cpo/load/ems.routes';
import { PARTNER_FINANCE_PREFIX, partnerFinanceRouter, requireFinanceKey } from './hub/partner-finance/partner-finance.routes';
import { chargersAdminRouter } from './own-cpo/admin/chargers.routes';
import { deviceModelAdminRouter } from './own-cpo/admin/device-model.routes';
import { chargerLiveAdminRouter } from './own-cpo/admin/charger-live.routes';
import { chargerActionsAdminRouter, FIRMWARE_UPLOAD_PATH, firmwareUploadStack } from './own-cpo/admin/charger-actions.routes';
import { ocppUploadsStack } from './own-cpo/ocpp/ocpp-uploads.routes';
import { CHARGER_FILES_PATH } from './own-cpo/chargers/charger-files';
import { meterKeysAdminRouter } from './own-cpo/admin/meter-keys.routes';
import { certificatesAdminRouter } from './own-cpo/admin/certificates.routes';
import { hubCaCrlStack } from './own-cpo/chargers/hub-ca-crl.routes';
import { HUB_CA_CRL_PREFIX } from './own-cpo/chargers/hub-ca-crls';
import { localListAdminRouter } from './own-cpo/admin/local-list.routes';
import { sitesAdminRouter } from './own-cpo/admin/sites.routes';
import { bookingsAdminRouter } from './own-cpo/admin/bookings.routes';
import { fleetsAdminRouter } from './own-cpo/admin/fleets.routes';
import { hasFleetKey, requireFleetKey } from './own-cpo/fleets/fleet-auth';
import { ownLocationsAdminRouter } from './own-cpo/admin/own-locations.routes';
import { ownTariffsAdminRouter } from './own-cpo/admin/own-tariffs.routes';
import { outboxAdminRouter } from './hub/admin/outbox.routes';
import { partiesAdminRouter } from './hub/admin/parties.routes';
import { afirAdminRouter } from './hub/nap/afir.routes';
import { napDatex2Stack } from './hub/nap/nap-datex2.routes';
import { transactionsAdminRouter } from './own-cpo/admin/transactions.routes';
import { ownCpoAdminRouter } from './own-cpo/admin/own-cpo.routes';
import { payoutAccountsAdminRouter, payoutsAdminRouter } from './own-cpo/admin/payout-accounts.routes';
import { payStack, stripeWebhookStack } from './own-cpo/driver-payments/payments.routes';
import { driverPageStack } from './own-cpo/driver-page/driver-page.routes';
import { shortCodesAdminRouter } from './own-cpo/admin/short-codes.routes';
import { CREDENTIALS_PATH, credentialsRouter } from './hub/modules/credentials/credentials.routes';
import { HUBCLIENTINFO_PATH, hubClientInfoRouter } from './hub/modules/hubclientinfo/hubclientinfo.routes';
import { LOCATIONS_RECEIVER_PATH, LOCATIONS_SENDER_PATH, locationsRouter } from './hub/modules/locations/locations.routes';
import { TARIFFS_RECEIVER_PATH, TARIFFS_SENDER_PATH, tariffsRouter } from './hub/modules/tariffs/tariffs.routes';
import { SESSIONS_RECEIVER_PATH, SESSIONS_SENDER_PATH, sessionsRouter } from './hub/modules/sessions/sessions.routes';
import { CDRS_RECEIVER_PATH, CDRS_SENDER_PATH, cdrsRouter } from './hub/modules/cdrs/cdrs.routes';
import { TOKENS_RECEIVER_PATH, TOKENS_SENDER_PATH, tokensRouter } from './hub/modules/tokens/tokens.routes';
import { COMMANDS_RECEIVER_PATH, commandsRouter } from './hub/modules/commands/commands.routes';
import { COMMANDS_SENDER_PATH } from './hub/modules/commands/commands.service';
import { CHARGINGPROFILES_RECEIVER_PATH, chargingprofilesRouter } from './hub/modules/chargingprofiles/chargingprofiles.routes';
import { CHARGINGPROFILES_SENDER_PATH } from './hub/modules/chargingprofiles/chargingprofiles.service';
import { ocpiPaymentsRouter, PAYMENTS_ENDPOINTS } from './hub/modules/payments/ocpi-payments.routes';
import { INVOICERECONCILIATION_ENDPOINTS, invoiceReconciliationRouter } from './hub/modules/invoicereconciliation/invoicereconciliation.routes';
import { BOOKINGS_ENDPOINTS, bookingsRouter } from './hub/modules/bookings/bookings.routes';
import { versionsRouter } from './hub/modules/versions/versions.routes';
import type { HubEndpoint } from './hub/modules/versions/hub-versions';
import { type OcpiVersion, VERSION_FORM } from './core/ocpi-versions/ocpi-versions';
import { loadOpenApiDocument } from './openapi-document';
import type { Services } from './services';
import { jsonBody } from './http/json-body';
import { ocpiErrorHandler } from './hub/transport/ocpi-error-handler';
import { ocpiErrors } from './hub/ocpi/ocpi-errors';
import { ocpiRateLimit } from './hub/transport/rate-limit';
import { requestIds } from './http/request-ids';
import { metrics, ocpiModuleOf, partnerLabel } from './foundation/metrics';
import { metricsStack } from './dashboard/metrics.routes';
import { dashboardAdminRouter, dashboardPageStack } from './dashboard/dashboard.routes';
import { answeredOcpiStatus, recordInboundTraffic } from './http/traffic-recorder';
import { trafficAdminRouter } from './hub/admin/traffic.routes';
import { outboxActionsAdminRouter } from './hub/admin/outbox-actions.routes';
import { consoleAdminRouter } from './dashboard/console.routes';
import { auditAdminRequests } from './http/admin-audit';
import { reliabilityAdminRouter } from './hub/admin/reliability.routes';
import { reliabilityPlaybooksAdminRouter } from './own-cpo/admin/reliability-playbooks.routes';

/** Every endpoint the hub offers in the version details of each version it offers. */
export const HUB_ENDPOINTS: HubEndpoint[] = [
  { identifier: 'credentials', role: 'SENDER', path: CREDENTIALS_PATH },
  { identifier: 'credentials', role: 'RECEIVER', path: CREDENTIALS_PATH },
  { identifier: 'hubclientinfo', role: 'SENDER', path: HUBCLIENTINFO_PATH },
  { identifier: 'locations', role: 'SENDER', path: LOCATIONS_SENDER_PATH },
  { identifier: 'locations', role: 'RECEIVER', path: LOCATIONS_RECEIVER_PATH },
  { identifier: 'tariffs', role: 'SENDER', path: TARIFFS_SENDER_PATH },
  { identifier: 'tariffs', role: 'RECEIVER', path: TARIFFS_RECEIVER_PATH },
  { identifier: 'sessions', role: 'SENDER', path: SESSIONS_SENDER_PATH },
  { identifier: 'sessions', role: 'RECEIVER', path: SESSIONS_RECEIVER_PATH },
  { identifier: 'cdrs', role: 'SENDER', path: CDRS_SENDER_PATH },
  { identifier: 'cdrs', role: 'RECEIVER', path: CDRS_RECEIVER_PATH },
  { identifier: 'tokens', role: 'SENDER', path: TOKENS_SENDER_PATH },
  { identifier: 'tokens', role: 'RECEIVER', path: TOKENS_RECEIVER_PATH },
  { identifier: 'commands', role: 'SENDER', path: COMMANDS_SENDER_PATH },
  { identifier: 'commands', role: 'RECEIVER', path: COMMANDS_RECEIVER_PATH },
  { identifier: 'chargingprofiles', role: 'SENDER', path: CHARGINGPROFILES_SENDER_PATH },
  { identifier: 'chargingprofiles', role: 'RECEIVER', path: CHARGINGPROFILES_RECEIVER_PATH },
  ...PAYMENTS_ENDPOINTS,
  ...INVOICERECONCILIATION_ENDPOINTS,
  ...BOOKINGS_ENDPOINTS,
];

function routes(...routers: Router[]): Middleware {
  return compose(routers.flatMap((router) => [router.routes(), router.allowedMethods()])) as Middleware;
}

/** Paths under `prefix` are answered by `middleware` alone (its own 404s included); others pass on. */
function under(prefix: string, middleware: Middleware): Middleware {
  const end = async () => undefined;
  return (ctx, next) => (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, end) : next());
}

function requestLog(services: Services): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ocpi = ctx.path.startsWith('/ocpi');
      // An OCPI refusal is HTTP 200 with status_code 2xxx: the log says both.
      const ocpiStatus = ocpi ? answeredOcpiStatus(ctx) : undefined;
      if (ocpi) metrics.ocpiRequest(ctx.path, ctx.status, { status_code: ocpiStatus }, Number(process.hrtime.bigint() - started) / 1e9, partnerLabel(ctx.state.caller?.party));
      services.log.info(
        {
          direction: 'in',
          method: ctx.method,
          path: ctx.path,
          // As on the call lines of outgoing calls (hub/outbound outboundCallLogFields).
          module: ocpi ? ocpiModuleOf(ctx.path) : undefined,
          status: ctx.status,
          ocpiStatus: typeof ocpiStatus === 'number' ? ocpiStatus : undefined,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          requestId: ctx.state.requestId,
          correlationId: ctx.state.correlationId,
          party: ctx.state.caller ? `${ctx.state.caller.party.countryCode}/${ctx.state.caller.party.partyId}` : undefined,
        },
        'request',
      );
    }
  };
}

/** The endpoints of each offered version, in the order the versions list shows them. */
export function hubEndpointsByVersion(offered: readonly OcpiVersion[]): Map<OcpiVersion, HubEndpoint[]> {
  return new Map(offered.map((version) => [version, HUB_ENDPOINTS.filter((e) => VERSION_FORM[version].modules.includes(e.identifier))]));
}

/** Every OCPI router of the hub, per offered version; the fuzz and isolation tests enumerate their routes (test/fuzz). */
export function ocpiRouters(services: Services): Router[] {
  const { config, parties } = services;
  const moduleDeps = { ...services, publicUrl: config.publicUrl };
  return [
    versionsRouter({ publicUrl: config.publicUrl, endpoints: hubEndpointsByVersion(config.ocpiVersions), parties }),
    ...config.ocpiVersions.flatMap((version) => {
      // Only the modules the version has (2.1.1 has no charging profiles and no hub client info).
      const has = (module: string) => VERSION_FORM[version].modules.includes(module);
      return [
        credentialsRouter({ parties, credentials: services.credentials, versionContexts: services.versionContexts }, version),
        ...(has('hubclientinfo') ? [hubClientInfoRouter({ parties, hubClientInfo: services.hubClientInfo, publicUrl: config.publicUrl }, version)] : []),
        locationsRouter(moduleDeps, version),
        tariffsRouter(moduleDeps, version),
        sessionsRouter(moduleDeps, version),
        cdrsRouter(moduleDeps, version),
        tokensRouter(moduleDeps, version),
        commandsRouter(moduleDeps, version),
        ...(has('chargingprofiles') ? [chargingprofilesRouter(moduleDeps, version)] : []),
        ...(has('payments') ? [ocpiPaymentsRouter(moduleDeps, version)] : []),
        ...(has('invoicereconciliation') ? [invoiceReconciliationRouter(moduleDeps, version)] : []),
        ...(has('bookings') ? [bookingsRouter(moduleDeps, version)] : []),
      ];
    }),
  ];
}

/**
 * The HTTP server the hub listens with. Idle keep-alive connections are kept 65 s, not Node's 5 s: a
 * client that sends on an idle connection just as the server closes it gets ECONNRESET (bench:ocpi saw
 * 2 of 400 authorizations fail so), and clients' own idle limits (Node's agent: 5 s; most HTTP
 * libraries and load balancers: 60 s or less) are then shorter, so the client closes first.
 */
export function hubHttpServer(listener?: RequestListener): Server {
  const server = createServer(listener);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000; // above keepAliveTimeout, so an idle connection is never cut as a slow request
  return server;
}

/** The hub's HTTP application: transport middleware and routers, no listen(). */
export function createApp(services: Services): Koa {
  const { config, log, parties } = services;
  const app = new Koa();
  app.proxy = false;
  app.silent = true;

  // The server is this hub as its partners reach it (PUBLIC_URL), not the file's local default.
  const openApiDocument = { ...loadOpenApiDocument(), servers: [{ url: config.publicUrl }] };
  const health = new Router();
  health.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  health.get('/health', async (ctx) => {
    try {
      await services.db.query('SELECT 1');
      ctx.body = { status: 'ok', database: 'ok' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', database: 'unreachable' };
    }
  });

  // Bodies of the admin API and the partner finance API: JSON in the admin error shape; CSV (invoices) as text.
  const adminBody = jsonBody({
    limitBytes: config.maxBodyBytes,
    tooLarge: (limit) => new AdminError(413, 'too_large', `Request body larger than ${limit} bytes`),
    invalid: (detail) => new AdminError(400, 'invalid_json', `Invalid JSON: ${detail}`),
    unstorable: (detail) => new AdminError(400, 'invalid', `Invalid JSON text at ${detail}`),
    textTypes: ['text/csv'],
  });
  app.use(requestIds());
  app.use(requestLog(services));
  // Every /ocpi request, per partner, recorded when its response is finished (docs/traffic.md).
  app.use(recordInboundTraffic(services.traffic));
  app.use(
    under(
      '/ocpi',
      compose([
        ocpiErrorHandler(log),
        ocpiRateLimit(config.rateLimit.party, log),
        jsonBody({
          limitBytes: config.maxBodyBytes,
          tooLarge: ocpiErrors.bodyTooLarge,
          invalid: ocpiErrors.invalidJson,
          unstorable: (detail) => ocpiErrors.invalidParameters(`Invalid JSON text at ${detail}`),
          nonPrintable: (detail) => ocpiErrors.invalidParameters(`Invalid text at ${detail}: OCPI strings are printable`),
        }),
        routes(...ocpiRouters(services)),
      ]),
    ),
  );
  // Firmware is a binary body: its one admin route is served before the JSON admin stack reads it.
  const firmwareUpload = firmwareUploadStack({ ...services, adminApiKey: services.secrets.adminApiKey });
  app.use((ctx, next) => (ctx.method === 'PUT' && FIRMWARE_UPLOAD_PATH.test(ctx.path) ? firmwareUpload(ctx, async () => undefined) : next()));
  // A fleet's own bookings: the same /admin/bookings routes with a fleet key, limited to its tokens; any
  // other admin route still wants the admin key (docs/scheduling.md, "Bookings by a fleet").
  const fleetBookings = compose([adminErrorHandler(log), requireFleetKey(services.fleets), adminBody, routes(bookingsAdminRouter(services, { fleet: true }))]);
  app.use((ctx, next) => (hasFleetKey(ctx, services.secrets.adminApiKey) ? fleetBookings(ctx, async () => undefined) : next()));
  app.use(
    under(
      '/admin',
      compose([
        // Outside the error handler: it audits the answer the caller gets, refusals included.
        auditAdminRequests({ db: services.db, log, ownOwner: `${services.ownCpo.countryCode}/${services.ownCpo.partyId}`, actor: config.adminApiKeyLabel }),
        adminErrorHandler(log),
        requireAdminKey(services.secrets.adminApiKey),
        adminBody,
        routes(
          partiesAdminRouter({ parties, credentials: services.credentials, outbox: services.outbox, publicUrl: config.publicUrl }),
          agreementsAdminRouter(services),
          chargersAdminRouter(services),
          deviceModelAdminRouter(services),
          chargerLiveAdminRouter(services),
          chargerActionsAdminRouter(services),
          meterKeysAdminRouter(services),
          certificatesAdminRouter(services),
          localListAdminRouter(services),
          sitesAdminRouter(services),
          sitePlannerAdminRouter(services),
          outboxAdminRouter(services),
          cdrRatingsAdminRouter(services),
          payoutAccountsAdminRouter(services),
          payoutsAdminRouter(services),
          transactionsAdminRouter(services),
          settlementAdminRouter(services),
          financeKeysAdminRouter(services),
          ownLocationsAdminRouter(services),
          ownTariffsAdminRouter(services),
          dashboardAdminRouter({ db: services.db, parties, ownCpo: services.ownCpo, heartbeatIntervalSeconds: config.ocpp.heartbeatIntervalSeconds }),
          ownCpoAdminRouter(services),
          afirAdminRouter(services),
          shortCodesAdminRouter(services),
          trafficAdminRouter(services),
          bookingsAdminRouter(services),
          fleetsAdminRouter(services),
          outboxActionsAdminRouter(services),
          consoleAdminRouter(services),
          reliabilityAdminRouter(services),
          reliabilityPlaybooksAdminRouter(services),
        ),
      ]),
    ),
  );
  // Partners' finance teams, with a finance key of their party (not the admin key, not the OCPI token).
  app.use(
    under(
      PARTNER_FINANCE_PREFIX,
      compose([
        adminErrorHandler(log),
        requireFinanceKey(services.financeKeys),
        adminBody,
        routes(partnerFinanceRouter(services)),
      ]),
    ),
  );
  // A building or grid operator's energy management system, with an EMS key of one site.
  app.use(
    under(
      EMS_PREFIX,
      compose([adminErrorHandler(log), requireEmsKey(services.sitePlanner), adminBody, routes(emsRouter(services))]),
    ),
  );
  // Chargers upload diagnostics and logs and download firmware here, with a one-time token for a key.
  app.use(under(CHARGER_FILES_PATH, ocppUploadsStack(services)));
  // Public: the revocation lists of the hub's CA, for relying parties other than the hub (docs/security.md).
  app.use(under(HUB_CA_CRL_PREFIX, hubCaCrlStack(services)));
  // Public: drivers paying ad hoc at the hub's own chargers.
  app.use(under('/pay', payStack(services)));
  // Public: the driver's page behind each EVSE's sticker (docs/drivers.md).
  app.use(under('/c', driverPageStack({ driverPage: services.driverPage, publicUrl: config.publicUrl, log })));
  // Beside /admin, not under it: Stripe has no admin key, and the body must reach the signature check unparsed.
  app.use(under('/stripe', stripeWebhookStack({ ...services, limitBytes: config.maxBodyBytes })));
  // Prometheus scrapes with METRICS_TOKEN (or the admin key): docs/dashboard.md.
  app.use(under('/metrics', metricsStack(services)));
  // A National Access Point pulls the DATEX II publications of the CPOs that opted in (docs/afir.md).
  app.use(under('/nap', napDatex2Stack({ afir: services.afir, log, publisher: { country: config.hub.countryCode, nationalIdentifier: `${config.hub.countryCode}-${config.hub.partyId}` } })));
  // The operator's page; its figures come from /admin/dashboard/* with the key the page asks for.
  app.use(under('/dashboard', dashboardPageStack()));
  app.use(routes(health));
  app.use(async (ctx) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'not_found', message: `Nothing at ${ctx.path}` } };
  });
  return app;
}
