import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { refreshDatabaseMetrics, registry } from '../foundation/metrics';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `GET /metrics` in the Prometheus text format. Not public: the figures name partners' traffic and
 * the hub's load. Prometheus gets METRICS_TOKEN (a secret good for this endpoint only, so the
 * monitoring system never holds the admin key); the admin key is accepted too, for a person.
 */
export function metricsStack(deps: { db: DataSource; log: Logger; config: { metricsToken?: string }; secrets: { adminApiKey: string } }): Middleware {
  const accepted = [deps.config.metricsToken, deps.secrets.adminApiKey].filter((t): t is string => Boolean(t)).map(digest);
  return async (ctx) => {
    if (ctx.path !== '/metrics') {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: `Nothing at ${ctx.path}` } };
      return;
    }
    if (ctx.method !== 'GET') {
      ctx.status = 405;
      ctx.set('Allow', 'GET');
      ctx.body = { error: { code: 'method_not_allowed', message: `${ctx.method} is not allowed on /metrics` } };
      return;
    }
    const match = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
    const presented = match && digest(match[1]);
    // Every accepted token is compared (constant time each), so the answer time does not tell which one matched.
    const ok = presented ? accepted.map((token) => timingSafeEqual(token, presented)).includes(true) : false;
    if (!ok) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: { code: 'unauthorized', message: 'Missing or wrong token (Authorization: Bearer <METRICS_TOKEN or admin key>)' } };
      return;
    }
    try {
      await refreshDatabaseMetrics(deps.db);
    } catch (error) {
      // The process figures are still worth serving; the outbox gauges keep their last values.
      deps.log.warn({ err: error }, 'metrics: could not read the outbox depth');
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  };
}
