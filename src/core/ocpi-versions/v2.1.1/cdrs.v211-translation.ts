import type { LossRecorder, Translation } from '../loss-report';
import type { CdrV211 } from './cdrs.v211.schema';
import {
  embeddedLocationToV211,
  relevantEvseAndConnector,
  SESSION_AND_CDR_FIELDS_TO_V211,
  sessionAndCdrFieldsFromV211,
} from './charging-parts.v211-translation';
import { tariffFromV211At, tariffToV211 } from './tariffs.v211-translation';
import {
  carriedElsewhere,
  copy,
  drop,
  isObject,
  type JsonObject,
  type KnownToken,
  mapArray,
  type PartyIdentity,
  rename,
  translatedFromV211,
  translatedToV211,
  translateFields,
  withOwner,
} from './translation-kit.v211';

/**
 * CDRs between OCPI 2.1.1 and the hub form (2.2.1). A 2.1.1 CDR has no cdr_token: `auth_id` is the
 * token's contract id, and only the token the hub knows says whose token it is (the eMSP the CDR goes
 * to), so without it the CDR is refused. Costs are numbers excluding VAT; the location is whole.
 * CDRs are never PATCHed (mod_cdrs.md): only whole objects.
 */

export interface CdrFromV211Context {
  /** The CPO the CDR comes from: the sender's address. */
  owner: PartyIdentity;
  /** The token auth_id names, as the hub knows it. Required. */
  token?: KnownToken;
}

export interface CdrToV211Context {
  /** The location cdr_location.id names, as the hub knows it. Required. */
  location?: JsonObject;
}

/** A 2.1.1 CDR → the hub form; refused without the token auth_id names. */
export function fromV211Cdr(cdr: CdrV211, ctx: CdrFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => withOwner(ctx.owner, cdrFromV211(cdr, rec, ctx)));
}

function cdrFromV211(cdr: CdrV211, rec: LossRecorder, ctx: CdrFromV211Context): JsonObject {
  return translateFields(
    cdr,
    '',
    rec,
    {
      ...sessionAndCdrFieldsFromV211(ctx.token),
      start_date_time: copy,
      stop_date_time: rename('end_date_time'),
      location: (v, out, _p, r) => {
        const { location, evse, connector } = relevantEvseAndConnector(v, r);
        if (evse.evse_id === undefined) r.refuse(`EVSE ${String(evse.uid)} has no evse_id, which a 2.2.1 CDR location requires`);
        // The rest of the location (other fields, the EVSE's status, …) is the Locations module's.
        const cdrLocation: JsonObject = {
          id: location.id,
          name: location.name,
          address: location.address,
          city: location.city,
          postal_code: location.postal_code,
          country: location.country,
          coordinates: location.coordinates,
          evse_uid: evse.uid,
          evse_id: evse.evse_id,
          connector_id: connector.id,
          connector_standard: connector.standard,
          connector_format: connector.format,
          connector_power_type: connector.power_type,
        };
        for (const key of Object.keys(cdrLocation)) if (cdrLocation[key] === undefined) delete cdrLocation[key];
        out.cdr_location = cdrLocation;
      },
      tariffs: (v, out, p, r) => {
        out.tariffs = mapArray(v, p, (t, tp) => (isObject(t) ? tariffFromV211At(t, tp, r, ctx.owner) : t));
      },
      total_energy: copy,
      total_time: copy,
      total_parking_time: copy,
      remark: copy,
    },
    'CDR',
  );
}

const COST_DETAIL = 'OCPI 2.1.1 CDRs carry only total_cost';

/** A hub-form CDR → 2.1.1; refused without the location the hub knows, and for credit CDRs. */
export function toV211Cdr(cdr: JsonObject, ctx: CdrToV211Context): Translation<JsonObject> {
  return translatedToV211((rec) => {
    if (cdr.credit === true) rec.refuse(`CDR ${String(cdr.id)} is a credit CDR: OCPI 2.1.1 has no credit CDRs, its amounts would be read as a charge`);
    const value = translateFields(
      cdr,
      '',
      rec,
      {
        ...SESSION_AND_CDR_FIELDS_TO_V211,
        start_date_time: copy,
        end_date_time: rename('stop_date_time'),
        session_id: drop('OCPI 2.1.1 CDRs do not name their session'),
        cdr_location: (v, out, p, r) => {
          if (!isObject(v)) return;
          if (v.state !== undefined) r.record(`${p}.state`, 'field_dropped', 'OCPI 2.1.1 locations have no state');
          out.location = embeddedLocationToV211(ctx.location, { location_id: v.id, evse_uid: v.evse_uid, connector_id: v.connector_id }, 'location', r, {
            // The CDR's own snapshot of the place wins over the location as the hub knows it today.
            location: pick(v, ['name', 'address', 'city', 'postal_code', 'country', 'coordinates']),
            evse: pick(v, ['evse_id']),
            connector: {
              ...(v.connector_standard !== undefined ? { standard: v.connector_standard } : {}),
              ...(v.connector_format !== undefined ? { format: v.connector_format } : {}),
              ...(v.connector_power_type !== undefined ? { power_type: v.connector_power_type } : {}),
            },
          });
        },
        tariffs: (v, out, p, r) => {
          out.tariffs = mapArray(v, p, (t, tp) => (isObject(t) ? tariffToV211(t, tp, r, true) : t));
        },
        signed_data: drop('OCPI 2.1.1 CDRs carry no signed meter data'),
        total_fixed_cost: drop(COST_DETAIL),
        total_energy: copy,
        total_energy_cost: drop(COST_DETAIL),
        total_time: copy,
        total_time_cost: drop(COST_DETAIL),
        total_parking_time: copy,
        total_parking_cost: drop(COST_DETAIL),
        total_reservation_cost: drop(COST_DETAIL),
        remark: copy,
        invoice_reference_id: drop('OCPI 2.1.1 CDRs have no invoice_reference_id'),
        // Only false gets here (a credit CDR is refused above): a normal CDR, as every 2.1.1 CDR is.
        credit: carriedElsewhere,
        credit_reference_id: drop('OCPI 2.1.1 has no credit CDRs'),
        home_charging_compensation: drop('OCPI 2.1.1 CDRs have no home_charging_compensation'),
      },
      'CDR',
    );
    if (Array.isArray(value.charging_periods) && value.charging_periods.length === 0) {
      rec.refuse(`CDR ${String(cdr.id)} has no charging period OCPI 2.1.1 can express`);
    }
    return value;
  });
}

function pick(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
