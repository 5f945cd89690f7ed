import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { InterfaceRole, Role } from '../../db/entities';
import { HUB_FORM_VERSION, isOcpiVersion, type OcpiVersion, VERSION_FORM, VERSION_TRANSPORT } from '../../core/ocpi-versions/ocpi-versions';
import { TranslationRefused } from '../../core/ocpi-versions/loss-report';
import { type BodyOrigin, type OcpiModuleId, type TranslationContext, translateObject } from '../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../core/ocpi-versions/version-bridges';
import { endpointUrl, OcpiCallError, type OcpiClient, type OcpiReply, type OcpiRequest } from '../outbound/ocpi-client';
import { routingHeaderValues } from '../ocpi/routing-headers';
import { EMSP_SIDE, type RoamingAgreements, type RoutedRole } from './agreements';
import type { NewDelivery, Outbox } from './outbox';
import { connectionStatus, type PartyRegistry } from './parties';
import { RoutingError } from '../../foundation/hub-errors';
import type { PartyAddress, RoleAddress } from '../ocpi/party-address';

/** A change of a client-owned object to pass on to receivers. */
export interface ObjectChange {
  method: 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Appended to each receiver's endpoint URL, e.g. `/NL/CPO/LOC1/EVSE1`. */
  path: string;
  body?: unknown;
  /** The version `body` is in when it is the sender's original (versionEdge); the hub form otherwise. */
  bodyVersion?: OcpiVersion;
  /**
   * What translating `body` into a receiver's version needs beyond it (a 2.1.1 sender's address, its
   * token; the eMSPs accepted at the own CPO's EVSEs), kept with each delivery (outbox translation_context).
   */
  translationContext?: TranslationContext;
  /**
   * The body as one receiver gets it, when receivers get different ones (the own CPO's connectors name
   * each eMSP the tariffs it may see); `body` otherwise. The hub form only.
   */
  bodyFor?: (receiver: PartyAddress) => unknown;
  /** Changes of one object reach each receiver in order. */
  objectKey: string;
  /** Makes the change idempotent per receiver: the same version is delivered once. */
  objectVersion: string;
  correlationId?: string;
}

/**
 * Who receives a change of one module: resolved before the transaction that stores and queues it, so
 * that transaction runs no lookups (and a receiver that cannot be reached is refused before anything
 * is stored).
 */
export interface Route {
  module: string;
  owner: PartyAddress;
  /** Sent `from` the hub (a broadcast) rather than from the owner (a direct push). */
  broadcast: boolean;
  /** The receivers that offer the module's endpoint of `interfaceRole`. */
  receivers: RoutedRole[];
  /**
   * The interface the receivers are called on: RECEIVER, except in the payments module, whose CPOs push
   * terminal updates to the PTP's Sender interface (mod_payments, PUT/PATCH Terminal).
   */
  interfaceRole?: InterfaceRole;
}

export interface ForwardRequest {
  target: RoutedRole;
  /** The party the request is from, kept in OCPI-from-* (direct and open routing). */
  from: PartyAddress;
  module: string;
  interfaceRole: 'SENDER' | 'RECEIVER';
  method: OcpiRequest['method'];
  path: string;
  body?: unknown;
  params?: Record<string, string>;
  correlationId?: string;
  timeoutMs?: number;
  /**
   * What reading the receiver's answer into the hub form needs, for a receiver of a version whose
   * answers lack it (VERSION_FORM.contextFromHub: the token of a 2.1.1 AuthorizationInfo, the hub's
   * wait as a 2.1.1 CommandResponse's timeout). Asked only then.
   */
  answerContext?: () => Promise<TranslationContext>;
  /**
   * The version `body` is in when it is not the hub form (a module only that version has, such as the
   * 2.3.0 Bookings): a receiver of that version gets it, and answers, untranslated.
   */
  bodyVersion?: OcpiVersion;
}

const addressOf = (a: PartyAddress): PartyAddress => ({ countryCode: a.countryCode, partyId: a.partyId });
const same = (a: PartyAddress, b: PartyAddress) => a.countryCode === b.countryCode && a.partyId === b.partyId;

/**
 * Routing decisions between parties: who may receive what (roaming agreements), broadcast and direct
 * pushes through the outbox, and synchronous forwarding of request/response calls (real-time
 * authorization, commands, charging profiles) with the receiver's errors passed back.
 */
export class HubRouter {
  constructor(
    private readonly deps: {
      parties: PartyRegistry;
      agreements: RoamingAgreements;
      outbox: Outbox;
      client: OcpiClient;
      hub: PartyAddress;
    },
  ) {}

  get hub(): PartyAddress {
    return this.deps.hub;
  }

  isHub(address: PartyAddress | undefined): boolean {
    return !!address && same(address, this.deps.hub);
  }

  /** The counterpart roles `owner` may exchange data with (agreements, registered, unsuspended). */
  counterparts(owner: RoleAddress): Promise<RoutedRole[]> {
    return this.deps.agreements.counterparts(owner);
  }

  /** The counterpart with this address, or `unknown_receiver` when there is none (unknown, or no agreement). */
  async counterpart(owner: RoleAddress, target: PartyAddress, roles?: Role[]): Promise<RoutedRole> {
    const match = (await this.counterparts(owner)).find((c) => same(c, target) && (!roles || roles.includes(c.role)));
    if (!match) {
      throw new RoutingError(
        'unknown_receiver',
        `Unknown receiver ${target.countryCode}/${target.partyId}: not connected, or no roaming agreement with ${owner.countryCode}/${owner.partyId}`,
      );
    }
    return match;
  }

  /**
   * The receivers of a change: the one receiver named in OCPI-to-* (direct; `unknown_receiver` when it cannot be
   * reached), or, when the request is addressed to the hub or to nobody, every counterpart (broadcast,
   * from the hub).
   */
  async route(owner: RoleAddress, to: PartyAddress | undefined, module: string, receiverRoles = EMSP_SIDE): Promise<Route> {
    if (to && !this.isHub(to)) return this.routeTo([await this.counterpart(owner, to, receiverRoles)], owner, module, false);
    const targets = (await this.counterparts(owner)).filter((c) => receiverRoles.includes(c.role));
    return this.routeTo(targets, owner, module, true);
  }

  /** A route to the given receivers (those with an endpoint of `interfaceRole`, Receiver by default, for the module). */
  async routeTo(targets: RoutedRole[], owner: PartyAddress, module: string, broadcast = false, interfaceRole: InterfaceRole = 'RECEIVER'): Promise<Route> {
    const receivers: RoutedRole[] = [];
    for (const target of targets) {
      const party = await this.deps.parties.get(target.partyUuid);
      if (party && this.deps.parties.endpoint(party, module, interfaceRole)) receivers.push(target);
    }
    return { module, owner: addressOf(owner), broadcast, receivers, ...(interfaceRole === 'RECEIVER' ? {} : { interfaceRole }) };
  }

  /**
   * Stores and queues in one transaction (`outbox.transaction`): `work` writes the object store with
   * `tx` and calls `send(route, change, tx)`.
   */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.deps.outbox.transaction(work);
  }

  /** Queues a change for a route's receivers in `tx`; returns the number of deliveries queued. */
  async send(route: Route, change: ObjectChange, tx: EntityManager): Promise<number> {
    // Two pushes with the same last_updated but different content are two versions; the same content
    // with its keys in another order (an object read back from jsonb and queued again) is the same one.
    const hashOf = (body: unknown) => createHash('sha256').update(canonicalJson(body ?? null)).digest('base64url').slice(0, 16);
    const sharedHash = hashOf(change.body);
    const deliveries: NewDelivery[] = route.receivers.map((target) => {
      const body = change.bodyFor ? change.bodyFor(addressOf(target)) : change.body;
      return {
        partyUuid: target.partyUuid,
        module: route.module,
        interfaceRole: route.interfaceRole ?? 'RECEIVER',
        method: change.method,
        path: change.path,
        body,
        bodyVersion: change.bodyVersion,
        translationContext: change.translationContext,
        headers: {
          ...routingHeaderValues({ to: addressOf(target), from: route.broadcast ? this.deps.hub : route.owner }),
          ...(change.correlationId ? { 'X-Correlation-ID': change.correlationId } : {}),
        },
        objectKey: `${change.objectKey}>${target.countryCode}/${target.partyId}`,
        objectVersion: `${change.objectVersion} ${change.bodyFor ? hashOf(body) : sharedHash}`,
      };
    });
    await this.deps.outbox.enqueue(deliveries, tx);
    return deliveries.length;
  }

  /**
   * Forwards a request to `target` now and returns its reply. A RoutingError otherwise: the
   * receiver's own 2xxx/3xxx answers (`receiver_refused`, with its status code), a receiver that is
   * not connected or cannot be reached, one that does not answer in time, one without the endpoint.
   */
  async forward<T = unknown>(request: ForwardRequest): Promise<OcpiReply<T>> {
    const { parties, client } = this.deps;
    const party = await parties.get(request.target.partyUuid);
    const status = party ? connectionStatus(party) : 'PLANNED';
    if (!party || status !== 'CONNECTED') {
      throw new RoutingError('receiver_not_connected', `${request.target.countryCode}/${request.target.partyId} is ${status}`);
    }
    const endpoint = parties.endpoint(party, request.module, request.interfaceRole);
    if (!endpoint) {
      throw new RoutingError(
        'unknown_receiver',
        `${request.target.countryCode}/${request.target.partyId} offers no ${request.module} ${request.interfaceRole} endpoint`,
      );
    }
    // The receiver is asked in its version and answers in it; the caller gets the hub form.
    const version = isOcpiVersion(party.version) ? party.version : HUB_FORM_VERSION;
    const module = request.module as OcpiModuleId;
    const inVersion = (value: unknown, from: OcpiVersion, to: OcpiVersion, context: TranslationContext = {}) => {
      if (value === undefined || value === null || from === to) return value;
      try {
        return translateObject(VERSION_BRIDGES, module, value, from, to, { ...context, partial: request.method === 'PATCH' }).value;
      } catch (error) {
        if (error instanceof TranslationRefused) throw new RoutingError('receiver_unusable', error.message);
        throw error;
      }
    };
    const asIs = request.bodyVersion === version;
    const body = asIs ? request.body : inVersion(request.body, HUB_FORM_VERSION, version);
    try {
      const reply = await client.request<T>({
        method: request.method,
        url: endpointUrl(endpoint.url, request.path),
        token: parties.tokenB(party),
        encoding: party.tokenEncoding,
        body,
        params: request.params,
        // A 2.1.1 receiver knows neither routing headers nor request ids (VERSION_TRANSPORT).
        headers: VERSION_TRANSPORT[version].routingHeaders ? routingHeaderValues({ to: addressOf(request.target), from: addressOf(request.from) }) : {},
        correlationId: request.correlationId,
        requestIds: VERSION_TRANSPORT[version].requestIds,
        timeoutMs: request.timeoutMs,
        party,
        module: request.module,
      });
      const answerContext = VERSION_FORM[version].contextFromHub && request.answerContext ? await request.answerContext() : {};
      return { ...reply, data: (asIs ? reply.data : inVersion(reply.data, version, HUB_FORM_VERSION, answerContext)) as T };
    } catch (error) {
      if (error instanceof RoutingError) throw error;
      if (!(error instanceof OcpiCallError)) throw error;
      if (error.kind === 'timeout') throw new RoutingError('receiver_timeout', `The receiver did not answer in time: ${error.message}`);
      if (error.kind === 'network' || error.kind === 'refused') {
        throw new RoutingError('receiver_not_connected', `The receiver cannot be reached: ${error.message}`);
      }
      if (error.kind === 'status' && error.statusCode !== undefined) {
        throw new RoutingError('receiver_refused', `The receiver answered: ${error.message}`, { statusCode: error.statusCode, httpStatus: error.httpStatus });
      }
      throw new RoutingError('receiver_unusable', `The receiver gave no usable answer: ${error.message}`);
    }
  }
}

/** What a change passes on: the sender's original in its version when there is one, else the hub form. */
export function changeBody(hubForm: unknown, origin?: BodyOrigin): ChangeBody {
  return origin ? { body: origin.body, bodyVersion: origin.version, translationContext: origin.context } : { body: hubForm };
}

export type ChangeBody = Pick<ObjectChange, 'body' | 'bodyVersion' | 'translationContext'>;

/** JSON with every object's keys sorted: one text per value, whatever order its keys were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
