import Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { type Datex2Cpo, type Datex2Location, type Datex2Publisher, type Datex2Tariff, energyInfrastructureStatus, energyInfrastructureTable } from '../../core/afir/datex2-energy-infrastructure';
import type { AfirCatalogue } from './afir-catalogue';

export const NAP_DATEX2_PREFIX = '/nap/datex2/v3';

/** The published locations of the CPOs that opted in, read now: a status change shows in the next GET. */
async function publishedCatalogue(afir: AfirCatalogue): Promise<Datex2Cpo[]> {
  return (await afir.cpos({}, { publishingOnly: true })).map((cpo) => ({
    locations: cpo.locations.filter((l) => l.publish) as unknown as Datex2Location[],
    tariffs: cpo.tariffs as unknown as ReadonlyMap<string, Datex2Tariff>,
  }));
}

/**
 * The DATEX II v3 energy-infrastructure publications a National Access Point pulls (AFIR Art. 20,
 * docs/afir.md): `table.xml` (EnergyInfrastructureTablePublication, static) and `status.xml`
 * (EnergyInfrastructureStatusPublication, dynamic), of the published locations of the CPOs that
 * opted in. Public, like the NAP's own publication of them: they hold nothing the NAP does not
 * publish. Nothing published: the table is 204 (DATEX II requires a site), the status an empty
 * publication. Built on every request from the object store, so a status is published as soon as it is
 * stored (no cache to wait for).
 */
export function napDatex2Stack(deps: { afir: AfirCatalogue; publisher: Datex2Publisher; log: Logger }): Middleware {
  const router = new Router({ prefix: NAP_DATEX2_PREFIX });
  // Requests that arrive while a document is being built share that build (single flight): a busy
  // public URL costs one build at a time, and what it answers is never older than the build it waited for.
  const xml = (build: (cpos: Datex2Cpo[], publisher: Datex2Publisher, at: Date) => string, { emptyAllowed }: { emptyAllowed: boolean }): Middleware => {
    let inflight: Promise<string | undefined> | undefined;
    const run = async () => {
      const cpos = await publishedCatalogue(deps.afir);
      // A table publication holds at least one site (DATEX II: energyInfrastructureSite 1..*): with none, there is nothing to publish.
      if (!emptyAllowed && cpos.every((cpo) => cpo.locations.length === 0)) return undefined;
      return build(cpos, deps.publisher, new Date());
    };
    return async (ctx) => {
      inflight ??= run().finally(() => (inflight = undefined));
      const document = await inflight;
      ctx.set('Cache-Control', 'no-cache');
      if (document === undefined) {
        ctx.status = 204;
        return;
      }
      ctx.type = 'application/xml; charset=utf-8';
      ctx.body = document;
    };
  };
  router.get('/table.xml', xml(energyInfrastructureTable, { emptyAllowed: false }));
  router.get('/status.xml', xml(energyInfrastructureStatus, { emptyAllowed: true }));
  const errors: Middleware = async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'not_found', message: `Nothing at ${ctx.path}; the publications are ${NAP_DATEX2_PREFIX}/table.xml and status.xml` } };
      }
    } catch (error) {
      deps.log.error({ err: error, path: ctx.path }, 'a NAP publication failed');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: 'The publication could not be built' } };
    }
  };
  return compose([errors, router.routes(), router.allowedMethods()]) as Middleware;
}
