/** Errors of the hub's own domain (not OCPI wire errors); each transport maps `kind` to its own answer. */
export type HubErrorKind = 'not_found' | 'conflict' | 'invalid' | 'partner_failed';

export class HubError extends Error {
  constructor(
    readonly kind: HubErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/**
 * What a routing decision of the hub (hub/routing/router.ts) or a forwarded call came to, in the
 * router's own words; the OCPI vocabulary (hub/ocpi/ocpi-errors.ts, ocpiErrorOf) says each as its
 * status code, and the OCPI edge answers with it.
 * - unknown_receiver: no counterpart with that address (unknown, no roaming agreement), or it offers
 *   no endpoint for the module.
 * - receiver_not_connected: a counterpart that is not CONNECTED, or that cannot be reached.
 * - receiver_timeout: the receiver did not answer in time.
 * - receiver_refused: the receiver answered with an OCPI error of its own (passed back as it came).
 * - receiver_unusable: the receiver's answer could not be used (no OCPI envelope, an HTTP error).
 */
export type RoutingFailure = 'unknown_receiver' | 'receiver_not_connected' | 'receiver_timeout' | 'receiver_refused' | 'receiver_unusable';

/** The receiver's own answer to a forwarded call, kept so that its caller hears what it said. */
export interface ReceiverAnswer {
  statusCode: number;
  httpStatus?: number;
}

export class RoutingError extends Error {
  constructor(
    readonly kind: RoutingFailure,
    message: string,
    readonly receiverAnswer?: ReceiverAnswer,
  ) {
    super(message);
    this.name = 'RoutingError';
  }
}
