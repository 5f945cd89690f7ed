import type { LossRecorder, Translation } from '../loss-report';
import {
  embeddedLocationToV211,
  relevantEvseAndConnector,
  SESSION_AND_CDR_FIELDS_TO_V211,
  sessionAndCdrFieldsFromV211,
} from './charging-parts.v211-translation';
import type { SessionV211 } from './sessions.v211.schema';
import {
  carriedElsewhere,
  copy,
  type JsonObject,
  type KnownToken,
  type PartyIdentity,
  type PatchReceivedAtContext,
  rename,
  translatedFromV211,
  translatedToV211,
  translateFields,
  withOwner,
  withReceivedAt,
} from './translation-kit.v211';

/**
 * Sessions between OCPI 2.1.1 and the hub form (2.2.1). 2.1.1 names the token by `auth_id` and
 * carries the whole location (with the one EVSE and connector); 2.2.1 carries `cdr_token` and the
 * three ids. Each direction takes what the other lacks from what the hub knows (the token, the
 * location), passed in the context, and refuses when it is not given.
 */

export interface SessionFromV211Context extends PatchReceivedAtContext {
  /** The CPO the session belongs to: the sender's address. */
  owner: PartyIdentity;
  /** The token auth_id names, as the hub knows it (needed whenever auth_id is present). */
  token?: KnownToken;
}

export interface SessionToV211Context {
  /** The location the session's location_id names, as the hub knows it (needed whenever the ids are present). */
  location?: JsonObject;
}

function sessionFromV211(session: JsonObject, rec: LossRecorder, ctx: Partial<SessionFromV211Context>): JsonObject {
  return translateFields(
    session,
    '',
    rec,
    {
      ...sessionAndCdrFieldsFromV211(ctx.token),
      start_datetime: rename('start_date_time'),
      end_datetime: rename('end_date_time'),
      kwh: copy,
      location: (v, out, _p, r) => {
        // The 2.2.1 receiver reads the rest of the location from the Locations module.
        const { location, evse, connector } = relevantEvseAndConnector(v, r);
        out.location_id = location.id;
        out.evse_uid = evse.uid;
        out.connector_id = connector.id;
      },
      status: copy,
    },
    'Session',
  );
}

/** A whole 2.1.1 Session → the hub form; refused without the token auth_id names. */
export function fromV211Session(session: SessionV211, ctx: SessionFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => withOwner(ctx.owner, sessionFromV211(session, rec, ctx)));
}

/** A 2.1.1 Session PATCH → a hub-form Session PATCH (a PATCH naming auth_id needs the token too). */
export function fromV211SessionPatch(patch: Partial<SessionV211>, ctx: Partial<SessionFromV211Context> = {}): Translation<JsonObject> {
  return translatedFromV211((rec) => withReceivedAt(sessionFromV211(patch, rec, ctx), ctx.receivedAt));
}

function sessionToV211(session: JsonObject, rec: LossRecorder, ctx: SessionToV211Context): JsonObject {
  const value = translateFields(
    session,
    '',
    rec,
    {
      ...SESSION_AND_CDR_FIELDS_TO_V211,
      start_date_time: rename('start_datetime'),
      end_date_time: rename('end_datetime'),
      kwh: copy,
      // Replaced below by the whole location.
      location_id: carriedElsewhere,
      evse_uid: carriedElsewhere,
      connector_id: carriedElsewhere,
      status: (v, out, p, r) => {
        if (v === 'RESERVATION') {
          r.record(p, 'value_narrowed', 'OCPI 2.1.1 has no RESERVATION session status: sent as PENDING ("it has not yet started")');
          out.status = 'PENDING';
        } else out.status = v;
      },
    },
    'Session',
  );
  const ids = { location_id: session.location_id, evse_uid: session.evse_uid, connector_id: session.connector_id };
  const named = Object.values(ids).filter((id) => id !== undefined).length;
  if (named > 0) {
    if (named < 3) rec.refuse('a 2.1.1 session carries the whole location: a PATCH must name location_id, evse_uid and connector_id together');
    value.location = embeddedLocationToV211(ctx.location, ids, 'location', rec);
  }
  return value;
}

/** A whole hub-form Session → 2.1.1; refused without the location the hub knows. */
export function toV211Session(session: JsonObject, ctx: SessionToV211Context): Translation<JsonObject> {
  return translatedToV211((rec) => sessionToV211(session, rec, ctx));
}

/** A hub-form Session PATCH → 2.1.1. */
export function toV211SessionPatch(patch: JsonObject, ctx: SessionToV211Context = {}): Translation<JsonObject> {
  return translatedToV211((rec) => sessionToV211(patch, rec, ctx));
}
