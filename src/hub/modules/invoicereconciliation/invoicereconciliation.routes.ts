import Router from '@koa/router';
import type { Context } from 'koa';
import type { OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { authenticate } from '../../transport/authenticate';
import { respond } from '../../ocpi/envelope';
import { readPageRequest, setPageHeaders } from '../../ocpi/pagination';
import { readRoutingHeaders } from '../../ocpi/routing-headers';
import { actingRoles } from '../caller-roles';
import { respondStored } from '../client-owned';
import type { ModuleDeps } from '../module-deps';
import type { HubEndpoint } from '../versions/hub-versions';
import { versionPrefix } from '../versions/hub-versions';
import { INVOICERECONCILIATION_PAGE_LIMIT, type OcpiInvoiceReconciliationService } from './invoicereconciliation.service';

/** The hub's Receiver interface (data owners push to it) and Sender interface (their counterparts pull from it). */
export const INVOICERECONCILIATION_RECEIVER_PATH = '/receiver/invoicereconciliation';
export const INVOICERECONCILIATION_SENDER_PATH = '/sender/invoicereconciliation';

/** The module exists only in OCPI 2.3.0 (added by 2.3.0-ed2; VERSION_FORM): listed in the 2.3.0 version details alone. */
export const INVOICERECONCILIATION_ENDPOINTS: HubEndpoint[] = [
  { identifier: 'invoicereconciliation', role: 'SENDER', path: INVOICERECONCILIATION_SENDER_PATH },
  { identifier: 'invoicereconciliation', role: 'RECEIVER', path: INVOICERECONCILIATION_RECEIVER_PATH },
];

const recordUrl = (ctx: Context) => ({ countryCode: ctx.params.country_code, partyId: ctx.params.party_id, id: ctx.params.id });

/**
 * Invoice Reconciliation (mod_invoice_reconciliation.asciidoc, 2.3.0-ed2), OCPI 2.3.0 only; records are
 * read and passed on as 2.3.0, never translated (the hub form has no such module).
 *
 * Receiver interface, for the data owner (a CPO billing directly, an eMSP billing in reverse):
 *   POST {receiver}, GET/PUT/DELETE {receiver}/{country_code}/{party_id}/{id}.
 * Sender interface, for the counterpart: GET {sender} (paginated, date_from/date_to).
 */
export function invoiceReconciliationRouter(deps: ModuleDeps & { ocpiInvoiceReconciliation: OcpiInvoiceReconciliationService }, version: OcpiVersion): Router {
  const router = new Router({ prefix: versionPrefix(version) });
  const auth = authenticate(deps.parties, { allowTokenA: false });
  const records = deps.ocpiInvoiceReconciliation;
  const one = `${INVOICERECONCILIATION_RECEIVER_PATH}/:country_code/:party_id/:id`;

  router.post(INVOICERECONCILIATION_RECEIVER_PATH, auth, async (ctx) => {
    respondStored(ctx, await records.post(ctx.state.caller!, readRoutingHeaders(ctx).to, ctx.request.body, ctx.state.correlationId));
  });
  router.get(one, auth, async (ctx) => {
    respond(ctx, await records.getOwn(ctx.state.caller!, recordUrl(ctx)));
  });
  router.put(one, auth, async (ctx) => {
    respondStored(ctx, await records.put(ctx.state.caller!, readRoutingHeaders(ctx).to, recordUrl(ctx), ctx.request.body, ctx.state.correlationId));
  });
  router.delete(one, auth, async (ctx) => {
    await records.delete(ctx.state.caller!, recordUrl(ctx), ctx.state.correlationId);
    respond(ctx);
  });

  router.get(INVOICERECONCILIATION_SENDER_PATH, auth, async (ctx) => {
    const page = readPageRequest(ctx, INVOICERECONCILIATION_PAGE_LIMIT);
    const { items, total } = await records.list(actingRoles(ctx, ctx.state.caller!, ['CPO', 'EMSP']), page);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respond(ctx, items);
  });

  return router;
}
