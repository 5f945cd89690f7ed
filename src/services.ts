import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './foundation/config';
import { RoamingAgreements } from './hub/routing/agreements';
import { TokenVault } from './hub/routing/credential-secrets';
import { VersionContexts } from './hub/routing/version-context';
import { ObjectStore } from './hub/routing/object-store';
import { OUTBOX_CHANNEL, Outbox } from './hub/routing/outbox';
import { PgNotifications } from './db/pg-notifications';
import { PartyRegistry } from './hub/routing/parties';
import { HubRouter } from './hub/routing/router';
import { StillAliveCheck } from './hub/routing/still-alive';
import { ensureOwnCpo } from './own-cpo/charging/own-cpo';
import { DriverAuthorization } from './own-cpo/charging/driver-authorization';
import { TransactionsService } from './own-cpo/charging/transactions.service';
import { LostTransactions } from './own-cpo/charging/lost-transactions';
import { EvseStatusPublisher } from './own-cpo/charging/evse-status';
import { OwnCommands } from './own-cpo/charging/own-commands';
import { AdHocPayments } from './own-cpo/charging/ad-hoc-payments';
import { OwnCreditCdrs } from './own-cpo/charging/credit-cdrs';
import { CredentialsService } from './hub/modules/credentials/credentials.service';
import { HubClientInfoService } from './hub/modules/hubclientinfo/hubclientinfo.service';
import { LocationsService } from './hub/modules/locations/locations.service';
import type { ModuleDeps } from './hub/modules/module-deps';
import { TariffsService } from './hub/modules/tariffs/tariffs.service';
import { TariffAudienceRegistry } from './hub/routing/tariff-audiences';
import { BookingFees } from './own-cpo/bookings/booking-fees';
import { ownTariffAudiences } from './own-cpo/charging/own-tariffs';
import { OcpiPaymentsService } from './hub/modules/payments/ocpi-payments.service';
import { OcpiInvoiceReconciliationService } from './hub/modules/invoicereconciliation/invoicereconciliation.service';
import { SessionsService } from './hub/modules/sessions/sessions.service';
import { CdrsService } from './hub/modules/cdrs/cdrs.service';
import { TokensService } from './hub/modules/tokens/tokens.service';
import { CommandsService } from './hub/modules/commands/commands.service';
import { ChargingProfilesService } from './hub/modules/chargingprofiles/chargingprofiles.service';
import { ChargersService } from './own-cpo/chargers/chargers.service';
import { LoadManager } from './own-cpo/load/load-manager';
import { SitePlanner } from './own-cpo/load/site-planner';
import { ownCatalogue } from './own-cpo/charging/own-catalogue';
import { SitesService } from './own-cpo/load/sites.service';
import { OwnBookings } from './own-cpo/bookings/own-bookings';
import { OwnBookingsOcpi } from './own-cpo/bookings/own-bookings-ocpi';
import { BookingsService } from './hub/modules/bookings/bookings.service';
import { OwnSmartCharging } from './own-cpo/load/own-smart-charging';
import { OcppServer } from './own-cpo/ocpp/ocpp-server';
import { CHARGER_CALLS_CHANNEL, ChargerCalls } from './own-cpo/ocpp/charger-calls';
import { ChargerActionsService } from './own-cpo/ocpp/charger-actions.service';
import { HubCertificateAuthority } from './own-cpo/chargers/hub-certificate-authority';
import { ChargerCertificates } from './own-cpo/ocpp/charger-certificates';
import { HubCaCrls, hubCaCrlUrl } from './own-cpo/chargers/hub-ca-crls';
import { ChargerFiles } from './own-cpo/chargers/charger-files';
import { withDomain } from './own-cpo/ocpp-handlers/ocpp-handler';
import { ChargerDeviceModel } from './own-cpo/chargers/charger-device-model';
import { ChargerChargingNeeds } from './own-cpo/chargers/charger-charging-needs';
import { OCPP16_HANDLERS } from './own-cpo/ocpp-handlers/v16/handlers.v16';
import { OCPP201_HANDLERS } from './own-cpo/ocpp-handlers/v201/handlers.v201';
import { OCPP21_HANDLERS } from './own-cpo/ocpp-handlers/v21/handlers.v21';
import { ChargerCosts } from './own-cpo/charging/charger-costs';
import { SignedReadings } from './own-cpo/charging/signed-readings';
import { ChargerTariffs } from './own-cpo/charging/charger-tariffs';
import { DeviceModelReports } from './own-cpo/charging/device-model-reports';
import { LOCAL_LISTS_CHANNEL, LocalListSync } from './own-cpo/charging/local-list-sync';
import type { Secrets } from './foundation/secrets';
import { OcpiClient, outboundCallLogFields } from './hub/outbound/ocpi-client';
import { metrics, partnerLabel } from './foundation/metrics';
import { PaymentsService } from './own-cpo/driver-payments/payments.service';
import { DriverPageService } from './own-cpo/driver-page/driver-page.service';
import { ShortCodeRegistry } from './own-cpo/driver-page/short-code-registry';
import { statementPayouts } from './own-cpo/driver-payments/statement-payouts';
import { SettlementService } from './hub/settlement/settlement.service';
import { InvoiceReconciliations } from './hub/settlement/invoice-reconciliations';
import { FinanceKeys } from './hub/partner-finance/finance-keys';
import { Fleets } from './own-cpo/fleets/fleets';
import { PartnerStatements } from './hub/partner-finance/partner-statements';
import { OutboundGuard } from './hub/outbound/outbound-guard';
import type { RoleAddress } from './hub/ocpi/party-address';
import { NapPublications } from './hub/routing/nap-publications';
import { AfirCatalogue } from './hub/nap/afir-catalogue';
import { acceptedServiceProviders } from './core/afir/accepted-service-providers';
import { TrafficRecorder } from './http/traffic-recorder';
import { PartnerAlerts } from './hub/routing/partner-alerts';
import { EvseStatusHistory } from './hub/reliability/evse-status-history';
import { ReliabilityFacts } from './hub/reliability/reliability-facts';
import { ReliabilityReport } from './hub/reliability/reliability-report';
import { ReliabilityDays } from './hub/reliability/reliability-days-store';
import { ReliabilityAlerting } from './hub/reliability/reliability-alerting';
import { ReliabilityExclusions } from './hub/reliability/reliability-exclusions';
import { ChargerRefused } from './own-cpo/ocpp/charger-calls';
import { RELIABILITY_CALLS } from './own-cpo/ocpp/charger-protocols';
import { ReliabilityPlaybooks } from './own-cpo/charging/reliability-playbooks';

export interface Services {
  config: Config;
  secrets: Secrets;
  db: DataSource;
  log: Logger;
  client: OcpiClient;
  parties: PartyRegistry;
  outbox: Outbox;
  credentials: CredentialsService;
  hubClientInfo: HubClientInfoService;
  agreements: RoamingAgreements;
  store: ObjectStore;
  router: HubRouter;
  /** What translations to and from versions whose objects lack it need (hub/routing/version-context.ts). */
  versionContexts: VersionContexts;
  /** Who may see which own tariff (public or offered to listed eMSPs). */
  tariffAudiences: TariffAudienceRegistry;
  locations: LocationsService;
  stillAlive: StillAliveCheck;
  tariffs: TariffsService;
  /** The OCPI 2.3.0 Payments module between PTPs and CPOs (not the driver payments of the own chargers: `payments`). */
  ocpiPayments: OcpiPaymentsService;
  /** The OCPI 2.3.0 Invoice Reconciliation module; its records also feed the invoice reconciliation reports. */
  ocpiInvoiceReconciliation: OcpiInvoiceReconciliationService;
  sessions: SessionsService;
  cdrs: CdrsService;
  tokens: TokensService;
  commands: CommandsService;
  chargingprofiles: ChargingProfilesService;
  chargers: ChargersService;
  /** What chargers reported of their device model / configuration, and what the operator set (docs/own-chargers.md). */
  deviceModel: ChargerDeviceModel;
  /** EV charging needs (fed to load management) and external charging limits per EVSE. */
  chargingNeeds: ChargerChargingNeeds;
  /** Signed meter values: the meters' registered keys, the readings' checks, the CDR's signed_data (docs/own-chargers.md). */
  signedReadings: SignedReadings;
  ocpp: OcppServer;
  /** The instance's LISTEN connection (outbox wake-ups, charger calls between instances). */
  notifications: PgNotifications;
  /** Calls to the own chargers from any instance (LISTEN/NOTIFY to the one holding the socket). */
  chargerCalls: ChargerCalls;
  /** The operator's calls to the own chargers, schema-checked and kept (docs/own-chargers.md). */
  chargerActions: ChargerActionsService;
  certificateAuthority: HubCertificateAuthority;
  certificates: ChargerCertificates;
  crls: HubCaCrls;
  /** Diagnostics, logs and firmware exchanged with the own chargers over one-time hub URLs. */
  chargerFiles: ChargerFiles;
  /** Driver payments with Stripe and CPO payouts (docs/payments.md). */
  payments: PaymentsService;
  /** Ad hoc payments on the charging side (absent when payments are off): holds of sessions that never started are released by a job. */
  adHocPayments?: AdHocPayments;
  /** The driver's page at /c/<short code> (docs/drivers.md) and the short codes on the stickers. */
  driverPage: DriverPageService;
  /** The CPO the hub's own charge points are published as. */
  ownCpo: RoleAddress;
  authorization: DriverAuthorization;
  transactions: TransactionsService;
  /** Transactions a charger lost, closed by the rules of its OCPP version (docs/own-chargers.md). */
  lost: LostTransactions;
  /** The own chargers' local authorization lists, from the eMSPs' whitelisted tokens (docs/own-chargers.md). */
  localLists: LocalListSync;
  evseStatus: EvseStatusPublisher;
  ownCommands: OwnCommands;
  ownCreditCdrs: OwnCreditCdrs;
  /** Statements between CPOs and eMSPs (docs/settlement.md). */
  settlement: SettlementService;
  /** Partners' invoices matched against statements. */
  invoiceReconciliations: InvoiceReconciliations;
  /** The keys partners' finance teams use for the partner finance API (/partner/v1). */
  financeKeys: FinanceKeys;
  fleets: Fleets;
  /** What the partner finance API may do: a partner's own statements, disputes and invoices. */
  partnerStatements: PartnerStatements;
  /** Load management of the own chargers: reallocation and charging profiles (docs/load-management.md). */
  load: LoadManager;
  sitePlanner: SitePlanner;
  /** Sites of the own chargers: grid limits, groups, time windows (docs/load-management.md). */
  sites: SitesService;
  ownBookings: OwnBookings;
  bookings: BookingsService;
  /** Which CPOs publish to the National Access Point (AFIR Art. 20, docs/afir.md). */
  naps: NapPublications;
  /** Every CPO's locations and tariffs for the AFIR lint, readiness and the NAP publications. */
  afir: AfirCatalogue;
  /** Every OCPI request in and out, batched into traffic_records (docs/traffic.md). */
  traffic: TrafficRecorder;
  /** Partner health changes: logged, posted to the alert webhook, shown on the dashboard (docs/traffic.md). */
  alerts: PartnerAlerts;
  /** Every EVSE status change, own and partner, with its time; the hub's presence (docs/reliability.md). */
  statusHistory: EvseStatusHistory;
  /** Reliability measures from storage: per EVSE, location, CPO and network (docs/reliability.md). */
  reliability: ReliabilityReport;
  /** Per-EVSE day totals the nightly reliability-days job keeps and reports sum (docs/reliability.md, "Day totals"). */
  reliabilityDays: ReliabilityDays;
  /** EVSE and charger-offline alerts (the charger confirmed by an OCPP probe), sent through the alerts' webhook queue. */
  reliabilityAlerts: ReliabilityAlerting;
  /** Guarded automatic actions on own chargers of sites that opted in, each audited (docs/reliability.md). */
  playbooks: ReliabilityPlaybooks;
  /** Periods excluded from uptime with their cause, entered by the operator. */
  reliabilityExclusions: ReliabilityExclusions;
  /** Makes the database ready for this instance (own CPO party, connection marks of a previous run). */
  prepare(): Promise<void>;
}

/** Builds the hub's domain services from plain arguments: no container, the wiring is this function. */
export function createServices({ config, secrets, db, log }: Pick<Services, 'config' | 'secrets' | 'db' | 'log'>): Services {
  // Every call to a partner goes through the SSRF guard (partners choose the URLs the hub calls).
  // Every call that names its party counts for that partner's health (hub/parties.ts).
  // Every call is recorded (buffered, never awaited: docs/traffic.md).
  const traffic = new TrafficRecorder(db, log, config.traffic);
  const client = new OcpiClient(config.ocpiTimeoutMs, new OutboundGuard(config.outbound), async (call) => {
    traffic.recordCall(call);
    if (call.error) log.warn(outboundCallLogFields(call), 'call');
    else log.info(outboundCallLogFields(call), 'call');
    metrics.ocpiCall(partnerLabel(call.party), call.module, call.error?.kind, call.ms / 1000);
    if (call.party) await parties.recordCall(call.party.id, call.error && { kind: call.error.kind, message: call.error.message });
  });
  const parties = new PartyRegistry(db, new TokenVault(secrets.tokenEncryptionKey), (error) =>
    log.error({ err: error }, 'a party status listener failed'),
  );
  const outbox = new Outbox(db, parties, client, log, {
    maxAttempts: config.outboxMaxAttempts,
    baseBackoffMs: config.outboxBaseBackoffMs,
    pollIntervalMs: config.outboxPollIntervalMs,
    timeoutMs: config.ocpiTimeoutMs,
  });
  // One LISTEN connection per instance: deliveries another instance queued are looked for at once
  // (polling stays the fallback), and after a reconnect, since notifications sent meanwhile are lost.
  const notifications = new PgNotifications({ databaseUrl: (db.options as { url: string }).url, log });
  notifications.listen(OUTBOX_CHANNEL, (fromInstance) => outbox.notified(fromInstance));
  notifications.onConnected(() => outbox.nudge());
  const credentials = new CredentialsService({ parties, client, publicUrl: config.publicUrl, hub: config.hub, offered: config.ocpiVersions });
  const hubClientInfo = new HubClientInfoService({ db, parties, outbox });
  const agreements = new RoamingAgreements(db);
  parties.onStatusChange(() => agreements.forget());
  parties.onStatusChange((party) => hubClientInfo.pushStatusChange(party));
  // A NAP reads the CPOs that opted in: a change of that list is a change of its counterparts.
  const naps = new NapPublications(db, () => agreements.forget());
  const store = new ObjectStore(db);
  const router = new HubRouter({ parties, agreements, outbox, client, hub: { countryCode: config.hub.countryCode, partyId: config.hub.partyId } });
  const versionContexts = new VersionContexts({ db, store, counterparts: (owner) => router.counterparts(owner) });
  outbox.useVersionContexts(versionContexts);
  // Who may see which own tariff (public, or offered to listed eMSPs): described once ownCpo is known, below.
  const tariffAudiences = new TariffAudienceRegistry();
  const locations = new LocationsService({ store, router, tariffAudiences });
  const chargers = new ChargersService(db, {
    autoRegister: config.ocpp.autoRegister,
    heartbeatIntervalSeconds: config.ocpp.heartbeatIntervalSeconds,
    onListenerError: (error) => log.error({ err: error }, 'a connector status listener failed'),
  });
  const ownCpo: RoleAddress = { countryCode: config.ownCpo.countryCode, partyId: config.ownCpo.partyId, role: 'CPO' };
  // The own CPO's Locations in 2.3.0 name the eMSPs accepted at its EVSEs (AFIR Art. 20): those it has agreements with.
  // Every stored EVSE status change (own EVSEs are PATCHed by evseStatus like a partner's) joins the history.
  const statusHistory = new EvseStatusHistory({ db, ownCpo });
  locations.onStored(
    async (change) => void (await statusHistory.recordChange(change)),
    (error) => log.warn({ err: error }, 'could not record an EVSE status change in the history'),
  );
  locations.describeOwner(ownCpo, async () => ({ acceptedServiceProviders: acceptedServiceProviders(await agreements.emspNamesOf(ownCpo)) }));
  tariffAudiences.describe(ownCpo, () => ownTariffAudiences(db, ownCpo));
  const moduleDeps: ModuleDeps = { config, db, log, client, parties, outbox, store, router, publicUrl: config.publicUrl, versionContexts, tariffAudiences };
  const tariffs = new TariffsService(moduleDeps);
  const sessions = new SessionsService(moduleDeps);
  const cdrs = new CdrsService(moduleDeps);
  const tokens = new TokensService(moduleDeps);
  const authorization = new DriverAuthorization({ tokens, ownCpo, log });
  const transactions = new TransactionsService({
    db,
    log,
    locations,
    tariffs,
    sessions,
    cdrs,
    chargers,
    authorization,
    ownCpo,
    currency: config.ownCpo.currency,
    sessionUpdateIntervalMs: config.ownCpo.sessionUpdateIntervalMs,
    signedData: (transaction) => signedReadings.forCdr(transaction),
    tariffAudiences: () => ownTariffAudiences(db, ownCpo),
  });
  const signedReadings = new SignedReadings({ db, log, cdrs, ownCpo });
  // Asks through chargerCalls, which needs the OCPP server built below (called only once both exist).
  const lost = new LostTransactions({ db, log, transactions, ask: (chargerId, action, params) => chargerCalls.call(chargerId, action, params) });
  // Host and port name an instance the same way across restarts, so a restarted hub can clear the
  // connection marks its previous run left.
  // The OCPP server answers each version with its handler table; the handlers get the domain services.
  const deviceModel = new ChargerDeviceModel(db);
  const chargingNeeds = new ChargerChargingNeeds(db, (error) => log.error({ err: error }, 'a charging needs listener failed'));
  const chargerCosts = new ChargerCosts({ db, log, cdrs, transactions, ownCpo, tolerance: config.cdrRatingTolerance });
  // The hub's CA for its chargers: SignCertificate is answered here, CertificateSigned sent through the action log.
  const certificateAuthority = new HubCertificateAuthority({ db, vault: new TokenVault(secrets.tokenEncryptionKey), name: config.hub.name });
  const crls = new HubCaCrls({ db, authority: certificateAuthority, log });
  const certificates = new ChargerCertificates({
    db,
    log,
    chargers,
    authority: certificateAuthority,
    crls,
    crlUrl: (authorityId) => hubCaCrlUrl(config.publicUrl, authorityId),
    actions: () => chargerActions,
    config: config.pki,
  });
  const domain = { chargers, transactions, authorization, lost, deviceModel, chargingNeeds, chargerCosts, certificates };
  const ocpp = new OcppServer({
    chargers,
    handlers: { 'ocpp1.6': withDomain(OCPP16_HANDLERS, domain), 'ocpp2.0.1': withDomain(OCPP201_HANDLERS, domain), 'ocpp2.1': withDomain(OCPP21_HANDLERS, domain) },
    log,
    instanceId: `${hostname()}:${config.port}`,
    pingIntervalMs: config.ocpp.pingIntervalMs,
    callRateLimit: config.rateLimit.charger,
    revokedCertificate: (serial) => certificates.isRevoked(serial),
  });
  const chargerCalls = new ChargerCalls({ ocpp, chargers, notifications, log });
  const chargerActions = new ChargerActionsService({ db, chargers, calls: chargerCalls, deviceModel });
  const evseStatus = new EvseStatusPublisher({ locations, ownCpo, log });
  const chargerTariffs = new ChargerTariffs({ chargers, transactions, calls: chargerCalls, log });
  const deviceModelReports = new DeviceModelReports({ chargers, deviceModel, calls: chargerCalls, log });
  const localLists = new LocalListSync({
    db,
    log,
    chargers,
    deviceModel,
    calls: chargerCalls,
    connectedHere: (chargerId) => ocpp.connection(chargerId)?.protocol,
    tokens: async () => (await tokens.allFor(ownCpo)).map(({ token }) => token),
    broadcast: async (payload) => {
      if (notifications.listening) await notifications.notify(LOCAL_LISTS_CHANNEL, payload);
    },
    instanceId: ocpp.instanceId,
  });
  const commands = new CommandsService(moduleDeps);
  // Commands for the own CPO are carried out here, on its chargers, instead of forwarded.
  const ownCommands = new OwnCommands({
    db,
    log,
    chargers,
    calls: chargerCalls,
    transactions,
    evseStatus,
    ownCpo,
    postResult: () => (command, id, result, message) => commands.postInProcessResult(command, id, result, message),
  });
  const payments = new PaymentsService({ db, log, chargers, config: config.payments });
  const adHocPayments = payments.enabled ? new AdHocPayments({ payments, transactions, ownCommands, ownCpo, log, startTimeoutSeconds: config.payments.startTimeoutSeconds }) : undefined;
  // Load management of the own chargers (docs/load-management.md); OCPI preferences and profiles of own sessions are answered by it.
  const chargingprofiles = new ChargingProfilesService(moduleDeps);
  const sitePlanner = new SitePlanner(db);
  const load = new LoadManager({
    db,
    log,
    chargers,
    transactions,
    chargerCalls,
    chargingNeeds,
    planner: sitePlanner,
    tariffOf: async (id) => {
      const { ownTariffs } = ownCatalogue({ db, locations, tariffs, ownCpo });
      const own = await ownTariffs.get(id);
      const timeZone = await ownTariffs.timeZoneOf(id);
      return { tariff: own.tariff, version: own.tariff.last_updated, ...(timeZone && { timeZone }) };
    },
  });
  const sites = new SitesService({ db, chargers, load });
  // Bookings at the own locations (docs/scheduling.md): capacity held in the site, the EVSE reserved at the window's start.
  // No-show and late-cancellation fees: CDRs priced by the booking's tariff for the token's eMSP (bookings/booking-fees.ts).
  const bookingFees = new BookingFees({ db, log, locations, tokens, cdrs, transactions, ownCpo });
  const ownBookings = new OwnBookings({
    db,
    log,
    chargers,
    calls: chargerCalls,
    locations,
    evseStatus,
    ownCpo,
    config: config.bookings,
    chargeFee: (booking, now) => bookingFees.charge(booking, now),
  });
  // OCPI Bookings (2.3.0 with the bookings extension): routed between partners; the own CPO answers in-process.
  const bookings = new BookingsService(moduleDeps);
  const ownBookingsOcpi = new OwnBookingsOcpi({ ownBookings, bookings, cpo: ownCpo, config: config.bookings, log });
  const ownSmartCharging = new OwnSmartCharging({ db, log, ownCpo, transactions, load, planner: sitePlanner, sessions, chargingprofiles });

  // The own CPO's event graph: who reacts to what (constructors subscribe nothing themselves).
  // Charger calls between instances, and the newest connection of a charger winning across them.
  notifications.listen(CHARGER_CALLS_CHANNEL, (payload) => void chargerCalls.receive(payload));
  ocpp.whenReplacingElsewhere((chargerId, instance, since) => chargerCalls.replacedElsewhere(chargerId, instance, since));
  // After a hub restart or a network outage: what the station still runs (charging/lost-transactions.ts).
  ocpp.onChargerConnected((chargerId, protocol) =>
    lost.connected(chargerId, protocol).catch((error) => log.warn({ err: error, charger: chargerId }, 'could not look for transactions the charger lost')),
  );
  // OCPP 2.1 local cost calculation: the EVSEs' tariffs when a station connects, the running cost while
  // it charges, and the station's own cost checked against the CDR (charging/charger-tariffs.ts, charger-costs.ts).
  chargers.onAcceptedBoot(async (chargerId) => {
    const protocol = await chargerCalls.protocolOf(chargerId);
    if (protocol) await chargerTariffs.booted(chargerId, protocol);
  });
  // A 2.0.1/2.1 station's configuration fills the device model store (at most one report a day asked for).
  chargers.onAcceptedBoot(async (chargerId) => {
    const protocol = await chargerCalls.protocolOf(chargerId);
    if (protocol) await deviceModelReports.booted(chargerId, protocol);
  });
  // Local authorization lists: the whitelisted tokens of the eMSPs with an agreement with the own CPO
  // on every own charger, after a token push, an agreement change, a charger's boot or reconnection
  // (and every 10 minutes, lifecycle.ts); each instance syncs the chargers connected to it.
  notifications.listen(LOCAL_LISTS_CHANNEL, (payload) => localLists.received(payload));
  tokens.onChanged(() => localLists.changed('token pushed'));
  agreements.onChange(() => localLists.changed('agreement changed'));
  chargers.onBootReceived((chargerId) => localLists.booting(chargerId));
  chargers.onAcceptedBoot(async (chargerId) => void (await localLists.booted(chargerId)));
  ocpp.onChargerConnected(async (chargerId) => localLists.connected(chargerId));
  transactions.onMeterValues((transaction) => chargerTariffs.meterValues(transaction));
  transactions.onStopped((transaction) => chargerTariffs.stopped(transaction));
  transactions.onFinished((transaction, cdr) => chargerCosts.finished(transaction, cdr));
  // A signed meter value that failed verification flags the CDR's rating.
  transactions.onFinished((transaction, cdr) => signedReadings.finished(transaction, cdr));
  // A connector's status shows on its EVSE; commands wait for transactions to start and stop.
  chargers.onConnectorStatus((change) => evseStatus.publish(change));
  transactions.onStarted((transaction) => ownCommands.transactionStarted(transaction));
  transactions.onStopped((transaction) => ownCommands.transactionStopped(transaction));
  transactions.onStarted((transaction) => ownBookings.transactionStarted(transaction));
  bookings.serveInProcess(ownBookingsOcpi);
  ownBookings.onChanged((booking) => ownBookingsOcpi.changed(booking));
  // Booked power is held at the site: an accepted or ended booking re-plans (reallocates) it.
  ownBookings.onChanged((booking) => load.triggerForLocation(booking.locationId, 'booking-changed'));
  // Ad hoc payments (docs/payments.md): their idTags are authorized here, a held payment starts the
  // charger, a used-up hold stops it, the CDR's total is captured.
  if (adHocPayments) {
    authorization.addAuthority(adHocPayments);
    payments.useStartCharging(({ chargerId, connector, idTag }) => ownCommands.startFor(chargerId, connector, idTag));
    transactions.onMeterValues((transaction) => adHocPayments.meterValues(transaction));
    transactions.onFinished((transaction, cdr) => adHocPayments.finished(transaction, cdr));
  }
  // OCPI commands to the own CPO are carried out on its chargers; remote-start tokens are its own.
  commands.serveInProcess({ cpo: ownCpo, handle: (command, body, id) => ownCommands.handle(command, body, id) });
  authorization.addAuthority(ownCommands);
  // Load management reallocates a site when something changes at one of its chargers.
  transactions.onStarted((transaction) => load.triggerForCharger(transaction.chargerId, 'transaction-started'));
  transactions.onStopped((transaction) => load.triggerForCharger(transaction.chargerId, 'transaction-stopped'));
  transactions.onMeterValues((transaction) => load.meterValuesArrived(transaction));
  chargers.onConnectorStatus((change) => load.triggerForCharger(change.chargerId, 'connector-status'));
  // An EV's needs (2.0.1/2.1 NotifyEVChargingNeeds) are inputs of its site's allocation; they end with its transaction.
  chargingNeeds.onNeeds((chargerId) => load.triggerForCharger(chargerId, 'ev-charging-needs'));
  transactions.onStopped((transaction) =>
    transaction.ocppConnector.includes('/') ? chargingNeeds.clearNeeds(transaction.chargerId, Number(transaction.ocppConnector.split('/')[0])) : undefined,
  );
  // OCPI smart charging of own sessions: preferences and profiles are fed to the allocation, applied limits reported back.
  sessions.answerOwnPreferences(ownCpo, (session, preferences) => ownSmartCharging.setPreferences(session, preferences));
  chargingprofiles.serveInProcess({ cpo: ownCpo, handle: (operation, sessionId, details, id) => ownSmartCharging.handleProfile(operation, sessionId, details, id) });
  load.onApplied((_site, applied) => ownSmartCharging.pushActiveProfiles(applied));
  // A closed statement pays its CPO out (Stripe Connect), when payments are on and the CPO has an account.
  const settlement = new SettlementService(db, { periodKind: config.settlement.period, defaultTimeZone: config.settlement.timeZone, log, onStatementClosed: statementPayouts(payments, log) });
  const invoiceReconciliations = new InvoiceReconciliations(db, settlement);
  const alerts = new PartnerAlerts({ db, log, webhook: config.alertWebhook });
  const reliabilityFacts = new ReliabilityFacts({ db, ownCpo });
  const reliabilityDays = new ReliabilityDays({ db, facts: reliabilityFacts });
  const reliability = new ReliabilityReport(reliabilityFacts, reliabilityDays);
  // A silent charger must answer TriggerMessage Heartbeat within 30 s; a CALLERROR is an answer too.
  const probeCharger = async (chargerId: string) => {
    const protocol = await chargerCalls.protocolOf(chargerId);
    if (!protocol) return false;
    const { action, params } = RELIABILITY_CALLS[protocol].probe();
    try {
      await chargerCalls.call(chargerId, action, params, config.reliabilityProbeTimeoutMs);
      metrics.reliabilityProbe('answered');
      return true;
    } catch (error) {
      const answered = error instanceof ChargerRefused;
      metrics.reliabilityProbe(answered ? 'answered' : 'no_answer');
      return answered;
    }
  };
  const reliabilityAlerts = new ReliabilityAlerting({
    db,
    log,
    report: reliability,
    send: (alert) => alerts.enqueue(alert),
    probe: probeCharger,
    // Twice the heartbeat interval the hub gives chargers, and a minute's grace.
    silentAfterMs: (2 * config.ocpp.heartbeatIntervalSeconds + 60) * 1000,
  });
  return {
    config,
    secrets,
    db,
    log,
    client,
    parties,
    outbox,
    credentials,
    hubClientInfo,
    agreements,
    store,
    router,
    versionContexts,
    tariffAudiences,
    locations,
    traffic,
    alerts,
    statusHistory,
    reliability,
    reliabilityDays,
    reliabilityAlerts,
    reliabilityExclusions: new ReliabilityExclusions(db),
    playbooks: new ReliabilityPlaybooks({ db, log, calls: chargerCalls, transactions, ownCpo }),
    stillAlive: new StillAliveCheck({ parties, client, log, idleMs: config.stillAliveIdleMs, timeoutMs: config.ocpiTimeoutMs }),
    tariffs,
    ocpiPayments: new OcpiPaymentsService(moduleDeps),
    ocpiInvoiceReconciliation: new OcpiInvoiceReconciliationService({ ...moduleDeps, invoiceReconciliations }),
    sessions,
    cdrs,
    tokens,
    commands,
    ownCommands,
    ownCreditCdrs: new OwnCreditCdrs({ cdrs, payments, ownCpo, log }),
    chargingprofiles,
    load,
    sitePlanner,
    sites,
    ownBookings,
    bookings,
    chargers,
    deviceModel,
    chargingNeeds,
    signedReadings,
    ocpp,
    notifications,
    chargerCalls,
    chargerActions,
    certificateAuthority,
    certificates,
    crls,
    chargerFiles: new ChargerFiles({ db, publicUrl: config.publicUrl }),
    payments,
    adHocPayments,
    driverPage: new DriverPageService({
      codes: new ShortCodeRegistry({ db, chargers, publicUrl: config.publicUrl }),
      chargers,
      locations,
      tariffs,
      cdrs,
      transactions,
      ownCommands,
      payments,
      ownCpo,
      operatorName: config.ownCpo.name,
      log,
    }),
    ownCpo,
    authorization,
    transactions,
    lost,
    localLists,
    evseStatus,
    settlement,
    invoiceReconciliations,
    financeKeys: new FinanceKeys(db),
    fleets: new Fleets(db),
    partnerStatements: new PartnerStatements(settlement, invoiceReconciliations),
    naps,
    afir: new AfirCatalogue({ locations, tariffs, naps }),
    async prepare() {
      await ensureOwnCpo(db, config.ownCpo);
      await chargers.forgetConnections(ocpp.instanceId); // left by this instance's previous run
    },
  };
}
