import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import { AdminError } from '../../http/admin-http';

const DELIVERY_ID = /^[1-9]\d{0,17}$/;

function deliveryId(value: string | undefined): string {
  if (!value || !DELIVERY_ID.test(value)) throw new AdminError(404, 'not_found', `No delivery with id ${value}`);
  return value;
}

const VIEW = `id::text AS id, party_uuid, module, method, coalesce(url, path) AS target, object_key, status, attempts, last_error, created_at, next_attempt_at, delivered_at`;

/**
 * One delivery at a time (docs/dashboard.md, "The console"): `POST /admin/outbox/{id}/retry` puts a
 * failed delivery back in the queue now; `POST /admin/outbox/{id}/skip` gives up a failed or pending
 * one for good (status `skipped`, kept for the record), e.g. a push the partner will never accept.
 * A delivered one cannot be retried or skipped (409), so nothing is sent twice by mistake.
 */
export function outboxActionsAdminRouter(deps: { db: DataSource }): Router {
  const router = new Router({ prefix: '/admin/outbox' });
  const change = async (id: string, allowed: string[], set: string, verb: string) => {
    const [rows] = await deps.db.query(`UPDATE outbox SET ${set} WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${VIEW}`, [id, allowed]);
    if (rows.length) return rows[0];
    const [current] = await deps.db.query(`SELECT status FROM outbox WHERE id = $1`, [id]);
    if (!current) throw new AdminError(404, 'not_found', `No delivery with id ${id}`);
    throw new AdminError(409, 'conflict', `Delivery ${id} is ${current.status}: only ${allowed.join(' or ')} deliveries can be ${verb}`);
  };
  router.post('/:id/retry', async (ctx) => {
    ctx.body = await change(deliveryId(ctx.params.id), ['failed'], `status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL`, 'retried');
  });
  router.post('/:id/skip', async (ctx) => {
    ctx.body = await change(deliveryId(ctx.params.id), ['failed', 'pending'], `status = 'skipped', locked_until = NULL`, 'skipped');
  });
  return router;
}
