import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { QueryBatches } from '../../db/query-batches';
import { updatedRows } from '../../db/updated-rows';
import { type MeterSample } from '../../core/charging/meter-samples';
import { cdrLocation, cdrRecord, closedPeriods, type Priced, priceTransaction, sessionRecord, type TransactionFacts } from '../../core/charging/ocpi-records';
import type { Tariff } from '../../core/pricing/tariff.schema';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { OcpiSignedData } from '../../core/charging/signed-meter-values';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { Location } from '../../hub/modules/locations/locations.schema';
import type { TariffsService } from '../../hub/modules/tariffs/tariffs.service';
import { partyKey, sessionTariffId, type TariffAudiences } from '../../core/tariffs/tariffs-core';
import type { SessionsService } from '../../hub/modules/sessions/sessions.service';
import { CHARGER_BATCHES, type ChargersService } from '../chargers/chargers.service';
import type { DriverAuthorization, DriverAuthorizationResult, PresentedToken } from './driver-authorization';
import { meterValueWrites } from './meter-value-writes';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** A transaction as the hub keeps it (ocpp_transactions). */
export interface Transaction {
  pk: string;
  chargerId: string;
  transactionId: string;
  ocppConnector: string;
  idToken: string | null;
  idTokenType: string | null;
  auth: DriverAuthorizationResult | null;
  sessionId: string;
  locationId: string | null;
  evseUid: string | null;
  connectorId: string | null;
  tariff: Tariff | null;
  timeZone: string | null;
  remoteStartId: number | null;
  reservationId: number | null;
  status: 'ACTIVE' | 'STOPPED';
  startedAt: Date;
  stoppedAt: Date | null;
  meterStartWh: number;
  meterStopWh: number | null;
  stopReason: string | null;
  lastEnergyWh: number | null;
  lastPowerW: number | null;
  lastSampleAt: Date | null;
  sessionPublishedAt: Date | null;
  cdrId: string | null;
  /** Closed by the hub from the last stored reading because the charger lost it (lost-transactions.ts), not by a stop it sent. */
  closedByHub: boolean;
}

interface Row {
  id: string;
  charger_id: string;
  transaction_id: string;
  ocpp_connector: string;
  id_token: string | null;
  id_token_type: string | null;
  auth: DriverAuthorizationResult | null;
  session_id: string;
  location_id: string | null;
  evse_uid: string | null;
  connector_id: string | null;
  tariff: Tariff | null;
  time_zone: string | null;
  remote_start_id: number | null;
  reservation_id: number | null;
  status: 'ACTIVE' | 'STOPPED';
  started_at: Date;
  stopped_at: Date | null;
  meter_start_wh: number;
  meter_stop_wh: number | null;
  stop_reason: string | null;
  last_energy_wh: number | null;
  last_power_w: number | null;
  last_sample_at: Date | null;
  session_published_at: Date | null;
  cdr_id: string | null;
  closed_by_hub: boolean;
}

const toTransaction = (r: Row): Transaction => ({
  pk: String(r.id),
  chargerId: r.charger_id,
  transactionId: r.transaction_id,
  ocppConnector: r.ocpp_connector,
  idToken: r.id_token,
  idTokenType: r.id_token_type,
  auth: r.auth,
  sessionId: r.session_id,
  locationId: r.location_id,
  evseUid: r.evse_uid,
  connectorId: r.connector_id,
  tariff: r.tariff,
  timeZone: r.time_zone,
  remoteStartId: r.remote_start_id,
  reservationId: r.reservation_id,
  status: r.status,
  startedAt: r.started_at,
  stoppedAt: r.stopped_at,
  meterStartWh: r.meter_start_wh,
  meterStopWh: r.meter_stop_wh,
  stopReason: r.stop_reason,
  lastEnergyWh: r.last_energy_wh,
  lastPowerW: r.last_power_w,
  lastSampleAt: r.last_sample_at,
  sessionPublishedAt: r.session_published_at,
  cdrId: r.cdr_id,
  closedByHub: r.closed_by_hub,
});

export interface TransactionStart {
  chargerId: string;
  ocppConnector: string;
  /** 2.0.1: the station's id; 1.6: absent, the hub hands one out. */
  transactionId?: string;
  token?: PresentedToken;
  meterStartWh: number;
  timestamp: Date;
  reservationId?: number;
  remoteStartId?: number;
}

export interface TransactionStop {
  chargerId: string;
  transactionId: string;
  meterStopWh?: number;
  timestamp: Date;
  reason?: string;
  samples?: MeterSample[];
  /** The MeterValues as sent, one per sample (kept beside the parsed values). */
  raw?: unknown[];
}

export type TransactionListener = (transaction: Transaction) => void | Promise<void>;

/** What a CDR of a transaction the hub closed itself says (OCPI CDR `remark`, at most 255 characters). */
export const CLOSED_BY_HUB_REMARK = 'Closed by the hub: the charger did not report this stop. Energy and end time are from the last meter reading the hub received.';

/** A stopped transaction's CDR, once made (payments capture its cost). */
export type FinishedListener = (transaction: Transaction, cdr: Cdr) => void | Promise<void>;

/** A charger's clock more than this far ahead of the hub's is not believed; the hub's time of receipt is used. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/** A timestamp from a charger, or the receive time when it is in the future beyond the skew the hub tolerates. */
export function chargerTime(timestamp: Date, now = new Date()): Date {
  return Number.isNaN(timestamp.getTime()) || timestamp.getTime() > now.getTime() + MAX_CLOCK_AHEAD_MS ? now : timestamp;
}

/** CDRs of lost transactions made at once (closeLost): enough to keep up, few enough to leave the pool to the chargers. */
const LOST_FINISHES_AT_ONCE = 4;
/** They start once no transaction was found lost for this long (a fleet's boots are answered first)… */
const LOST_FINISH_QUIET_MS = 1000;
/** …or once the oldest has waited this long (a fleet that never calms down still gets its CDRs). */
const LOST_FINISH_MAX_WAIT_MS = 30_000;

/** Authorized transactions are published to the token's eMSP; others stay at the hub. */
const publishable = (t: Transaction) => t.auth?.status === 'ALLOWED' && !!t.auth.cdrToken && !!t.locationId && !!t.evseUid && !!t.connectorId;

/**
 * Transactions at the hub's own charge points, for both OCPP versions: started, metered and stopped as
 * the chargers report them (idempotently: a charger repeats what it did not see answered), published to
 * the driver's eMSP as an OCPI Session (PUT at start, PATCHes with new charging periods as it goes) and
 * at the end as a priced CDR, exactly once.
 */
export class TransactionsService {
  private readonly started: TransactionListener[] = [];
  private readonly stopped: TransactionListener[] = [];
  private readonly metered: TransactionListener[] = [];
  private readonly finished: FinishedListener[] = [];
  /** Published charging periods per session: what the eMSP already has, so PATCHes only append. */
  private readonly publishedPeriods = new Map<string, string[]>();
  /** MeterValues of many chargers are written together (src/charging/meter-value-writes.ts). */
  private readonly meterWrites = meterValueWrites(() => this.deps.db, chargerTime);
  /** Listeners still running (they are not awaited by the charger's answer); a shutdown waits for them. */
  private readonly telling = new Set<Promise<void>>();
  /** Transactions closed by the hub whose CDR is still to be made (closeLost), LOST_FINISHES_AT_ONCE at a time. */
  private readonly lostToFinish: Transaction[] = [];
  private lostFinishing = 0;
  private lostFinishTimer?: NodeJS.Timeout;
  private lostWaitingSince = 0;

  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      locations: LocationsService;
      tariffs: TariffsService;
      sessions: SessionsService;
      cdrs: CdrsService;
      chargers: ChargersService;
      authorization: DriverAuthorization;
      ownCpo: RoleAddress;
      currency: string;
      /** At most one session PATCH per transaction this often (the stop is always published). */
      sessionUpdateIntervalMs: number;
      /** The CDR's signed_data from the charger's signed readings (signed-readings.ts); without it CDRs carry none. */
      signedData?: (transaction: Transaction) => Promise<OcpiSignedData | undefined>;
      /** Who may use which own tariff (own-tariffs.ts ownTariffAudiences); absent: every tariff is public. */
      tariffAudiences?: () => Promise<TariffAudiences>;
    },
  ) {}

  /**
   * The own tariff a session at a connector naming `tariffIds` is priced with, for a driver of the
   * token's eMSP: its tariff for that eMSP where it has one, else the public one (core/tariffs
   * sessionTariffId). No token, or a token of the own CPO (ad hoc): the public price.
   */
  async sessionTariffOf(tariffIds: readonly string[] | undefined, token?: { country_code: string; party_id: string } | null): Promise<Tariff | undefined> {
    const own = !token || (token.country_code === this.deps.ownCpo.countryCode && token.party_id === this.deps.ownCpo.partyId);
    const audiences = (await this.deps.tariffAudiences?.()) ?? new Map();
    const tariffId = sessionTariffId(tariffIds, audiences, own ? null : partyKey({ countryCode: token.country_code, partyId: token.party_id }));
    // The own tariffs are built from descriptions (core/tariffs) and stored as built: the pricing schema's shape.
    return tariffId ? ((await this.deps.tariffs.storedOf(this.deps.ownCpo, tariffId))?.tariff as Tariff | undefined) : undefined;
  }

  onStarted(listener: TransactionListener): void {
    this.started.push(listener);
  }

  onStopped(listener: TransactionListener): void {
    this.stopped.push(listener);
  }

  onMeterValues(listener: TransactionListener): void {
    this.metered.push(listener);
  }

  onFinished(listener: FinishedListener): void {
    this.finished.push(listener);
  }

  /** A driver without an eMSP (an ad hoc payment): the token is the own CPO's, so nothing is published. */
  private isLocal(transaction: Transaction): boolean {
    const token = transaction.auth?.cdrToken;
    return !!token && token.country_code === this.deps.ownCpo.countryCode && token.party_id === this.deps.ownCpo.partyId;
  }

  private tell(listeners: TransactionListener[], transaction: Transaction): void {
    for (const listener of listeners) {
      const told: Promise<void> = Promise.resolve()
        .then(() => listener(transaction))
        .catch((error) => this.deps.log.error({ err: error, session: transaction.sessionId }, 'a transaction listener failed'))
        .finally(() => this.telling.delete(told));
      this.telling.add(told);
    }
  }

  /** Resolves when no batched meter-value write and no listener is under way (shutdown: before the database closes). */
  async drained(): Promise<void> {
    await this.meterWrites.drained();
    await this.lostCloses.drained();
    this.finishLostNow(); // nothing waits for a quiet spell any more
    while (this.telling.size || this.lostToFinish.length) await Promise.allSettled([...this.telling]);
  }

  async find(chargerId: string, transactionId: string): Promise<Transaction | undefined> {
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions WHERE charger_id = $1 AND transaction_id = $2`, [chargerId, transactionId]);
    return rows[0] && toTransaction(rows[0]);
  }

  async findBySession(sessionId: string): Promise<Transaction | undefined> {
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions WHERE session_id = $1`, [sessionId]);
    return rows[0] && toTransaction(rows[0]);
  }

  /** The latest transaction started with an idTag (an ad hoc payment's, for the driver's page). */
  async latestByIdToken(idToken: string): Promise<Transaction | undefined> {
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions WHERE id_token = $1 ORDER BY started_at DESC, id DESC LIMIT 1`, [idToken]);
    return rows[0] && toTransaction(rows[0]);
  }

  /** The running transactions, of one charger or all. */
  async active(chargerId?: string): Promise<Transaction[]> {
    if (chargerId !== undefined) return this.activeReads.add(chargerId);
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions WHERE status = 'ACTIVE' ORDER BY started_at, id`);
    return rows.map(toTransaction);
  }

  /**
   * One charger's running transactions are read at every boot and every "connector free" status: a
   * fleet reconnecting at once is read in one query per batch (fresh each time), not one per charger.
   */
  private readonly activeReads = new QueryBatches<string, Transaction[]>(
    async (chargerIds) => {
      const rows: Row[] = await this.deps.db.query(
        `SELECT * FROM ocpp_transactions WHERE status = 'ACTIVE' AND charger_id = ANY($1) ORDER BY started_at, id`,
        [[...new Set(chargerIds)]],
      );
      const byCharger = new Map<string, Transaction[]>();
      for (const row of rows) {
        const transaction = toTransaction(row);
        byCharger.set(transaction.chargerId, [...(byCharger.get(transaction.chargerId) ?? []), transaction]);
      }
      return chargerIds.map((id) => byCharger.get(id) ?? []);
    },
    CHARGER_BATCHES,
  );

  async recent(limit = 100): Promise<Transaction[]> {
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions ORDER BY started_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toTransaction);
  }

  /**
   * A transaction started (1.6 StartTransaction, 2.0.1 TransactionEvent Started). The same start
   * reported again (a retry after a lost answer) returns the transaction it created the first time.
   */
  async start(input: TransactionStart, auth: DriverAuthorizationResult | null): Promise<Transaction> {
    const { db } = this.deps;
    const startedAt = chargerTime(input.timestamp);
    if (input.transactionId === undefined) {
      const same: Row[] = await db.query(
        `SELECT * FROM ocpp_transactions WHERE charger_id = $1 AND ocpp_connector = $2 AND started_at = $3 AND id_token IS NOT DISTINCT FROM $4`,
        [input.chargerId, input.ocppConnector, startedAt, input.token?.uid ?? null],
      );
      if (same[0]) return this.startedAgain(toTransaction(same[0]));
    } else {
      const existing = await this.find(input.chargerId, input.transactionId);
      if (existing) return this.startedAgain(existing);
    }
    const place = await this.placeOf(input.chargerId, input.ocppConnector, auth?.cdrToken);
    const rows: Row[] = await db.query(
      `INSERT INTO ocpp_transactions (charger_id, transaction_id, ocpp_connector, id_token, id_token_type, auth, session_id,
         location_id, evse_uid, connector_id, tariff, time_zone, remote_start_id, reservation_id, started_at, meter_start_wh,
         last_energy_wh, last_sample_at)
       VALUES ($1, COALESCE($2, nextval('ocpp16_transaction_ids')::text), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $15)
       ON CONFLICT (charger_id, transaction_id) DO UPDATE SET updated_at = ocpp_transactions.updated_at
       RETURNING *`,
      [
        input.chargerId,
        input.transactionId ?? null,
        input.ocppConnector,
        input.token?.uid ?? null,
        input.token?.type ?? null,
        auth ? JSON.stringify(auth) : null,
        randomUUID(),
        place?.locationId ?? null,
        place?.evseUid ?? null,
        place?.connectorId ?? null,
        place?.tariff ? JSON.stringify(place.tariff) : null,
        place?.timeZone ?? null,
        input.remoteStartId ?? null,
        input.reservationId ?? null,
        startedAt,
        input.meterStartWh,
      ],
    );
    const transaction = toTransaction(rows[0]);
    if (!place) this.deps.log.warn({ charger: input.chargerId, connector: input.ocppConnector }, 'a transaction on a connector not mapped to an OCPI EVSE: kept, not published');
    await this.publishSession(transaction);
    this.tell(this.started, transaction);
    return transaction;
  }

  /**
   * A start reported again: its answer was lost, perhaps because the hub stopped right after recording
   * it and before publishing its session, so a session never published is published now.
   */
  private async startedAgain(transaction: Transaction): Promise<Transaction> {
    if (!transaction.sessionPublishedAt && transaction.status === 'ACTIVE') await this.publishSession(transaction);
    return transaction;
  }

  /** 2.0.1: the token of a transaction that started before the driver identified (cable first). */
  async authorizeLater(transaction: Transaction, token: PresentedToken, auth: DriverAuthorizationResult): Promise<Transaction> {
    if (transaction.idToken) return transaction;
    // The price is the token's eMSP's (a tariff offered to it), as if the driver had identified first.
    const place = await this.placeOf(transaction.chargerId, transaction.ocppConnector, auth.cdrToken);
    const tariff = place?.tariff ?? transaction.tariff;
    const rows = await updatedRows<Row>(
      this.deps.db,
      `UPDATE ocpp_transactions SET id_token = $2, id_token_type = $3, auth = $4, tariff = $5, updated_at = now() WHERE id = $1 AND id_token IS NULL RETURNING *`,
      [transaction.pk, token.uid, token.type, JSON.stringify(auth), tariff ? JSON.stringify(tariff) : null],
    );
    const withToken = rows[0] ? toTransaction(rows[0]) : transaction;
    await this.publishSession(withToken);
    return withToken;
  }

  /**
   * Meter values of a connector, kept as sent (with the transaction they belong to: the one named, or
   * the connector's running one). Values after the stop are kept but change nothing published.
   */
  async meterValues(chargerId: string, ocppConnector: string, transactionId: string | undefined, samples: MeterSample[], raw: unknown[]): Promise<void> {
    if (!samples.length) return;
    // Stored (and the running transaction updated) together with other chargers' calls; resolves once committed.
    const row = await this.meterWrites.add({ chargerId, ocppConnector, transactionId, samples, raw });
    if (!row) return;
    const metered = toTransaction(row as unknown as Row);
    this.tell(this.metered, metered);
    const due = !metered.sessionPublishedAt || Date.now() - metered.sessionPublishedAt.getTime() >= this.deps.sessionUpdateIntervalMs;
    if (due) await this.publishSession(metered);
  }

  /**
   * A transaction stopped (1.6 StopTransaction, 2.0.1 TransactionEvent Ended). Only the first stop
   * counts: a repeated one answers the same and builds no second CDR. Unknown transactions are
   * answered tolerantly (the charger must be able to clear its queue) and recorded as an event.
   */
  async stop(input: TransactionStop): Promise<'stopped' | 'already-stopped' | 'unknown'> {
    const { db } = this.deps;
    const transaction = await this.find(input.chargerId, input.transactionId);
    if (!transaction) {
      await this.deps.chargers.recordEvent(input.chargerId, 'UnknownTransactionStopped', { transactionId: input.transactionId, reason: input.reason ?? null });
      this.deps.log.warn({ charger: input.chargerId, transactionId: input.transactionId }, 'a stop for a transaction the hub does not know');
      return 'unknown';
    }
    if (input.samples?.length) {
      // The stop's readings (1.6 transactionData, 2.0.1 Ended) are stored the way every reading is.
      await this.meterWrites.add({ chargerId: input.chargerId, ocppConnector: transaction.ocppConnector, transactionId: input.transactionId, samples: input.samples, raw: input.raw ?? [] });
    }
    const stoppedAt = new Date(Math.max(chargerTime(input.timestamp).getTime(), transaction.startedAt.getTime()));
    const rows = await updatedRows<Row>(
      db,
      `UPDATE ocpp_transactions SET status = 'STOPPED', stopped_at = $2, meter_stop_wh = $3, stop_reason = $4, updated_at = now()
        WHERE id = $1 AND status = 'ACTIVE' RETURNING *`,
      [transaction.pk, stoppedAt, input.meterStopWh ?? transaction.lastEnergyWh ?? transaction.meterStartWh, input.reason ?? null],
    );
    if (!rows[0]) {
      // The stop repeated because its answer was lost: the hub may have stopped before making the CDR.
      const again = await this.find(input.chargerId, input.transactionId);
      if (again && again.status === 'STOPPED' && again.cdrId === null) await this.finish(again);
      if (again?.closedByHub) await this.lateStop(again, input);
      return 'already-stopped';
    }
    const stopped = toTransaction(rows[0]);
    await this.finish(stopped);
    this.tell(this.stopped, stopped);
    return 'stopped';
  }

  /**
   * Closes a transaction the charger lost (lost-transactions.ts decides when) with what the hub has:
   * the last stored reading as the meter stop and its time as the end. Exactly once however many
   * triggers race, on any instance: only the update that finds it ACTIVE closes it and finishes it
   * (the CDR is then made once by `finish`, soon after: finishLost). Answers whether this call closed it.
   */
  async closeLost(transaction: Transaction, reason: string): Promise<boolean> {
    const closed = await this.lostCloses.add({ pk: transaction.pk, reason });
    if (!closed) return false;
    this.deps.log.warn({ charger: closed.chargerId, transactionId: closed.transactionId, reason, meterStopWh: closed.meterStopWh }, 'a transaction the charger lost is closed from its last reading');
    this.finishLost(closed);
    return true;
  }

  /**
   * Closes of lost transactions, many in one statement (a fleet booting after a restart closes one per
   * charger). The same transaction twice in a batch (a boot and a status racing) is closed once: the
   * first of them gets it, as the update that finds it ACTIVE would.
   */
  private readonly lostCloses = new QueryBatches<{ pk: string; reason: string }, Transaction | undefined>(async (items) => {
    const rows = await updatedRows<Row>(
      this.deps.db,
      `UPDATE ocpp_transactions t SET status = 'STOPPED', closed_by_hub = true, stop_reason = v.reason, updated_at = now(),
              stopped_at = GREATEST(COALESCE(t.last_sample_at, t.started_at), t.started_at), meter_stop_wh = COALESCE(t.last_energy_wh, t.meter_start_wh)
         FROM (SELECT DISTINCT ON (id) id, reason FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(id, reason, n) ORDER BY id, n) v
        WHERE t.id = v.id AND t.status = 'ACTIVE' RETURNING t.*`,
      [items.map((i) => i.pk), items.map((i) => i.reason)],
    );
    const closedByPk = new Map(rows.map((row) => [String(row.id), toTransaction(row)]));
    return items.map((item) => {
      const closed = closedByPk.get(item.pk);
      closedByPk.delete(item.pk);
      return closed;
    });
  }, CHARGER_BATCHES);

  /**
   * The CDR of a transaction the hub closed, made after the call that found it lost is answered: a
   * fleet booting after a hub restart closes a transaction per charger, and pricing and publishing
   * each before its BootNotification is answered held every boot for the whole fleet's CDRs. The
   * close itself is stored first, so nothing is lost if the hub stops meanwhile: the
   * finish-transactions job (finishPending) makes what is left. They start once the closes calm
   * down (a storm of boots is answered first) and run a few at a time, so the chargers' own calls
   * keep the database pool.
   */
  private finishLost(transaction: Transaction): void {
    if (this.lostToFinish.length === 0) this.lostWaitingSince = Date.now();
    this.lostToFinish.push(transaction);
    if (this.lostFinishing > 0) return; // finishing already: the running ones take it in turn
    clearTimeout(this.lostFinishTimer);
    const wait = Math.min(LOST_FINISH_QUIET_MS, Math.max(0, this.lostWaitingSince + LOST_FINISH_MAX_WAIT_MS - Date.now()));
    this.lostFinishTimer = setTimeout(() => this.finishLostNow(), wait);
  }

  private finishLostNow(): void {
    clearTimeout(this.lostFinishTimer);
    this.lostFinishTimer = undefined;
    this.finishLostInTurn();
  }

  private finishLostInTurn(): void {
    while (this.lostFinishing < LOST_FINISHES_AT_ONCE && this.lostToFinish.length) {
      const next = this.lostToFinish.shift()!;
      this.lostFinishing++;
      const work: Promise<void> = this.finish(next)
        .then(() => this.tell(this.stopped, next))
        .catch((error) => this.deps.log.error({ err: error, session: next.sessionId }, 'could not finish a lost transaction (the finish-transactions job tries again)'))
        .finally(() => {
          this.telling.delete(work);
          this.lostFinishing--;
          this.finishLostInTurn();
        });
      this.telling.add(work);
    }
  }

  /**
   * The charger's own stop of a transaction the hub had closed from its last reading. The CDR stands
   * (one CDR per session; its readings may be fewer): the stop is kept as an event for the operator,
   * who can credit the CDR (POST /admin/cdrs/{id}/credit) when the charger measured more.
   */
  private async lateStop(transaction: Transaction, input: TransactionStop): Promise<void> {
    const meterStopWh = input.meterStopWh ?? null;
    await this.deps.chargers.recordEvent(transaction.chargerId, 'StopAfterClosedByHub', {
      transactionId: transaction.transactionId,
      sessionId: transaction.sessionId,
      meterStopWh,
      timestamp: input.timestamp.toISOString(),
      reason: input.reason ?? null,
      closedWithWh: transaction.meterStopWh,
    });
    if (meterStopWh !== null && transaction.meterStopWh !== null && meterStopWh > transaction.meterStopWh) {
      this.deps.log.warn(
        { charger: transaction.chargerId, transactionId: transaction.transactionId, meterStopWh, closedWithWh: transaction.meterStopWh },
        'the charger reported more energy for a transaction the hub had already closed: its CDR stands, see the StopAfterClosedByHub event',
      );
    }
  }

  /**
   * Publishes the final session and the CDR of a stopped transaction, once. Safe to repeat (after a
   * crash between the stop and the CDR, `finishPending` or the charger's repeated stop does it): the
   * CDR id is the session id, a CDR the hub already holds was queued in the transaction that stored it,
   * and `cdr_id` is claimed only after the CDR is stored, so a crash in between leaves the transaction
   * to be finished again rather than a CDR never sent.
   */
  async finish(transaction: Transaction): Promise<void> {
    if (transaction.status !== 'STOPPED' || transaction.cdrId) return;
    const facts = await this.factsOf(transaction);
    if (!facts || !publishable(transaction)) {
      await this.deps.db.query(`UPDATE ocpp_transactions SET cdr_id = '' WHERE id = $1 AND cdr_id IS NULL`, [transaction.pk]); // nothing to send, ever
      return;
    }
    const priced = priceTransaction(facts, transaction.stoppedAt!);
    await this.publishSession(transaction, facts, priced);
    const location = await this.locationOf(transaction.locationId!);
    const cdrLoc = location && cdrLocation(location, transaction.evseUid!, transaction.connectorId!);
    if (!cdrLoc) {
      this.deps.log.error({ session: transaction.sessionId }, 'no CDR: the EVSE or connector is no longer in the location');
      return;
    }
    // The own CDR is held to the schema a partner CPO's CDR is: one that fails it is not stored or sent,
    // and stays unfinished (logged on every retry) until what it is built from is fixed.
    // Signed meter values (Eichrecht) go with the CDR, verified or not: the eMSP checks them too.
    const signedData = await this.deps.signedData?.(transaction);
    const checked = Cdr.safeParse({
      ...cdrRecord({ ...facts, stoppedAt: transaction.stoppedAt! }, priced, cdrLoc, new Date()),
      ...(transaction.closedByHub ? { remark: CLOSED_BY_HUB_REMARK } : {}),
      ...(signedData ? { signed_data: signedData } : {}),
    });
    if (!checked.success) {
      this.deps.log.error({ session: transaction.sessionId, problems: checked.error.issues.slice(0, 10) }, 'no CDR: the own CDR built for this session is invalid');
      return;
    }
    // An ad hoc driver's CDR stays at the hub (its payment is settled from it); others go to the eMSP.
    // The first CDR stored under the session's id wins (a stop repeated while the first finish ran,
    // or a finish after a crash): both services answer the CDR the hub holds.
    const cdr = this.isLocal(transaction)
      ? await this.deps.cdrs.keepUndelivered(this.deps.ownCpo, checked.data)
      : await this.deps.cdrs.createOnce(this.deps.ownCpo, checked.data);
    const claimed = await updatedRows(
      this.deps.db,
      `UPDATE ocpp_transactions SET cdr_id = $2 WHERE id = $1 AND cdr_id IS NULL RETURNING id`,
      [transaction.pk, cdr.id],
    );
    if (!claimed.length) return;
    for (const listener of this.finished) {
      await Promise.resolve(listener(transaction, cdr)).catch((error) => this.deps.log.error({ err: error, cdr: cdr.id }, 'a CDR listener failed'));
    }
  }

  /** Stopped transactions whose CDR was never made (the hub stopped in between): made now. */
  async finishPending(): Promise<number> {
    const rows: Row[] = await this.deps.db.query(`SELECT * FROM ocpp_transactions WHERE status = 'STOPPED' AND cdr_id IS NULL ORDER BY stopped_at LIMIT 100`);
    for (const row of rows) {
      await this.finish(toTransaction(row)).catch((error) => this.deps.log.error({ err: error, session: row.session_id }, 'could not finish a transaction'));
    }
    return rows.length;
  }

  /** The tariff a charger's connector has now (what a transaction starting there would snapshot), if any. */
  async tariffAt(chargerId: string, ocppConnector: string): Promise<Tariff | undefined> {
    return (await this.placeOf(chargerId, ocppConnector))?.tariff;
  }

  /** The running cost (incl. VAT when known) of a transaction, for payments and the dashboard. */
  async costOf(transaction: Transaction): Promise<Priced | undefined> {
    const facts = await this.factsOf(transaction);
    return facts && priceTransaction(facts, transaction.stoppedAt ?? new Date());
  }

  /** The session as the eMSP should see it now: a PUT the first time (or when history changed), else a PATCH appending new periods. */
  private async publishSession(transaction: Transaction, known?: TransactionFacts, knownPriced?: Priced): Promise<void> {
    if (!publishable(transaction) || this.isLocal(transaction)) return;
    try {
      const facts = known ?? (await this.factsOf(transaction));
      if (!facts) return;
      const now = new Date();
      const priced = knownPriced ?? priceTransaction(facts, now);
      const session = sessionRecord(facts, priced, now);
      const closed = transaction.stoppedAt ? priced.periods : closedPeriods(priced.periods, facts, now);
      const closedKeys = closed.map((p) => JSON.stringify(p));
      const sent = this.publishedPeriods.get(transaction.sessionId);
      const appendOnly = !!transaction.sessionPublishedAt && !!sent && sent.every((key, i) => closedKeys[i] === key);
      if (appendOnly) {
        const patch: Record<string, unknown> = {
          kwh: session.kwh,
          status: session.status,
          last_updated: session.last_updated,
          ...(session.total_cost ? { total_cost: session.total_cost } : {}),
          ...(session.end_date_time ? { end_date_time: session.end_date_time } : {}),
        };
        if (closed.length > sent!.length) patch.charging_periods = closed.slice(sent!.length);
        await this.deps.sessions.patch(this.deps.ownCpo, undefined, transaction.sessionId, patch);
      } else {
        await this.deps.sessions.put(this.deps.ownCpo, undefined, transaction.sessionId, { ...session, charging_periods: closed });
      }
      this.publishedPeriods.set(transaction.sessionId, closedKeys);
      if (transaction.stoppedAt) this.publishedPeriods.delete(transaction.sessionId);
      await this.deps.db.query(`UPDATE ocpp_transactions SET session_published_at = $2 WHERE id = $1`, [transaction.pk, now]);
    } catch (error) {
      this.deps.log.error({ err: error, session: transaction.sessionId }, 'could not publish a session to its eMSP');
    }
  }

  private async factsOf(transaction: Transaction): Promise<TransactionFacts | undefined> {
    const auth = transaction.auth;
    if (!auth?.cdrToken || !transaction.locationId || !transaction.evseUid || !transaction.connectorId) return undefined;
    const readings: { sampled_at: Date; energy_wh: number | null; power_w: number | null; current_a: number | null }[] = await this.deps.db.query(
      `SELECT sampled_at, energy_wh, power_w, current_a FROM ocpp_meter_values WHERE transaction_pk = $1 ORDER BY sampled_at, id`,
      [transaction.pk],
    );
    return {
      owner: this.deps.ownCpo,
      sessionId: transaction.sessionId,
      startedAt: transaction.startedAt,
      stoppedAt: transaction.stoppedAt ?? undefined,
      meterStartWh: transaction.meterStartWh,
      meterStopWh: transaction.meterStopWh ?? undefined,
      readings: readings.map((r) => ({ at: r.sampled_at, energyWh: r.energy_wh ?? undefined, powerW: r.power_w ?? undefined, currentA: r.current_a ?? undefined })),
      cdrToken: auth.cdrToken,
      authMethod: auth.authMethod,
      authorizationReference: auth.authorizationReference,
      locationId: transaction.locationId,
      evseUid: transaction.evseUid,
      connectorId: transaction.connectorId,
      tariff: transaction.tariff ?? undefined,
      timeZone: transaction.timeZone ?? undefined,
      currency: transaction.tariff?.currency ?? this.deps.currency,
    };
  }

  private async locationOf(locationId: string): Promise<Location | undefined> {
    return this.deps.locations.storedOf(this.deps.ownCpo, locationId);
  }

  /** Where a charger's connector is in the own CPO's locations, with the connector's tariff as it is now. */
  private async placeOf(chargerId: string, ocppConnector: string, token?: { country_code: string; party_id: string } | null) {
    const charger = await this.deps.chargers.find(chargerId);
    const evseId = ocppConnector.split('/')[0];
    const mapping =
      charger?.evses.find((e) => e.ocppConnector === ocppConnector) ??
      // 2.0.1 may name only the EVSE: its first mapped connector
      charger?.evses.find((e) => e.ocppConnector.split('/')[0] === evseId && ocppConnector.includes('/') === false);
    if (!charger?.locationId || !mapping) return undefined;
    const location = await this.locationOf(charger.locationId);
    const connector = location?.evses?.find((e) => e.uid === mapping.evseUid)?.connectors?.find((c) => c.id === mapping.connectorId);
    const tariff = await this.sessionTariffOf(connector?.tariff_ids, token);
    return { locationId: charger.locationId, evseUid: mapping.evseUid, connectorId: mapping.connectorId, tariff, timeZone: location?.time_zone };
  }
}
