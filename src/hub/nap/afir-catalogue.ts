import { type AfirLocation, type AfirReadiness, afirReadiness, type AfirTariff, type AfirTariffReport, lintAfirTariffs } from '../../core/afir/afir-core';
import type { Location } from '../modules/locations/locations.schema';
import type { LocationsService } from '../modules/locations/locations.service';
import type { Tariff } from '../modules/tariffs/tariffs.schema';
import type { TariffsService } from '../modules/tariffs/tariffs.service';
import type { PartyAddress } from '../ocpi/party-address';
import type { NapPublication, NapPublications } from '../routing/nap-publications';
import type { StoredObject } from '../routing/object-store';

/** One CPO's locations and tariffs as the hub stores them (the hub form), with its NAP decision. */
export interface CpoCatalogue {
  publication: NapPublication;
  locations: Location[];
  tariffs: Map<string, Tariff>;
}

export interface CatalogueFilter {
  owner?: PartyAddress;
  locationId?: string;
}

export const addressText = (a: PartyAddress) => `${a.countryCode}/${a.partyId}`;

/** The hub form read as the AFIR core reads it: the same object; 2.3.0-only fields only when a partner or the operator sent them as extra fields. */
export const afirLocationOf = (location: Location) => location as unknown as AfirLocation;

/**
 * A stored location with what AFIR asks that only the sender's original may hold (2.3.0 `help_phone`:
 * the hub form has no place for it), taken from the original when it has it.
 */
function withOriginalFields(stored: StoredObject<Location>): Location {
  const original = stored.original?.body as { help_phone?: unknown } | undefined;
  return typeof original?.help_phone === 'string' ? ({ ...stored.data, help_phone: original.help_phone } as Location) : stored.data;
}
const afirTariffsOf = (tariffs: Map<string, Tariff>) => tariffs as unknown as ReadonlyMap<string, AfirTariff>;

/**
 * Every CPO's locations and tariffs (the own CPO's and the partners'), read through the module
 * services, for the AFIR lint and readiness (admin API, dashboard) and the NAP publications.
 */
export class AfirCatalogue {
  constructor(private readonly deps: { locations: LocationsService; tariffs: TariffsService; naps: NapPublications }) {}

  /** The CPOs (optionally one), each with its locations (optionally only those with an id). */
  async cpos(filter: CatalogueFilter = {}, { publishingOnly = false } = {}): Promise<CpoCatalogue[]> {
    let publications = await this.deps.naps.list();
    if (filter.owner) publications = publications.filter((p) => p.cpo.countryCode === filter.owner!.countryCode && p.cpo.partyId === filter.owner!.partyId);
    if (publishingOnly) {
      const publishing = new Set((await this.deps.naps.publishing()).map(addressText));
      publications = publications.filter((p) => publishing.has(addressText(p.cpo)));
    }
    return Promise.all(
      publications.map(async (publication) => {
        const [stored, tariffs] = await Promise.all([this.deps.locations.allStoredOf(publication.cpo), this.deps.tariffs.allOf(publication.cpo)]);
        const locations = stored.map(withOriginalFields);
        return {
          publication,
          locations: filter.locationId ? locations.filter((l) => l.id === filter.locationId) : locations,
          tariffs: new Map(tariffs.map((t) => [t.id, t.tariff])),
        };
      }),
    );
  }

  async tariffReports(filter: CatalogueFilter = {}): Promise<(AfirTariffReport & { owner: string })[]> {
    return (await this.cpos(filter)).flatMap((cpo) =>
      cpo.locations.map((location) => ({ owner: addressText(cpo.publication.cpo), ...lintAfirTariffs(afirLocationOf(location), afirTariffsOf(cpo.tariffs)) })),
    );
  }

  async readiness(filter: CatalogueFilter = {}): Promise<AfirReadiness[]> {
    return (await this.cpos(filter)).flatMap((cpo) =>
      cpo.locations.map((location) => afirReadiness(afirLocationOf(location), afirTariffsOf(cpo.tariffs), { napOptedIn: cpo.publication.publish })),
    );
  }
}
