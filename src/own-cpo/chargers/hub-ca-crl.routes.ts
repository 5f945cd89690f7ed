import Router from '@koa/router';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { ACTIVE_HUB_CA_CRL_PATH, HUB_CA_CRL_PREFIX, type HubCaCrls, type PublishedCrl } from './hub-ca-crls';

/** How long an HTTP cache may keep a CRL at most: a revocation reaches a relying party that honours it within this. */
const CRL_MAX_AGE_S = 300;

type Ctx = Parameters<Middleware>[0];

function problem(ctx: Ctx, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.body = { error: { code, message } };
}

function serve(ctx: Ctx, crl: PublishedCrl, now: Date): void {
  const untilNext = Math.floor((crl.nextUpdate.getTime() - now.getTime()) / 1000);
  ctx.type = 'application/pkix-crl';
  ctx.set('Cache-Control', `public, max-age=${Math.max(0, Math.min(CRL_MAX_AGE_S, untilNext))}`);
  ctx.set('Last-Modified', crl.thisUpdate.toUTCString());
  ctx.set('Expires', crl.nextUpdate.toUTCString());
  ctx.set('ETag', `"${crl.authorityId}-${crl.crlNumber}"`);
  ctx.body = crl.der;
}

/**
 * The hub CA's CRLs, public as RFC 5280 distribution points are (no key: a CRL is signed and says
 * nothing secret): `/pki/hub-ca.crl` for the active CA, `/pki/hub-ca/<id>.crl` for any CA the hub had,
 * which is what issued certificates point at. DER, `application/pkix-crl` (RFC 5280 4.2.1.13, RFC 2585).
 */
export function hubCaCrlStack(deps: { crls: HubCaCrls; log: Logger }): Middleware {
  const router = new Router({ prefix: HUB_CA_CRL_PREFIX });
  router.get(ACTIVE_HUB_CA_CRL_PATH.slice(HUB_CA_CRL_PREFIX.length), async (ctx) => {
    const crl = await deps.crls.ofActive();
    if (!crl) return problem(ctx, 404, 'not_found', 'The hub has no certificate authority yet, so it has revoked nothing');
    serve(ctx, crl, new Date());
  });
  router.get('/hub-ca/:file', async (ctx) => {
    const id = /^([1-9][0-9]{0,17})\.crl$/.exec(ctx.params.file)?.[1];
    const crl = id ? await deps.crls.ofAuthority(id) : undefined;
    if (!crl) return problem(ctx, 404, 'not_found', `No CRL at ${ctx.path}: the hub's CAs publish theirs at ${HUB_CA_CRL_PREFIX}/hub-ca/<id>.crl`);
    serve(ctx, crl, new Date());
  });
  const errors: Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      deps.log.error({ err: error, path: ctx.path }, 'a CRL could not be served');
      return problem(ctx, 500, 'internal', 'The CRL could not be signed now; try again later');
    }
    if (ctx.status === 404 && ctx.body === undefined) problem(ctx, 404, 'not_found', `Nothing at ${ctx.path}; the active CA's CRL is ${ACTIVE_HUB_CA_CRL_PATH}`);
  };
  return compose([errors, router.routes(), router.allowedMethods()]) as Middleware;
}
