import { z } from 'zod';
import { TokenV230 } from './tokens.v230.schema';
import { CiStringV230, DateTimeV230, DisplayTextV230, UrlV230 } from './types.v230.schema';

/** Commands (OCPI 2.3.0 mod_commands.asciidoc): as 2.2.1; CommandType is an OpenEnum. */

export const COMMAND_TYPES_V230 = ['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'] as const;

export const StartSessionV230 = z.looseObject({
  response_url: UrlV230,
  token: TokenV230,
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36).optional(),
  connector_id: CiStringV230(36).optional(),
  authorization_reference: CiStringV230(36).optional(),
});
export const StopSessionV230 = z.looseObject({ response_url: UrlV230, session_id: CiStringV230(36) });
export const ReserveNowV230 = z.looseObject({
  response_url: UrlV230,
  token: TokenV230,
  expiry_date: DateTimeV230,
  reservation_id: CiStringV230(36),
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36).optional(),
  authorization_reference: CiStringV230(36).optional(),
});
export const CancelReservationV230 = z.looseObject({ response_url: UrlV230, reservation_id: CiStringV230(36) });
export const UnlockConnectorV230 = z.looseObject({
  response_url: UrlV230,
  location_id: CiStringV230(36),
  evse_uid: CiStringV230(36),
  connector_id: CiStringV230(36),
});

export const COMMAND_BODIES_V230 = {
  START_SESSION: StartSessionV230,
  STOP_SESSION: StopSessionV230,
  RESERVE_NOW: ReserveNowV230,
  CANCEL_RESERVATION: CancelReservationV230,
  UNLOCK_CONNECTOR: UnlockConnectorV230,
} as const;

export const CommandResponseV230 = z.looseObject({
  result: z.enum(['ACCEPTED', 'NOT_SUPPORTED', 'REJECTED', 'UNKNOWN_SESSION']),
  timeout: z.number().int().min(0),
  message: z.array(DisplayTextV230).optional(),
});
export const CommandResultV230 = z.looseObject({
  result: z.enum([
    'ACCEPTED', 'CANCELED_RESERVATION', 'EVSE_OCCUPIED', 'EVSE_INOPERATIVE', 'FAILED', 'NOT_SUPPORTED', 'REJECTED', 'TIMEOUT', 'UNKNOWN_RESERVATION',
  ]),
  message: z.array(DisplayTextV230).optional(),
});
