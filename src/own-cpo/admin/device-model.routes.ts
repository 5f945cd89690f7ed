import Router from '@koa/router';
import { CHARGER_ID, type ChargersService } from '../chargers/chargers.service';
import type { ChargerDeviceModel } from '../chargers/charger-device-model';
import type { ChargerChargingNeeds } from '../chargers/charger-charging-needs';
import { AdminError } from '../../http/admin-http';

/**
 * `GET /admin/chargers/{id}/device-model`: what the hub knows of a charger's device model /
 * configuration (each attribute with what the charger reported, when and through which message, and
 * what the operator last set with the charger's answer), and the charging limits other parties put
 * on its EVSEs and the EVs' charging needs (2.0.1/2.1 NotifyChargingLimit, NotifyEVChargingNeeds).
 */
export function deviceModelAdminRouter(deps: { chargers: ChargersService; deviceModel: ChargerDeviceModel; chargingNeeds: ChargerChargingNeeds }): Router {
  const router = new Router({ prefix: '/admin/chargers' });
  router.get('/:id/device-model', async (ctx) => {
    const id = ctx.params.id;
    if (!id || !CHARGER_ID.test(id)) throw new AdminError(404, 'not_found', `No charger with id ${id}`);
    const charger = await deps.chargers.require(id);
    const [variables, limits, needs] = await Promise.all([deps.deviceModel.of(id), deps.chargingNeeds.limitsOf(id), deps.chargingNeeds.needsOf([id])]);
    ctx.body = {
      charger_id: charger.id,
      protocol: charger.protocol,
      variables,
      charging_limits: limits.map((l) => ({ evse_id: l.evseId, source: l.source, charging_limit: l.chargingLimit, received_at: l.receivedAt.toISOString() })),
      ev_charging_needs: needs.map((n) => ({ evse_id: n.evseId, charging_needs: n.needs, received_at: n.receivedAt.toISOString() })),
    };
  });
  return router;
}
