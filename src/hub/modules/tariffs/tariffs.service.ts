import { randomUUID } from 'node:crypto';
import type { ObjectKey, StoredObject } from '../../routing/object-store';
import type { ObjectChange } from '../../routing/router';
import { ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { requireSameIds } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import { toDate } from '../../ocpi/ocpi-types';
import { Tariff } from './tariffs.schema';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';
import { changeBody } from '../../routing/router';
import type { BodyOrigin } from '../../../core/ocpi-versions/translate';
import { partyKey, type TariffAudience, visibleTo } from '../../../core/tariffs/tariffs-core';

/** Who a tariff is for, now and before this change (an eMSP that could see it and no longer may gets a DELETE). */
export interface TariffAudienceChange {
  audience: TariffAudience;
  /** Undefined for a tariff that did not exist before. */
  former?: TariffAudience;
}

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
  async put(
    owner: RoleAddress,
    to: PartyAddress | undefined,
    tariffId: string,
    rawBody: unknown,
    correlationId?: string,
    origin?: BodyOrigin,
    scope?: TariffAudienceChange,
  ): Promise<'created' | 'updated'> {
    const tariff = parseOcpiBody(Tariff, rawBody, 'Tariff');
    requireSameIds(tariff, { country_code: owner.countryCode, party_id: owner.partyId, id: tariffId });
    const { router, store } = this.deps;
    const everyone = await router.route(owner, to, MODULE);
    // A scoped tariff goes only to its eMSPs; those that had it and may no longer see it are told it is gone.
    const sees = (audience: TariffAudience | undefined) => (r: PartyAddress) => visibleTo(audience, partyKey(r));
    const route = scope ? { ...everyone, receivers: everyone.receivers.filter(sees(scope.audience)) } : everyone;
    const lost = scope?.former ? everyone.receivers.filter((r) => sees(scope.former)(r) && !sees(scope.audience)(r)) : [];
    return router.transaction(async (tx) => {
      const outcome = await store.put(keyOf(owner, tariffId), tariff, toDate(tariff.last_updated), tx, origin);
      // The outbox delivers a version once. A tariff created again after a DELETE may repeat an earlier
      // version exactly, so a creation is always a new version.
      const version = `PUT ${tariff.last_updated}${outcome === 'created' ? ` new ${randomUUID()}` : ''}`;
      await router.send(route, { ...this.change(owner, 'PUT', tariffId, version, rawBody, correlationId), ...changeBody(rawBody, origin) }, tx);
      if (lost.length) await router.send({ ...everyone, receivers: lost }, this.change(owner, 'DELETE', tariffId, `DELETE ${randomUUID()}`, undefined, correlationId), tx);
      return outcome;
    });
  }

  /** Receiver DELETE: the tariff is no longer used; receivers are told so too. */
  async delete(owner: RoleAddress, to: PartyAddress | undefined, tariffId: string, correlationId?: string, audience?: TariffAudience): Promise<void> {
    const { router, store } = this.deps;
    const everyone = await router.route(owner, to, MODULE);
    // Only the eMSPs that could see it had it.
    const route = audience ? { ...everyone, receivers: everyone.receivers.filter((r) => visibleTo(audience, partyKey(r))) } : everyone;
    await router.transaction(async (tx) => {
      if (!(await store.delete(keyOf(owner, tariffId), tx))) throw this.unknown(owner, tariffId);
      await router.send(route, this.change(owner, 'DELETE', tariffId, `DELETE ${randomUUID()}`, undefined, correlationId), tx);
    });
  }

  /** Receiver GET: the owner reads back what it pushed. */
  async getOwn(owner: RoleAddress, tariffId: string): Promise<StoredObject<Tariff>> {
    const stored = await this.deps.store.get<Tariff>(keyOf(owner, tariffId));
    if (!stored) throw this.unknown(owner, tariffId);
    return stored;
  }

  /** The tariff an owner holds at the hub and when it last changed (the own CPO reads its own), or undefined. */
  async storedOf(owner: PartyAddress, tariffId: string): Promise<{ tariff: Tariff; lastUpdated: Date } | undefined> {
    const stored = await this.deps.store.get<Tariff>(keyOf(owner, tariffId));
    return stored ? { tariff: stored.data, lastUpdated: stored.lastUpdated } : undefined;
  }

  /** Every tariff an owner holds at the hub, with its id. */
  async allOf(owner: PartyAddress): Promise<{ id: string; tariff: Tariff }[]> {
    const tariffs: { id: string; tariff: Tariff }[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.deps.store.list<Tariff>({ module: MODULE, owners: [owner], offset, limit: 1000 });
      tariffs.push(...page.items.map((item) => ({ id: item.key.objectId, tariff: item.data })));
      if (page.items.length < 1000) return tariffs;
    }
  }

  private change(owner: RoleAddress, method: 'PUT' | 'DELETE', tariffId: string, version: string, body: unknown, correlationId?: string): ObjectChange {
    return { method, path: pathOf(owner, tariffId), body, objectKey: `${MODULE}${pathOf(owner, tariffId)}`, objectVersion: version, correlationId };
  }

  private unknown(owner: PartyAddress, tariffId: string) {
    return ocpiErrors.notFound(`Unknown tariff ${pathOf(owner, tariffId)}`);
  }
}
