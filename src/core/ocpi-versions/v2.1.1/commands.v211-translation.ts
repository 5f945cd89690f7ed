import type { LossRecorder, Translation } from '../loss-report';
import type { CommandResponseV211, CommandTypeV211 } from './commands.v211.schema';
import { tokenFromV211, tokenToV211 } from './tokens.v211-translation';
import { copy, done, drop, type FieldHandler, isObject, type JsonObject, type PartyIdentity, recorder, translateFields } from './translation-kit.v211';

/**
 * Commands between OCPI 2.1.1 and the hub form (2.2.1). 2.1.1 has four commands (no
 * CANCEL_RESERVATION), an integer reservation_id and no connector_id in StartSession. Its
 * CommandResponse is both the synchronous answer (no timeout) and the asynchronous result the CPO
 * POSTs to response_url (2.2.1 splits them into CommandResponse and CommandResult).
 */

export interface CommandFromV211Context {
  /** The eMSP sending the command: the owner of the token it carries (2.1.1 tokens do not say). */
  owner: PartyIdentity;
}

function tokenFromV211InCommand(token: unknown, owner: PartyIdentity, path: string, rec: LossRecorder): unknown {
  if (!isObject(token)) return token;
  return { country_code: owner.country_code, party_id: owner.party_id, ...tokenFromV211(token, path, rec) };
}

/** A 2.1.1 command body (eMSP → hub) → the hub form of the same command. */
export function fromV211Command(type: CommandTypeV211, body: JsonObject, ctx: CommandFromV211Context): Translation<JsonObject> {
  const rec = recorder('2.1.1', '2.2.1');
  const token = (v: unknown, out: JsonObject, p: string, r: LossRecorder) => void (out.token = tokenFromV211InCommand(v, ctx.owner, p, r));
  const handlers: Record<string, FieldHandler> = (
    {
    RESERVE_NOW: {
      response_url: copy,
      token,
      expiry_date: copy,
      reservation_id: (v: unknown, out: JsonObject) => void (out.reservation_id = typeof v === 'number' ? String(v) : v),
      location_id: copy,
      evse_uid: copy,
    },
    START_SESSION: { response_url: copy, token, location_id: copy, evse_uid: copy },
    STOP_SESSION: { response_url: copy, session_id: copy },
    UNLOCK_CONNECTOR: { response_url: copy, location_id: copy, evse_uid: copy, connector_id: copy },
    } as Record<CommandTypeV211, Record<string, FieldHandler>>
  )[type];
  return done(translateFields(body, '', rec, handlers, type), rec);
}

/** A hub-form command body → 2.1.1 (hub → 2.1.1 CPO); CANCEL_RESERVATION and non-numeric reservation ids are refused. */
export function toV211Command(type: string, body: JsonObject): Translation<JsonObject> {
  const rec = recorder('2.2.1', '2.1.1');
  const token = (v: unknown, out: JsonObject, p: string, r: LossRecorder) => void (out.token = isObject(v) ? tokenToV211(v, p, r) : v);
  const authorizationReference = drop('OCPI 2.1.1 commands have no authorization_reference');
  let handlers: Record<string, FieldHandler>;
  switch (type) {
    case 'RESERVE_NOW':
      handlers = {
        response_url: copy,
        token,
        expiry_date: copy,
        reservation_id: (v: unknown, out: JsonObject, _p: string, r: LossRecorder) => {
          // 2.1.1 reservation_id is an int.
          if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,14})$/.test(v)) r.refuse(`reservation_id ${String(v)} is not an integer, which OCPI 2.1.1 requires`);
          out.reservation_id = Number(v);
        },
        location_id: copy,
        evse_uid: copy,
        authorization_reference: authorizationReference,
      };
      break;
    case 'START_SESSION':
      handlers = {
        response_url: copy,
        token,
        location_id: copy,
        evse_uid: copy,
        connector_id: drop('OCPI 2.1.1 StartSession names no connector: the charge point picks one on the EVSE'),
        authorization_reference: authorizationReference,
      };
      break;
    case 'STOP_SESSION':
      handlers = { response_url: copy, session_id: copy };
      break;
    case 'UNLOCK_CONNECTOR':
      handlers = { response_url: copy, location_id: copy, evse_uid: copy, connector_id: copy };
      break;
    default:
      return rec.refuse(`OCPI 2.1.1 has no command ${type}`);
  }
  return done(translateFields(body, '', rec, handlers, type), rec);
}

export interface CommandResponseFromV211Context {
  /** How long the hub waits for the result (seconds): 2.2.1 CommandResponse requires a timeout, 2.1.1 has none. */
  timeoutSeconds: number;
}

/** A 2.1.1 synchronous CommandResponse → 2.2.1 CommandResponse (the hub's own wait as timeout). */
export function fromV211CommandResponse(response: CommandResponseV211, ctx: CommandResponseFromV211Context): Translation<JsonObject> {
  const rec = recorder('2.1.1', '2.2.1');
  const value = translateFields(
    response,
    '',
    rec,
    {
      result: (v, out, p, r) => {
        if (v === 'TIMEOUT') {
          r.record(p, 'value_narrowed', 'a 2.2.1 CommandResponse has no TIMEOUT (only a CommandResult has): sent as REJECTED');
          out.result = 'REJECTED';
        } else out.result = v;
      },
    },
    'CommandResponse',
  );
  return done({ ...value, timeout: ctx.timeoutSeconds }, rec);
}

/** A 2.1.1 CommandResponse POSTed to response_url → 2.2.1 CommandResult. */
export function fromV211CommandResult(response: CommandResponseV211): Translation<JsonObject> {
  const rec = recorder('2.1.1', '2.2.1');
  const value = translateFields(
    response,
    '',
    rec,
    {
      result: (v, out, p, r) => {
        if (v === 'UNKNOWN_SESSION') {
          r.record(p, 'value_narrowed', 'a 2.2.1 CommandResult has no UNKNOWN_SESSION: sent as FAILED');
          out.result = 'FAILED';
        } else out.result = v;
      },
    },
    'CommandResult',
  );
  return done(value, rec);
}

/** A 2.2.1 CommandResponse → 2.1.1 (the synchronous answer to a 2.1.1 eMSP). */
export function toV211CommandResponse(response: JsonObject): Translation<JsonObject> {
  const rec = recorder('2.2.1', '2.1.1');
  const value = translateFields(
    response,
    '',
    rec,
    {
      result: copy,
      timeout: drop('OCPI 2.1.1 CommandResponse has no timeout: the eMSP cannot tell how long to wait for the result'),
      message: drop('OCPI 2.1.1 CommandResponse has no message'),
    },
    'CommandResponse',
  );
  return done(value, rec);
}

/** 2.2.1 CommandResult values 2.1.1 CommandResponseType lacks: all are a failure of the command. */
const RESULT_TO_V211: Record<string, string> = {
  ACCEPTED: 'ACCEPTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  REJECTED: 'REJECTED',
  TIMEOUT: 'TIMEOUT',
};

/** A 2.2.1 CommandResult → the 2.1.1 CommandResponse POSTed to the eMSP's response_url. */
export function toV211CommandResult(result: JsonObject): Translation<JsonObject> {
  const rec = recorder('2.2.1', '2.1.1');
  const value = translateFields(
    result,
    '',
    rec,
    {
      result: (v, out, p, r) => {
        const mapped = typeof v === 'string' ? RESULT_TO_V211[v] : undefined;
        if (mapped === undefined) {
          r.record(p, 'value_narrowed', `OCPI 2.1.1 has no command result ${String(v)}: sent as REJECTED`);
          out.result = 'REJECTED';
        } else out.result = mapped;
      },
      message: drop('OCPI 2.1.1 CommandResponse has no message'),
    },
    'CommandResult',
  );
  return done(value, rec);
}
