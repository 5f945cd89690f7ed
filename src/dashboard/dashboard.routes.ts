import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { findCurrency } from '../core/money/currencies';
import { DashboardQueries, type DashboardQueryDeps } from './dashboard.queries';
import { AdminError, parseAdminBody } from '../http/admin-http';

const Limit = z.coerce.number().int().min(1).max(500);

/** An IANA zone name as Intl knows it (PostgreSQL is asked too, before the query runs). */
const TimeZone = z.string().max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Amsterdam or UTC');

const LimitQuery = z.strictObject({ limit: Limit.default(50) });
const SitesQuery = z.strictObject({ hours: z.coerce.number().int().min(1).max(24 * 31).default(24), points: z.coerce.number().int().min(10).max(1000).default(240) });
const AnalyticsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30), time_zone: TimeZone.default('UTC') });
const MaintenanceQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(7) });
const CurrenciesQuery = z.strictObject({
  codes: z.string().regex(/^[A-Za-z]{3}(,[A-Za-z]{3}){0,49}$/, 'must be up to 50 ISO 4217 codes separated by commas, e.g. EUR,JPY'),
});

/**
 * The dashboard's figures as JSON (docs/dashboard.md): `/admin/dashboard/partners`, `/locations`,
 * `/sessions`, `/sites`, `/analytics`, `/maintenance`. Statements come from /admin/settlement.
 */
export function dashboardAdminRouter(deps: DashboardQueryDeps): Router {
  const queries = new DashboardQueries(deps);
  const router = new Router({ prefix: '/admin/dashboard' });

  router.get('/partners', async (ctx) => {
    parseAdminBody(z.strictObject({}), { ...ctx.query });
    ctx.body = await queries.partners();
  });

  router.get('/locations', async (ctx) => {
    const { limit } = parseAdminBody(z.strictObject({ limit: Limit.default(200) }), { ...ctx.query });
    ctx.body = await queries.locations(limit);
  });

  router.get('/sessions', async (ctx) => {
    const { limit } = parseAdminBody(LimitQuery, { ...ctx.query });
    ctx.body = await queries.sessions(limit);
  });

  router.get('/sites', async (ctx) => {
    const { hours, points } = parseAdminBody(SitesQuery, { ...ctx.query });
    ctx.body = await queries.siteLoad(hours, points);
  });

  router.get('/analytics', async (ctx) => {
    const { days, time_zone } = parseAdminBody(AnalyticsQuery, { ...ctx.query });
    // Intl and PostgreSQL ship their own zone databases; a zone only one of them knows is a 400, not a 500.
    const known: unknown[] = await deps.db.query(`SELECT 1 FROM pg_timezone_names WHERE name = $1`, [time_zone]);
    if (known.length === 0) throw new AdminError(400, 'invalid_request', `time_zone: ${time_zone} is not known to the database`);
    ctx.body = await queries.analytics({ days, timeZone: time_zone });
  });

  // The page shows money with the currency's decimals (7.00 EUR, 700 JPY): the one table is core/payments.
  router.get('/currencies', async (ctx) => {
    const { codes } = parseAdminBody(CurrenciesQuery, { ...ctx.query });
    const unique = [...new Set(codes.toUpperCase().split(','))];
    // A code that is no ISO 4217 money (a partner's typo) gets null: the page shows such amounts as they came.
    ctx.body = { currencies: unique.map((code) => ({ code, minor_units: findCurrency(code)?.decimals ?? null })) };
  });

  router.get('/maintenance', async (ctx) => {
    const { days } = parseAdminBody(MaintenanceQuery, { ...ctx.query });
    ctx.body = { days, chargers: await queries.maintenance(days) };
  });

  return router;
}

/** The page's files: read once at start (they are small), served with a strict content security policy. */
const ASSETS_DIR = path.join(__dirname, 'public');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard-dom.js': { file: 'dashboard-dom.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/dashboard/dashboard-traffic.js': { file: 'dashboard-traffic.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard-charger.js': { file: 'dashboard-charger.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard-charger.css': { file: 'dashboard-charger.css', type: 'text/css; charset=utf-8' },
  '/dashboard/dashboard-console.js': { file: 'dashboard-console.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard-reliability.js': { file: 'dashboard-reliability.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * `GET /dashboard`: the operator's page. The page itself holds no data and no secret; everything it
 * shows comes from /admin/* with the admin key the operator types in once (kept in sessionStorage,
 * sent as Bearer), so the page is behind the key exactly as the admin API is.
 */
export function dashboardPageStack(): Middleware {
  const files = new Map(Object.entries(ASSETS).map(([url, asset]) => [url, { ...asset, body: readFileSync(path.join(ASSETS_DIR, asset.file)) }]));
  return async (ctx) => {
    const asset = files.get(ctx.path);
    if (!asset) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: `Nothing at ${ctx.path}` } };
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { error: { code: 'method_not_allowed', message: `${ctx.method} is not allowed on ${ctx.path}` } };
      return;
    }
    // Scripts and styles from this origin only (no inline code), blob: for the CSV download, no framing.
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
