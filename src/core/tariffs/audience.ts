/**
 * Who may see and use a tariff: public (every eMSP, and drivers paying ad hoc) or scoped to listed
 * eMSP parties (by roaming agreement). Pure: the hub asks these when it pushes or answers an owner's
 * tariffs and locations, and when it chooses the tariff a session is priced with.
 *
 * OCPI 2.2.1 lets a connector name several tariffs, "but only one of each Tariff.type can be active at
 * the same time" (mod_locations, Connector.tariff_ids). So for one eMSP a connector's list is the
 * tariffs it may see, where a tariff scoped to that eMSP **replaces** the public ones of the same type
 * (no type counts as a type of its own): the eMSP sees one price per type, its own where it has one.
 */
import type { TariffDescription } from './description';

export interface TariffAudience {
  /** `CC/PID` of the eMSPs it is offered to; null: public. */
  emsps: readonly string[] | null;
  /** The OCPI Tariff.type, absent for none. */
  type?: string;
}

/** An owner's tariffs' audiences by tariff id in capitals (ids are CiStrings). A tariff not in it is public. */
export type TariffAudiences = ReadonlyMap<string, TariffAudience>;

/** `CC/PID` of a party, in capitals. */
export const partyKey = (party: { countryCode: string; partyId: string }) => `${party.countryCode}/${party.partyId}`.toUpperCase();

export function audienceOf(description: Pick<TariffDescription, 'emsps' | 'type'> | null | undefined): TariffAudience {
  return { emsps: description?.emsps ?? null, ...(description?.type && { type: description.type }) };
}

/** Whether `receiver` (`CC/PID`; null: nobody's driver, e.g. the driver's page) may see the tariff. */
export function visibleTo(audience: TariffAudience | undefined, receiver: string | null): boolean {
  if (!audience?.emsps) return true;
  return receiver !== null && audience.emsps.includes(receiver.toUpperCase());
}

const isPublic = (audience: TariffAudience | undefined) => !audience?.emsps;

/** A connector's tariff_ids as `receiver` gets them (order kept): visible ones, its own replacing public ones of their type. */
export function tariffIdsFor(ids: readonly string[], audiences: TariffAudiences, receiver: string | null): string[] {
  const audience = (id: string) => audiences.get(id.toUpperCase());
  const visible = ids.filter((id) => visibleTo(audience(id), receiver));
  const ownTypes = new Set(visible.filter((id) => !isPublic(audience(id))).map((id) => audience(id)?.type ?? ''));
  return visible.filter((id) => !isPublic(audience(id)) || !ownTypes.has(audience(id)?.type ?? ''));
}

/**
 * The tariff a session of `emsp`'s driver at a connector is priced with: the first of the connector's
 * tariffs scoped to that eMSP, else the first it sees (public). null (a driver paying ad hoc, or the
 * driver's page): the first public one. Undefined when the connector names none it may use.
 */
export function sessionTariffId(ids: readonly string[] | undefined, audiences: TariffAudiences, emsp: string | null): string | undefined {
  const list = tariffIdsFor(ids ?? [], audiences, emsp);
  return list.find((id) => !isPublic(audiences.get(id.toUpperCase()))) ?? list[0];
}

/**
 * A Location, EVSE or Connector (or a PATCH of one) as `receiver` gets it: every `tariff_ids` inside
 * filtered by tariffIdsFor. Anything else is passed unchanged (a copy; the input is not touched).
 */
export function withTariffIdsFor<T>(object: T, audiences: TariffAudiences, receiver: string | null): T {
  if (Array.isArray(object)) return object.map((item) => withTariffIdsFor(item, audiences, receiver)) as T;
  if (!object || typeof object !== 'object') return object;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'tariff_ids' && Array.isArray(value)) copy[key] = tariffIdsFor(value.filter((v): v is string => typeof v === 'string'), audiences, receiver);
    else if (key === 'evses' || key === 'connectors') copy[key] = withTariffIdsFor(value, audiences, receiver);
    else copy[key] = value;
  }
  return copy as T;
}
