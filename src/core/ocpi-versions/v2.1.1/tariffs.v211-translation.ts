import type { LossRecorder, Translation } from '../loss-report';
import type { TariffV211 } from './tariffs.v211.schema';
import {
  carriedElsewhere,
  copy,
  done,
  drop,
  isObject,
  type JsonObject,
  mapArray,
  type PartyIdentity,
  recorder,
  translateFields,
} from './translation-kit.v211';

/**
 * Tariffs between OCPI 2.1.1 and the hub form (2.2.1). The dimension types are the same in both
 * (ENERGY, FLAT, PARKING_TIME, TIME: 2.1.1 has PARKING_TIME already). 2.2.1 adds the tariff type,
 * min/max price, a validity period, VAT per price component and the current and reservation
 * restrictions: 2.1.1 cannot carry them. An element restricted to reservations is left out (without
 * its restriction it would price charging); a tariff left with no element is refused.
 */

export interface TariffFromV211Context {
  /** The CPO the tariff belongs to: the sender's address. */
  owner: PartyIdentity;
  /** For a PATCH without last_updated (2.1.1 does not require it): when the hub received it. */
  receivedAt?: string;
}

const RESTRICTIONS_V211 = {
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

function elementsFromV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return mapArray(value, path, (element, ep) => {
    if (!isObject(element)) return element;
    return translateFields(
      element,
      ep,
      rec,
      {
        price_components: (v, out, p, r) => {
          out.price_components = mapArray(v, p, (c, cp) =>
            isObject(c) ? translateFields(c, cp, r, { type: copy, price: copy, step_size: copy }, 'PriceComponent') : c,
          );
        },
        restrictions: (v, out, p, r) => {
          out.restrictions = isObject(v) ? translateFields(v, p, r, RESTRICTIONS_V211, 'TariffRestrictions') : v;
        },
      },
      'TariffElement',
    );
  });
}

function tariffFromV211(tariff: JsonObject, path: string, rec: LossRecorder): JsonObject {
  return translateFields(
    tariff,
    path,
    rec,
    {
      id: copy,
      currency: copy,
      tariff_alt_text: copy,
      tariff_alt_url: copy,
      elements: (v, out, p, r) => {
        out.elements = elementsFromV211(v, p, r);
      },
      energy_mix: copy,
      last_updated: copy,
    },
    'Tariff',
  );
}

/** A whole 2.1.1 Tariff → the hub form, owned by `ctx.owner`. */
export function fromV211Tariff(tariff: TariffV211, ctx: TariffFromV211Context): Translation<JsonObject> {
  const rec = recorder('2.1.1', '2.2.1');
  return done({ country_code: ctx.owner.country_code, party_id: ctx.owner.party_id, ...tariffFromV211(tariff, '', rec) }, rec);
}

/** A 2.1.1 Tariff PATCH → a hub-form Tariff PATCH. */
export function fromV211TariffPatch(patch: Partial<TariffV211>, ctx: Partial<TariffFromV211Context> = {}): Translation<JsonObject> {
  const rec = recorder('2.1.1', '2.2.1');
  const value = tariffFromV211(patch, '', rec);
  if (value.last_updated === undefined && ctx.receivedAt !== undefined) value.last_updated = ctx.receivedAt;
  return done(value, rec);
}

function elementsToV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return mapArray(value, path, (element, ep) => {
    if (!isObject(element)) return element;
    const restrictions = element.restrictions;
    if (isObject(restrictions) && restrictions.reservation !== undefined) {
      rec.record(ep, 'value_dropped', `OCPI 2.1.1 cannot price reservations (restriction ${String(restrictions.reservation)}): element left out`);
      return undefined;
    }
    return translateFields(
      element,
      ep,
      rec,
      {
        price_components: (v, out, p, r) => {
          out.price_components = mapArray(v, p, (c, cp) =>
            isObject(c)
              ? translateFields(
                  c,
                  cp,
                  r,
                  { type: copy, price: copy, vat: drop('OCPI 2.1.1 price components have no VAT rate (prices exclude VAT)'), step_size: copy },
                  'PriceComponent',
                )
              : c,
          );
        },
        restrictions: (v, out, p, r) => {
          out.restrictions = isObject(v)
            ? translateFields(
                v,
                p,
                r,
                {
                  ...RESTRICTIONS_V211,
                  min_current: drop('OCPI 2.1.1 has no current restriction: the element applies at any current'),
                  max_current: drop('OCPI 2.1.1 has no current restriction: the element applies at any current'),
                },
                'TariffRestrictions',
              )
            : v;
        },
      },
      'TariffElement',
    );
  });
}

export function tariffToV211(tariff: JsonObject, path: string, rec: LossRecorder, whole: boolean): JsonObject {
  const value = translateFields(
    tariff,
    path,
    rec,
    {
      // Carried by the URL of a push (/tariffs/{country_code}/{party_id}/{id}) and the credentials.
      country_code: carriedElsewhere,
      party_id: carriedElsewhere,
      id: copy,
      currency: copy,
      type: drop('OCPI 2.1.1 has no tariff type: a 2.1.1 receiver reads every tariff as the regular one'),
      tariff_alt_text: copy,
      tariff_alt_url: copy,
      min_price: drop('OCPI 2.1.1 has no minimum price'),
      max_price: drop('OCPI 2.1.1 has no maximum price'),
      elements: (v, out, p, r) => {
        out.elements = elementsToV211(v, p, r);
      },
      start_date_time: drop('OCPI 2.1.1 tariffs have no validity period'),
      end_date_time: drop('OCPI 2.1.1 tariffs have no validity period'),
      energy_mix: copy,
      last_updated: copy,
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
  const rec = recorder('2.2.1', '2.1.1');
  return done(tariffToV211(tariff, '', rec, true), rec);
}

/** A hub-form Tariff PATCH → 2.1.1. */
export function toV211TariffPatch(patch: JsonObject): Translation<JsonObject> {
  const rec = recorder('2.2.1', '2.1.1');
  return done(tariffToV211(patch, '', rec, false), rec);
}

/** A whole 2.1.1 tariff inside another object (a CDR's tariffs), its losses under `path`. */
export function tariffFromV211At(tariff: JsonObject, path: string, rec: LossRecorder, owner: PartyIdentity): JsonObject {
  return { country_code: owner.country_code, party_id: owner.party_id, ...tariffFromV211(tariff, path, rec) };
}
