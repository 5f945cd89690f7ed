import type { Middleware } from 'koa';
import { bearerKeyOf } from '../../foundation/api-keys';
import { requireIssuedKey } from '../../http/admin-http';
import { FLEET_KEY_PREFIX, type Fleets } from './fleets';

/** The bookings routes a fleet key opens: `/admin/bookings` and below, nothing else of /admin. */
export const FLEET_BOOKINGS_PATH = /^\/admin\/bookings(\/|$)/;

/**
 * A request to the bookings routes with a fleet key (`Authorization: Bearer flt_…`), served by the fleet
 * stack; an admin key that happens to start with `flt_` stays the admin's.
 */
export function hasFleetKey(ctx: { path: string; get(field: string): string }, adminApiKey: string): boolean {
  if (!FLEET_BOOKINGS_PATH.test(ctx.path)) return false;
  const key = bearerKeyOf(ctx.get('Authorization'), FLEET_KEY_PREFIX);
  return key !== null && key !== adminApiKey;
}

/** `Authorization: Bearer <fleet key>`: a key the operator issued to a fleet, not revoked; sets ctx.state.fleetCaller. */
export function requireFleetKey(fleets: Fleets): Middleware {
  return requireIssuedKey({ prefix: FLEET_KEY_PREFIX, name: 'fleet key', state: 'fleetCaller' }, (key) => fleets.authenticate(key));
}
