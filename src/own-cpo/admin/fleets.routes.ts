import Router from '@koa/router';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { Fleets } from '../fleets/fleets';

const FleetId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,35}$/, 'must be 1 to 36 letters, digits or _ . : -');

const FleetBody = z.strictObject({
  name: z.string().trim().min(1, 'must name the fleet').max(200),
  /** The OCPP id tokens / OCPI token uids the fleet owns and books for. */
  tokens: z.array(z.string().min(1).max(36)).max(10_000),
});

const IssueBody = z.strictObject({
  /** Whom the key is for, e.g. "ACME dispatch system". */
  label: z.string().trim().min(1, 'must say whom the key is for').max(200),
});

const fleetIdParam = (value: string | undefined): string => {
  if (!value || !FleetId.safeParse(value).success) throw new AdminError(404, 'not_found', `No fleet ${value}`);
  return value;
};

/** Fleets (name, tokens) and their keys for the bookings API: issued (shown once), listed, revoked. */
export function fleetsAdminRouter(deps: { fleets: Fleets }): Router {
  const { fleets } = deps;
  const router = new Router({ prefix: '/admin/fleets' });

  router.get('/', async (ctx) => {
    ctx.body = await fleets.list();
  });

  router.put('/:id', async (ctx) => {
    const id = FleetId.safeParse(ctx.params.id);
    if (!id.success) throw new AdminError(400, 'invalid', `fleet id ${ctx.params.id}: ${id.error.issues[0]?.message}`);
    const body = parseAdminBody(FleetBody, ctx.request.body);
    const { fleet, created } = await fleets.put(id.data, body);
    ctx.status = created ? 201 : 200;
    ctx.body = fleet;
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await fleets.require(fleetIdParam(ctx.params.id));
  });

  router.post('/:id/keys', async (ctx) => {
    const body = parseAdminBody(IssueBody, ctx.request.body);
    ctx.body = await fleets.issueKey(fleetIdParam(ctx.params.id), body.label);
    ctx.status = 201;
  });

  router.get('/:id/keys', async (ctx) => {
    ctx.body = await fleets.keys(fleetIdParam(ctx.params.id));
  });

  router.post('/:id/keys/:keyId/revoke', async (ctx) => {
    ctx.body = await fleets.revokeKey(fleetIdParam(ctx.params.id), ctx.params.keyId ?? '');
  });

  return router;
}
