import { isDatabaseUnavailable } from '../../db/database-errors';
import { RoutingError, type RoutingFailure } from '../../foundation/hub-errors';

/** OCPI status codes (status_codes.asciidoc). */
export const OcpiStatus = {
  SUCCESS: 1000,
  CLIENT_ERROR: 2000,
  INVALID_PARAMETERS: 2001,
  NOT_ENOUGH_INFORMATION: 2002,
  UNKNOWN_LOCATION: 2003,
  UNKNOWN_TOKEN: 2004,
  SERVER_ERROR: 3000,
  CLIENT_API_UNUSABLE: 3001,
  UNSUPPORTED_VERSION: 3002,
  NO_MATCHING_ENDPOINTS: 3003,
  HUB_ERROR: 4000,
  UNKNOWN_RECEIVER: 4001,
  FORWARD_TIMEOUT: 4002,
  RECEIVER_NOT_CONNECTED: 4003,
} as const;
export type OcpiStatusCode = number;

/**
 * An error answered to an OCPI caller. Every message given here is safe to show the caller;
 * anything else thrown is answered as a generic 3000 without its message.
 *
 * HTTP status policy (status_codes.asciidoc): a request that reached the OCPI layer is answered with
 * HTTP 200 and the OCPI status code; HTTP errors are kept for the transport: 400 invalid JSON,
 * 401 unknown or missing token, 403 suspended party, 404 unknown resource or a party that is not
 * the caller's, 405 credentials method rules, 413 oversize body, 429 over the rate limit.
 */
export class OcpiError extends Error {
  constructor(
    readonly statusCode: OcpiStatusCode,
    message: string,
    readonly httpStatus = 200,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'OcpiError';
  }
}

export const ocpiErrors = {
  invalidJson: (detail: string) => new OcpiError(OcpiStatus.CLIENT_ERROR, `Invalid JSON: ${detail}`, 400),
  bodyTooLarge: (limit: number) =>
    new OcpiError(OcpiStatus.CLIENT_ERROR, `Request body larger than ${limit} bytes`, 413),
  unauthorized: (message = 'Missing or unknown credentials token') =>
    new OcpiError(OcpiStatus.CLIENT_ERROR, message, 401),
  suspended: () => new OcpiError(OcpiStatus.CLIENT_ERROR, 'This party is suspended by the hub operator', 403),
  notFound: (message: string, statusCode: OcpiStatusCode = OcpiStatus.CLIENT_ERROR) =>
    new OcpiError(statusCode, message, 404),
  methodNotAllowed: (message: string) => new OcpiError(OcpiStatus.CLIENT_ERROR, message, 405),
  /** A method no route of the hub has (TRACE, PROPFIND): 501, RFC 9110 15.6.2 (405 is for a method known but not offered there). */
  methodNotImplemented: (message: string) => new OcpiError(OcpiStatus.CLIENT_ERROR, message, 501),
  invalidParameters: (message: string, data?: unknown) =>
    new OcpiError(OcpiStatus.INVALID_PARAMETERS, message, 200, data),
  clientApiUnusable: (message: string) => new OcpiError(OcpiStatus.CLIENT_API_UNUSABLE, message),
  unsupportedVersion: (message: string) => new OcpiError(OcpiStatus.UNSUPPORTED_VERSION, message),
  noMatchingEndpoints: (message: string) => new OcpiError(OcpiStatus.NO_MATCHING_ENDPOINTS, message),
  /** OCPI has no status code for rate limiting: HTTP 429 (with Retry-After) carries it, 2000 the envelope. */
  tooManyRequests: (message: string) => new OcpiError(OcpiStatus.CLIENT_ERROR, message, 429),
  serviceUnavailable: () =>
    new OcpiError(OcpiStatus.SERVER_ERROR, 'The hub cannot reach its database; try again shortly', 503),
};

/** The OCPI status of each routing outcome (status_codes.asciidoc, 4xxx: hub errors). */
const ROUTING_STATUS: Record<Exclude<RoutingFailure, 'receiver_refused'>, number> = {
  unknown_receiver: OcpiStatus.UNKNOWN_RECEIVER,
  receiver_not_connected: OcpiStatus.RECEIVER_NOT_CONNECTED,
  receiver_timeout: OcpiStatus.FORWARD_TIMEOUT,
  receiver_unusable: OcpiStatus.HUB_ERROR,
};

/**
 * An error as the OCPI caller hears it, or undefined for one whose message must not be shown.
 * A receiver's own refusal is passed back with its status code (and its 404, the others as 200).
 */
export function ocpiErrorOf(error: unknown): OcpiError | undefined {
  if (error instanceof OcpiError) return error;
  if (error instanceof RoutingError) {
    if (error.kind === 'receiver_refused' && error.receiverAnswer) {
      return new OcpiError(error.receiverAnswer.statusCode, error.message, error.receiverAnswer.httpStatus === 404 ? 404 : 200);
    }
    return new OcpiError(ROUTING_STATUS[error.kind === 'receiver_refused' ? 'receiver_unusable' : error.kind], error.message);
  }
  if (isDatabaseUnavailable(error)) return ocpiErrors.serviceUnavailable();
  return undefined;
}
