import type { DataSource, EntityManager } from 'typeorm';
import type { PartyAddress } from '../../ocpi/party-address';

/**
 * Requests the hub forwarded whose answer comes later at a response_url (commands, charging
 * profiles): table `forwarded_requests` (migrations/1763700100000-Routing.ts). A row exists only for
 * a request its receiver accepted (or is still answering), so a result can be routed back to the
 * requester's ORIGINAL response_url, once.
 */

export type ForwardedKind = 'commands' | 'chargingprofiles';
export type ForwardedStatus = 'pending' | 'answered' | 'timed_out';

export interface ForwardedRequest {
  id: string;
  kind: ForwardedKind;
  /** START_SESSION…, or ACTIVE / SET / CLEAR for charging profiles. */
  operation: string;
  /** What later requests are routed by (a reservation id, a session id), upper case; else undefined. */
  subject?: string;
  requesterPartyUuid: string | null;
  requester: PartyAddress;
  receiverPartyUuid: string | null;
  receiver: PartyAddress;
  responseUrl: string;
  correlationId: string | null;
  deadline: Date | null;
  status: ForwardedStatus;
  result: Record<string, unknown> | null;
}

export interface NewForwardedRequest {
  kind: ForwardedKind;
  operation: string;
  subject?: string;
  requesterPartyUuid: string;
  requester: PartyAddress;
  receiverPartyUuid: string;
  receiver: PartyAddress;
  responseUrl: string;
  correlationId?: string;
  deadline: Date;
  /** A START_SESSION: kept beside the request in forwarded_start_sessions, for the reliability measures. */
  startSession?: ForwardedStartSession;
}

/** What the reliability measures keep of a forwarded START_SESSION (docs/reliability.md, "Forwarded START_SESSION"). */
export interface ForwardedStartSession {
  locationId: string;
  evseUid?: string;
  tokenUid: string;
  requestedAt: Date;
}

interface Row {
  id: string;
  kind: ForwardedKind;
  name: string;
  subject: string | null;
  requester_party_uuid: string | null;
  requester_country_code: string;
  requester_party_id: string;
  receiver_party_uuid: string | null;
  receiver_country_code: string;
  receiver_party_id: string;
  response_url: string;
  correlation_id: string | null;
  deadline: Date | null;
  status: ForwardedStatus;
  result: Record<string, unknown> | null;
}

/** Seconds the hub waits beyond a receiver's own `timeout` before giving up on a result (network, clocks). */
export const RESULT_GRACE_SECONDS = 10;

/** When a result is overdue: the receiver's timeout after the request, plus the grace. */
export function resultDeadline(requestedAt: Date, timeoutSeconds: number): Date {
  return new Date(requestedAt.getTime() + (timeoutSeconds + RESULT_GRACE_SECONDS) * 1000);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fromRow(row: Row): ForwardedRequest {
  return {
    id: row.id,
    kind: row.kind,
    operation: row.name,
    // Subjects are CiStrings (session or reservation ids), kept upper case to compare case-insensitively.
    subject: row.subject ?? undefined,
    requesterPartyUuid: row.requester_party_uuid,
    requester: { countryCode: row.requester_country_code, partyId: row.requester_party_id },
    receiverPartyUuid: row.receiver_party_uuid,
    receiver: { countryCode: row.receiver_country_code, partyId: row.receiver_party_id },
    responseUrl: row.response_url,
    correlationId: row.correlation_id,
    deadline: row.deadline,
    status: row.status,
    result: row.result,
  };
}

const addressesParams = (addresses: PartyAddress[]) => [addresses.map((a) => a.countryCode), addresses.map((a) => a.partyId)];

export class ForwardedRequests {
  constructor(private readonly db: DataSource) {}

  /** Opens the request (and its START_SESSION record, in the same transaction). */
  async open(request: NewForwardedRequest): Promise<string> {
    if (!request.startSession) return this.insert(request, this.db.manager);
    return this.db.transaction(async (tx) => {
      const id = await this.insert(request, tx);
      const start = request.startSession!;
      await tx.query(
        `INSERT INTO forwarded_start_sessions (request_id, cpo_country_code, cpo_party_id, emsp_country_code, emsp_party_id, location_id, evse_uid, token_uid, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, request.receiver.countryCode, request.receiver.partyId, request.requester.countryCode, request.requester.partyId, start.locationId, start.evseUid ?? null, start.tokenUid, start.requestedAt],
      );
      return id;
    });
  }

  private async insert(request: NewForwardedRequest, tx: EntityManager): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO forwarded_requests (kind, name, subject, requester_party_uuid, requester_country_code, requester_party_id,
         receiver_party_uuid, receiver_country_code, receiver_party_id, response_url, correlation_id, deadline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        request.kind,
        request.operation,
        request.subject?.toUpperCase() ?? null,
        request.requesterPartyUuid,
        request.requester.countryCode,
        request.requester.partyId,
        request.receiverPartyUuid,
        request.receiver.countryCode,
        request.receiver.partyId,
        request.responseUrl,
        request.correlationId ?? null,
        request.deadline,
      ],
    );
    return rows[0].id;
  }

  async get(id: string): Promise<ForwardedRequest | null> {
    if (!UUID.test(id)) return null;
    const rows: Row[] = await this.db.query(`SELECT * FROM forwarded_requests WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The receiver accepted: its result is due by `deadline` (unless it already came). A START_SESSION's record keeps the answer. */
  async awaitResult(id: string, deadline: Date): Promise<void> {
    await this.db.query(
      `WITH s AS (UPDATE forwarded_start_sessions SET response_result = 'ACCEPTED' WHERE request_id = $1)
       UPDATE forwarded_requests SET deadline = $2 WHERE id = $1 AND status = 'pending'`,
      [id, deadline],
    );
  }

  /**
   * The receiver refused (`response`, its CommandResponse result) or never got the request (null): no
   * result will come, none is awaited. A START_SESSION's record stays, with the answer: a failed attempt.
   */
  async discard(id: string, response: string | null): Promise<void> {
    await this.db.query(
      `WITH s AS (UPDATE forwarded_start_sessions SET response_result = $2 WHERE request_id = $1 AND $2::text IS NOT NULL)
       DELETE FROM forwarded_requests WHERE id = $1 AND status = 'pending'`,
      [id, response],
    );
  }

  /**
   * Records a result, if the request still awaits one, or if it is an allowed follow-up (`followUp`,
   * a result value accepted once after the first, e.g. CANCELED_RESERVATION). Conditional, so of
   * concurrent posts (and a timeout sweep) exactly one wins; says whether this one did.
   */
  async answer(id: string, result: Record<string, unknown>, followUp: string | undefined, tx: EntityManager): Promise<boolean> {
    const [, affected]: [unknown, number] = await tx.query(
      `UPDATE forwarded_requests SET status = 'answered', result = $2
        WHERE id = $1 AND (status = 'pending' OR ($3::text IS NOT NULL AND result->>'result' IS DISTINCT FROM $3))`,
      [id, JSON.stringify(result), followUp ?? null],
    );
    if (affected > 0) await this.resultOfStart([id], String(result.result), tx);
    return affected > 0;
  }

  /** The newest request of this kind and name, from one of `requesters` or to `receiver`. */
  async latest(
    kind: ForwardedKind,
    operation: string,
    subject: string,
    party: { requesters: PartyAddress[] } | { receiver: PartyAddress },
  ): Promise<ForwardedRequest | null> {
    const [side, addresses] = 'requesters' in party ? ['requester', party.requesters] : ['receiver', [party.receiver]];
    const rows: Row[] = await this.db.query(
      `SELECT * FROM forwarded_requests
        WHERE kind = $1 AND name = $2 AND subject = $3
          AND (${side}_country_code, ${side}_party_id) IN (SELECT * FROM unnest($4::text[], $5::text[]))
        ORDER BY created_at DESC LIMIT 1`,
      [kind, operation, subject.toUpperCase(), ...addressesParams(addresses)],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /**
   * Marks every pending request of `kind` whose deadline passed as timed out, storing `result`, and
   * returns them. One conditional UPDATE: with several hub instances each row is taken by one.
   */
  async timeOut(kind: ForwardedKind, now: Date, result: Record<string, unknown>, tx: EntityManager): Promise<ForwardedRequest[]> {
    const [rows]: [Row[]] = await tx.query(
      `UPDATE forwarded_requests SET status = 'timed_out', result = $3
        WHERE kind = $1 AND status = 'pending' AND deadline <= $2
       RETURNING *`,
      [kind, now, JSON.stringify(result)],
    );
    if (rows.length > 0) await this.resultOfStart(rows.map((r) => r.id), String(result.result), tx, now);
    return rows.map(fromRow);
  }

  /** A START_SESSION's record takes its first result (a later follow-up result is not the start's). */
  private async resultOfStart(ids: string[], result: string, tx: EntityManager, at?: Date): Promise<void> {
    await tx.query(`UPDATE forwarded_start_sessions SET result = $2, result_at = coalesce($3, now()) WHERE request_id = ANY($1::uuid[]) AND result IS NULL`, [ids, result, at ?? null]);
  }
}
