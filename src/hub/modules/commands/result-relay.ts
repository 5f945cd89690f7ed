import type { Context } from 'koa';
import type { z } from 'zod';
import type { RoutedRole } from '../../routing/agreements';
import type { ObjectStore } from '../../routing/object-store';
import type { NewDelivery } from '../../routing/outbox';
import type { HubRouter } from '../../routing/router';
import { OcpiCallError, type OcpiReply } from '../../outbound/ocpi-client';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { routingHeaderValues } from '../../ocpi/routing-headers';
import { describeIssues } from '../../../foundation/zod-issues';
import type { Role } from '../../../db/entities';
import { actingRoles } from '../caller-roles';
import { issuedBy, type TokenIssuer } from '../emsp-private';
import type { ModuleDeps } from '../module-deps';
import { type ForwardedKind, type ForwardedRequest, ForwardedRequests, type ForwardedStartSession, resultDeadline } from './forwarded-requests';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';

/**
 * The request/response-then-result pattern shared by commands and charging profiles: the hub forwards
 * a request to a CPO with its own response_url, passes the CPO's synchronous answer back, and relays
 * the CPO's later result to the requester's original response_url through the outbox.
 */

/** The party a request comes from: its party (for deliveries) and the roles it may act in. */
export interface Caller {
  partyUuid: string;
  roles: RoleAddress[];
}

/** The caller of a request, acting in the given kinds of roles (OCPI-from-* narrows them to one). */
export function callerOf(ctx: Context, roles: readonly Role[]): Caller {
  return { partyUuid: ctx.state.caller!.party.id, roles: actingRoles(ctx, ctx.state.caller!, roles) };
}

/** A requester role and a CPO it has a roaming agreement with. */
export interface CpoRoute {
  requester: RoleAddress;
  cpo: RoutedRole;
}

export const same = (a: PartyAddress, b: PartyAddress) => a.countryCode === b.countryCode && a.partyId === b.partyId;

/** Every CPO the roles may reach, with the role that reaches it. */
export async function cpoRoutes(router: HubRouter, roles: RoleAddress[]): Promise<CpoRoute[]> {
  const routes = await Promise.all(
    roles.map(async (requester) => (await router.counterparts(requester)).filter((c) => c.role === 'CPO').map((cpo) => ({ requester, cpo }))),
  );
  return routes.flat();
}

/** The route to the CPO named in OCPI-to-*, or 4001 when the requester has no agreement with it. */
export function routeTo(routes: CpoRoute[], to: PartyAddress): CpoRoute {
  const route = routes.find((r) => same(r.cpo, to));
  if (!route) {
    throw new OcpiError(OcpiStatus.UNKNOWN_RECEIVER, `Unknown receiver ${to.countryCode}/${to.partyId}: not a connected CPO you have a roaming agreement with`);
  }
  return route;
}

/**
 * The route to the CPO that owns a stored object (a location, a session) among the reachable CPOs.
 * `unknown` is thrown when none has it; an id held by several CPOs needs OCPI-to-* to choose.
 */
export async function routeByObject(store: ObjectStore, routes: CpoRoute[], module: string, objectId: string, unknown: () => OcpiError): Promise<CpoRoute> {
  const found = await store.findById(module, objectId, routes.map((r) => r.cpo));
  if (found.length === 0) throw unknown();
  if (found.length > 1) {
    throw ocpiErrors.invalidParameters(`${module} ${objectId} exists at several CPOs; name one with OCPI-to-country-code/party-id`);
  }
  return routes.find((r) => same(r.cpo, found[0].key))!;
}

/**
 * The route to the CPO of a session the requester may address: an eMSP only its own (the session's
 * `cdr_token` is its token: "specific to only one party", src/modules/emsp-private.ts), as the
 * charging preferences do; another eMSP's session is unknown to it, answered as if absent. Roles that
 * hold no tokens (SCSP, NSP, OTHER) act on the sessions of CPOs they have an agreement with. With
 * OCPI-to-* the CPO is the one named (4001 without an agreement); a session the hub does not hold
 * there is the CPO's to judge.
 */
export async function routeBySession(
  store: ObjectStore,
  routes: CpoRoute[],
  to: PartyAddress | undefined,
  sessionId: string,
  unknown: () => OcpiError,
): Promise<CpoRoute> {
  if (to) routeTo(routes, to); // 4001 without an agreement
  const candidates = to ? routes.filter((r) => same(r.cpo, to)) : routes;
  const found = await store.findById<{ cdr_token?: TokenIssuer }>('sessions', sessionId, candidates.map((r) => r.cpo));
  const mayAddress = (route: CpoRoute, session: { cdr_token?: TokenIssuer }) =>
    route.requester.role !== 'EMSP' || (session.cdr_token !== undefined && issuedBy(session.cdr_token, route.requester));
  const allowed = found.flatMap((stored) => candidates.filter((r) => same(r.cpo, stored.key) && mayAddress(r, stored.data)).slice(0, 1));
  if (allowed.length === 0) {
    if (to && found.length === 0) return candidates[0];
    throw unknown();
  }
  if (allowed.length > 1) {
    throw ocpiErrors.invalidParameters(`Session ${sessionId} exists at several CPOs; name one with OCPI-to-country-code/party-id`);
  }
  return allowed[0];
}

/** The direct response's routing headers: to the requester, from the receiver (transport_and_format.asciidoc, Party to Party via Hub). */
export function setResponseRouting(ctx: Context, route: CpoRoute): void {
  ctx.set(routingHeaderValues({ to: route.requester, from: route.cpo }));
}

/** What a receiver answers synchronously: CommandResponse or ChargingProfileResponse. */
interface ReceiverResponse {
  result: string;
  timeout: number;
}

export interface RelayRequest<R extends ReceiverResponse> {
  caller: Caller;
  route: CpoRoute;
  operation: string;
  subject?: string;
  /** The requester's response_url: where the result goes in the end. */
  responseUrl: string;
  correlationId?: string;
  /** The hub's URL for the result of forwarded request `id`. */
  hubResponseUrl: (id: string) => string;
  /** Forwards the request, with `responseUrl` replaced by the hub's (`id` is the request's, for receivers served in-process). */
  send: (hubResponseUrl: string, id: string) => Promise<Pick<OcpiReply<unknown>, 'data'>>;
  responseSchema: z.ZodType<R>;
  what: string;
  /** A START_SESSION's location, EVSE and token, kept with the request for the reliability measures. */
  startSession?: Omit<ForwardedStartSession, 'requestedAt'>;
}

export interface PostedResult {
  /** The roles the poster acts in: only the receiver of the request may post its result. */
  poster: RoleAddress[];
  id: string;
  /** Further conditions on the request (e.g. the command in the URL matches). */
  matches: (request: ForwardedRequest) => boolean;
  /** Validates the result against what the request was; throws 2001. */
  parse: (request: ForwardedRequest, body: unknown) => Record<string, unknown>;
  /** A result value accepted once more after the first (a reservation canceled later), if any. */
  followUp?: (request: ForwardedRequest, result: Record<string, unknown>) => string | undefined;
  body: unknown;
}

export class ResultRelay {
  readonly requests: ForwardedRequests;

  constructor(
    private readonly deps: Pick<ModuleDeps, 'db' | 'outbox' | 'log' | 'config' | 'client'>,
    private readonly kind: ForwardedKind,
  ) {
    this.requests = new ForwardedRequests(deps.db);
  }

  /**
   * Records the request, forwards it with the hub's response_url and returns the receiver's answer.
   * Only an ACCEPTED answer leaves the request awaiting a result (by the receiver's timeout); when
   * the receiver refuses, errs or cannot be reached, no result will come, so none is awaited.
   */
  async relay<R extends ReceiverResponse>(request: RelayRequest<R>): Promise<R> {
    // The result goes to response_url later: one the outbound guard refuses (an internal address) is
    // refused now, before anything is forwarded.
    try {
      await this.deps.client.assertCallable(request.responseUrl);
    } catch (error) {
      if (error instanceof OcpiCallError && error.kind === 'refused') throw ocpiErrors.invalidParameters(`response_url cannot be used: ${error.message}`);
      throw error;
    }
    const requestedAt = new Date();
    const id = await this.requests.open({
      kind: this.kind,
      operation: request.operation,
      subject: request.subject,
      requesterPartyUuid: request.caller.partyUuid,
      requester: request.route.requester,
      receiverPartyUuid: request.route.cpo.partyUuid,
      receiver: request.route.cpo,
      responseUrl: request.responseUrl,
      correlationId: request.correlationId,
      // Until the receiver answers: the forward's own time limit (a command whose hub died mid-forward still times out).
      deadline: resultDeadline(requestedAt, Math.ceil(this.deps.config.ocpiTimeoutMs / 1000)),
      ...(request.startSession && { startSession: { ...request.startSession, requestedAt } }),
    });
    let response: R;
    try {
      const reply = await request.send(request.hubResponseUrl(id), id);
      const parsed = request.responseSchema.safeParse(reply.data);
      if (!parsed.success) {
        throw new OcpiError(OcpiStatus.HUB_ERROR, `The receiver answered an invalid ${request.what}: ${describeIssues(parsed.error)}`);
      }
      response = parsed.data;
    } catch (error) {
      await this.requests.discard(id, null);
      throw error;
    }
    if (response.result === 'ACCEPTED') await this.requests.awaitResult(id, resultDeadline(requestedAt, response.timeout));
    else await this.requests.discard(id, response.result);
    return response;
  }

  /**
   * A result posted by the receiver to the hub's response_url: recorded once and queued for the
   * requester's original response_url. Anyone but the receiver gets 404 (the URL is not theirs to
   * know); a second result, or one after the timeout, 2001.
   */
  async acceptResult(posted: PostedResult): Promise<void> {
    const request = await this.requests.get(posted.id);
    if (!request || request.kind !== this.kind || !posted.matches(request) || !posted.poster.some((r) => same(r, request.receiver))) {
      throw ocpiErrors.notFound(`No ${this.kind} request ${posted.id} of yours awaits a result`);
    }
    const result = posted.parse(request, posted.body);
    // Recorded and queued in one transaction: a result is never recorded without its delivery.
    const answered = await this.deps.outbox.transaction(async (tx) => {
      if (!(await this.requests.answer(request.id, result, posted.followUp?.(request, result), tx))) return false;
      const delivery = resultDelivery(request, result);
      if (delivery) await this.deps.outbox.enqueue([delivery], tx);
      return true;
    });
    if (!answered) {
      const current = await this.requests.get(request.id);
      throw ocpiErrors.invalidParameters(
        current?.status === 'timed_out'
          ? `The result of ${this.kind} request ${request.id} came after its timeout; the requester was sent TIMEOUT`
          : `The result of ${this.kind} request ${request.id} was already received`,
      );
    }
  }

  /** Times out overdue requests, sending `result` to each requester (in the same transaction); returns how many. */
  async timeOut(now: Date, result: Record<string, unknown>): Promise<number> {
    return this.deps.outbox.transaction(async (tx) => {
      const overdue = await this.requests.timeOut(this.kind, now, result, tx);
      await this.deps.outbox.enqueue(overdue.flatMap((request) => resultDelivery(request, result) ?? []), tx);
      return overdue.length;
    });
  }
}

/**
 * The delivery of a result to the requester (none when the requester's party was removed). Each
 * result value of a request is delivered once (the outbox's version key), in order.
 */
export function resultDelivery(request: ForwardedRequest, result: Record<string, unknown>): NewDelivery | undefined {
  if (!request.requesterPartyUuid) return undefined;
  return {
    partyUuid: request.requesterPartyUuid,
    module: request.kind,
    interfaceRole: 'SENDER',
    method: 'POST',
    path: '',
    url: request.responseUrl,
    body: result,
    headers: {
      ...routingHeaderValues({ to: request.requester, from: request.receiver }),
      ...(request.correlationId ? { 'X-Correlation-ID': request.correlationId } : {}),
    },
    objectKey: `${request.kind}/${request.id}`,
    objectVersion: String(result.result),
  };
}
