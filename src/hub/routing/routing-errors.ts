/**
 * What a routing decision or a forwarded call came to, in the router's own words; the OCPI edge
 * (hub/transport/ocpi-error-handler.ts) says each as its status code.
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
