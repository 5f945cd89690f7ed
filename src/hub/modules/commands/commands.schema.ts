import { z } from 'zod';
import { CiString, DateTime, DisplayText, Url } from '../../ocpi/ocpi-types';
import { Token } from '../tokens/tokens.schema';

/** Commands (mod_commands.asciidoc): the five request bodies, CommandResponse and CommandResult. */

export const COMMAND_TYPES = ['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export function isCommandType(value: string): value is CommandType {
  return (COMMAND_TYPES as readonly string[]).includes(value);
}

/** The hub POSTs results to it with the requester's token: only http(s). */
export const ResponseUrl = Url.refine((v) => /^https?:\/\//i.test(v), 'must be an http or https URL');

/** Token (mod_tokens.asciidoc), as carried in StartSession and ReserveNow: the tokens module's schema. */
export const CommandToken = Token;

export const StartSession = z
  .looseObject({
    response_url: ResponseUrl,
    token: CommandToken,
    location_id: CiString(36),
    evse_uid: CiString(36).optional(),
    connector_id: CiString(36).optional(),
    authorization_reference: CiString(36).optional(),
  })
  .refine((s) => s.connector_id === undefined || s.evse_uid !== undefined, { message: 'evse_uid is required when connector_id is set', path: ['evse_uid'] });

export const StopSession = z.looseObject({ response_url: ResponseUrl, session_id: CiString(36) });

export const ReserveNow = z.looseObject({
  response_url: ResponseUrl,
  token: CommandToken,
  expiry_date: DateTime,
  reservation_id: CiString(36),
  location_id: CiString(36),
  evse_uid: CiString(36).optional(),
  authorization_reference: CiString(36).optional(),
});

export const CancelReservation = z.looseObject({ response_url: ResponseUrl, reservation_id: CiString(36) });

export const UnlockConnector = z.looseObject({
  response_url: ResponseUrl,
  location_id: CiString(36),
  evse_uid: CiString(36),
  connector_id: CiString(36),
});

/** The body each command takes, and its object's name (for messages). */
export const COMMAND_BODIES = {
  START_SESSION: { schema: StartSession, name: 'StartSession' },
  STOP_SESSION: { schema: StopSession, name: 'StopSession' },
  RESERVE_NOW: { schema: ReserveNow, name: 'ReserveNow' },
  CANCEL_RESERVATION: { schema: CancelReservation, name: 'CancelReservation' },
  UNLOCK_CONNECTOR: { schema: UnlockConnector, name: 'UnlockConnector' },
} as const;

/** Any command body, once validated: the fields routing looks at. */
export interface CommandBody {
  response_url: string;
  token?: z.infer<typeof CommandToken>;
  location_id?: string;
  session_id?: string;
  reservation_id?: string;
  [field: string]: unknown;
}

export const CommandResponse = z.looseObject({
  result: z.enum(['ACCEPTED', 'NOT_SUPPORTED', 'REJECTED', 'UNKNOWN_SESSION']),
  timeout: z.number().int().min(0),
  message: z.array(DisplayText).optional(),
});
export type CommandResponse = z.infer<typeof CommandResponse>;

export const CommandResult = z.looseObject({
  result: z.enum([
    'ACCEPTED',
    'CANCELED_RESERVATION',
    'EVSE_OCCUPIED',
    'EVSE_INOPERATIVE',
    'FAILED',
    'NOT_SUPPORTED',
    'REJECTED',
    'TIMEOUT',
    'UNKNOWN_RESERVATION',
  ]),
  message: z.array(DisplayText).optional(),
});
