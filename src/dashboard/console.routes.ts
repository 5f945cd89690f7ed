import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../http/admin-http';
import { previewTariffPrice } from '../core/pricing/tariff-price-preview';
import { isValidTimeZone } from '../core/pricing/local-time';
import { objectStory, searchAudit, searchCdrs, searchDeliveries, searchEvents, searchLocations, searchSessions, searchTokens } from './console.queries';

const Owner = z.string().regex(/^[A-Za-z]{2}\/[A-Za-z0-9]{3}$/, 'party is CC/PID, e.g. NL/CPO').transform((v) => v.toUpperCase());
const Instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));
const Cursor = z.string().regex(/^[1-9]\d{0,17}$/, 'cursor is the next_cursor of the previous page');
const Text = z.string().min(1).max(100);
const Limit = z.coerce.number().int().min(1).max(500).default(50);

const ObjectQuery = z.strictObject({
  party: Owner.optional(),
  location: Text.optional(),
  evse: Text.optional(),
  token: Text.optional(),
  status: Text.optional(),
  type: Text.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const DeliveryQuery = z.strictObject({
  party: z.uuid().optional(),
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']).optional(),
  module: z.string().regex(/^[a-z]{1,30}$/, 'module is an OCPI module name').optional(),
  object: Text.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const EventQuery = z.strictObject({
  charger: Text.optional(),
  action: Text.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const AuditQuery = z.strictObject({
  action: Text.optional(),
  target: Text.optional(),
  outcome: z.enum(['ok', 'refused', 'failed']).optional(),
  actor: Text.optional(),
  client: Text.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});

const PreviewQuery = z.strictObject({
  start: Instant.optional(),
  minutes: z.coerce.number().min(0).max(10_080).default(60),
  kwh: z.coerce.number().min(0).max(10_000).default(20),
  parking_minutes: z.coerce.number().min(0).max(10_080).default(0),
  power_kw: z.coerce.number().positive().max(2000).optional(),
  time_zone: z.string().refine(isValidTimeZone, 'time_zone must be an IANA time zone such as Europe/Amsterdam').optional(),
});

/**
 * The console's reads (docs/dashboard.md, "The console"): `GET /admin/audit`, the long lists under
 * `/admin/search/*` (keyset pages: `next_cursor` back as `cursor`) and a session's or CDR's story.
 */
export function consoleAdminRouter(deps: { db: DataSource; ownCpo: { countryCode: string; partyId: string } }): Router {
  const { db } = deps;
  const router = new Router({ prefix: '/admin' });
  const objects = (ctx: { query: unknown }) => {
    const q = parseAdminBody(ObjectQuery, { ...(ctx.query as object) });
    return { ...q, owner: q.party };
  };
  router.get('/audit', async (ctx) => {
    ctx.body = await searchAudit(db, parseAdminBody(AuditQuery, { ...ctx.query }));
  });
  router.get('/search/sessions', async (ctx) => {
    ctx.body = await searchSessions(db, objects(ctx));
  });
  router.get('/search/cdrs', async (ctx) => {
    ctx.body = await searchCdrs(db, objects(ctx));
  });
  router.get('/search/tokens', async (ctx) => {
    ctx.body = await searchTokens(db, objects(ctx));
  });
  router.get('/search/locations', async (ctx) => {
    ctx.body = await searchLocations(db, objects(ctx));
  });
  router.get('/search/deliveries', async (ctx) => {
    ctx.body = await searchDeliveries(db, parseAdminBody(DeliveryQuery, { ...ctx.query }));
  });
  router.get('/search/events', async (ctx) => {
    ctx.body = await searchEvents(db, parseAdminBody(EventQuery, { ...ctx.query }));
  });
  router.get('/search/:module/:country_code/:party_id/:id/story', async (ctx) => {
    const { module, country_code, party_id, id } = ctx.params;
    if (module !== 'sessions' && module !== 'cdrs') throw new AdminError(404, 'not_found', `No story for ${module}: sessions and cdrs have one`);
    const story = await objectStory(db, module, country_code.toUpperCase(), party_id.toUpperCase(), id);
    if (!story) throw new AdminError(404, 'not_found', `No ${module === 'sessions' ? 'session' : 'CDR'} ${country_code}/${party_id}/${id}`);
    ctx.body = story;
  });
  // The price of an imagined session under an own tariff, from the pricing engine (rateCdr), so the
  // operator sees what a tariff charges before and after editing it.
  router.get('/tariffs/:id/price-preview', async (ctx) => {
    const q = parseAdminBody(PreviewQuery, { ...ctx.query });
    const [row] = await db.query(`SELECT data FROM ocpi_objects WHERE module = 'tariffs' AND country_code = $1 AND party_id = $2 AND object_id = $3`, [deps.ownCpo.countryCode, deps.ownCpo.partyId, ctx.params.id]);
    if (!row) throw new AdminError(404, 'not_found', `No own tariff ${ctx.params.id}`);
    const start = q.start ?? new Date();
    const preview = previewTariffPrice(row.data, { start, chargingMinutes: q.minutes, kwh: q.kwh, parkingMinutes: q.parking_minutes, powerKw: q.power_kw }, q.time_zone ?? 'Europe/Amsterdam');
    if (!preview.ok) throw new AdminError(400, 'invalid_request', `The tariff cannot be priced: ${preview.errors.join('; ')}`);
    ctx.body = { tariff_id: preview.tariffId, currency: preview.currency, start: start.toISOString(), end: preview.end, time_zone: q.time_zone ?? 'Europe/Amsterdam', computed: preview.computed, notes: preview.notes };
  });
  return router;
}
