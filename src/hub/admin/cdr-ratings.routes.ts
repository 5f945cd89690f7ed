import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { parseAdminBody } from '../../http/admin-http';

const Query = z.strictObject({
  status: z.enum(['match', 'mismatch', 'unrated']).optional(),
  cpo: z
    .string()
    .regex(/^[A-Za-z]{2}\/[A-Za-z0-9]{3}$/, 'must be COUNTRY/PARTY')
    .transform((v) => v.toUpperCase())
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The hub's re-rating of CDRs: `GET /admin/cdr-ratings?status=mismatch&cpo=NL/CPO`, newest first. */
export function cdrRatingsAdminRouter(deps: { db: DataSource }): Router {
  const router = new Router({ prefix: '/admin/cdr-ratings' });
  router.get('/', async (ctx) => {
    const query = parseAdminBody(Query, { ...ctx.query });
    ctx.body = await deps.db.query(
      `SELECT country_code || '/' || party_id AS cpo, cdr_id, status, reason, tariff_id, currency, time_zone,
              computed, differences, notes, rated_at
         FROM cdr_ratings
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR country_code || '/' || party_id = $2)
        ORDER BY rated_at DESC, cdr_id LIMIT $3`,
      [query.status ?? null, query.cpo ?? null, query.limit],
    );
  });
  return router;
}
