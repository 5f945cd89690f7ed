import Router from '@koa/router';
import { z } from 'zod';
import type { Agreement, RoamingAgreements } from '../routing/agreements';
import { parseAdminBody, uuidParam } from '../../http/admin-http';

const Address = z
  .string()
  .regex(/^[A-Za-z]{2}\/[A-Za-z0-9]{3}$/, 'must be COUNTRY/PARTY, e.g. NL/ABC')
  .transform((v) => {
    const [countryCode, partyId] = v.toUpperCase().split('/');
    return { countryCode, partyId };
  });

const NewAgreement = z.strictObject({ cpo: Address, emsp: Address });

export function agreementView(a: Agreement) {
  return {
    id: a.id,
    cpo: `${a.cpo.countryCode}/${a.cpo.partyId}`,
    emsp: `${a.emsp.countryCode}/${a.emsp.partyId}`,
    created_at: a.createdAt,
  };
}

/** Roaming agreements: which CPO and eMSP may exchange data and tokens. `/admin/agreements`. */
export function agreementsAdminRouter(deps: { agreements: RoamingAgreements }): Router {
  const router = new Router({ prefix: '/admin/agreements' });
  router.get('/', async (ctx) => {
    ctx.body = (await deps.agreements.list()).map(agreementView);
  });
  router.post('/', async (ctx) => {
    const body = parseAdminBody(NewAgreement, ctx.request.body);
    ctx.status = 201;
    ctx.body = agreementView(await deps.agreements.add(body.cpo, body.emsp));
  });
  router.delete('/:id', async (ctx) => {
    await deps.agreements.remove(uuidParam(ctx.params.id, 'agreement'));
    ctx.status = 204;
  });
  return router;
}
