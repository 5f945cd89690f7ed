import type { RoutedRole } from '../../routing/agreements';
import { type ObjectKey, originalAfterChange, type StoredObject } from '../../routing/object-store';
import type { Route } from '../../routing/router';
import type { EntityManager } from 'typeorm';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import { toDate } from '../../ocpi/ocpi-types';
import { issuedBy, receiverOf } from '../emsp-private';
import { applySessionPatch } from './sessions.merge';
import { ChargingPreferences, Session, SessionPatch } from './sessions.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { type ChangeBody, changeBody } from '../../routing/router';
import type { BodyOrigin } from '../../../core/ocpi-versions/translate';

export const SESSIONS_PAGE_LIMIT = 100;

/** Answers an eMSP's ChargingPreferences for a session of the own CPO with a ChargingPreferencesResponse value. */
export type OwnPreferencesAnswer = (session: Session, preferences: ChargingPreferences) => Promise<string>;
const MODULE = 'sessions';

function keyOf(owner: PartyAddress, sessionId: string): ObjectKey {
  return { module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: sessionId };
}

function pathOf(owner: PartyAddress, sessionId: string): string {
  return `/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(sessionId)}`;
}

const unknownSession = (what: string) => ocpiErrors.notFound(`Unknown session ${what}`);

/**
 * Sessions (mod_sessions.asciidoc): CPOs push to the hub's Receiver interface and the hub passes each
 * session to its one eMSP; eMSPs read their own sessions from the Sender interface and send charging
 * preferences, which the hub forwards to the CPO.
 */
export class SessionsService {
  private ownPreferences?: { cpo: PartyAddress; answer: OwnPreferencesAnswer };

  constructor(private readonly deps: ModuleDeps) {}

  /**
   * Preferences for sessions of the hub's own CPO are answered in-process (load management,
   * src/load/own-smart-charging.ts) instead of being forwarded over OCPI.
   */
  answerOwnPreferences(cpo: PartyAddress, answer: OwnPreferencesAnswer): void {
    this.ownPreferences = { cpo, answer };
  }

  /** Receiver PUT: the whole session, replacing any stored one (charging periods included). */
  async put(owner: RoleAddress, to: PartyAddress | undefined, sessionId: string, rawBody: unknown, correlationId?: string, origin?: BodyOrigin): Promise<'created' | 'updated'> {
    const session = parseOcpiBody(Session, rawBody, 'Session');
    requireSameIds(session, { country_code: owner.countryCode, party_id: owner.partyId, id: sessionId });
    const route = await this.routeOf(owner, to, session.cdr_token);
    return this.deps.router.transaction(async (tx) => {
      const outcome = await this.deps.store.put(keyOf(owner, sessionId), session, toDate(session.last_updated), tx, origin);
      await this.pass(route, owner, 'PUT', sessionId, changeBody(rawBody, origin), session.last_updated, correlationId, tx);
      return outcome;
    });
  }

  /** Receiver PATCH: named fields replace, charging periods are appended; routed by the stored token unless the patch names one. */
  async patch(owner: RoleAddress, to: PartyAddress | undefined, sessionId: string, rawBody: unknown, correlationId?: string, origin?: BodyOrigin): Promise<'updated'> {
    const patch = parseOcpiBody(SessionPatch, rawBody, 'Session');
    requireSameIds(patch, { country_code: owner.countryCode, party_id: owner.partyId, id: sessionId });
    const key = keyOf(owner, sessionId);
    const stored = await this.deps.store.get<Session>(key);
    if (!stored) throw unknownSession(pathOf(owner, sessionId));
    const route = await this.routeOf(owner, to, patch.cdr_token ?? stored.data.cdr_token);
    await this.deps.router.transaction(async (tx) => {
      await this.deps.store.update<Session, void>(
        key,
        (current) => {
          if (!current) throw unknownSession(pathOf(owner, sessionId));
          const next = applySessionPatch(current.data, patch);
          const original = originalAfterChange(current.original, origin, false, (kept, change) => applySessionPatch(kept as Session, change as Partial<Session>));
          return { data: next, lastUpdated: toDate(next.last_updated), result: undefined, original };
        },
        tx,
      );
      await this.pass(route, owner, 'PATCH', sessionId, changeBody(rawBody, origin), patch.last_updated, correlationId, tx);
    });
    return 'updated';
  }

  /** Receiver GET: the owner reads back the session as the hub holds it. */
  async getOwn(owner: RoleAddress, sessionId: string): Promise<StoredObject<Session>> {
    const stored = await this.deps.store.get<Session>(keyOf(owner, sessionId));
    if (!stored) throw unknownSession(pathOf(owner, sessionId));
    return stored;
  }

  /**
   * Sender PUT charging_preferences: an eMSP sets the driver's preferences for one of its sessions; the
   * hub forwards them to the CPO's Sender interface and answers with the CPO's ChargingPreferencesResponse.
   */
  async setChargingPreferences(roles: RoleAddress[], to: PartyAddress | undefined, sessionId: string, rawBody: unknown, correlationId?: string): Promise<unknown> {
    const preferences = parseOcpiBody(ChargingPreferences, rawBody, 'ChargingPreferences');
    const { session, cpo, emsp } = await this.findForEmsp(roles, to, sessionId);
    const own = this.ownPreferences;
    if (own && cpo.countryCode === own.cpo.countryCode && cpo.partyId === own.cpo.partyId) return own.answer(session, preferences);
    const reply = await this.deps.router.forward({
      target: cpo,
      from: emsp,
      module: MODULE,
      interfaceRole: 'SENDER',
      method: 'PUT',
      path: `/${encodeURIComponent(session.id)}/charging_preferences`,
      body: rawBody,
      correlationId,
    });
    return reply.data;
  }

  /**
   * The session with this id of a CPO the caller has an agreement with, started with the caller's
   * token (another eMSP's session is unknown to it). An id held by several CPOs needs OCPI-to-*.
   */
  private async findForEmsp(roles: RoleAddress[], to: PartyAddress | undefined, sessionId: string) {
    const found: { session: Session; cpo: RoutedRole; emsp: RoleAddress }[] = [];
    for (const emsp of roles) {
      const cpos = (await this.deps.router.counterparts(emsp)).filter((c) => !to || this.deps.router.isHub(to) || (c.countryCode === to.countryCode && c.partyId === to.partyId));
      for (const stored of await this.deps.store.findById<Session>(MODULE, sessionId, cpos)) {
        const cpo = cpos.find((c) => c.countryCode === stored.key.countryCode && c.partyId === stored.key.partyId)!;
        if (issuedBy(stored.data.cdr_token, emsp)) found.push({ session: stored.data, cpo, emsp });
      }
    }
    if (found.length === 0) throw unknownSession(sessionId);
    if (found.length > 1) throw ocpiErrors.invalidParameters(`Session ${sessionId} exists at several CPOs; name one with OCPI-to-country-code/party-id`);
    return found[0];
  }

  /** A session goes to its one eMSP (OCPI-to-*, or the issuer of its token). */
  private async routeOf(owner: RoleAddress, to: PartyAddress | undefined, token: Session['cdr_token']): Promise<Route> {
    return this.deps.router.routeTo([await receiverOf(this.deps.router, owner, to, token)], owner, MODULE);
  }

  private pass(route: Route, owner: RoleAddress, method: 'PUT' | 'PATCH', sessionId: string, body: ChangeBody, lastUpdated: string, correlationId: string | undefined, tx: EntityManager) {
    return this.deps.router.send(route, {
      method,
      path: pathOf(owner, sessionId),
      ...body,
      objectKey: `${MODULE}${pathOf(owner, sessionId)}`,
      objectVersion: `${method} ${lastUpdated}`,
      correlationId,
    }, tx);
  }
}
