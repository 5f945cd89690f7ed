import type { LossRecorder, Translation } from '../loss-report';
import type { CommandResponseV211, CommandTypeV211 } from './commands.v211.schema';
import { tokenFieldFromV211, tokenFieldToV211 } from './tokens.v211-translation';
import {
  copy,
  drop,
  type FieldHandler,
  type JsonObject,
  type PartyIdentity,
  translatedFromV211,
  translatedToV211,
  translateFields,
} from './translation-kit.v211';

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

/** The command fields 2.1.1 and 2.2.1 share, by command; `token` and `reservation_id` differ in form. */
const COMMAND_FIELDS_IN_BOTH: Record<CommandTypeV211, Record<string, FieldHandler>> = {
  RESERVE_NOW: { response_url: copy, expiry_date: copy, location_id: copy, evse_uid: copy },
  START_SESSION: { response_url: copy, location_id: copy, evse_uid: copy },
  STOP_SESSION: { response_url: copy, session_id: copy },
  UNLOCK_CONNECTOR: { response_url: copy, location_id: copy, evse_uid: copy, connector_id: copy },
};

/** A 2.1.1 command body (eMSP → hub) → the hub form of the same command. */
export function fromV211Command(type: CommandTypeV211, body: JsonObject, ctx: CommandFromV211Context): Translation<JsonObject> {
  const token = tokenFieldFromV211(ctx.owner);
  const handlers: Record<CommandTypeV211, Record<string, FieldHandler>> = {
    RESERVE_NOW: {
      ...COMMAND_FIELDS_IN_BOTH.RESERVE_NOW,
      token,
      reservation_id: (v, out) => void (out.reservation_id = typeof v === 'number' ? String(v) : v),
    },
    START_SESSION: { ...COMMAND_FIELDS_IN_BOTH.START_SESSION, token },
    STOP_SESSION: COMMAND_FIELDS_IN_BOTH.STOP_SESSION,
    UNLOCK_CONNECTOR: COMMAND_FIELDS_IN_BOTH.UNLOCK_CONNECTOR,
  };
  return translatedFromV211((rec) => translateFields(body, '', rec, handlers[type], type));
}

const AUTHORIZATION_REFERENCE_DROPPED = drop('OCPI 2.1.1 commands have no authorization_reference');

/** The 2.2.1 command fields by command, for a 2.1.1 receiver; CANCEL_RESERVATION has none in 2.1.1. */
const COMMAND_FIELDS_TO_V211: Record<CommandTypeV211, Record<string, FieldHandler>> = {
  RESERVE_NOW: {
    ...COMMAND_FIELDS_IN_BOTH.RESERVE_NOW,
    token: tokenFieldToV211,
    reservation_id: (v, out, _p, r) => {
      // 2.1.1 reservation_id is an int.
      if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,14})$/.test(v)) r.refuse(`reservation_id ${String(v)} is not an integer, which OCPI 2.1.1 requires`);
      out.reservation_id = Number(v);
    },
    authorization_reference: AUTHORIZATION_REFERENCE_DROPPED,
  },
  START_SESSION: {
    ...COMMAND_FIELDS_IN_BOTH.START_SESSION,
    token: tokenFieldToV211,
    connector_id: drop('OCPI 2.1.1 StartSession names no connector: the charge point picks one on the EVSE'),
    authorization_reference: AUTHORIZATION_REFERENCE_DROPPED,
  },
  STOP_SESSION: COMMAND_FIELDS_IN_BOTH.STOP_SESSION,
  UNLOCK_CONNECTOR: COMMAND_FIELDS_IN_BOTH.UNLOCK_CONNECTOR,
};

/** A hub-form command body → 2.1.1 (hub → 2.1.1 CPO); CANCEL_RESERVATION and non-numeric reservation ids are refused. */
export function toV211Command(type: string, body: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) => {
    const handlers = Object.prototype.hasOwnProperty.call(COMMAND_FIELDS_TO_V211, type) ? COMMAND_FIELDS_TO_V211[type as CommandTypeV211] : undefined;
    if (handlers === undefined) return rec.refuse(`OCPI 2.1.1 has no command ${type}`);
    return translateFields(body, '', rec, handlers, type);
  });
}

export interface CommandResponseFromV211Context {
  /** How long the hub waits for the result (seconds): 2.2.1 CommandResponse requires a timeout, 2.1.1 has none. */
  timeoutSeconds: number;
}

/**
 * A 2.1.1 CommandResponse (its one field, result) as the 2.2.1 `objectName`, which has every result
 * value but `missing`: that one is sent as `instead`.
 */
function commandResponseFromV211(
  response: CommandResponseV211,
  rec: LossRecorder,
  objectName: 'CommandResponse' | 'CommandResult',
  missing: { value: string; instead: string; detail: string },
): JsonObject {
  const result: FieldHandler = (v, out, p, r) => {
    if (v === missing.value) {
      r.record(p, 'value_narrowed', missing.detail);
      out.result = missing.instead;
    } else out.result = v;
  };
  return translateFields(response, '', rec, { result }, objectName);
}

/** A 2.1.1 synchronous CommandResponse → 2.2.1 CommandResponse (the hub's own wait as timeout). */
export function fromV211CommandResponse(response: CommandResponseV211, ctx: CommandResponseFromV211Context): Translation<JsonObject> {
  return translatedFromV211((rec) => {
    const value = commandResponseFromV211(response, rec, 'CommandResponse', {
      value: 'TIMEOUT',
      instead: 'REJECTED',
      detail: 'a 2.2.1 CommandResponse has no TIMEOUT (only a CommandResult has): sent as REJECTED',
    });
    return { ...value, timeout: ctx.timeoutSeconds };
  });
}

/** A 2.1.1 CommandResponse POSTed to response_url → 2.2.1 CommandResult. */
export function fromV211CommandResult(response: CommandResponseV211): Translation<JsonObject> {
  return translatedFromV211((rec) =>
    commandResponseFromV211(response, rec, 'CommandResult', {
      value: 'UNKNOWN_SESSION',
      instead: 'FAILED',
      detail: 'a 2.2.1 CommandResult has no UNKNOWN_SESSION: sent as FAILED',
    }),
  );
}

/** 2.2.1 CommandResponse and CommandResult carry a message; the 2.1.1 CommandResponse has none. */
const MESSAGE_DROPPED = drop('OCPI 2.1.1 CommandResponse has no message');

/** A 2.2.1 CommandResponse → 2.1.1 (the synchronous answer to a 2.1.1 eMSP). */
export function toV211CommandResponse(response: JsonObject): Translation<JsonObject> {
  return translatedToV211((rec) =>
    translateFields(
      response,
      '',
      rec,
      {
        result: copy,
        timeout: drop('OCPI 2.1.1 CommandResponse has no timeout: the eMSP cannot tell how long to wait for the result'),
        message: MESSAGE_DROPPED,
      },
      'CommandResponse',
    ),
  );
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
  return translatedToV211((rec) =>
    translateFields(
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
        message: MESSAGE_DROPPED,
      },
      'CommandResult',
    ),
  );
}
