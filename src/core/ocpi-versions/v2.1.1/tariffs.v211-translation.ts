import type { LossRecorder, Translation } from '../loss-report';
import type { TariffV211 } from './tariffs.v211.schema';
import {
  copy,
  drop,
  type FieldHandler,
  isObject,
  type JsonObject,
  mapArray,
  OWNER_CARRIED_ELSEWHERE,
  type PartyIdentity,
  type PatchReceivedAtContext,
  translatedFromV211,
  translatedToV211,
  translateFields,
  withOwner,
  withReceivedAt,
} from './translation-kit.v211';

/**
 * Tariffs between OCPI 2.1.1 and the hub form (2.2.1). The dimension types are the same in both
 * (ENERGY, FLAT, PARKING_TIME, TIME: 2.1.1 has PARKING_TIME already). 2.2.1 adds the tariff type,
 * min/max price, a validity period, VAT per price component and the current and reservation
 * restrictions: 2.1.1 cannot carry them. An element restricted to reservations is left out (without
 * its restriction it would price charging); a tariff left with no element is refused.
 */

export interface TariffFromV211Context extends PatchReceivedAtContext {
  /** The CPO the tariff belongs to: the sender's address. */
  owner: PartyIdentity;
}

// The fields 2.1.1 and 2.2.1 share under the same name and meaning, copied in both directions.

const TARIFF_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  id: copy,
  currency: copy,
  tariff_alt_text: copy,
  tariff_alt_url: copy,
  energy_mix: copy,
  last_updated: copy,
};

const PRICE_COMPONENT_FIELDS_IN_BOTH: Record<string, FieldHandler> = { type: copy, price: copy, step_size: copy };

const RESTRICTION_FIELDS_IN_BOTH: Record<string, FieldHandler> = {
  start_time: copy,
  end_time: copy,
  start_date: copy,
  end_date: copy,
  min_kwh: copy,
  max_kwh: copy,
  min_power: copy,
  max_power: copy,
  min_duration: copy,
  max_duration: copy,
  day_of_week: copy,
};

/** A TariffElement's field table: its price components and restrictions each by their own table. */
function tariffElementFields(priceComponentFields: Record<string, FieldHandler>, restrictionFields: Record<string, FieldHandler>): Record<string, FieldHandler> {
  return {
    price_components: (v, out, p, r) => {
      out.price_components = mapArray(v, p, (c, cp) => (isObject(c) ? translateFields(c, cp, r, priceComponentFields, 'PriceComponent') : c));
    },
    restrictions: (v, out, p, r) => {
      out.restrictions = isObject(v) ? translateFields(v, p, r, restrictionFields, 'TariffRestrictions') : v;
    },
  };
}

const TARIFF_ELEMENT_FIELDS_FROM_V211 = tariffElementFields(PRICE_COMPONENT_FIELDS_IN_BOTH, RESTRICTION_FIELDS_IN_BOTH);

const CURRENT_RESTRICTION_DROPPED = drop('OCPI 2.1.1 has no current restriction: the element applies at any current');

const TARIFF_ELEMENT_FIELDS_TO_V211 = tariffElementFields(
  { ...PRICE_COMPONENT_FIELDS_IN_BOTH, vat: drop('OCPI 2.1.1 price components have no VAT rate (prices exclude VAT)') },
  { ...RESTRICTION_FIELDS_IN_BOTH, min_current: CURRENT_RESTRICTION_DROPPED, max_current: CURRENT_RESTRICTION_DROPPED },
);

function elementsFromV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return mapArray(value, path, (element, ep) => (isObject(element) ? translateFields(element, ep, rec, TARIFF_ELEMENT_FIELDS_FROM_V211, 'TariffElement') : element));
}

function tariffFromV211(tariff: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    tariff,
    path,
    rec,
    {
      ...TARIFF_FIELDS_IN_BOTH,
      elements: (v, out, p, r) => {
        out.elements = elementsFromV211(v, p, r);
      },
    },
    'Tariff',
  );
}

/** A whole 2.1.1 Tariff → the hub form, owned by `ctx.owner`. */
export function fromV211Tariff(tariff: TariffV211, ctx: TariffFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => tariffFromV211At(tariff, '', rec, ctx.owner));
}

/** A 2.1.1 Tariff PATCH → a hub-form Tariff PATCH. */
export function fromV211TariffPatch(patch: Partial<TariffV211>, ctx: Partial<TariffFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(tariffFromV211(patch, '', rec), ctx.receivedAt));
}

function elementsToV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return mapArray(value, path, (element, ep) => {
    if (!isObject(element)) return element;
    const restrictions = element.restrictions;
    if (isObject(restrictions) && restrictions.reservation !== undefined) {
      rec.record(ep, 'value_dropped', `OCPI 2.1.1 cannot price reservations (restriction ${String(restrictions.reservation)}): element left out`);
      return undefined;
    }
    return translateFields(element, ep, rec, TARIFF_ELEMENT_FIELDS_TO_V211, 'TariffElement');
  });
}

const VALIDITY_PERIOD_DROPPED = drop('OCPI 2.1.1 tariffs have no validity period');

export function tariffToV211(tariff: JsonObject, path: string, rec: LossRecorder, whole: boolean): JsonObject {
  const value = translateFields(
    tariff,
    path,
    rec,
    {
      ...OWNER_CARRIED_ELSEWHERE,
      ...TARIFF_FIELDS_IN_BOTH,
      type: drop('OCPI 2.1.1 has no tariff type: a 2.1.1 receiver reads every tariff as the regular one'),
      min_price: drop('OCPI 2.1.1 has no minimum price'),
      max_price: drop('OCPI 2.1.1 has no maximum price'),
      elements: (v, out, p, r) => {
        out.elements = elementsToV211(v, p, r);
      },
      start_date_time: VALIDITY_PERIOD_DROPPED,
      end_date_time: VALIDITY_PERIOD_DROPPED,
    },
    'Tariff',
  );
  if (whole && Array.isArray(value.elements) && value.elements.length === 0) {
    rec.refuse(`tariff ${String(tariff.id)} has no element OCPI 2.1.1 can express`);
  }
  return value;
}

/** A whole hub-form Tariff → 2.1.1; refused when no element is left. */
export function toV211Tariff(tariff: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => tariffToV211(tariff, '', rec, true));
}

/** A hub-form Tariff PATCH → 2.1.1. */
export function toV211TariffPatch(patch: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => tariffToV211(patch, '', rec, false));
}

/** A whole 2.1.1 tariff, owned by `owner`, its losses under `path` (also inside another object: a CDR's tariffs). */
export function tariffFromV211At(tariff: JsonObject, path: string, rec: LossRecorder, owner: PartyIdentity): JsonObject {
  return withOwner(owner, tariffFromV211(tariff, path, rec));
}
