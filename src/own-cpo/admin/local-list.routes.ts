import Router from '@koa/router';
import { CHARGER_ID, type ChargersService } from '../chargers/chargers.service';
import type { LocalListState, LocalListSync } from '../charging/local-list-sync';
import { AdminError } from '../../http/admin-http';

/**
 * The local authorization list of a charger (own-cpo/charging/local-list-sync.ts):
 * `GET /admin/chargers/{id}/local-list` what the hub last set on it and how the last sync went
 * (`?entries=true` adds the entries), `POST /admin/chargers/{id}/local-list/sync` a full list, now
 * when the charger is connected to this instance (200), else when it is next synced (202).
 */
export function localListAdminRouter(deps: { chargers: ChargersService; localLists: LocalListSync }): Router {
  const router = new Router({ prefix: '/admin/chargers' });
  const requireCharger = async (id: string | undefined) => {
    if (!id || !CHARGER_ID.test(id)) throw new AdminError(404, 'not_found', `No charger with id ${id}`);
    return deps.chargers.require(id);
  };
  const body = async (id: string, state: LocalListState | undefined) => {
    const charger = await deps.chargers.require(id);
    return {
      charger_id: id,
      protocol: charger.protocol,
      connected: charger.connectedInstance !== null,
      list_version: state?.listVersion ?? 0,
      entry_count: state?.entryCount ?? null,
      full_requested: state?.fullRequested ?? false,
      synced_at: state?.syncedAt?.toISOString() ?? null,
      outcome: state?.outcome ?? null,
      detail: state?.detail ?? null,
      update_type: state?.updateType ?? null,
      messages_sent: state?.messagesSent ?? 0,
      entries_sent: state?.entriesSent ?? 0,
      left_out: state?.leftOut ? { id_too_long: state.leftOut.idTooLong, over_capacity: state.leftOut.overCapacity } : null,
    };
  };
  router.get('/:id/local-list', async (ctx) => {
    const { id } = await requireCharger(ctx.params.id);
    const withEntries = ctx.query.entries === 'true';
    if (ctx.query.entries !== undefined && !withEntries && ctx.query.entries !== 'false') {
      throw new AdminError(400, 'invalid', 'entries: true or false');
    }
    const result: Record<string, unknown> = await body(id, await deps.localLists.state(id));
    if (withEntries) {
      const entries = await deps.localLists.entriesOf(id);
      result.entries = entries?.map((e) => ({ id_tag: e.id, status: e.status, expires_at: e.expiresAt ?? null })) ?? null;
    }
    ctx.body = result;
  });
  router.post('/:id/local-list/sync', async (ctx) => {
    const { id } = await requireCharger(ctx.params.id);
    const { sentNow, state } = await deps.localLists.requestFull(id);
    ctx.status = sentNow ? 200 : 202;
    ctx.body = { sent_now: sentNow, ...(await body(id, state)) };
  });
  return router;
}
