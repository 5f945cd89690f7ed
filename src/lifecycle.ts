import type { Logger } from 'pino';
import { Scheduler } from './scheduler';
import { LOAD_TICK_CRON } from './own-cpo/load/load-manager';
import { retryDuePayouts } from './own-cpo/driver-payments/statement-payouts';
import type { Services } from './services';

/** Background work a started hub runs; main.ts runs all of it, a test hub what the test asks for. */
export interface BackgroundOptions {
  /** Deliveries to partners (the outbox worker). */
  outbox?: boolean;
  /** Sweeps that run every second or so: command TIMEOUTs, reservation expiry. */
  sweeps?: boolean;
  /** The cron jobs (still-alive checks, settlement…), each on one instance at a time. */
  scheduler?: boolean;
}

export interface RunningHub {
  scheduler?: Scheduler;
  stop(): Promise<void>;
}

/** The cron jobs and their schedules: the one list of what runs periodically. */
function scheduleJobs(scheduler: Scheduler, services: Services): void {
  scheduler.add('still-alive', '* * * * *', () => services.stillAlive.run());
  // Settles the last complete period (SETTLEMENT_CRON, SETTLEMENT_PERIOD; docs/settlement.md).
  scheduler.add('settlement', services.config.settlement.cron, () => services.settlement.runScheduled());
  scheduler.add('payout-retries', '* * * * *', () => retryDuePayouts(services));
  // Holds of paid sessions whose charger never started are released (PAYMENT_START_TIMEOUT_SECONDS).
  const adHoc = services.adHocPayments;
  if (adHoc) scheduler.add('release-unstarted-holds', '*/10 * * * * *', () => adHoc.releaseUnstarted());
  // CDRs of transactions that stopped while the hub went down between the stop and the CDR.
  scheduler.add('finish-transactions', '* * * * *', () => services.transactions.finishPending());
  // Running transactions of chargers unreachable for hours (docs/own-chargers.md, transactions a charger lost).
  scheduler.add('lost-transactions', '* * * * *', () => services.lost.closeUnreachable());
  // Sites due a reallocation: time-window boundaries, OCPI profile periods, chargers to retry, every minute anyway.
  scheduler.add('load-tick', LOAD_TICK_CRON, () => services.load.tick());
  // Local authorization lists of the own chargers looked at again (a charger's list changed behind the hub's back, entries due a refresh).
  scheduler.add('local-lists', '*/10 * * * *', async () => services.localLists.changed('periodic'));
  scheduler.add('expire-reservations', '*/10 * * * * *', () => services.ownCommands.expireReservations());
  // Booked EVSEs reserved on their chargers at the window's start, freed at the no-show deadline (docs/scheduling.md).
  scheduler.add('own-bookings', '*/10 * * * * *', () => services.ownBookings.tick());
  // Traffic records beyond TRAFFIC_RETENTION_HOURS or TRAFFIC_MAX_ROWS (docs/traffic.md).
  scheduler.add('traffic-prune', '* * * * *', () => services.traffic.prune(services.config.traffic));
  // Partner health changes alerted (log, signed webhook) within seconds (docs/traffic.md).
  scheduler.add('partner-alerts', '*/10 * * * * *', async () => {
    await services.alerts.check();
    await services.alerts.deliver();
  });
  // Own chargers silent or disconnected, confirmed by an OCPP probe; EVSE reliability alerts hourly (docs/reliability.md).
  scheduler.add('reliability-chargers', '* * * * *', async () => void (await services.reliabilityAlerts.checkChargers()));
  scheduler.add('reliability-evses', '7 * * * *', async () => void (await services.reliabilityAlerts.checkEvses()));
  // Playbooks of sites that opted in act on the open alerts of their own chargers (soft, then hard reset; Inoperative).
  // Day totals of every EVSE up to yesterday (UTC), at 00:20 and at start to catch up missing days (docs/reliability.md, "Day totals").
  const reliabilityDays = () => services.reliabilityDays.catchUp();
  scheduler.add('reliability-days', '20 0 * * *', reliabilityDays);
  scheduler.runAtStart('reliability-days', reliabilityDays);
  // The hub CA's CRLs signed again a day before they lapse, whether or not a relying party asked (docs/security.md).
  scheduler.add('hub-ca-crl', '17 * * * *', () => services.crls.refreshDue());
  scheduler.add('reliability-playbooks', '30 * * * * *', async () => void (await services.playbooks.run(await services.reliabilityAlerts.open())));
}

/**
 * Prepares the database for this instance and starts its background work. The one way main.ts and the
 * test hub bring services to life, so both run the same steps in the same order.
 */
export async function startHub(services: Services, options: BackgroundOptions = {}, log: Logger = services.log): Promise<RunningHub> {
  await services.prepare();
  await services.notifications.start();
  // Time between the hub's runs is a hub gap in the reliability measures, not downtime of the EVSEs.
  await services.statusHistory.startPresence(services.ocpp.instanceId, (error) => log.warn({ err: error }, 'could not mark the hub present'));
  if (options.outbox ?? true) services.outbox.start();
  if (options.sweeps ?? true) services.commands.start();
  let scheduler: Scheduler | undefined;
  if (options.scheduler ?? true) {
    scheduler = new Scheduler(services.db, log);
    scheduleJobs(scheduler, services);
  }
  return {
    scheduler,
    async stop() {
      await services.load.stop(); // reallocations under way finish while chargers and the database are still there
      await services.ocpp.close();
      await services.lost.stop(); // questions to stations: their connections are closed now, so they end at once
      await services.certificates.settled(); // CertificateSigned deliveries record their outcome (their chargers are gone: at once)
      services.localLists.stop(); // list syncs under way end with their connections
      await services.localLists.idle();
      await services.transactions.drained(); // batched meter-value writes and what follows a stop
      services.chargerCalls.stop();
      await services.notifications.stop();
      await scheduler?.stop();
      await services.commands.stop();
      await services.outbox.stop();
      await services.traffic.stop(); // the last calls' records, while the database is still there
      services.statusHistory.stopPresence();
    },
  };
}
