import { InvoiceReconciliationRecordV230 } from '../../../core/ocpi-versions/v2.3.0/invoicereconciliation.v230.schema';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import type { Role } from '../../../db/entities';
import { RoutingError } from '../../../foundation/hub-errors';
import type { RoutedRole } from '../../routing/agreements';
import type { AuthenticatedParty } from '../../routing/parties';
import type { StoredObject } from '../../routing/object-store';
import type { ObjectChange, Route } from '../../routing/router';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { toDate } from '../../ocpi/ocpi-types';
import type { PageRequest } from '../../ocpi/pagination';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { idParam, requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';

/** The module's identifier in version details and the outbox ("Module Identifier: invoicereconciliation"). */
const MODULE = 'invoicereconciliation';
/** The only version with the module (2.3.0-ed2): records are kept and passed on as 2.3.0, never translated. */
const RECORD_VERSION: OcpiVersion = '2.3.0';
/** The object store module of InvoiceReconciliationRecords. */
export const INVOICE_RECORDS = 'invoicereconciliation';
export const INVOICERECONCILIATION_PAGE_LIMIT = 100;
/** "Data owner: CPO or MSP": a CPO (direct billing) or an eMSP (reverse billing). */
const OWNER_ROLES: Role[] = ['CPO', 'EMSP'];

type Json = Record<string, unknown>;

const addressKey = (a: PartyAddress) => `${a.countryCode}/${a.partyId}`;
const same = (a: PartyAddress, b: PartyAddress) => a.countryCode === b.countryCode && a.partyId === b.partyId;
const fromKey = (key: string): PartyAddress => {
  const [countryCode, partyId] = key.split('/');
  return { countryCode, partyId };
};

/**
 * Where received records are reconciled against the settlement statements: hub/settlement's
 * InvoiceReconciliations (a floor above the modules, so given as this shape, wired in services.ts).
 */
export interface InvoiceRecordReports {
  reconcileRecord(record: { cpo: string; emsp: string; submittedBy: string; invoiceId: string; cdrIds: readonly string[] }): Promise<unknown>;
}

/** Whom a record is between: its owner, the counterpart its CDRs name, and the statements' pair. */
interface RecordParties {
  owner: RoleAddress;
  counterpart: RoutedRole;
  cpo: string;
  emsp: string;
}

/**
 * The Invoice Reconciliation module of OCPI 2.3.0-ed2 (mod_invoice_reconciliation.asciidoc) between
 * CPOs and eMSPs. The record's owner pushes it (POST, PUT, DELETE) to the hub's Receiver interface; the
 * hub passes it to the one counterpart its CDRs name and serves it to that counterpart's GET on the
 * hub's Sender interface. Direct billing: a CPO's record goes to the eMSP whose tokens are on the
 * listed CDRs; reverse billing: an eMSP's record goes to the CPO that owns them. Records are kept and
 * passed on as sent (2.3.0) and only between partners that speak 2.3.0.
 *
 * Each record received (POST, PUT) is also reconciled against the hub's settlement statements of the
 * pair (InvoiceReconciliations.reconcileRecord), so the partners and the operator see the same report
 * as for an invoice submitted through the partner finance API.
 */
export class OcpiInvoiceReconciliationService {
  constructor(private readonly deps: ModuleDeps & { invoiceReconciliations: InvoiceRecordReports }) {}

  // ---- The hub's Receiver interface: the data owner pushes ----

  /** POST {endpoint}: a new record (or one sent again), stored, passed on, reconciled. */
  async post(caller: AuthenticatedParty, to: PartyAddress | undefined, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    const record = parseOcpiBody(InvoiceReconciliationRecordV230, rawBody, 'InvoiceReconciliationRecord');
    const id = idParam(record.id, 'id');
    const candidates = this.ownerRoles(caller, record.country_code, record.party_id);
    const parties = await this.resolve(candidates, record.cdrs, to);
    const existing = await this.stored(parties.owner, id);
    if (existing && existing.key.objectType !== addressKey(parties.counterpart)) throw this.moved(existing, parties);
    const outcome = await this.store(parties, id, record, this.change('POST', '', this.recordKey(parties.owner, id), `POST ${record.last_updated}`, rawBody, correlationId));
    await this.report(parties, record);
    return outcome;
  }

  /** PUT {endpoint}/{country_code}/{party_id}/{id}: an existing record replaced (its CDRs may change, not its counterpart). */
  async put(caller: AuthenticatedParty, to: PartyAddress | undefined, url: { countryCode: string; partyId: string; id: string }, rawBody: unknown, correlationId?: string): Promise<'updated'> {
    const record = parseOcpiBody(InvoiceReconciliationRecordV230, rawBody, 'InvoiceReconciliationRecord');
    const id = idParam(url.id, 'id');
    requireSameIds(record, { country_code: url.countryCode, party_id: url.partyId, id });
    const candidates = this.ownerRoles(caller, url.countryCode, url.partyId);
    const existing = await this.storedOf(candidates, id);
    if (!existing) throw this.unknown(url.countryCode, url.partyId, id);
    const parties = await this.resolve(candidates, record.cdrs, to);
    if (existing.key.objectType !== addressKey(parties.counterpart)) throw this.moved(existing, parties);
    await this.store(parties, id, { ...record, id: existing.key.objectId }, this.change('PUT', this.recordPath(parties.owner, existing.key.objectId), this.recordKey(parties.owner, id), `PUT ${record.last_updated}`, rawBody, correlationId));
    await this.report(parties, record);
    return 'updated';
  }

  /**
   * DELETE {endpoint}/{country_code}/{party_id}/{id}: "the record itself was an error". Removed from the
   * store and passed on to its counterpart; the reports it gave stay, as a record of what was received.
   */
  async delete(caller: AuthenticatedParty, url: { countryCode: string; partyId: string; id: string }, correlationId?: string): Promise<void> {
    const id = idParam(url.id, 'id');
    const candidates = this.ownerRoles(caller, url.countryCode, url.partyId);
    const existing = await this.storedOf(candidates, id);
    if (!existing) throw this.unknown(url.countryCode, url.partyId, id);
    const owner = candidates.find((c) => same(c, existing.key))!;
    const { router, store } = this.deps;
    // A counterpart no longer reachable (agreement ended) is not told; the record still goes.
    const counterpart = await router.counterpart(owner, fromKey(existing.key.objectType)).catch(() => undefined);
    const route = counterpart ? await router.routeTo([counterpart], owner, MODULE, false) : undefined;
    await router.transaction(async (tx) => {
      await store.delete(existing.key, tx);
      if (route) await router.send(route, this.change('DELETE', this.recordPath(owner, existing.key.objectId), this.recordKey(owner, id), `DELETE ${new Date().toISOString()}`, undefined, correlationId), tx);
    });
  }

  /** GET {endpoint}/{country_code}/{party_id}/{id}: the owner reads back its record. */
  async getOwn(caller: AuthenticatedParty, url: { countryCode: string; partyId: string; id: string }): Promise<unknown> {
    const id = idParam(url.id, 'id');
    const found = await this.storedOf(this.ownerRoles(caller, url.countryCode, url.partyId), id);
    if (!found) throw this.unknown(url.countryCode, url.partyId, id);
    return found.data;
  }

  // ---- The hub's Sender interface: the counterpart pulls ----

  /** GET list: the records sent to the caller's roles by the parties they have agreements with, merged, oldest first. */
  async list(roles: RoleAddress[], page: PageRequest): Promise<{ items: unknown[]; total: number }> {
    const owners = (await Promise.all(roles.map((role) => this.deps.router.counterparts(role)))).flat();
    const { items, total } = await this.deps.store.list({ module: INVOICE_RECORDS, owners, objectTypes: roles.map(addressKey), ...page });
    return { items: items.map((o) => o.data), total };
  }

  // ---- Whom a record is between ----

  /** The caller's CPO/eMSP roles with the record's country_code/party_id; none is a 404 (client-owned push). */
  private ownerRoles(caller: AuthenticatedParty, countryCode: string, partyId: string): RoleAddress[] {
    const address = { countryCode: countryCode.toUpperCase(), partyId: partyId.toUpperCase() };
    const roles = (caller.party.roles ?? []).filter((r) => OWNER_ROLES.includes(r.role) && same(r, address)).map((r) => ({ role: r.role, countryCode: r.countryCode, partyId: r.partyId }));
    if (roles.length === 0) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `${addressKey(address)} is not one of your CPO/EMSP roles`, 404);
    return roles;
  }

  /**
   * The owner role and the one counterpart of the listed CDRs: every CDR must be at the hub as the
   * owner's (a CPO's own CDRs; for an eMSP, CDRs carrying its tokens), and all of one counterpart
   * (2001 with the reason otherwise, nothing stored). OCPI-to-* may name the counterpart: an eMSP's CDR
   * ids held by several CPOs are then read at that CPO only. A party holding both roles under one
   * CC/PID is read as the role its CDRs fit, CPO first.
   */
  private async resolve(candidates: RoleAddress[], cdrIds: string[], to: PartyAddress | undefined): Promise<RecordParties> {
    const named = to && !this.deps.router.isHub(to) ? to : undefined;
    let refusal: OcpiError | undefined;
    for (const owner of [...candidates].sort((a, b) => Number(a.role !== 'CPO') - Number(b.role !== 'CPO'))) {
      try {
        const counterpartKey = await this.counterpartOfCdrs(owner, [...new Set(cdrIds)], named);
        const counterpart = await this.deps.router.counterpart(owner, fromKey(counterpartKey), owner.role === 'CPO' ? ['EMSP'] : ['CPO']);
        await this.requireModule(counterpart);
        const ownerKey = addressKey(owner);
        return { owner, counterpart, cpo: owner.role === 'CPO' ? ownerKey : counterpartKey, emsp: owner.role === 'CPO' ? counterpartKey : ownerKey };
      } catch (error) {
        if (!(error instanceof OcpiError) || candidates.length === 1) throw error;
        refusal ??= error;
      }
    }
    throw refusal!;
  }

  /** The CC/PID of the one counterpart the CDRs name, or 2001 saying which CDRs do not fit. */
  private async counterpartOfCdrs(owner: RoleAddress, ids: string[], named: PartyAddress | undefined): Promise<string> {
    const ownerKey = addressKey(owner);
    const asCpo = owner.role === 'CPO';
    // An eMSP reads CDRs only at the CPOs it has agreements with, as its GETs through the hub do.
    const cpos = asCpo ? [ownerKey] : (await this.deps.router.counterparts(owner)).filter((c) => c.role === 'CPO').map(addressKey);
    // The hub form keeps the token's issuer in cdr_token (as settlement reads a CDR's eMSP).
    const issuer = `upper(data->'cdr_token'->>'country_code') || '/' || upper(data->'cdr_token'->>'party_id')`;
    const rows: { cdr_id: string; cpo: string; emsp: string }[] = await this.deps.db.query(
      `SELECT object_id AS cdr_id, owner AS cpo, ${issuer} AS emsp
         FROM ocpi_objects
        WHERE module = 'cdrs' AND object_type = '' AND object_id = ANY($1::text[]) AND owner = ANY($2::text[])
          ${asCpo ? '' : `AND ${issuer} = $4`}
          AND ($3::text IS NULL OR ${asCpo ? issuer : 'owner'} = $3)`,
      [ids, cpos, named ? addressKey(named) : null, ...(asCpo ? [] : [ownerKey])],
    );
    const found = new Set(rows.map((r) => r.cdr_id));
    const missing = ids.filter((id) => !found.has(id));
    const namedKey = named && addressKey(named);
    const whose = asCpo ? `CDRs of ${ownerKey}${named ? ` with ${namedKey}'s tokens` : ''}` : `CDRs with ${ownerKey}'s tokens${named ? ` at ${namedKey}` : ''}`;
    if (missing.length > 0) throw ocpiErrors.invalidParameters(`The record lists ${missing.length} CDR(s) that are not ${whose} at the hub: ${missing.slice(0, 10).join(', ')}`);
    const counterparts = [...new Set(rows.map((r) => (asCpo ? r.emsp : r.cpo)))].sort();
    if (counterparts.length > 1) {
      const by = counterparts.map((c) => `${c}: ${[...new Set(rows.filter((r) => (asCpo ? r.emsp : r.cpo) === c).map((r) => r.cdr_id))].slice(0, 5).join(', ')}`);
      throw ocpiErrors.invalidParameters(
        `The record's CDRs belong to ${counterparts.length} ${asCpo ? 'eMSPs' : 'CPOs'} (${by.join('; ')}); a record is between one CPO and one eMSP${asCpo ? '' : ': name the CPO in OCPI-to-*'}`,
      );
    }
    return counterparts[0];
  }

  /** The counterpart speaks 2.3.0, the one version with the module; 4001 otherwise (nothing stored). */
  private async requireModule(target: RoutedRole): Promise<void> {
    const party = await this.deps.parties.get(target.partyUuid);
    if (party?.version !== RECORD_VERSION) {
      throw new RoutingError(
        'unknown_receiver',
        `${addressKey(target)} speaks OCPI ${party?.version ?? 'no version yet'}, which has no Invoice Reconciliation module (OCPI ${RECORD_VERSION} only)`,
      );
    }
  }

  // ---- Storing, passing on, reporting ----

  private async storedOf(candidates: RoleAddress[], id: string): Promise<StoredObject<Json> | undefined> {
    return (await this.deps.store.findById<Json>(INVOICE_RECORDS, id, candidates))[0];
  }

  private async stored(owner: RoleAddress, id: string): Promise<StoredObject<Json> | undefined> {
    return this.storedOf([owner], id);
  }

  /**
   * Kept under its counterpart (object type CC/PID): only that party reads it through the hub. Passed
   * on to the counterpart's Receiver endpoint when it offers one; otherwise it waits for its GET.
   */
  private async store(parties: RecordParties, id: string, record: InvoiceReconciliationRecordV230, change: ObjectChange): Promise<'created' | 'updated'> {
    const { router, store } = this.deps;
    const route: Route = await router.routeTo([parties.counterpart], parties.owner, MODULE, false);
    const key = { module: INVOICE_RECORDS, countryCode: parties.owner.countryCode, partyId: parties.owner.partyId, objectId: id, objectType: addressKey(parties.counterpart) };
    return router.transaction(async (tx) => {
      const outcome = await store.put(key, record, toDate(record.last_updated), tx);
      await router.send(route, change, tx);
      return outcome;
    });
  }

  /**
   * The record against the pair's statements, after it is stored: a report per statement it touches
   * (submitted_by the owner, invoice_reference its invoice_id). A failure here does not undo the
   * record the partner sent; it is logged for the operator.
   */
  private async report(parties: RecordParties, record: InvoiceReconciliationRecordV230): Promise<void> {
    try {
      await this.deps.invoiceReconciliations.reconcileRecord({
        cpo: parties.cpo,
        emsp: parties.emsp,
        submittedBy: addressKey(parties.owner),
        invoiceId: record.invoice_id,
        cdrIds: record.cdrs,
      });
    } catch (error) {
      this.deps.log.error({ err: error, record: record.id, owner: addressKey(parties.owner) }, 'invoice reconciliation record: the report failed');
    }
  }

  private moved(existing: StoredObject<Json>, parties: RecordParties): OcpiError {
    return ocpiErrors.invalidParameters(
      `Record ${existing.key.objectId} was sent to ${existing.key.objectType}; its CDRs now belong to ${addressKey(parties.counterpart)}: DELETE it and POST a new record`,
    );
  }

  private recordPath(owner: PartyAddress, id: string): string {
    return `/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(id)}`;
  }

  private recordKey(owner: PartyAddress, id: string): string {
    return `${INVOICE_RECORDS}/${addressKey(owner)}/${id}`;
  }

  private change(method: ObjectChange['method'], path: string, objectKey: string, version: string, body: unknown, correlationId?: string): ObjectChange {
    // The body as sent, in 2.3.0: the receiver speaks 2.3.0, so the outbox passes it on unchanged.
    return { method, path, body, bodyVersion: body === undefined ? undefined : RECORD_VERSION, objectKey, objectVersion: version, correlationId };
  }

  private unknown(countryCode: string, partyId: string, id: string): OcpiError {
    return ocpiErrors.notFound(`Unknown InvoiceReconciliationRecord ${countryCode.toUpperCase()}/${partyId.toUpperCase()}/${id}`);
  }
}
