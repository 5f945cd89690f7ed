import { createRPCError } from 'ocpp-rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import { type RateLimit, TokenBuckets } from '../../core/rate-limit/token-buckets';

/** The close of a connection that kept flooding: 1008 is WebSocket's "policy violation". */
export const FLOOD_CLOSE = { code: 1008, reason: 'Too many calls: the rate limit was exceeded again and again' };

/** A call's id and whether it was over the limit, decided when the frame arrives. */
type CallCheck = (messageId: string | undefined) => void;

const NO_CHECK: CallCheck = () => undefined;

/**
 * Calls per charge point: a token bucket per charger id (kept across reconnections, in memory per
 * instance). Every inbound CALL spends one, whether or not a handler answers it. A call over the limit
 * is answered with a CALLERROR `GenericError`: neither OCPP 1.6J nor 2.0.1 has a code for rate
 * limiting, and GenericError is the one defined for "any other error not covered by the more specific
 * error codes"; InternalError would blame the hub, SecurityError would tell the charger its
 * credentials are wrong, and the format codes would call a valid message malformed. A charger refused
 * more than `burst` times within a minute keeps flooding and is disconnected (close 1008).
 */
export class ChargerCallLimit {
  private readonly calls: TokenBuckets;
  /** Refusals a charger may collect: `burst` of them, earned back over a minute. */
  private readonly strikes: TokenBuckets;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.calls = new TokenBuckets(limit);
    this.strikes = new TokenBuckets({ ratePerSecond: limit.burst / 60, burst: limit.burst });
  }

  /**
   * Starts counting a connection's calls. The verdict is taken when the frame arrives (ocpp-rpc's
   * `call` event, before any handler or schema check); the returned check, called first thing by
   * every handler with the call's message id, throws the CALLERROR for a refused call. `onFlood`
   * runs once, when the charger has used up its refusals.
   */
  watch(client: RPCServerClient, chargerId: string, onFlood: () => void): CallCheck {
    if (!this.calls.enabled) return NO_CHECK;
    const refused = new Map<string, number>();
    let flooded = false;
    client.on('call', ({ outbound, payload }: { outbound: boolean; payload: unknown[] }) => {
      if (outbound) return;
      const now = this.now();
      const verdict = this.calls.take(chargerId, now);
      if (verdict.allowed) return;
      refused.set(String(payload[1]), verdict.retryAfterMs);
      if (!flooded && !this.strikes.take(chargerId, now).allowed) {
        flooded = true;
        onFlood();
      }
    });
    // Calls answered without a handler (unknown action, schema failure) leave their mark here.
    const forget = ({ outbound, messageId }: { outbound: boolean; messageId: string }) => {
      if (!outbound) refused.delete(messageId);
    };
    client.on('callResult', forget);
    client.on('callError', forget);
    return (messageId) => {
      const retryAfterMs = messageId === undefined ? undefined : refused.get(messageId);
      if (retryAfterMs === undefined) return;
      refused.delete(messageId!);
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw createRPCError(
        'GenericError',
        `Rate limit exceeded: at most ${this.limit.ratePerSecond} calls per second (bursts of ${this.limit.burst}); retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    };
  }
}
