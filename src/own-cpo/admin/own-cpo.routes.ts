import Router from '@koa/router';
import { z } from 'zod';
import type { Config } from '../../foundation/config';
import { parseAdminBody } from '../../http/admin-http';

/**
 * `/admin/own-cpo`: who the hub's own chargers are published as (OWN_CPO_COUNTRY_CODE/OWN_CPO_PARTY_ID),
 * so an operator can tell which OCPI party eMSPs see them under, and which address agreements name.
 */
export function ownCpoAdminRouter(deps: { config: Pick<Config, 'ownCpo'> }): Router {
  const router = new Router({ prefix: '/admin/own-cpo' });
  router.get('/', async (ctx) => {
    parseAdminBody(z.strictObject({}), { ...ctx.query });
    const { countryCode, partyId, name, currency } = deps.config.ownCpo;
    ctx.body = { country_code: countryCode, party_id: partyId, role: 'CPO', name, currency };
  });
  return router;
}
