import { isDeepStrictEqual } from 'node:util';
import type { ObjectKey, StoredObject } from '../../routing/object-store';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import type { ModuleDeps } from '../module-deps';
import { toDate } from '../../ocpi/ocpi-types';
import { receiverOf } from '../emsp-private';
import { addToRating, rateReceivedCdr, saveRating, unratedBecause } from './cdrs.rating';
import type { TotalDifference } from '../../../core/pricing/pricing-core';
import type { Cdr } from './cdrs.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { changeBody } from '../../routing/router';
import type { BodyOrigin } from '../../../core/ocpi-versions/translate';

export const CDRS_PAGE_LIMIT = 100;
const MODULE = 'cdrs';

function keyOf(owner: PartyAddress, cdrId: string): ObjectKey {
  return { module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: cdrId };
}

const describe = (owner: PartyAddress, cdrId: string) => `${owner.countryCode}/${owner.partyId}/${cdrId}`;

/**
 * CDRs (mod_cdrs.asciidoc): a CPO POSTs each CDR once to the hub, which keeps it and passes it to the
 * one eMSP it concerns; eMSPs read their own CDRs from the Sender interface.
 */
export class CdrsService {
  constructor(private readonly deps: ModuleDeps) {}

  /**
   * Receiver POST of a validated CDR owned by `owner`. A CDR is final: one with an id the owner already
   * sent is refused (2001) — a correction is a credit CDR with a new id (mod_cdrs.asciidoc, Credit CDRs).
   * The very same CDR sent again (the sender repeats a POST it saw no answer to) is accepted and not
   * queued again: it was queued in the transaction that stored it.
   */
  async create(owner: RoleAddress, to: PartyAddress | undefined, cdr: Cdr, correlationId?: string, origin?: BodyOrigin): Promise<void> {
    const { router, store } = this.deps;
    const route = await router.routeTo([await receiverOf(router, owner, to, cdr.cdr_token)], owner, MODULE);
    const stored = await router.transaction(async (tx) => {
      if (!(await store.insert(keyOf(owner, cdr.id), cdr, toDate(cdr.last_updated), tx, origin))) return false;
      await router.send(route, { method: 'POST', path: '', ...changeBody(cdr, origin), objectKey: `${MODULE}/${describe(owner, cdr.id)}`, objectVersion: 'POST', correlationId }, tx);
      return true;
    });
    if (!stored) {
      const held = await store.get<Cdr>(keyOf(owner, cdr.id));
      if (!held || !isDeepStrictEqual(held.data, JSON.parse(JSON.stringify(cdr)))) {
        throw ocpiErrors.invalidParameters(`CDR ${describe(owner, cdr.id)} was sent before; CDRs cannot be replaced, send a credit CDR`);
      }
    }
    await this.rate(owner, cdr);
  }

  /**
   * The own CPO's POST of its CDR, once: the first CDR stored under its id wins, whoever stored it
   * (two finishes of one transaction may race); the CDR held under that id is answered. The database
   * decides (an insert that stores nothing), not an error: the CDR held was queued in the transaction
   * that stored it.
   */
  async createOnce(owner: RoleAddress, cdr: Cdr): Promise<Cdr> {
    const { router, store } = this.deps;
    const route = await router.routeTo([await receiverOf(router, owner, undefined, cdr.cdr_token)], owner, MODULE);
    const stored = await router.transaction(async (tx) => {
      if (!(await store.insert(keyOf(owner, cdr.id), cdr, toDate(cdr.last_updated), tx))) return false;
      await router.send(route, { method: 'POST', path: '', body: cdr, objectKey: `${MODULE}/${describe(owner, cdr.id)}`, objectVersion: 'POST' }, tx);
      return true;
    });
    const held = stored ? cdr : (await store.get<Cdr>(keyOf(owner, cdr.id)))?.data;
    if (!held) throw new Error(`CDR ${describe(owner, cdr.id)} was neither stored nor found`);
    await this.rate(owner, held);
    return held;
  }

  /**
   * A CDR kept at the hub and sent to no one (an ad hoc driver's: the own CPO is its own eMSP). The
   * first CDR stored under its id wins; the CDR held under that id is answered.
   */
  async keepUndelivered(owner: RoleAddress, cdr: Cdr): Promise<Cdr> {
    const { store } = this.deps;
    if (await store.insert(keyOf(owner, cdr.id), cdr, toDate(cdr.last_updated))) return cdr;
    const held = (await store.get<Cdr>(keyOf(owner, cdr.id)))?.data;
    if (!held) throw new Error(`CDR ${describe(owner, cdr.id)} was neither stored nor found`);
    return held;
  }

  /** The CDR an owner holds at the hub under this id, or undefined. */
  async storedOf(owner: PartyAddress, cdrId: string): Promise<Cdr | undefined> {
    return (await this.deps.store.get<Cdr>(keyOf(owner, cdrId)))?.data ?? undefined;
  }

  /** Re-rates the CDR and records the outcome; a rating that fails is recorded as unrated, never blocks the CDR. */
  private async rate(owner: RoleAddress, cdr: Cdr): Promise<void> {
    const rating = await rateReceivedCdr(this.deps, owner, cdr, this.deps.config.cdrRatingTolerance).catch((error: Error) => {
      this.deps.log.error({ err: error, cdr: cdr.id }, 'CDR re-rating failed');
      return unratedBecause(`The rating failed: ${error.message}`);
    });
    await saveRating(this.deps.db, owner, cdr.id, rating);
  }

  /** Adds a check made elsewhere (a charger's own cost, signed meter values) to the CDR's rating; its differences, or `fails`, make it a mismatch. */
  addToRating(owner: RoleAddress, cdrId: string, check: { differences: TotalDifference[]; notes: { code: string; message: string }[]; reason: string; fails?: boolean }): Promise<boolean> {
    return addToRating(this.deps.db, owner, cdrId, check);
  }

  /** Receiver GET at the URL the POST answered with: the owner reads its CDR back. */
  async getOwn(owner: RoleAddress, cdrId: string): Promise<StoredObject<Cdr>> {
    const stored = await this.deps.store.get<Cdr>(keyOf(owner, cdrId));
    if (!stored) throw ocpiErrors.notFound(`Unknown CDR ${describe(owner, cdrId)}`);
    return stored;
  }
}
