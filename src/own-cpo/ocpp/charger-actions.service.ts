import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { type ActionOutcome, answerOutcome, hubActionProblem } from './charger-actions';
import { ChargerRefused, ChargerTimedOut, ChargerUnreachable, type ChargerCalls } from './charger-calls';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { ChargerDeviceModel } from '../chargers/charger-device-model';
import { storeDeviceModelAnswer } from './charger-action-device-model';

/** One call the operator made to a charger, as the action log keeps it. */
export interface ChargerActionRecord {
  id: string;
  chargerId: string;
  /** "admin-api", or what the caller named itself with X-Requested-By (the CLI: "cli:<user>"). */
  requestedBy: string;
  requestedAt: Date;
  protocol: OcppProtocol;
  action: string;
  params: unknown;
  /** The charger's answer; null for a CALLERROR, a timeout or a charger gone before answering. */
  answer: unknown;
  status: ActionOutcome;
  /** The CALLERROR's code and message, "Timeout" or "Unreachable"; null when the charger answered. */
  error: { code: string; message: string } | null;
  durationMs: number;
}

interface ActionRow {
  id: string;
  charger_id: string;
  requested_by: string;
  requested_at: Date;
  protocol: OcppProtocol;
  action: string;
  params: unknown;
  answer: unknown;
  status: ActionOutcome;
  error_code: string | null;
  error_message: string | null;
  duration_ms: number;
}

const toRecord = (r: ActionRow): ChargerActionRecord => ({
  id: String(r.id),
  chargerId: r.charger_id,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  protocol: r.protocol,
  action: r.action,
  params: r.params,
  answer: r.answer,
  status: r.status,
  error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  durationMs: r.duration_ms,
});

/** The longest an operator waits for a charger's answer (ocpp-rpc's own default is a minute). */
export const MAX_ACTION_TIMEOUT_MS = 120_000;
export const DEFAULT_ACTION_TIMEOUT_MS = 30_000;

/**
 * The operator's one way to call a charger: any action of the charger's OCPP version the hub may send,
 * its params checked against that version's schema before anything is sent, the call made on whichever
 * instance holds the charger's connection, and the call and its outcome kept (charger_actions). The
 * named shortcuts (ocpp/charger-shortcuts.ts) build their call and come through here as well.
 */
export class ChargerActionsService {
  /** `deviceModel`: configuration and variables read or set through here are kept in the device model store. */
  constructor(private readonly deps: { db: DataSource; chargers: ChargersService; calls: ChargerCalls; deviceModel?: ChargerDeviceModel }) {}

  /** The protocol of the charger's live connection: 404 for an unknown charger, 409 when it is not connected. */
  async connectedProtocol(chargerId: string): Promise<OcppProtocol> {
    await this.deps.chargers.require(chargerId);
    const protocol = await this.deps.calls.protocolOf(chargerId);
    if (!protocol) throw new HubError('conflict', `Charger ${chargerId} is not connected; actions are sent to connected chargers only`);
    return protocol;
  }

  /**
   * Sends `action` with `params` and keeps what happened. Refused before anything is sent, and not
   * kept: an unknown charger (404), one not connected (409), params its version's schema refuses (400).
   */
  async send(
    chargerId: string,
    action: string,
    params: unknown,
    options: { requestedBy: string; timeoutMs?: number; protocol?: OcppProtocol },
  ): Promise<ChargerActionRecord> {
    const protocol = options.protocol ?? (await this.connectedProtocol(chargerId));
    const problem = hubActionProblem(protocol, action, params);
    if (problem) throw new HubError('invalid', problem);
    const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS, MAX_ACTION_TIMEOUT_MS);
    const started = Date.now();
    let answer: unknown = null;
    let status: ActionOutcome;
    let error: { code: string; message: string } | null = null;
    try {
      answer = await this.deps.calls.call(chargerId, action, params, timeoutMs);
      status = answerOutcome(answer);
    } catch (failure) {
      if (failure instanceof ChargerTimedOut) [status, error] = ['timeout', { code: 'Timeout', message: failure.message }];
      else if (failure instanceof ChargerRefused) [status, error] = ['error', { code: failure.code, message: failure.message }];
      else if (failure instanceof ChargerUnreachable) [status, error] = ['error', { code: 'Unreachable', message: failure.message }];
      else throw failure;
    }
    const [row]: ActionRow[] = await this.deps.db.query(
      `INSERT INTO charger_actions (charger_id, requested_by, protocol, action, params, answer, status, error_code, error_message, duration_ms, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        chargerId,
        options.requestedBy,
        protocol,
        action,
        JSON.stringify(params),
        answer === null ? null : JSON.stringify(answer),
        status,
        error?.code ?? null,
        error?.message ?? null,
        Date.now() - started,
        new Date(started),
      ],
    );
    if (answer !== null && this.deps.deviceModel) await storeDeviceModelAnswer(this.deps.deviceModel, chargerId, action, params, answer, new Date());
    return toRecord(row);
  }

  /** The charger's actions, newest first (404 for an unknown charger). */
  async list(chargerId: string, options: { limit: number; before?: string }): Promise<ChargerActionRecord[]> {
    await this.deps.chargers.require(chargerId);
    const rows: ActionRow[] = await this.deps.db.query(
      `SELECT * FROM charger_actions WHERE charger_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [chargerId, options.before ?? null, options.limit],
    );
    return rows.map(toRecord);
  }
}

/** A notification the charger sent (firmware, diagnostics, log, security, a CSR), as ocpp_events keeps it. */
export interface ChargerEventRecord {
  id: string;
  action: string;
  payload: unknown;
  receivedAt: Date;
}

/** The charger's notifications, newest first: how the operator follows a firmware update or an upload it asked for. */
export async function chargerEvents(db: DataSource, chargerId: string, options: { limit: number; action?: string }): Promise<ChargerEventRecord[]> {
  const rows: { id: string; action: string; payload: unknown; received_at: Date }[] = await db.query(
    `SELECT id, action, payload, received_at FROM ocpp_events WHERE charger_id = $1 AND ($2::text IS NULL OR action = $2) ORDER BY id DESC LIMIT $3`,
    [chargerId, options.action ?? null, options.limit],
  );
  return rows.map((r) => ({ id: String(r.id), action: r.action, payload: r.payload, receivedAt: r.received_at }));
}
