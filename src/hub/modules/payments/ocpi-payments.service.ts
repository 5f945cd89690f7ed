import { randomUUID } from 'node:crypto';
import {
  FinancialAdviceConfirmationV230,
  TerminalActivationV230,
  TerminalFragmentV230,
  TerminalPostV230,
  TerminalPutV230,
} from '../../../core/ocpi-versions/v2.3.0/payments.v230.schema';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { RoutingError } from '../../../foundation/hub-errors';
import type { RoutedRole } from '../../routing/agreements';
import type { StoredObject } from '../../routing/object-store';
import type { ObjectChange, Route } from '../../routing/router';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { toDate } from '../../ocpi/ocpi-types';
import type { PageRequest } from '../../ocpi/pagination';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { idParam, requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';

/** The module's identifier in version details and the outbox (mod_payments: "Module Identifier: payments"). */
const MODULE = 'payments';
/** The only version that has the module: its objects are never translated (modules.v230-translation.ts). */
const PAYMENTS_VERSION: OcpiVersion = '2.3.0';
/** Object store modules: the two objects of mod_payments. */
export const TERMINALS = 'payments/terminals';
export const CONFIRMATIONS = 'payments/financial-advice-confirmations';
export const PAYMENTS_PAGE_LIMIT = 100;

/** The sub-paths of the module's endpoint: {payments_terminals_endpoint_url}, {payments_financial_advice_confirmation_endpoint_url}. */
export const TERMINALS_SUBPATH = '/terminals';
export const CONFIRMATIONS_SUBPATH = '/financial-advice-confirmations';

type Json = Record<string, unknown>;

const addressKey = (a: PartyAddress) => `${a.countryCode}/${a.partyId}`;
const same = (a: PartyAddress, b: PartyAddress) => a.countryCode === b.countryCode && a.partyId === b.partyId;

/**
 * The Payments module of OCPI 2.3.0 (mod_payments.asciidoc) between PTPs and CPOs. The PTP owns both
 * objects ("Data owner: PTP"): it POSTs Terminals and FinancialAdviceConfirmations to the CPO's Receiver
 * interface; the CPO assigns locations by PUT/PATCH on the PTP's Sender interface and activates or
 * deactivates terminals there. The 2.3.0 Role enum has no PTP, so a PTP is a party on the eMSP side of a
 * roaming agreement (OTHER, typically). Objects are kept as sent (2.3.0) and passed on only to partners
 * that speak 2.3.0: the module does not exist in other versions, so nothing is queued towards them.
 */
export class OcpiPaymentsService {
  constructor(private readonly deps: ModuleDeps) {}

  // ---- The hub's Receiver interface: PTPs push ----

  /** POST {terminals}: a new (or again-sent) Terminal, stored and passed on to its CPO(s). */
  async postTerminal(ptp: RoleAddress, to: PartyAddress | undefined, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    const terminal = parseOcpiBody(TerminalPostV230, rawBody, 'Terminal');
    const terminalId = idParam(terminal.terminal_id, 'terminal_id');
    // country_code/party_id of a Terminal name the CPO it belongs to ("an alternative to the customer reference").
    const named = terminal.country_code && terminal.party_id ? { countryCode: terminal.country_code.toUpperCase(), partyId: terminal.party_id.toUpperCase() } : undefined;
    if (to && named && !this.deps.router.isHub(to) && !same(to, named)) {
      throw ocpiErrors.invalidParameters(`The Terminal names ${addressKey(named)} but OCPI-to-* names ${addressKey(to)}`);
    }
    const { route, addressee } = await this.cpoRoute(ptp, to && !this.deps.router.isHub(to) ? to : named);
    const receivedAt = new Date();
    const lastUpdated = terminal.last_updated ? toDate(terminal.last_updated) : receivedAt;
    // A Terminal sent to one CPO is kept under that CPO, so no other CPO reads it through the hub.
    const key = { module: TERMINALS, countryCode: ptp.countryCode, partyId: ptp.partyId, objectId: terminalId, objectType: addressee ? addressKey(addressee) : '' };
    const { router, store } = this.deps;
    return router.transaction(async (tx) => {
      // GETs answer whole objects ("Each object must contain all required fields"): a Terminal sent
      // without last_updated is dated by its receipt; receivers get the body as sent.
      const outcome = await store.put(key, { ...terminal, last_updated: terminal.last_updated ?? receivedAt.toISOString() }, lastUpdated, tx);
      await router.send(route, this.change('POST', TERMINALS_SUBPATH, `${TERMINALS}/${addressKey(ptp)}/${terminalId}`, `POST ${lastUpdated.toISOString()}`, rawBody, correlationId), tx);
      return outcome;
    });
  }

  /** POST {financial-advice-confirmations}: stored and passed on to the one CPO of the session it confirms. */
  async postConfirmation(ptp: RoleAddress, to: PartyAddress | undefined, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    const confirmation = parseOcpiBody(FinancialAdviceConfirmationV230, rawBody, 'FinancialAdviceConfirmation');
    const id = idParam(confirmation.id, 'id');
    const named = to && !this.deps.router.isHub(to) ? to : await this.cpoOfAuthorization(ptp, confirmation.authorization_reference);
    const { route, addressee } = await this.cpoRoute(ptp, named);
    const cpo = addressKey(addressee!);
    const lastUpdated = toDate(confirmation.last_updated);
    // Kept under its CPO: only that CPO reads it through the hub.
    const key = { module: CONFIRMATIONS, countryCode: ptp.countryCode, partyId: ptp.partyId, objectId: id, objectType: cpo };
    const { router, store } = this.deps;
    return router.transaction(async (tx) => {
      const outcome = await store.put(key, confirmation, lastUpdated, tx);
      await router.send(route, this.change('POST', CONFIRMATIONS_SUBPATH, `${CONFIRMATIONS}/${addressKey(ptp)}/${id}>${cpo}`, `POST ${confirmation.last_updated}`, rawBody, correlationId), tx);
      return outcome;
    });
  }

  /** GET {terminals}/{terminal_id} or {financial-advice-confirmations}/{id} on the Receiver side: the PTP reads back its own. */
  async getOwn(ptp: RoleAddress, module: typeof TERMINALS | typeof CONFIRMATIONS, id: string): Promise<unknown> {
    const [latest] = (await this.deps.store.findById(module, id, [ptp])).sort((a, b) => b.lastUpdated.getTime() - a.lastUpdated.getTime());
    if (!latest) throw this.unknown(module, id);
    return latest.data;
  }

  // ---- The hub's Sender interface: CPOs pull and push to the PTP ----

  /** GET list: the objects of the PTPs the CPO's roles have agreements with, sent to everyone or to these roles. */
  async list(cpos: RoleAddress[], module: typeof TERMINALS | typeof CONFIRMATIONS, page: PageRequest): Promise<{ items: unknown[]; total: number }> {
    const owners = await this.ptpsOf(cpos);
    const visible = [...(module === TERMINALS ? [''] : []), ...cpos.map(addressKey)];
    const { items, total } = await this.deps.store.list({ module, owners, objectTypes: visible, ...page });
    return { items: items.map((o) => o.data), total };
  }

  /** GET one by id on the Sender side. */
  async get(cpos: RoleAddress[], module: typeof TERMINALS | typeof CONFIRMATIONS, id: string, to?: PartyAddress): Promise<unknown> {
    return (await this.visibleOne(cpos, module, id, to)).stored.data;
  }

  /** PUT {terminals}/{terminal_id}: the CPO's whole Terminal (its location assignment) replaces the stored one and goes to its PTP. */
  async putTerminal(cpos: RoleAddress[], to: PartyAddress | undefined, terminalId: string, rawBody: unknown, correlationId?: string): Promise<'updated'> {
    const terminal = parseOcpiBody(TerminalPutV230, rawBody, 'Terminal');
    requireSameIds(terminal, { terminal_id: terminalId });
    const { stored, cpo, ptp } = await this.visibleOne(cpos, TERMINALS, terminalId, to);
    const route = await this.ptpRoute(cpo, ptp);
    const { router, store } = this.deps;
    await router.transaction(async (tx) => {
      await store.put(stored.key, { ...terminal, terminal_id: stored.key.objectId }, toDate(terminal.last_updated), tx);
      await router.send(route, this.change('PUT', `${TERMINALS_SUBPATH}/${encodeURIComponent(stored.key.objectId)}`, this.terminalKey(stored), `PUT ${terminal.last_updated}`, rawBody, correlationId), tx);
    });
    return 'updated';
  }

  /**
   * PATCH {terminals}/{terminal_id}: the CPO assigns location_ids/evse_uids. Merged into the stored
   * Terminal under a row lock; without last_updated (the text's own example has none) the hub's time of
   * receipt dates the stored Terminal (its last_updated in GET answers too).
   */
  async patchTerminal(cpos: RoleAddress[], to: PartyAddress | undefined, terminalId: string, rawBody: unknown, correlationId?: string): Promise<void> {
    const patch = parseOcpiBody(TerminalFragmentV230, rawBody, 'Terminal PATCH');
    requireSameIds(patch, { terminal_id: terminalId });
    const { stored, cpo, ptp } = await this.visibleOne(cpos, TERMINALS, terminalId, to);
    const route = await this.ptpRoute(cpo, ptp);
    const lastUpdated = patch.last_updated ? toDate(patch.last_updated) : new Date();
    const { router, store } = this.deps;
    await router.transaction(async (tx) => {
      await store.update<Json, void>(
        stored.key,
        (current) => {
          if (!current) throw this.unknown(TERMINALS, terminalId);
          return { data: { ...current.data, ...patch, last_updated: lastUpdated.toISOString() }, lastUpdated, result: undefined };
        },
        tx,
      );
      await router.send(route, this.change('PATCH', `${TERMINALS_SUBPATH}/${encodeURIComponent(stored.key.objectId)}`, this.terminalKey(stored), `PATCH ${lastUpdated.toISOString()}`, rawBody, correlationId), tx);
    });
  }

  /**
   * POST {terminals}/activate: passed on to one PTP (OCPI-to-*, or the only PTP the CPO can reach that
   * has the module); nothing is stored: the PTP answers by POSTing the Terminal it creates.
   */
  async activate(cpo: RoleAddress, to: PartyAddress | undefined, rawBody: unknown, correlationId?: string): Promise<void> {
    parseOcpiBody(TerminalActivationV230, rawBody, 'Terminal');
    const ptp = to && !this.deps.router.isHub(to) ? await this.deps.router.counterpart(cpo, to) : await this.onlyPtp(cpo);
    const route = await this.ptpRoute(cpo, ptp);
    const activation = `${MODULE}/activate/${randomUUID()}`;
    await this.deps.router.transaction((tx) => this.deps.router.send(route, this.change('POST', `${TERMINALS_SUBPATH}/activate`, activation, activation, rawBody, correlationId), tx));
  }

  /** POST {terminals}/{terminal_id}/deactivate: passed on to the Terminal's PTP; the stored Terminal stays until the PTP changes it. */
  async deactivate(cpos: RoleAddress[], to: PartyAddress | undefined, terminalId: string, correlationId?: string): Promise<void> {
    const { stored, cpo, ptp } = await this.visibleOne(cpos, TERMINALS, terminalId, to);
    const route = await this.ptpRoute(cpo, ptp);
    await this.deps.router.transaction((tx) =>
      this.deps.router.send(route, this.change('POST', `${TERMINALS_SUBPATH}/${encodeURIComponent(stored.key.objectId)}/deactivate`, this.terminalKey(stored), `DEACTIVATE ${randomUUID()}`, undefined, correlationId), tx),
    );
  }

  // ---- Routing ----

  /**
   * The CPO receivers of a PTP's push: the one named (OCPI-to-*, or the Terminal's own country_code/party_id),
   * which must be reachable and speak 2.3.0 (4001 otherwise, nothing stored); else every CPO the PTP has an
   * agreement with, of those that speak 2.3.0 and offer the module's Receiver endpoint (others are left out,
   * not queued to fail).
   */
  private async cpoRoute(ptp: RoleAddress, named: PartyAddress | undefined): Promise<{ route: Route; addressee?: RoutedRole }> {
    const { router } = this.deps;
    if (named) {
      const cpo = await router.counterpart(ptp, named, ['CPO']);
      await this.requirePayments(cpo);
      return { route: await router.routeTo([cpo], ptp, MODULE, false), addressee: cpo };
    }
    const cpos = (await router.counterparts(ptp)).filter((c) => c.role === 'CPO');
    return { route: await router.routeTo(await this.speakingPayments(cpos), ptp, MODULE, true) };
  }

  /** The PTP's Sender interface, for a CPO's push: a direct route, 4001 when the PTP does not speak 2.3.0. */
  private async ptpRoute(cpo: RoleAddress, ptp: RoutedRole): Promise<Route> {
    await this.requirePayments(ptp);
    return this.deps.router.routeTo([ptp], cpo, MODULE, false, 'SENDER');
  }

  private async requirePayments(target: RoutedRole): Promise<void> {
    const party = await this.deps.parties.get(target.partyUuid);
    if (party?.version !== PAYMENTS_VERSION) {
      throw new RoutingError(
        'unknown_receiver',
        `${addressKey(target)} speaks OCPI ${party?.version ?? 'no version yet'}, which has no Payments module (OCPI ${PAYMENTS_VERSION} only)`,
      );
    }
  }

  private async speakingPayments(targets: RoutedRole[]): Promise<RoutedRole[]> {
    const speaking: RoutedRole[] = [];
    for (const target of targets) if ((await this.deps.parties.get(target.partyUuid))?.version === PAYMENTS_VERSION) speaking.push(target);
    return speaking;
  }

  /**
   * Open routing of a confirmation: the CPO, among the PTP's agreement CPOs, whose session or CDR at the
   * hub carries its authorization_reference (which the PTP gave in Commands.StartSession). A confirmation
   * is never broadcast: it holds one driver's payment. None or several: 2001, name the CPO in OCPI-to-*.
   */
  private async cpoOfAuthorization(ptp: RoleAddress, authorizationReference: string): Promise<PartyAddress> {
    const cpos = (await this.deps.router.counterparts(ptp)).filter((c) => c.role === 'CPO');
    const found = await this.deps.store.ownersWith(['sessions', 'cdrs'], 'authorization_reference', authorizationReference, cpos);
    if (found.length === 1) return found[0];
    throw ocpiErrors.invalidParameters(
      found.length === 0
        ? `No CPO you have an agreement with has a session or CDR with authorization_reference ${JSON.stringify(authorizationReference)}: name the CPO in OCPI-to-*`
        : `Several CPOs have a session or CDR with authorization_reference ${JSON.stringify(authorizationReference)} (${found.map(addressKey).join(', ')}): name the CPO in OCPI-to-*`,
    );
  }

  /** The PTP roles (eMSP side of the agreements) the CPO roles have agreements with. */
  private async ptpsOf(cpos: RoleAddress[]): Promise<RoutedRole[]> {
    return (await Promise.all(cpos.map((cpo) => this.deps.router.counterparts(cpo)))).flat();
  }

  /** The only PTP the CPO reaches that speaks 2.3.0 and offers the module's Sender endpoint; 2001 otherwise. */
  private async onlyPtp(cpo: RoleAddress): Promise<RoutedRole> {
    const candidates = (await this.deps.router.routeTo(await this.speakingPayments(await this.ptpsOf([cpo])), cpo, MODULE, false, 'SENDER')).receivers;
    if (candidates.length === 1) return candidates[0];
    throw ocpiErrors.invalidParameters(
      candidates.length === 0 ? 'No PTP you have an agreement with offers the OCPI 2.3.0 Payments module' : `Several PTPs could activate the terminal (${candidates.map(addressKey).join(', ')}): name one in OCPI-to-*`,
    );
  }

  /**
   * The one object with this id the CPO roles may see (sent to everyone or to one of them), at the PTP
   * in OCPI-to-* when named; 404 when there is none, 2001 when several PTPs hold one.
   */
  private async visibleOne(
    cpos: RoleAddress[],
    module: typeof TERMINALS | typeof CONFIRMATIONS,
    id: string,
    to?: PartyAddress,
  ): Promise<{ stored: StoredObject<Json>; cpo: RoleAddress; ptp: RoutedRole }> {
    const pairs = (await Promise.all(cpos.map(async (cpo) => (await this.deps.router.counterparts(cpo)).map((ptp) => ({ cpo, ptp }))))).flat();
    const reachable = to && !this.deps.router.isHub(to) ? pairs.filter((p) => same(p.ptp, to)) : pairs;
    const found = await this.deps.store.findById<Json>(module, id, reachable.map((p) => p.ptp));
    const matches = found.flatMap((stored) =>
      reachable
        .filter((p) => same(p.ptp, stored.key) && (stored.key.objectType === '' || stored.key.objectType === addressKey(p.cpo)))
        .slice(0, 1)
        .map((p) => ({ stored, ...p })),
    );
    if (matches.length === 0) throw this.unknown(module, id);
    if (new Set(matches.map((m) => addressKey(m.ptp))).size > 1) {
      throw ocpiErrors.invalidParameters(`Several PTPs have ${module === TERMINALS ? 'a Terminal' : 'a confirmation'} ${id}: name one in OCPI-to-*`);
    }
    // A Terminal sent to this CPO wins over the same one sent to everyone.
    return matches.sort((a, b) => Number(a.stored.key.objectType === '') - Number(b.stored.key.objectType === ''))[0];
  }

  private terminalKey(stored: StoredObject): string {
    return `${TERMINALS}/${stored.key.countryCode}/${stored.key.partyId}/${stored.key.objectId}`;
  }

  private change(method: ObjectChange['method'], path: string, objectKey: string, version: string, body: unknown, correlationId?: string): ObjectChange {
    // The body as sent, in 2.3.0: receivers speak 2.3.0, so the outbox passes it on unchanged.
    return { method, path, body, bodyVersion: body === undefined ? undefined : PAYMENTS_VERSION, objectKey, objectVersion: version, correlationId };
  }

  private unknown(module: string, id: string) {
    return ocpiErrors.notFound(`Unknown ${module === TERMINALS ? 'Terminal' : 'FinancialAdviceConfirmation'} ${id}`);
  }
}
