import Router from '@koa/router';
import { z } from 'zod';
import { CHARGER_ID, type ChargersService } from '../chargers/chargers.service';
import type { MeterKey, SignedReadings } from '../charging/signed-readings';
import { AdminError, parseAdminBody } from '../../http/admin-http';

const MeterKeysBody = z.strictObject({
  keys: z
    .array(z.strictObject({ public_key: z.string().min(1).max(4000), label: z.string().max(200).nullable().optional() }))
    .max(16),
});

const shown = (keys: MeterKey[]) => ({ keys: keys.map((k) => ({ public_key: k.publicKey, label: k.label, added_at: k.addedAt.toISOString() })) });

/**
 * `GET`/`PUT /admin/chargers/{id}/meter-keys`: the public keys of a charger's Eichrecht meters, which
 * its signed meter values are checked against (docs/own-chargers.md, Signed meter values). A PUT
 * replaces the list; a key that is no EC public key is refused with 400 and nothing changes.
 */
export function meterKeysAdminRouter(deps: { chargers: ChargersService; signedReadings: SignedReadings }): Router {
  const router = new Router({ prefix: '/admin/chargers' });
  const chargerId = (id: string | undefined) => {
    if (!id || !CHARGER_ID.test(id)) throw new AdminError(404, 'not_found', `No charger with id ${id}`);
    return id;
  };
  router.get('/:id/meter-keys', async (ctx) => {
    const charger = await deps.chargers.require(chargerId(ctx.params.id));
    ctx.body = shown(await deps.signedReadings.keysOf(charger.id));
  });
  router.put('/:id/meter-keys', async (ctx) => {
    const { id } = await deps.chargers.require(chargerId(ctx.params.id));
    const body = parseAdminBody(MeterKeysBody, ctx.request.body);
    ctx.body = shown(await deps.signedReadings.setKeys(id, body.keys.map((k) => ({ publicKey: k.public_key, label: k.label }))));
  });
  return router;
}
