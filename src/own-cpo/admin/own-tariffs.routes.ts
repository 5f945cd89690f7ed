import Router from '@koa/router';
import { ownCatalogue, type OwnCatalogueDeps } from '../charging/own-catalogue';
import { OWN_OBJECT_ID } from '../charging/own-objects';
import { AdminError } from '../../http/admin-http';

/** A path id that is no OCPI id names nothing: 404 when reading, 400 when writing. */
function tariffIdParam(value: string | undefined, writing: boolean): string {
  if (value && OWN_OBJECT_ID.test(value)) return value;
  if (writing) throw new AdminError(400, 'invalid_request', 'The tariff id must be 1 to 36 printable ASCII characters without spaces');
  throw new AdminError(404, 'not_found', `No own tariff with id ${value}`);
}

/**
 * The own CPO's tariffs: `/admin/tariffs`. The operator writes a description (simple, time_of_use or
 * dynamic; docs/own-tariffs.md); the hub builds the OCPI Tariff, stores and pushes it, and answers it.
 */
export function ownTariffsAdminRouter(deps: Omit<OwnCatalogueDeps, 'chargers'>): Router {
  const { ownTariffs } = ownCatalogue({ db: deps.db, locations: deps.locations, tariffs: deps.tariffs, ownCpo: deps.ownCpo });
  const router = new Router({ prefix: '/admin/tariffs' });

  router.get('/', async (ctx) => {
    ctx.body = await ownTariffs.list();
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await ownTariffs.get(tariffIdParam(ctx.params.id, false));
  });

  router.put('/:id', async (ctx) => {
    const { outcome, tariff } = await ownTariffs.put(tariffIdParam(ctx.params.id, true), ctx.request.body);
    ctx.status = outcome === 'created' ? 201 : 200;
    ctx.body = tariff;
  });

  router.post('/:id/day-ahead', async (ctx) => {
    ctx.body = await ownTariffs.addDayAhead(tariffIdParam(ctx.params.id, true), ctx.request.body);
  });

  router.post('/:id/promotions', async (ctx) => {
    ctx.status = 201;
    ctx.body = await ownTariffs.addPromotion(tariffIdParam(ctx.params.id, true), ctx.request.body);
  });

  router.delete('/:id/promotions/:promotion', async (ctx) => {
    ctx.body = await ownTariffs.removePromotion(tariffIdParam(ctx.params.id, false), ctx.params.promotion);
  });

  router.delete('/:id', async (ctx) => {
    await ownTariffs.remove(tariffIdParam(ctx.params.id, false));
    ctx.status = 204;
  });

  return router;
}
