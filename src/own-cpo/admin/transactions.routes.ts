import Router from '@koa/router';
import { z } from 'zod';
import type { OwnCreditCdrs } from '../charging/credit-cdrs';
import type { Transaction, TransactionsService } from '../charging/transactions.service';
import { HubError } from '../../foundation/hub-errors';
import { parseAdminBody } from '../../http/admin-http';

const Query = z.strictObject({
  status: z.enum(['ACTIVE', 'STOPPED']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function transactionView(t: Transaction) {
  return {
    session_id: t.sessionId,
    charger_id: t.chargerId,
    transaction_id: t.transactionId,
    ocpp_connector: t.ocppConnector,
    location_id: t.locationId,
    evse_uid: t.evseUid,
    connector_id: t.connectorId,
    id_token: t.idToken,
    authorization: t.auth && { status: t.auth.status, auth_method: t.auth.authMethod, emsp: t.auth.cdrToken ? `${t.auth.cdrToken.country_code}/${t.auth.cdrToken.party_id}` : null, reason: t.auth.reason },
    tariff_id: t.tariff?.id ?? null,
    status: t.status,
    started_at: t.startedAt,
    stopped_at: t.stoppedAt,
    meter_start_wh: t.meterStartWh,
    meter_stop_wh: t.meterStopWh,
    last_energy_wh: t.lastEnergyWh,
    last_power_w: t.lastPowerW,
    stop_reason: t.stopReason,
    closed_by_hub: t.closedByHub,
    cdr_id: t.cdrId || null,
  };
}

/** Transactions at the hub's own chargers (`/admin/transactions`) and credit CDRs for their CDRs. */
export function transactionsAdminRouter(deps: { transactions: TransactionsService; ownCreditCdrs: OwnCreditCdrs }): Router {
  const router = new Router({ prefix: '/admin' });
  router.get('/transactions', async (ctx) => {
    const query = parseAdminBody(Query, { ...ctx.query });
    const list = query.status === 'ACTIVE' ? await deps.transactions.active() : await deps.transactions.recent(query.limit);
    ctx.body = list.filter((t) => !query.status || t.status === query.status).slice(0, query.limit).map(transactionView);
  });
  router.get('/transactions/:sessionId', async (ctx) => {
    const transaction = await deps.transactions.findBySession(ctx.params.sessionId);
    if (!transaction) throw new HubError('not_found', `No transaction with session id ${ctx.params.sessionId}`);
    ctx.body = transactionView(transaction);
  });
  router.post('/cdrs/:cdrId/credit', async (ctx) => {
    ctx.status = 201;
    ctx.body = await deps.ownCreditCdrs.credit(ctx.params.cdrId);
  });
  return router;
}
