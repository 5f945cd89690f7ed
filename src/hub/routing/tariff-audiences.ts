import { partyKey, type TariffAudiences, visibleTo } from '../../core/tariffs/tariffs-core';
import type { PartyAddress } from '../ocpi/party-address';

/**
 * The owners whose tariffs are not all public (the own CPO, services.ts): for each, who may see which
 * of its tariffs (core/tariffs/audience.ts). The tariffs module pushes and answers a tariff only to its
 * audience; the locations module gives each receiver the connectors' tariff_ids it may see. Owners
 * without an entry (every partner CPO) are passed on unchanged.
 */
export class TariffAudienceRegistry {
  private readonly owners = new Map<string, () => Promise<TariffAudiences>>();

  describe(owner: PartyAddress, audiences: () => Promise<TariffAudiences>): void {
    this.owners.set(partyKey(owner), audiences);
  }

  /** The owner's audiences, or undefined for an owner whose tariffs are all public. */
  of(owner: PartyAddress): Promise<TariffAudiences | undefined> {
    return this.owners.get(partyKey(owner))?.() ?? Promise.resolve(undefined);
  }

  /** Per owner among `owners`, the ids of its tariffs none of `readers` may see (for a GET-all). */
  async hiddenFrom(owners: PartyAddress[], readers: PartyAddress[]): Promise<{ owner: PartyAddress; objectIds: string[] }[]> {
    const hidden: { owner: PartyAddress; objectIds: string[] }[] = [];
    for (const owner of owners) {
      const audiences = await this.of(owner);
      if (!audiences) continue;
      const objectIds = [...audiences].filter(([, a]) => !readers.some((r) => visibleTo(a, partyKey(r)))).map(([id]) => id);
      if (objectIds.length) hidden.push({ owner, objectIds });
    }
    return hidden;
  }
}
