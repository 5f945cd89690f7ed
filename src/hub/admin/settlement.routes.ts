import Router from '@koa/router';
import { z } from 'zod';
import type { SettlementService } from '../settlement/settlement.service';
import { parseAdminBody, uuidParam } from '../../http/admin-http';
import { CsvQuery, DisputeBody, DisputesQuery, invoiceOf, statementIdParam, VersionQuery, versionParam } from '../settlement/settlement-requests';
import type { InvoiceReconciliations } from '../settlement/invoice-reconciliations';
import { statementPdf } from '../settlement/statement-pdf';

const PartyAddress = z
  .string()
  .regex(/^[A-Za-z]{2}\/[A-Za-z0-9]{3}$/, 'must be COUNTRY/PARTY')
  .transform((v) => v.toUpperCase());

const RunBody = z.strictObject({
  /** The period's label (2024-03 for a month; a day, or a Monday for weeks); default: the last complete period. */
  period: z.string().optional(),
});

const StatementsQuery = z.strictObject({
  period: z.string().optional(),
  cpo: PartyAddress.optional(),
  emsp: PartyAddress.optional(),
  status: z.enum(['open', 'closed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const CloseBody = z.strictObject({ version: z.number().int().min(1).optional() });

const ResolveBody = z.strictObject({
  resolution: z.enum(['credited', 'withdrawn', 'rejected']),
  note: z.string().max(1000).optional(),
});

const PairTimeZoneBody = z.strictObject({
  cpo: z.string().transform((v) => v.toUpperCase()),
  emsp: z.string().transform((v) => v.toUpperCase()),
  time_zone: z.string().min(1),
});

/**
 * Settlement (docs/settlement.md): `/admin/settlement/runs`, `/statements` (versions, close, CSV of
 * lines and of re-rating mismatches), `/disputes` and `/time-zones` (the zone each pair's periods are cut in).
 */
export function settlementAdminRouter(deps: { settlement: SettlementService; invoiceReconciliations: InvoiceReconciliations }): Router {
  const { settlement, invoiceReconciliations } = deps;
  const router = new Router({ prefix: '/admin/settlement' });

  router.get('/time-zones', async (ctx) => {
    ctx.body = await settlement.pairTimeZones();
  });

  router.put('/time-zones', async (ctx) => {
    const body = parseAdminBody(PairTimeZoneBody, ctx.request.body);
    ctx.body = await settlement.setPairTimeZone(body.cpo, body.emsp, body.time_zone);
  });

  router.post('/runs', async (ctx) => {
    const body = parseAdminBody(RunBody, ctx.request.body);
    const outcome = body.period ? await settlement.run(settlement.period(body.period)) : await settlement.runScheduled();
    ctx.status = 201;
    ctx.body = { run_id: outcome.runId, period: outcome.period, lines_written: outcome.linesWritten, statements: outcome.statements };
  });

  router.get('/runs', async (ctx) => {
    ctx.body = await settlement.listRuns();
  });

  router.get('/statements', async (ctx) => {
    const query = parseAdminBody(StatementsQuery, { ...ctx.query });
    if (query.period) settlement.period(query.period);
    ctx.body = await settlement.listStatements(query);
  });

  router.get('/statements/:id', async (ctx) => {
    const id = statementIdParam(ctx.params.id);
    ctx.body = { statement: await settlement.statement(id), versions: await settlement.versions(id) };
  });

  // The shown version: the closed one, else the latest, else ?version=.
  router.get('/statements/:id/lines', async (ctx) => {
    const query = parseAdminBody(VersionQuery, { ...ctx.query });
    ctx.body = await settlement.version(statementIdParam(ctx.params.id), query.version, query);
  });

  router.get('/statements/:id/versions/:version', async (ctx) => {
    const query = parseAdminBody(VersionQuery.omit({ version: true }), { ...ctx.query });
    ctx.body = await settlement.version(statementIdParam(ctx.params.id), versionParam(ctx.params.version), query);
  });

  router.post('/statements/:id/close', async (ctx) => {
    const body = parseAdminBody(CloseBody, ctx.request.body);
    ctx.body = await settlement.close(statementIdParam(ctx.params.id), body.version);
  });

  router.get('/statements/:id/csv', async (ctx) => {
    const { version } = parseAdminBody(CsvQuery, { ...ctx.query });
    const id = statementIdParam(ctx.params.id);
    ctx.body = await settlement.linesCsv(id, version);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="statement-${id}.csv"`);
  });

  router.get('/statements/:id/pdf', async (ctx) => {
    const { version } = parseAdminBody(CsvQuery, { ...ctx.query });
    const id = statementIdParam(ctx.params.id);
    ctx.body = await statementPdf(await settlement.statementDocument(id, version));
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `attachment; filename="statement-${id}.pdf"`);
  });

  router.get('/statements/:id/mismatches.csv', async (ctx) => {
    const { version } = parseAdminBody(CsvQuery, { ...ctx.query });
    const id = statementIdParam(ctx.params.id);
    ctx.body = await settlement.mismatchesCsv(id, version);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="mismatches-${id}.csv"`);
  });

  // The operator reconciles an invoice it was sent (by mail, say) on a partner's behalf.
  router.post('/statements/:id/invoice-reconciliations', async (ctx) => {
    const id = statementIdParam(ctx.params.id);
    ctx.body = await invoiceReconciliations.reconcile(id, 'operator', invoiceOf(ctx));
    ctx.status = 201;
  });

  router.get('/statements/:id/invoice-reconciliations', async (ctx) => {
    const id = statementIdParam(ctx.params.id);
    await settlement.statement(id);
    ctx.body = await invoiceReconciliations.list(id);
  });

  router.get('/invoice-reconciliations/:id', async (ctx) => {
    ctx.body = await invoiceReconciliations.get(uuidParam(ctx.params.id, 'invoice reconciliation'));
  });

  router.post('/disputes', async (ctx) => {
    const body = parseAdminBody(DisputeBody, ctx.request.body);
    ctx.body = await settlement.createDispute(body.statement_id, body.cdr_id, body.reason, 'operator', { amountClaimed: body.amount_claimed, evidence: body.evidence });
    ctx.status = 201;
  });

  router.get('/disputes', async (ctx) => {
    const query = parseAdminBody(DisputesQuery, { ...ctx.query });
    ctx.body = await settlement.listDisputes({ status: query.status, statementId: query.statement_id, limit: query.limit });
  });

  router.get('/disputes/:id', async (ctx) => {
    ctx.body = await settlement.dispute(uuidParam(ctx.params.id, 'dispute'));
  });

  router.post('/disputes/:id/resolve', async (ctx) => {
    const body = parseAdminBody(ResolveBody, ctx.request.body);
    ctx.body = await settlement.resolveDispute(uuidParam(ctx.params.id, 'dispute'), body.resolution, body.note);
  });

  return router;
}
