import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { QueryBatches } from '../../db/query-batches';
import { updatedRows } from '../../db/updated-rows';
import type { z } from 'zod';
import type {
  CancelReservation,
  CommandBody,
  CommandResponse,
  CommandType,
  ReserveNow,
  StartSession,
  StopSession,
  UnlockConnector,
} from '../../hub/modules/commands/commands.schema';
import type { Token } from '../../hub/modules/tokens/tokens.schema';
import { ChargerRefused, type ChargerCalls } from '../ocpp/charger-calls';
import { type Charger, CHARGER_BATCHES, type ChargersService, type OcppProtocol } from '../chargers/chargers.service';
import { answerStatus, CHARGER_PROTOCOLS, type ChargerCall } from '../ocpp/charger-protocols';
import type { DriverAuthorizationResult, LocalAuthority } from './driver-authorization';
import type { EvseStatusPublisher } from './evse-status';
import type { Transaction, TransactionsService } from './transactions.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** A CommandResult value (mod_commands). */
export type CommandResultType =
  | 'ACCEPTED'
  | 'CANCELED_RESERVATION'
  | 'EVSE_OCCUPIED'
  | 'EVSE_INOPERATIVE'
  | 'FAILED'
  | 'NOT_SUPPORTED'
  | 'REJECTED'
  | 'TIMEOUT'
  | 'UNKNOWN_RESERVATION';

/** Posts the result of command request `requestId` (the commands module's result relay, in-process). */
export type PostResult = (command: CommandType, requestId: string, result: CommandResultType, message?: string) => Promise<void>;

/** How long an eMSP is told to wait for a result (CommandResponse.timeout), per command. */
const RESULT_TIMEOUT_S: Record<CommandType, number> = {
  START_SESSION: 90, // the driver may still have to plug in
  STOP_SESSION: 60,
  RESERVE_NOW: 30,
  CANCEL_RESERVATION: 30,
  UNLOCK_CONNECTOR: 30,
};

interface Place {
  charger: Charger;
  ocppConnector: string;
  evseUid: string;
}

const en = (text: string) => [{ language: 'en', text }];
const accepted = (command: CommandType): CommandResponse => ({ result: 'ACCEPTED', timeout: RESULT_TIMEOUT_S[command] });
const refused = (result: CommandResponse['result'], text: string): CommandResponse => ({ result, timeout: 0, message: en(text) });

/** An OCPP answer's status as the CommandResult the eMSP gets. */
function resultOf(status: string | undefined): CommandResultType {
  switch (status) {
    case 'Accepted':
    case 'Unlocked':
      return 'ACCEPTED';
    case 'Occupied':
    case 'OngoingAuthorizedTransaction':
      return 'EVSE_OCCUPIED';
    case 'Faulted':
    case 'Unavailable':
      return 'EVSE_INOPERATIVE';
    case 'NotSupported':
      return 'NOT_SUPPORTED';
    case 'UnlockFailed':
      return 'FAILED';
    default:
      return 'REJECTED';
  }
}

/**
 * OCPI commands for the hub's own charge points, answered in-process instead of forwarded: the hub
 * checks the command and answers the CommandResponse at once, sends the OCPP call (on whichever
 * instance holds the charger's socket), and posts the CommandResult when the charger has actually
 * done it (a transaction started or stopped, a reservation accepted…), or the commands module's sweep
 * sends TIMEOUT.
 */
export class OwnCommands implements LocalAuthority {
  constructor(
    private readonly deps: {
      db: DataSource;
      log: Logger;
      chargers: ChargersService;
      calls: ChargerCalls;
      transactions: TransactionsService;
      evseStatus: EvseStatusPublisher;
      ownCpo: RoleAddress;
      postResult: () => PostResult;
    },
  ) {}

  /** The CommandResponse for a command to the own CPO; the result follows through `postResult`. */
  async handle(command: CommandType, body: CommandBody, requestId: string): Promise<CommandResponse> {
    // The commands module validated the body with the command's schema before handing it here.
    switch (command) {
      case 'START_SESSION':
        return this.startSession(body as z.infer<typeof StartSession>, requestId);
      case 'STOP_SESSION':
        return this.stopSession(body as z.infer<typeof StopSession>, requestId);
      case 'RESERVE_NOW':
        return this.reserveNow(body as z.infer<typeof ReserveNow>, requestId);
      case 'CANCEL_RESERVATION':
        return this.cancelReservation(body as z.infer<typeof CancelReservation>, requestId);
      case 'UNLOCK_CONNECTOR':
        return this.unlockConnector(body as z.infer<typeof UnlockConnector>, requestId);
    }
  }

  /** A remote start's token is authorized by the command that asked for it (auth_method COMMAND). */
  async authorize(uid: string, chargerId?: string): Promise<DriverAuthorizationResult | undefined> {
    if (!chargerId) return undefined;
    return this.remoteStartReads.add({ chargerId, uid });
  }

  /** Every Authorize asks whether a remote start waits for its token: many chargers' questions go in one query per batch. */
  private readonly remoteStartReads = new QueryBatches<{ chargerId: string; uid: string }, DriverAuthorizationResult | undefined>(
    async (asked) => {
      const rows: { i: string; auth: DriverAuthorizationResult }[] = await this.deps.db.query(
        `SELECT v.i, w.auth FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(charger_id, id_token, i)
           CROSS JOIN LATERAL (
             SELECT auth FROM ocpp_remote_starts s
              WHERE s.charger_id = v.charger_id AND s.id_token = v.id_token AND s.transaction_pk IS NULL AND s.expires_at > now()
              ORDER BY s.id DESC LIMIT 1
           ) w`,
        [asked.map((a) => a.chargerId), asked.map((a) => a.uid)],
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i), r.auth]));
      return asked.map((_, index) => byIndex.get(index + 1));
    },
    CHARGER_BATCHES,
  );

  private async placeOf(locationId: string, evseUid?: string, connectorId?: string): Promise<Place | undefined> {
    const chargers = (await this.deps.chargers.list()).filter((c) => c.locationId === locationId && c.status === 'ACCEPTED');
    for (const charger of chargers) {
      for (const mapping of charger.evses) {
        if (evseUid && mapping.evseUid !== evseUid) continue;
        if (connectorId && mapping.connectorId !== connectorId) continue;
        const status = charger.connectors.find((c) => c.connector === mapping.ocppConnector)?.status;
        if (!evseUid && status && status !== 'Available') continue; // the CPO chooses: a free one
        return { charger, ocppConnector: mapping.ocppConnector, evseUid: mapping.evseUid };
      }
    }
    return undefined;
  }

  /** Runs the charger side after the CommandResponse is answered; failures become the result. */
  private later(command: CommandType, requestId: string, work: () => Promise<CommandResultType | undefined>): void {
    setImmediate(() => {
      work()
        .then((result) => result && this.deps.postResult()(command, requestId, result))
        .catch(async (error: Error) => {
          const result: CommandResultType = error instanceof ChargerRefused ? 'REJECTED' : 'FAILED';
          this.deps.log.warn({ err: error, command, requestId }, 'a command to an own charger failed');
          await this.deps.postResult()(command, requestId, result, error.message).catch((e) => this.deps.log.error({ err: e }, 'could not post a command result'));
        });
    });
  }

  private async startSession(body: z.infer<typeof StartSession>, requestId: string): Promise<CommandResponse> {
    const place = await this.placeOf(body.location_id, body.evse_uid, body.connector_id);
    if (!place) return refused('REJECTED', `No available EVSE of location ${body.location_id} matches`);
    const protocol = await this.deps.calls.protocolOf(place.charger.id);
    if (!protocol) return refused('REJECTED', `The charger of EVSE ${place.evseUid} is offline`);
    const token = body.token as Token;
    const auth: DriverAuthorizationResult = {
      status: 'ALLOWED',
      authMethod: 'COMMAND',
      cdrToken: { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id },
      authorizationReference: body.authorization_reference,
      reason: 'started by the eMSP with START_SESSION',
    };
    const remoteStartId = await this.nextRemoteStartId();
    await this.deps.db.query(
      `INSERT INTO ocpp_remote_starts (charger_id, ocpp_connector, id_token, remote_start_id, auth, command_request_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [place.charger.id, place.ocppConnector, token.uid, remoteStartId, JSON.stringify(auth), requestId, RESULT_TIMEOUT_S.START_SESSION],
    );
    this.later('START_SESSION', requestId, async () => {
      const status = await this.remoteStart(place.charger.id, place.ocppConnector, token.uid, protocol, remoteStartId);
      // Accepted: the result comes when the transaction starts (transactionStarted).
      return status === 'Accepted' ? undefined : resultOf(status);
    });
    return accepted('START_SESSION');
  }

  /** 2.0.1 remoteStartId: a number the station reports back in its TransactionEvent. */
  private async nextRemoteStartId(): Promise<number> {
    const [{ id }]: { id: number }[] = await this.deps.db.query(`SELECT nextval('ocpp_remote_start_ids')::int AS id`);
    return id;
  }

  /** Makes a call shaped for the charger's version; answers the status it answered with. */
  private async ask(chargerId: string, call: ChargerCall): Promise<string> {
    return answerStatus(await this.deps.calls.call(chargerId, call.action, call.params)) as string;
  }

  private remoteStart(chargerId: string, ocppConnector: string, idToken: string, protocol: OcppProtocol, remoteStartId: number): Promise<string> {
    return this.ask(chargerId, CHARGER_PROTOCOLS[protocol].remoteStart({ ocppConnector, idToken, remoteStartId }));
  }

  private remoteStop(transaction: Transaction, protocol: OcppProtocol): Promise<string> {
    return this.ask(transaction.chargerId, CHARGER_PROTOCOLS[protocol].remoteStop(transaction.transactionId));
  }

  /**
   * Starts charging for a driver the hub authorizes itself (an ad hoc payment): a remote start without an
   * OCPI command. Throws when the charger is offline or refuses.
   */
  async startFor(chargerId: string, ocppConnector: string, idToken: string): Promise<void> {
    const protocol = await this.deps.calls.protocolOf(chargerId);
    if (!protocol) throw new Error(`Charger ${chargerId} is offline`);
    const status = await this.remoteStart(chargerId, ocppConnector, idToken, protocol, await this.nextRemoteStartId());
    if (status !== 'Accepted') throw new Error(`Charger ${chargerId} answered ${status} to the remote start`);
  }

  /** Stops a running transaction from the hub's side (a payment's hold is used up). */
  async stopFor(transaction: Transaction): Promise<void> {
    const protocol = await this.deps.calls.protocolOf(transaction.chargerId);
    if (!protocol) throw new Error(`Charger ${transaction.chargerId} is offline`);
    const status = await this.remoteStop(transaction, protocol);
    if (status !== 'Accepted') throw new Error(`Charger ${transaction.chargerId} answered ${status} to the remote stop`);
  }

  /** A transaction started: the remote start it answers gets its START_SESSION result, its reservation is used. */
  async transactionStarted(transaction: Transaction): Promise<void> {
    if (!transaction.idToken) return;
    const rows = await updatedRows<{ command_request_id: string | null }>(
      this.deps.db,
      `UPDATE ocpp_remote_starts SET transaction_pk = $3
        WHERE id = (SELECT id FROM ocpp_remote_starts WHERE charger_id = $1 AND (id_token = $2 OR remote_start_id = $4) AND transaction_pk IS NULL
                     ORDER BY id DESC LIMIT 1)
        RETURNING command_request_id`,
      [transaction.chargerId, transaction.idToken, transaction.pk, transaction.remoteStartId ?? -1],
    );
    const requestId = rows[0]?.command_request_id;
    if (requestId) await this.deps.postResult()('START_SESSION', requestId, 'ACCEPTED');
    if (transaction.reservationId !== null) {
      await this.deps.db.query(`UPDATE ocpp_reservations SET status = 'USED' WHERE id = $1 AND status = 'ACTIVE'`, [transaction.reservationId]);
    }
  }

  private async stopSession(body: z.infer<typeof StopSession>, requestId: string): Promise<CommandResponse> {
    const transaction = await this.deps.transactions.findBySession(body.session_id);
    if (!transaction || transaction.status !== 'ACTIVE') return refused('UNKNOWN_SESSION', `No running session ${body.session_id}`);
    const protocol = await this.deps.calls.protocolOf(transaction.chargerId);
    if (!protocol) return refused('REJECTED', 'The charger is offline');
    await this.deps.db.query(`UPDATE ocpp_transactions SET stop_command_request_id = $2 WHERE id = $1`, [transaction.pk, requestId]);
    this.later('STOP_SESSION', requestId, async () => {
      const status = await this.remoteStop(transaction, protocol);
      if (status === 'Accepted') return undefined; // the result comes with the stop (transactionStopped)
      await this.deps.db.query(`UPDATE ocpp_transactions SET stop_command_request_id = NULL WHERE id = $1`, [transaction.pk]);
      return resultOf(status);
    });
    return accepted('STOP_SESSION');
  }

  /** A transaction stopped: a STOP_SESSION waiting for it gets its result. */
  async transactionStopped(transaction: Transaction): Promise<void> {
    const rows = await updatedRows<{ request_id: string }>(
      this.deps.db,
      `WITH waiting AS (SELECT id, stop_command_request_id FROM ocpp_transactions WHERE id = $1 AND stop_command_request_id IS NOT NULL FOR UPDATE)
       UPDATE ocpp_transactions t SET stop_command_request_id = NULL FROM waiting WHERE t.id = waiting.id
       RETURNING waiting.stop_command_request_id AS request_id`,
      [transaction.pk],
    );
    if (rows[0]?.request_id) await this.deps.postResult()('STOP_SESSION', rows[0].request_id, 'ACCEPTED');
  }

  private async reserveNow(body: z.infer<typeof ReserveNow>, requestId: string): Promise<CommandResponse> {
    const place = await this.placeOf(body.location_id, body.evse_uid);
    if (!place) return refused('REJECTED', `No available EVSE of location ${body.location_id} matches`);
    const protocol = await this.deps.calls.protocolOf(place.charger.id);
    if (!protocol) return refused('REJECTED', `The charger of EVSE ${place.evseUid} is offline`);
    const expiresAt = new Date(body.expiry_date);
    if (!(expiresAt.getTime() > Date.now())) return refused('REJECTED', 'expiry_date is in the past');
    const token = body.token as Token;
    // A RESERVE_NOW with a reservation_id already held by this eMSP replaces it (mod_commands, ReserveNow).
    const [{ id }]: { id: number }[] = await this.deps.db.query(`SELECT nextval('ocpp_reservation_ids')::int AS id`);
    await this.deps.db.query(
      `INSERT INTO ocpp_reservations (id, charger_id, ocpp_connector, location_id, evse_uid, ocpi_reservation_id, requester, id_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, place.charger.id, place.ocppConnector, body.location_id, place.evseUid, body.reservation_id, JSON.stringify(body.token ? { country_code: token.country_code, party_id: token.party_id } : {}), token.uid, expiresAt],
    );
    this.later('RESERVE_NOW', requestId, async () => {
      const status = await this.ask(
        place.charger.id,
        CHARGER_PROTOCOLS[protocol].reserveNow({ reservationId: id, ocppConnector: place.ocppConnector, idToken: token.uid, expiresAt }),
      );
      const result = resultOf(status);
      await this.deps.db.query(`UPDATE ocpp_reservations SET status = $2 WHERE id = $1`, [id, result === 'ACCEPTED' ? 'ACTIVE' : 'REFUSED']);
      if (result === 'ACCEPTED') await this.deps.evseStatus.show(body.location_id, place.evseUid, 'RESERVED');
      return result;
    });
    return accepted('RESERVE_NOW');
  }

  private async cancelReservation(body: z.infer<typeof CancelReservation>, requestId: string): Promise<CommandResponse> {
    const rows: { id: number; charger_id: string; location_id: string; evse_uid: string }[] = await this.deps.db.query(
      `SELECT id, charger_id, location_id, evse_uid FROM ocpp_reservations WHERE ocpi_reservation_id = $1 AND status = 'ACTIVE' ORDER BY created_at DESC LIMIT 1`,
      [body.reservation_id],
    );
    const reservation = rows[0];
    if (!reservation) return refused('REJECTED', `No active reservation ${body.reservation_id}`);
    const protocol = await this.deps.calls.protocolOf(reservation.charger_id);
    if (!protocol) return refused('REJECTED', 'The charger is offline');
    this.later('CANCEL_RESERVATION', requestId, async () => {
      const status = await this.ask(reservation.charger_id, CHARGER_PROTOCOLS[protocol].cancelReservation(reservation.id));
      if (status !== 'Accepted') return 'REJECTED';
      await this.endReservation(reservation, 'CANCELLED');
      return 'ACCEPTED';
    });
    return accepted('CANCEL_RESERVATION');
  }

  private async unlockConnector(body: z.infer<typeof UnlockConnector>, requestId: string): Promise<CommandResponse> {
    const place = await this.placeOf(body.location_id, body.evse_uid, body.connector_id);
    if (!place) return refused('REJECTED', `Unknown connector ${body.evse_uid}/${body.connector_id} at location ${body.location_id}`);
    const protocol = await this.deps.calls.protocolOf(place.charger.id);
    if (!protocol) return refused('REJECTED', 'The charger is offline');
    this.later('UNLOCK_CONNECTOR', requestId, async () => {
      return resultOf(await this.ask(place.charger.id, CHARGER_PROTOCOLS[protocol].unlockConnector(place.ocppConnector)));
    });
    return accepted('UNLOCK_CONNECTOR');
  }

  private async endReservation(reservation: { id: number; location_id: string; evse_uid: string }, status: 'CANCELLED' | 'EXPIRED'): Promise<void> {
    const rows = await updatedRows(this.deps.db, `UPDATE ocpp_reservations SET status = $2 WHERE id = $1 AND status = 'ACTIVE' RETURNING id`, [
      reservation.id,
      status,
    ]);
    if (rows.length) await this.deps.evseStatus.show(reservation.location_id, reservation.evse_uid, 'AVAILABLE');
  }

  /** Reservations past their expiry: ended, the EVSE shown available again (the charger drops them itself). */
  async expireReservations(now = new Date()): Promise<number> {
    const rows: { id: number; location_id: string; evse_uid: string }[] = await this.deps.db.query(
      `SELECT id, location_id, evse_uid FROM ocpp_reservations WHERE status = 'ACTIVE' AND expires_at <= $1`,
      [now],
    );
    for (const reservation of rows) await this.endReservation(reservation, 'EXPIRED');
    return rows.length;
  }
}
