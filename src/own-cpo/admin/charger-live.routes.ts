import Router from '@koa/router';
import { CHARGER_ID, type ChargersService } from '../chargers/chargers.service';
import type { OcppServer } from '../ocpp/ocpp-server';
import type { TransactionsService } from '../charging/transactions.service';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import { chargerView } from './chargers.routes';
import { transactionView } from './transactions.routes';
import { AdminError } from '../../http/admin-http';
import { HUB_ACTIONS } from '../ocpp/charger-actions';

/**
 * `GET /admin/chargers/{id}/live`: what the dashboard's charger page shows at the top, in one call —
 * the charger as `GET /admin/chargers/{id}` has it, each mapped connector with its OCPP status beside
 * the OCPI status its EVSE shows partners (the stored own location), its running transactions, and
 * the actions the generic form may send in its version.
 */
export function chargerLiveAdminRouter(deps: { chargers: ChargersService; ocpp: OcppServer; transactions: TransactionsService; locations: LocationsService; ownCpo: RoleAddress }): Router {
  const router = new Router({ prefix: '/admin/chargers' });
  router.get('/:id/live', async (ctx) => {
    const id = ctx.params.id;
    if (!id || !CHARGER_ID.test(id)) throw new AdminError(404, 'not_found', `No charger with id ${id}`);
    const charger = await deps.chargers.require(id);
    const protocol = deps.ocpp.connection(id)?.protocol ?? charger.protocol;
    const [transactions, location] = await Promise.all([
      deps.transactions.active(id),
      charger.locationId ? deps.locations.storedOf(deps.ownCpo, charger.locationId) : Promise.resolve(undefined),
    ]);
    // Every connector the charger reported, and every mapped one it did not (yet): "0" is the charger itself.
    const names = [...new Set([...charger.connectors.map((c) => c.connector), ...charger.evses.map((e) => e.ocppConnector)])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    ctx.body = {
      charger: chargerView(charger, deps.ocpp),
      connectors: names.map((name) => {
        const state = charger.connectors.find((c) => c.connector === name);
        const mapping = charger.evses.find((e) => e.ocppConnector === name);
        const evse = mapping && location?.evses?.find((e) => e.uid === mapping.evseUid);
        const transaction = transactions.find((t) => t.ocppConnector === name);
        return {
          ocpp_connector: name,
          ocpp_status: state?.status ?? null,
          error_code: state?.errorCode ?? null,
          updated_at: state?.updatedAt ?? null,
          evse_uid: mapping?.evseUid ?? null,
          connector_id: mapping?.connectorId ?? null,
          ocpi_status: (evse?.status as string | undefined) ?? null,
          session_id: transaction?.sessionId ?? null,
        };
      }),
      transactions: transactions.map(transactionView),
      actions: protocol ? HUB_ACTIONS[protocol] : [],
    };
  });
  return router;
}
