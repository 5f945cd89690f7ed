import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { PartyAddress } from '../ocpi/party-address';
import type { NapPublication, NapPublications } from '../routing/nap-publications';
import { addressText, type AfirCatalogue, type CatalogueFilter } from './afir-catalogue';

const ADDRESS = /^([A-Za-z]{2})[*/-]([A-Za-z0-9]{3})$/;

/** `DE*ABC` (the eMI3 form of EVSE ids), `DE-ABC` or, in a query, `DE/ABC`. */
function address(value: string | undefined, what: string): PartyAddress {
  const match = value === undefined ? null : ADDRESS.exec(value);
  if (!match) throw new AdminError(400, 'invalid_request', `The ${what} must be COUNTRY*PARTY, e.g. DE*ABC`);
  return { countryCode: match[1].toUpperCase(), partyId: match[2].toUpperCase() };
}

function locationId(value: string | undefined): string {
  if (!value || value.length > 36 || !/^[\x21-\x7e]+$/.test(value)) throw new AdminError(400, 'invalid_request', 'location must be an OCPI id (1 to 36 printable characters)');
  return value;
}

function filterOf(ctx: Context): CatalogueFilter {
  const { location, owner } = ctx.query;
  if (Array.isArray(location) || Array.isArray(owner)) throw new AdminError(400, 'invalid_request', 'Give location and owner at most once');
  return {
    ...(location !== undefined && { locationId: locationId(location) }),
    ...(owner !== undefined && { owner: address(owner, 'owner') }),
  };
}

/** A location id names nothing at any CPO: 404 (ids are unique per CPO, so one id may give several). */
function found<T>(items: T[], id: string): T[] {
  if (items.length === 0) throw new AdminError(404, 'not_found', `No location with id ${id}`);
  return items;
}

export function napPublicationView(p: NapPublication) {
  return { party: addressText(p.cpo), own: p.own, publish: p.publish, changed_at: p.changedAt };
}

const NapDecision = z.strictObject({ publish: z.boolean() });

/**
 * AFIR for every CPO on the hub (docs/afir.md): `/admin/afir/tariffs` (the price rules per location),
 * `/admin/afir/readiness` (what each location lacks) and `/admin/afir/nap` (which CPOs publish to the
 * National Access Point).
 */
export function afirAdminRouter(deps: { afir: AfirCatalogue; naps: NapPublications }): Router {
  const router = new Router({ prefix: '/admin/afir' });

  router.get('/tariffs', async (ctx) => {
    ctx.body = await deps.afir.tariffReports(filterOf(ctx));
  });
  router.get('/tariffs/:location', async (ctx) => {
    const id = locationId(ctx.params.location);
    ctx.body = found(await deps.afir.tariffReports({ ...filterOf(ctx), locationId: id }), id);
  });
  router.get('/readiness', async (ctx) => {
    ctx.body = await deps.afir.readiness(filterOf(ctx));
  });
  router.get('/readiness/:location', async (ctx) => {
    const id = locationId(ctx.params.location);
    ctx.body = found(await deps.afir.readiness({ ...filterOf(ctx), locationId: id }), id);
  });

  router.get('/nap', async (ctx) => {
    ctx.body = (await deps.naps.list()).map(napPublicationView);
  });
  router.get('/nap/:party', async (ctx) => {
    ctx.body = napPublicationView(await deps.naps.get(address(ctx.params.party, 'party')));
  });
  router.put('/nap/:party', async (ctx) => {
    const cpo = address(ctx.params.party, 'party');
    const { publish } = parseAdminBody(NapDecision, ctx.request.body);
    ctx.body = napPublicationView(await deps.naps.set(cpo, publish));
  });
  return router;
}
