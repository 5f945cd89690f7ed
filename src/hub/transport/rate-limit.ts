import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { type RateLimit, TokenBuckets } from '../../core/rate-limit/token-buckets';
import { parseAuthorizationHeader } from '../ocpi/credentials-token';
import { ocpiErrors } from '../ocpi/ocpi-errors';

/**
 * Requests per credentials token (so per party: a party holds one live token), a token bucket kept
 * in memory per instance. Runs before the body is read and before the token is looked up, so a
 * flooding partner costs the hub no body parsing and no database query. Over the limit: HTTP 429,
 * `Retry-After` in seconds and an OCPI error envelope. Requests without a token pass on to their 401.
 */
export function ocpiRateLimit(limit: RateLimit, log: Logger, now: () => number = Date.now): Middleware {
  const buckets = new TokenBuckets<string>(limit);
  const limited = new Set<string>();
  return async (ctx, next) => {
    if (!buckets.enabled) return next();
    // The first reading: Base64 when the header is Base64, so both forms of a hub-issued token
    // (never valid Base64 itself) share one bucket.
    const [candidate] = parseAuthorizationHeader(ctx.get('Authorization'));
    if (!candidate) return next();
    // Keyed and logged by digest: the token itself never reaches a log line.
    const key = createHash('sha256').update(candidate.token).digest('hex');
    const verdict = buckets.take(key, now());
    if (verdict.allowed) {
      limited.delete(key);
      return next();
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    if (!limited.has(key)) {
      limited.add(key);
      log.warn({ tokenDigest: key.slice(0, 12), path: ctx.path, requestId: ctx.state.requestId }, 'a party exceeds its rate limit');
    }
    ctx.set('Retry-After', String(retryAfterSeconds));
    throw ocpiErrors.tooManyRequests(
      `Too many requests: at most ${limit.ratePerSecond} per second for your token (bursts of ${limit.burst}); retry after ${retryAfterSeconds} s`,
    );
  };
}
