import { z } from 'zod';
import { TokenV211 } from './tokens.v211.schema';
import { DateTimeV211, IdV211, UrlV211 } from './types.v211.schema';

/**
 * Commands of OCPI 2.1.1 (mod_commands.md 3 and 4): four commands (no CANCEL_RESERVATION), an integer
 * reservation_id, no connector_id in StartSession; CommandResponse is both the synchronous answer and
 * the asynchronous result POSTed to response_url (there is no CommandResult, and no timeout field).
 */

export const CommandTypeV211 = z.enum(['RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR']);
export type CommandTypeV211 = z.infer<typeof CommandTypeV211>;

export const CommandResponseTypeV211 = z.enum(['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'TIMEOUT', 'UNKNOWN_SESSION']);
export const CommandResponseV211 = z.looseObject({ result: CommandResponseTypeV211 });
export type CommandResponseV211 = z.infer<typeof CommandResponseV211>;

export const ReserveNowV211 = z.looseObject({
  response_url: UrlV211,
  token: TokenV211,
  expiry_date: DateTimeV211,
  reservation_id: z.number().int(),
  location_id: IdV211(39),
  evse_uid: IdV211(39).optional(),
});

export const StartSessionV211 = z.looseObject({
  response_url: UrlV211,
  token: TokenV211,
  location_id: IdV211(39),
  evse_uid: IdV211(39).optional(),
});

export const StopSessionV211 = z.looseObject({ response_url: UrlV211, session_id: IdV211(36) });

export const UnlockConnectorV211 = z.looseObject({
  response_url: UrlV211,
  location_id: IdV211(39),
  evse_uid: IdV211(39),
  connector_id: IdV211(36),
});

export const COMMAND_BODIES_V211 = {
  RESERVE_NOW: ReserveNowV211,
  START_SESSION: StartSessionV211,
  STOP_SESSION: StopSessionV211,
  UNLOCK_CONNECTOR: UnlockConnectorV211,
} as const;
