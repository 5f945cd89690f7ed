import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of an alert webhook post (docs/traffic.md): HMAC-SHA256, keyed with
 * ALERT_WEBHOOK_SECRET, over `<timestamp>.<body>`, sent as `X-Hub-Signature: sha256=<hex>` beside
 * `X-Hub-Timestamp: <unix seconds>`. The timestamp is signed too, so a captured post cannot be
 * replayed later under a fresh timestamp; a receiver refuses posts older than its tolerance.
 */
export const SIGNATURE_HEADER = 'X-Hub-Signature';
export const TIMESTAMP_HEADER = 'X-Hub-Timestamp';

export function signAlert(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (and the tests): true when `signature` is this body's under this secret and
 * the timestamp is within `toleranceSeconds` of `nowSeconds`. Compared in constant time.
 */
export function verifyAlert(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signAlert(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
