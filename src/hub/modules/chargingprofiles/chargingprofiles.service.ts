import { randomUUID } from 'node:crypto';
import { EMSP_SIDE, type RoutedRole } from '../../routing/agreements';
import type { ForwardRequest } from '../../routing/router';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { routingHeaderValues } from '../../ocpi/routing-headers';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import type { z } from 'zod';
import { type Caller, type CpoRoute, cpoRoutes, ResultRelay, routeBySession, same } from '../commands/result-relay';
import type { ModuleDeps } from '../module-deps';
import { HUB_FORM_VERSION } from '../../../core/ocpi-versions/ocpi-versions';
import { versionBaseUrl } from '../versions/hub-versions';
import {
  ActiveChargingProfile,
  ActiveProfileQuery,
  type ChargingProfile,
  ChargingProfileResponse,
  ClearProfileQuery,
  PROFILE_OPERATIONS,
  type ProfileOperation,
  SetChargingProfile,
} from './chargingprofiles.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';

export const CHARGINGPROFILES_SENDER_PATH = '/sender/chargingprofiles';

const MODULE = 'chargingprofiles';

type Forwarded = { route: CpoRoute; response: ChargingProfileResponse };

/** What a Receiver request asks, as parsed: the profile of a SET, the duration of an ACTIVE. */
export interface ProfileRequestDetails {
  chargingProfile?: z.infer<typeof ChargingProfile>;
  duration?: number;
}

/** A CPO the hub serves in-process (its own charge points): it answers charging-profile requests instead of a partner. */
export interface InProcessProfilesCpo {
  cpo: RoleAddress;
  /** The synchronous ChargingProfileResponse; the result follows through postInProcessResult(requestId, …). */
  handle(operation: ProfileOperation, sessionId: string, details: ProfileRequestDetails, requestId: string): Promise<ChargingProfileResponse>;
}

/** The eMSP (cdr_token owner) of a stored session, if the session names one. */
function tokenOwner(session: { cdr_token?: { country_code?: unknown; party_id?: unknown } } | undefined): PartyAddress | undefined {
  const token = session?.cdr_token;
  if (typeof token?.country_code !== 'string' || typeof token.party_id !== 'string') return undefined;
  return { countryCode: token.country_code.toUpperCase(), partyId: token.party_id.toUpperCase() };
}

/**
 * Charging profiles through the hub: an eMSP's or SCSP's GET/PUT/DELETE on a session is forwarded to
 * the CPO of that session with the hub's response_url; the CPO's result comes back to the hub and
 * is delivered to the requester's own response_url. The CPO's ActiveChargingProfile updates go to
 * the party that set a profile on the session.
 */
export class ChargingProfilesService {
  private readonly relay: ResultRelay;
  private inProcess?: InProcessProfilesCpo;

  constructor(private readonly deps: ModuleDeps) {
    this.relay = new ResultRelay(deps, MODULE);
  }

  /** Requests for sessions of `cpo.cpo` are answered by it in-process rather than forwarded over OCPI. */
  serveInProcess(cpo: InProcessProfilesCpo): void {
    this.inProcess = cpo;
  }

  /** The result of a request an in-process CPO carried out, as if it had POSTed it to the hub's response_url. */
  postInProcessResult(id: string, result: Record<string, unknown>): Promise<void> {
    return this.receiveResult({ partyUuid: '', roles: [this.inProcess!.cpo] }, id, result);
  }

  /** Receiver GET {session_id}?duration=&response_url= */
  getActive(caller: Caller, to: PartyAddress | undefined, sessionId: string, query: unknown, correlationId?: string): Promise<Forwarded> {
    const { duration, response_url } = parseOcpiBody(ActiveProfileQuery, query, 'query parameters');
    return this.forward(caller, to, sessionId, 'ACTIVE', response_url, correlationId, { duration }, (hubUrl) => ({
      method: 'GET',
      params: { duration: String(duration), response_url: hubUrl },
    }));
  }

  /** Receiver PUT {session_id} with a SetChargingProfile. */
  set(caller: Caller, to: PartyAddress | undefined, sessionId: string, rawBody: unknown, correlationId?: string): Promise<Forwarded> {
    const body = parseOcpiBody(SetChargingProfile, rawBody, 'SetChargingProfile');
    return this.forward(caller, to, sessionId, 'SET', body.response_url, correlationId, { chargingProfile: body.charging_profile }, (hubUrl) => ({
      method: 'PUT',
      body: { ...(rawBody as object), response_url: hubUrl },
    }));
  }

  /** Receiver DELETE {session_id}?response_url= */
  clear(caller: Caller, to: PartyAddress | undefined, sessionId: string, query: unknown, correlationId?: string): Promise<Forwarded> {
    const { response_url } = parseOcpiBody(ClearProfileQuery, query, 'query parameters');
    return this.forward(caller, to, sessionId, 'CLEAR', response_url, correlationId, {}, (hubUrl) => ({
      method: 'DELETE',
      params: { response_url: hubUrl },
    }));
  }

  /** Sender POST results/{id}: the CPO's result, checked against what was asked, passed on. */
  async receiveResult(poster: Caller, id: string, body: unknown): Promise<void> {
    await this.relay.acceptResult({
      poster: poster.roles,
      id,
      matches: (request) => request.operation in PROFILE_OPERATIONS,
      parse: (request, raw) => {
        const { result, resultName } = PROFILE_OPERATIONS[request.operation as ProfileOperation];
        return parseOcpiBody(result, raw, resultName) as Record<string, unknown>;
      },
      body,
    });
  }

  /**
   * Sender PUT {session_id}: a CPO's updated ActiveChargingProfile, queued for the party in OCPI-to-*,
   * else the one that last set a profile on the session, else the session's eMSP.
   */
  async pushActive(cpoRoles: RoleAddress[], to: PartyAddress | undefined, sessionId: string, rawBody: unknown, correlationId?: string): Promise<void> {
    parseOcpiBody(ActiveChargingProfile, rawBody, 'ActiveChargingProfile');
    const { cpo, target } = await this.activeProfileReceiver(cpoRoles, to, sessionId);
    const party = await this.deps.parties.get(target.partyUuid);
    if (!party || !this.deps.parties.endpoint(party, MODULE, 'SENDER')) {
      throw new OcpiError(OcpiStatus.UNKNOWN_RECEIVER, `${target.countryCode}/${target.partyId} offers no chargingprofiles SENDER endpoint`);
    }
    const path = `/${encodeURIComponent(sessionId)}`;
    await this.deps.outbox.enqueue([
      {
        partyUuid: target.partyUuid,
        module: MODULE,
        interfaceRole: 'SENDER',
        method: 'PUT',
        path,
        body: rawBody,
        headers: {
          ...routingHeaderValues({ to: target, from: cpo }),
          ...(correlationId ? { 'X-Correlation-ID': correlationId } : {}),
        },
        // In order per session and receiver; every update is delivered (a profile may return to an earlier one).
        objectKey: `${MODULE}/${cpo.countryCode}/${cpo.partyId}${path}>${target.countryCode}/${target.partyId}`,
        objectVersion: randomUUID(),
      },
    ]);
  }

  private async forward(
    caller: Caller,
    to: PartyAddress | undefined,
    sessionId: string,
    operation: ProfileOperation,
    responseUrl: string,
    correlationId: string | undefined,
    details: ProfileRequestDetails,
    request: (hubResponseUrl: string) => Pick<ForwardRequest, 'method' | 'body' | 'params'>,
  ): Promise<Forwarded> {
    const route = await this.route(caller.roles, to, sessionId);
    const response = await this.relay.relay({
      caller,
      route,
      operation,
      subject: sessionId,
      responseUrl,
      correlationId,
      // The CPO answers in the hub form's version: commands are offered in that version only (hub-versions.ts).
      hubResponseUrl: (id) => `${versionBaseUrl(this.deps.publicUrl, HUB_FORM_VERSION)}${CHARGINGPROFILES_SENDER_PATH}/results/${id}`,
      send: async (hubResponseUrl, id) =>
        this.inProcess && same(route.cpo, this.inProcess.cpo)
          ? { data: await this.inProcess.handle(operation, sessionId, details, id) }
          : this.deps.router.forward({
              target: route.cpo,
              from: route.requester,
              module: MODULE,
              interfaceRole: 'RECEIVER',
              path: `/${encodeURIComponent(sessionId)}`,
              correlationId,
              ...request(hubResponseUrl),
            }),
      responseSchema: ChargingProfileResponse,
      what: 'ChargingProfileResponse',
    });
    return { route, response };
  }

  /** The CPO: the one in OCPI-to-* (direct), else the one the session belongs to; an unknown session (or another eMSP's) is 404. */
  private async route(roles: RoleAddress[], to: PartyAddress | undefined, sessionId: string): Promise<CpoRoute> {
    const routes = await cpoRoutes(this.deps.router, roles);
    return routeBySession(this.deps.store, routes, to && !this.deps.router.isHub(to) ? to : undefined, sessionId, () =>
      ocpiErrors.notFound(`Unknown session ${sessionId} at the CPOs you have agreements with; name the CPO with OCPI-to-country-code/party-id`),
    );
  }

  private async activeProfileReceiver(cpoRoles: RoleAddress[], to: PartyAddress | undefined, sessionId: string): Promise<{ cpo: RoleAddress; target: RoutedRole }> {
    for (const cpo of cpoRoles) {
      const receiver = to && !this.deps.router.isHub(to) ? to : await this.profileOwner(cpo, sessionId);
      if (receiver) return { cpo, target: await this.deps.router.counterpart(cpo, receiver, EMSP_SIDE) };
    }
    throw ocpiErrors.notFound(`Unknown session ${sessionId}: nobody set a charging profile on it through the hub, and the hub holds no such session of yours`);
  }

  /** Who set the last (accepted) profile on the session, else the session's eMSP. */
  private async profileOwner(cpo: RoleAddress, sessionId: string): Promise<PartyAddress | undefined> {
    const lastSet = await this.relay.requests.latest(MODULE, 'SET', sessionId, { receiver: cpo });
    if (lastSet) return lastSet.requester;
    const session = await this.deps.store.get({ module: 'sessions', countryCode: cpo.countryCode, partyId: cpo.partyId, objectId: sessionId });
    return tokenOwner(session?.data);
  }
}
