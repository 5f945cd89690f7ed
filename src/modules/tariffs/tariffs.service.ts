import { randomUUID } from 'node:crypto';
import type { ObjectKey } from '../../hub/object-store';
import type { RoleAddress } from '../../hub/router';
import { ocpiErrors } from '../../transport/ocpi-errors';
import type { PartyAddress } from '../../transport/routing-headers';
import { parseOcpiBody } from '../../transport/validate';
import { requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import { toDate } from '../ocpi-types';
import { Tariff } from './tariffs.schema';

export const TARIFFS_PAGE_LIMIT = 100;
const MODULE = 'tariffs';

function keyOf(owner: PartyAddress, tariffId: string): ObjectKey {
  return { module: MODULE, countryCode: owner.countryCode, partyId: owner.partyId, objectId: tariffId };
}

function pathOf(owner: PartyAddress, tariffId: string): string {
  return `/${owner.countryCode}/${owner.partyId}/${encodeURIComponent(tariffId)}`;
}

/** Tariffs (mod_tariffs.asciidoc): CPOs push to the hub's Receiver interface; eMSPs read the merged Sender list. */
export class TariffsService {
  constructor(private readonly deps: ModuleDeps) {}

  /** Receiver PUT: validate, store as sent, pass on to the CPO's eMSPs (or the one in OCPI-to-*). */
  async put(owner: RoleAddress, to: PartyAddress | undefined, tariffId: string, rawBody: unknown, correlationId?: string): Promise<'created' | 'updated'> {
    const tariff = parseOcpiBody(Tariff, rawBody, 'Tariff');
    requireSameIds(tariff, { country_code: owner.countryCode, party_id: owner.partyId, id: tariffId });
    await this.requireReachable(owner, to);
    const outcome = await this.deps.store.put(keyOf(owner, tariffId), tariff, toDate(tariff.last_updated));
    // The outbox delivers a version once. A tariff created again after a DELETE may repeat an earlier
    // version exactly, so a creation is always a new version.
    const version = `PUT ${tariff.last_updated}${outcome === 'created' ? ` new ${randomUUID()}` : ''}`;
    await this.pass(owner, to, 'PUT', tariffId, version, rawBody, correlationId);
    return outcome;
  }

  /** Receiver DELETE: the tariff is no longer used; receivers are told so too. */
  async delete(owner: RoleAddress, to: PartyAddress | undefined, tariffId: string, correlationId?: string): Promise<void> {
    await this.requireReachable(owner, to);
    if (!(await this.deps.store.delete(keyOf(owner, tariffId)))) throw this.unknown(owner, tariffId);
    await this.pass(owner, to, 'DELETE', tariffId, `DELETE ${randomUUID()}`, undefined, correlationId);
  }

  /** Receiver GET: the owner reads back what it pushed. */
  async getOwn(owner: RoleAddress, tariffId: string): Promise<unknown> {
    const stored = await this.deps.store.get(keyOf(owner, tariffId));
    if (!stored) throw this.unknown(owner, tariffId);
    return stored.data;
  }

  /** A receiver named in OCPI-to-* must be one the owner may reach, before anything changes. */
  private async requireReachable(owner: RoleAddress, to: PartyAddress | undefined): Promise<void> {
    if (to && !this.deps.router.isHub(to)) await this.deps.router.counterpart(owner, to);
  }

  private pass(owner: RoleAddress, to: PartyAddress | undefined, method: 'PUT' | 'DELETE', tariffId: string, version: string, body: unknown, correlationId?: string) {
    return this.deps.router.push(owner, to, {
      module: MODULE,
      method,
      path: pathOf(owner, tariffId),
      body,
      objectKey: `${MODULE}${pathOf(owner, tariffId)}`,
      objectVersion: version,
      correlationId,
    });
  }

  private unknown(owner: PartyAddress, tariffId: string) {
    return ocpiErrors.notFound(`Unknown tariff ${pathOf(owner, tariffId)}`);
  }
}
