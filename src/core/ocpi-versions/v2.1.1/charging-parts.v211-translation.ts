import type { LossRecorder } from '../loss-report';
import { CdrDimensionTypeV211 } from './cdrs.v211.schema';
import { locationToV211 } from './locations.v211-translation';
import {
  copy,
  drop,
  emptiedList,
  type FieldHandler,
  isObject,
  type JsonObject,
  type KnownToken,
  mapArray,
  OWNER_CARRIED_ELSEWHERE,
  translateFields,
} from './translation-kit.v211';

/**
 * The parts sessions and CDRs share between OCPI 2.1.1 and the hub form (2.2.1): charging periods,
 * costs, the token (2.1.1 `auth_id`, 2.2.1 `cdr_token`) and the location (2.1.1 a whole Location with
 * only the relevant EVSE and connector, 2.2.1 its ids or a CdrLocation).
 */

const CDR_DIMENSIONS_V211: readonly string[] = CdrDimensionTypeV211.options;
/** 2.2.1 CdrDimensionType (mod_cdrs.asciidoc): FLAT is a 2.1.1 CDR dimension 2.2.1 dropped. */
const CDR_DIMENSIONS_V221 = [
  'CURRENT', 'ENERGY', 'ENERGY_EXPORT', 'ENERGY_IMPORT', 'MAX_CURRENT', 'MIN_CURRENT', 'MAX_POWER', 'MIN_POWER', 'PARKING_TIME', 'POWER',
  'RESERVATION_TIME', 'STATE_OF_CHARGE', 'TIME',
];

function periodsBetween(value: unknown, path: string, rec: LossRecorder, known: readonly string[], extra: Record<string, ReturnType<typeof drop>>): unknown[] {
  return mapArray(value, path, (period, pp) => {
    if (!isObject(period)) return period;
    const out = translateFields(
      period,
      pp,
      rec,
      {
        start_date_time: copy,
        dimensions: (v, o, p, r) => {
          o.dimensions = mapArray(v, p, (d, dp) => {
            if (!isObject(d)) return d;
            if (typeof d.type === 'string' && !known.includes(d.type)) {
              r.record(dp, 'value_dropped', `OCPI ${r.to} has no CDR dimension ${d.type}`);
              return undefined;
            }
            return translateFields(d, dp, r, { type: copy, volume: copy }, 'CdrDimension');
          });
        },
        ...extra,
      },
      'ChargingPeriod',
    );
    if (emptiedList(period.dimensions, out.dimensions)) {
      rec.record(pp, 'value_dropped', `no dimension of this charging period exists in OCPI ${rec.to}: period left out`);
      return undefined;
    }
    return out;
  });
}

/**
 * The fields a 2.1.1 Session and CDR share, 2.1.1 → 2.2.1: the token (`auth_id` needs the token the hub
 * knows), how it was authorized, the meter, the money and the charging periods.
 */
export function sessionAndCdrFieldsFromV211(token: KnownToken | undefined): Record<string, FieldHandler> {
  return {
    id: copy,
    auth_id: (v, out, _p, r) => {
      out.cdr_token = cdrTokenFromV211(v, token, r);
    },
    auth_method: copy,
    meter_id: copy,
    currency: copy,
    charging_periods: (v, out, p, r) => {
      out.charging_periods = chargingPeriodsFromV211(v, p, r);
    },
    total_cost: (v, out) => {
      out.total_cost = priceFromV211(v);
    },
    last_updated: copy,
  };
}

/** The same shared fields of a hub-form Session and CDR, 2.2.1 → 2.1.1. */
export const SESSION_AND_CDR_FIELDS_TO_V211: Record<string, FieldHandler> = {
  ...OWNER_CARRIED_ELSEWHERE,
  id: copy,
  cdr_token: (v, out) => {
    out.auth_id = authIdToV211(v);
  },
  auth_method: (v, out, p, r) => {
    out.auth_method = authMethodToV211(v, p, r);
  },
  authorization_reference: drop('OCPI 2.1.1 has no authorization_reference'),
  meter_id: copy,
  currency: copy,
  charging_periods: (v, out, p, r) => {
    out.charging_periods = chargingPeriodsToV211(v, p, r);
  },
  total_cost: (v, out, p, r) => {
    out.total_cost = priceToV211(v, p, r);
  },
  last_updated: copy,
};

function authMethodToV211(value: unknown, path: string, rec: LossRecorder): unknown {
  if (value === 'COMMAND') {
    rec.record(path, 'value_narrowed', 'OCPI 2.1.1 has no COMMAND auth method: sent as AUTH_REQUEST (the eMSP authorized the start)');
    return 'AUTH_REQUEST';
  }
  return value;
}

function chargingPeriodsFromV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return periodsBetween(value, path, rec, CDR_DIMENSIONS_V221, {});
}

function chargingPeriodsToV211(value: unknown, path: string, rec: LossRecorder): unknown[] {
  return periodsBetween(value, path, rec, CDR_DIMENSIONS_V211, { tariff_id: drop('OCPI 2.1.1 charging periods name no tariff') });
}

/** 2.1.1 numeric cost (excl. VAT) → 2.2.1 Price. */
function priceFromV211(value: unknown): unknown {
  return typeof value === 'number' ? { excl_vat: value } : value;
}

/** 2.2.1 Price → 2.1.1 number excluding VAT; the VAT-inclusive figure is named as narrowed. */
function priceToV211(value: unknown, path: string, rec: LossRecorder): unknown {
  if (!isObject(value)) return value;
  if (value.incl_vat !== undefined) {
    rec.record(path, 'value_narrowed', `OCPI 2.1.1 costs exclude VAT: ${String(value.excl_vat)} sent, incl_vat ${String(value.incl_vat)} left out`);
  }
  return value.excl_vat;
}

/** 2.1.1 auth_id → 2.2.1 cdr_token: only the token the hub knows can say whose and which token it is. */
function cdrTokenFromV211(authId: unknown, token: KnownToken | undefined, rec: LossRecorder): JsonObject {
  if (token === undefined) {
    rec.refuse(`auth_id ${String(authId)} names a token by its contract id only, and no one token with that contract id is known (2.2.1 needs its owner, in cdr_token)`);
  }
  if (token.contract_id !== authId) {
    rec.refuse(`the token passed (contract_id ${token.contract_id}) is not the one auth_id ${String(authId)} names`);
  }
  return { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id };
}

/** 2.2.1 cdr_token → 2.1.1 auth_id. The eMSP receiving it issued the token, so it knows the rest. */
function authIdToV211(cdrToken: unknown): unknown {
  return isObject(cdrToken) ? cdrToken.contract_id : cdrToken;
}

/** The one EVSE and connector a 2.1.1 session or CDR location must carry ("only the relevant EVSE and connector"). */
export function relevantEvseAndConnector(location: unknown, rec: LossRecorder): { location: JsonObject; evse: JsonObject; connector: JsonObject } {
  if (!isObject(location)) rec.refuse('location is not an object');
  const evses = location.evses;
  if (!Array.isArray(evses) || evses.length !== 1 || !isObject(evses[0])) {
    rec.refuse(`location ${String(location.id)} must carry exactly the one EVSE of the session`);
  }
  const evse = evses[0] as JsonObject;
  const connectors = evse.connectors;
  if (!Array.isArray(connectors) || connectors.length !== 1 || !isObject(connectors[0])) {
    rec.refuse(`EVSE ${String(evse.uid)} must carry exactly the one connector of the session`);
  }
  return { location, evse, connector: connectors[0] as JsonObject };
}

/**
 * The whole 2.1.1 location of a session or CDR, from the hub's Location (2.2.1) reduced to the one
 * EVSE and connector; `snapshot` overrides fields with the values the object itself carries.
 */
export function embeddedLocationToV211(
  known: JsonObject | undefined,
  ids: { location_id: unknown; evse_uid: unknown; connector_id: unknown },
  path: string,
  rec: LossRecorder,
  snapshot: { location?: JsonObject; evse?: JsonObject; connector?: JsonObject } = {},
): JsonObject {
  if (known === undefined) {
    rec.refuse(`OCPI 2.1.1 carries the whole location; the hub must pass location ${String(ids.location_id)} as it knows it`);
  }
  if (known.id !== ids.location_id) rec.refuse(`the location passed (${String(known.id)}) is not ${String(ids.location_id)}`);
  const evse = Array.isArray(known.evses) ? known.evses.find((e) => isObject(e) && e.uid === ids.evse_uid) : undefined;
  if (!isObject(evse)) rec.refuse(`location ${String(ids.location_id)} has no EVSE ${String(ids.evse_uid)}`);
  const connector = Array.isArray(evse.connectors) ? evse.connectors.find((c) => isObject(c) && c.id === ids.connector_id) : undefined;
  if (!isObject(connector)) rec.refuse(`EVSE ${String(ids.evse_uid)} has no connector ${String(ids.connector_id)}`);
  const reduced = {
    ...known,
    ...snapshot.location,
    evses: [{ ...evse, ...snapshot.evse, connectors: [{ ...connector, ...snapshot.connector }] }],
  };
  const value = locationToV211(reduced, path, rec, true);
  if (!Array.isArray(value.evses) || value.evses.length !== 1) {
    rec.refuse(`connector ${String(ids.connector_id)} of EVSE ${String(ids.evse_uid)} cannot be expressed in OCPI 2.1.1`);
  }
  return value;
}

