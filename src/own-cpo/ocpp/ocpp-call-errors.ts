import type { OcppProtocol } from '../chargers/chargers.service';

/**
 * CALLERROR codes in the charger's own version, and OCPP-J's message id limit. Pure: frames in,
 * frames out. ocpp-rpc spells some codes in the other version's way (its 1.6 "workaround" even turns
 * 1.6's OccurenceConstraintViolation into 2.0.1's spelling) and answers garbage with 2.0.1-only codes.
 */

const OCPP_J_201_CODES = ['FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported', 'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError', 'SecurityError', 'TypeConstraintViolation'];

/** The codes each version defines (OCPP-J 1.6 section 4.2.3; OCPP-J 2.0.1 section 4.3; 2.1 keeps 2.0.1's). */
export const CALL_ERROR_CODES: Record<OcppProtocol, readonly string[]> = {
  'ocpp1.6': ['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError'],
  'ocpp2.0.1': OCPP_J_201_CODES,
  'ocpp2.1': OCPP_J_201_CODES,
};

/**
 * The other version's codes in this version's words. 1.6 has no RpcFrameworkError: a frame that is
 * not a readable OCPP-J message is "syntactically incorrect or not conform the PDU structure"
 * (FormationViolation); nor MessageTypeNotSupported: an unknown message type is "any other error"
 * (GenericError). Anything else a version does not define becomes GenericError.
 */
const IN_OWN_WORDS: Record<OcppProtocol, Record<string, string>> = {
  'ocpp1.6': {
    FormatViolation: 'FormationViolation',
    OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
    RpcFrameworkError: 'FormationViolation',
    MessageTypeNotSupported: 'GenericError',
  },
  'ocpp2.0.1': { FormationViolation: 'FormatViolation', OccurenceConstraintViolation: 'OccurrenceConstraintViolation' },
  'ocpp2.1': { FormationViolation: 'FormatViolation', OccurenceConstraintViolation: 'OccurrenceConstraintViolation' },
};

export function callErrorCode(protocol: OcppProtocol, code: string): string {
  const own = IN_OWN_WORDS[protocol][code] ?? code;
  return CALL_ERROR_CODES[protocol].includes(own) ? own : 'GenericError';
}

/** An outbound frame with its CALLERROR code in the protocol's spelling; any other frame as it was. */
export function inOwnWords(protocol: OcppProtocol, frame: string): string {
  if (!frame.startsWith('[4,')) return frame;
  const message = JSON.parse(frame) as unknown[];
  if (typeof message[2] !== 'string') return frame;
  const code = callErrorCode(protocol, message[2]);
  return code === message[2] ? frame : JSON.stringify([4, message[1], code, ...message.slice(3)]);
}

/** "The message ID … maximum of 36 characters" (OCPP-J 1.6 section 4.1.3; 2.0.1 section 4.2.1). */
export const MAX_MESSAGE_ID_LENGTH = 36;

const CALL_ID = /^\s*\[\s*2\s*,\s*("(?:[^"\\]|\\.)*")/;

/**
 * The message id of a CALL frame whose id is longer than OCPP-J allows, or undefined. Reads only the
 * frame's start; the id's escapes count as the characters they stand for.
 */
export function overlongCallId(frame: string): string | undefined {
  const literal = CALL_ID.exec(frame)?.[1];
  if (!literal || literal.length - 2 <= MAX_MESSAGE_ID_LENGTH) return undefined;
  const id = JSON.parse(literal) as string;
  return id.length > MAX_MESSAGE_ID_LENGTH ? id : undefined;
}

/** The CALLERROR for a CALL with an over-long message id, with that id so the charger can match it. */
export function overlongIdError(protocol: OcppProtocol, id: string): string {
  return JSON.stringify([4, id, callErrorCode(protocol, 'RpcFrameworkError'), `The message id must be at most ${MAX_MESSAGE_ID_LENGTH} characters`, {}]);
}
