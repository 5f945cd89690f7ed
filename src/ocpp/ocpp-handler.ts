import type { ChargersService, RegistrationStatus } from './chargers.service';

/**
 * One call a charger made. Strict mode has already checked `params` against the protocol's JSON
 * schema, so a handler may rely on the shape its request type declares.
 */
export interface OcppCall<Params> {
  /** The charge point identity the connection authenticated as. */
  chargerId: string;
  params: Params;
  chargers: ChargersService;
}

/**
 * Answers one OCPP action: a plain function from the call to the response payload (checked against the
 * schema on the way out). It never touches the socket; throwing an `RPCError` answers a CALLERROR.
 */
export type OcppHandler<Params = never, Response = unknown> = (call: OcppCall<Params>) => Promise<Response>;

/** The actions a protocol version handles, by name; others are answered NotImplemented. (`never` accepts every handler.) */
export type OcppHandlers = Record<string, OcppHandler<never>>;

/** RegistrationStatus as both protocol versions write it. */
export const WIRE_REGISTRATION_STATUS: Record<RegistrationStatus, 'Accepted' | 'Pending' | 'Rejected'> = {
  ACCEPTED: 'Accepted',
  PENDING: 'Pending',
  REJECTED: 'Rejected',
};
