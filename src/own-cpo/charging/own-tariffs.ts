import type { DataSource, EntityManager } from 'typeorm';
import type { Tariff } from '../../core/pricing/pricing-core';
import {
  audienceOf,
  buildOwnTariff,
  parsePromotion,
  type TariffAudience,
  type TariffAudiences,
  type DynamicTariffDescription,
  mergeDayAhead,
  type Parsed,
  parseDayAheadUpdate,
  parseTariffDescription,
  pruneDayAhead,
  type TariffDescription,
} from '../../core/tariffs/tariffs-core';
import { HubError } from '../../foundation/hub-errors';
import type { Location } from '../../hub/modules/locations/locations.schema';
import type { TariffsService } from '../../hub/modules/tariffs/tariffs.service';
import { tariffUses } from './own-locations';
import { asHubErrors, nextLastUpdated } from './own-objects';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** Who may see and use each own tariff made from a description (ids in capitals); the rest are public. */
export async function ownTariffAudiences(db: DataSource, ownCpo: RoleAddress): Promise<TariffAudiences> {
  const rows: { tariff_id: string; description: TariffDescription }[] = await db.query(
    `SELECT tariff_id, description FROM own_tariff_descriptions WHERE country_code = $1 AND party_id = $2`,
    [ownCpo.countryCode, ownCpo.partyId],
  );
  return new Map(rows.map((r) => [r.tariff_id.toUpperCase(), audienceOf(r.description)]));
}

/** An own tariff as the operator sees it: what they wrote (null for one not made here) and what is published. */
export interface OwnTariffView {
  id: string;
  description: TariffDescription | null;
  tariff: Tariff;
}

const sameAudience = (a: TariffAudience, b: TariffAudience) =>
  a.type === b.type && JSON.stringify([...(a.emsps ?? ['*'])].sort()) === JSON.stringify([...(b.emsps ?? ['*'])].sort());

function valueOf<T>(parsed: Parsed<T>, what: string): T {
  if (parsed.ok) return parsed.value;
  throw new HubError('invalid', `Invalid ${what}: ${parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`);
}

/**
 * The own CPO's tariffs, written by the operator as descriptions (src/core/tariffs) and published as
 * OCPI Tariffs through the same TariffsService.put as a partner CPO's (stored, pushed to the eMSPs
 * with agreements). Every change gets a new last_updated, so receivers see a new version; a running
 * session keeps the tariff it started with (the transaction side keeps that snapshot).
 *
 * Changes of one tariff are serialised by a transaction-scoped advisory lock, so two day-ahead
 * updates at once both land; the description row is written in that transaction before the tariff
 * is stored and pushed, so a refused or failed publication leaves the old description.
 */
export class OwnTariffs {
  constructor(
    private readonly deps: {
      db: DataSource;
      tariffs: TariffsService;
      ownCpo: RoleAddress;
      /** The own locations, to see which connectors use a tariff. */
      ownLocations: () => Promise<Location[]>;
      /**
       * Pushes again the own locations whose connectors name a tariff whose audience changed, so each
       * eMSP's connectors name what it may now see (own-catalogue.ts).
       */
      republishLocations?: (tariffId: string) => Promise<void>;
      now?: () => Date;
    },
  ) {}

  /** Creates or replaces a tariff from its description; answers the published OCPI Tariff. */
  async put(id: string, json: unknown): Promise<{ outcome: 'created' | 'updated'; tariff: Tariff }> {
    const description = valueOf(parseTariffDescription(json), 'tariff description');
    return this.change(id, async () => description);
  }

  /** Merges one date's day-ahead prices into a dynamic tariff, prunes old dates, republishes. */
  async addDayAhead(id: string, json: unknown): Promise<Tariff> {
    const update = valueOf(parseDayAheadUpdate(json), 'day-ahead prices');
    const { tariff } = await this.change(id, async (current, now) => {
      if (!current) throw new HubError('not_found', `No own tariff ${id} made from a description`);
      if (current.kind !== 'dynamic') throw new HubError('conflict', `Tariff ${id} is ${current.kind}, not dynamic: it takes no day-ahead prices`);
      return valueOf(mergeDayAhead(current, update, now), 'day-ahead prices');
    });
    return tariff;
  }

  /** Adds (or replaces, by its id) a time-limited promotion of a tariff made from a description; republishes it. */
  async addPromotion(id: string, json: unknown): Promise<Tariff> {
    const promotion = valueOf(parsePromotion(json), 'promotion');
    const { tariff } = await this.change(id, async (current) => {
      if (!current) throw new HubError('not_found', `No own tariff ${id} made from a description`);
      const others = (current.promotions ?? []).filter((p) => p.id !== promotion.id);
      return valueOf(parseTariffDescription({ ...current, promotions: [...others, promotion] }), 'promotion');
    });
    return tariff;
  }

  /** Ends a promotion now (its elements leave the tariff); 404 for one the tariff does not have. */
  async removePromotion(id: string, promotionId: string): Promise<Tariff> {
    const { tariff } = await this.change(id, async (current) => {
      if (!current?.promotions?.some((p) => p.id === promotionId)) throw new HubError('not_found', `Tariff ${id} has no promotion ${promotionId}`);
      const promotions = current.promotions.filter((p) => p.id !== promotionId);
      const { promotions: _, ...rest } = current;
      return valueOf(parseTariffDescription(promotions.length ? { ...rest, promotions } : rest), 'tariff description');
    });
    return tariff;
  }

  async get(id: string): Promise<OwnTariffView> {
    const stored = await this.deps.tariffs.storedOf(this.deps.ownCpo, id);
    if (!stored) throw new HubError('not_found', `No own tariff with id ${id}`);
    return { id, description: await this.description(this.deps.db.manager, id), tariff: stored.tariff as Tariff };
  }

  /** Every tariff the own CPO publishes, by id. */
  async list(): Promise<OwnTariffView[]> {
    const { countryCode, partyId } = this.deps.ownCpo;
    const stored = await this.deps.tariffs.allOf(this.deps.ownCpo);
    const rows: { tariff_id: string; description: TariffDescription }[] = await this.deps.db.query(
      `SELECT tariff_id, description FROM own_tariff_descriptions WHERE country_code = $1 AND party_id = $2`,
      [countryCode, partyId],
    );
    const descriptions = new Map(rows.map((r) => [r.tariff_id, r.description]));
    return stored
      .map((item) => ({ id: item.id, description: descriptions.get(item.id) ?? null, tariff: item.tariff as Tariff }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Removes a tariff no connector names any more (receivers get a DELETE). */
  async remove(id: string): Promise<void> {
    const uses = tariffUses(await this.deps.ownLocations(), id);
    if (uses.length) {
      const where = uses.slice(0, 5).map((u) => `${u.locationId}/${u.evseUid}/${u.connectorId}`).join(', ');
      throw new HubError('conflict', `Tariff ${id} is still named by connector${uses.length > 1 ? 's' : ''} ${where}${uses.length > 5 ? ' …' : ''}; change their tariff_ids first`);
    }
    await this.deps.db.transaction(async (tx) => {
      await this.lock(tx, id);
      const audience = audienceOf(await this.description(tx, id));
      await tx.query(`DELETE FROM own_tariff_descriptions WHERE country_code = $1 AND party_id = $2 AND tariff_id = $3`, this.row(id));
      await asHubErrors(() => this.deps.tariffs.delete(this.deps.ownCpo, undefined, id, undefined, audience));
    });
  }

  /** The time zone a dynamic tariff's hours are local to; undefined for other tariffs. */
  async timeZoneOf(id: string): Promise<string | undefined> {
    const description = await this.description(this.deps.db.manager, id);
    return description?.kind === 'dynamic' ? description.time_zone : undefined;
  }

  private async change(
    id: string,
    next: (current: TariffDescription | null, now: Date) => Promise<TariffDescription>,
  ): Promise<{ outcome: 'created' | 'updated'; tariff: Tariff }> {
    const { countryCode, partyId } = this.deps.ownCpo;
    const changed = await this.deps.db.transaction(async (tx) => {
      await this.lock(tx, id);
      const now = this.deps.now?.() ?? new Date();
      const current = await this.description(tx, id);
      let description = await next(current, now);
      if (description.kind === 'dynamic') {
        description = valueOf(pruneDayAhead(description, now), 'tariff description');
        await this.requireSameTimeZone(id, description);
      }
      const previous = await this.deps.tariffs.storedOf(this.deps.ownCpo, id);
      const tariff = buildOwnTariff(description, { countryCode, partyId, id, lastUpdated: nextLastUpdated(now, previous?.lastUpdated) });
      await tx.query(
        `INSERT INTO own_tariff_descriptions (country_code, party_id, tariff_id, description) VALUES ($1, $2, $3, $4)
         ON CONFLICT (country_code, party_id, tariff_id) DO UPDATE SET description = EXCLUDED.description, updated_at = now()`,
        [...this.row(id), JSON.stringify(description)],
      );
      const audience = audienceOf(description);
      const former = previous ? audienceOf(current) : undefined;
      const outcome = await asHubErrors(() => this.deps.tariffs.put(this.deps.ownCpo, undefined, id, tariff, undefined, undefined, { audience, former }));
      return { outcome, tariff, rescoped: !!former && !sameAudience(former, audience) };
    });
    // After the commit: the locations' pushes read the audiences as stored.
    if (changed.rescoped) await this.deps.republishLocations?.(id);
    return { outcome: changed.outcome, tariff: changed.tariff };
  }

  /** A dynamic tariff's hours are local hours: every location using it must be in its zone. */
  private async requireSameTimeZone(id: string, description: DynamicTariffDescription): Promise<void> {
    const elsewhere = tariffUses(await this.deps.ownLocations(), id).find((use) => use.timeZone !== description.time_zone);
    if (elsewhere) {
      throw new HubError(
        'invalid',
        `time_zone ${description.time_zone} differs from ${elsewhere.timeZone} of location ${elsewhere.locationId}, whose connectors use tariff ${id}`,
      );
    }
  }

  private async description(manager: EntityManager, id: string): Promise<TariffDescription | null> {
    const rows: { description: TariffDescription }[] = await manager.query(
      `SELECT description FROM own_tariff_descriptions WHERE country_code = $1 AND party_id = $2 AND tariff_id = $3`,
      this.row(id),
    );
    return rows[0]?.description ?? null;
  }

  private lock(tx: EntityManager, id: string) {
    return tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`own-tariff ${this.row(id).join('/')}`]);
  }

  private row(id: string): [string, string, string] {
    return [this.deps.ownCpo.countryCode, this.deps.ownCpo.partyId, id];
  }
}
