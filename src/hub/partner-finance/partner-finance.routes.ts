import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { parseAdminBody, requireIssuedKey, uuidParam } from '../../http/admin-http';
import { CsvQuery, DisputeBody, DisputesQuery, DisputeStepBody, invoiceOf, statementIdParam, VersionQuery, versionParam } from '../settlement/settlement-requests';
import { FINANCE_KEY_PREFIX, type FinanceCaller, type FinanceKeys } from './finance-keys';
import type { PartnerStatements } from './partner-statements';
import { statementPdf } from '../settlement/statement-pdf';

declare module 'koa' {
  interface DefaultState {
    /** The partner a finance key stands for (partner finance API). */
    financeCaller?: FinanceCaller;
  }
}

export const PARTNER_FINANCE_PREFIX = '/partner/v1';

/** `Authorization: Bearer <finance key>`: a key the operator issued to the party, not revoked, of a party not suspended. */
export function requireFinanceKey(keys: FinanceKeys): Middleware {
  return requireIssuedKey({ prefix: FINANCE_KEY_PREFIX, name: 'finance key', state: 'financeCaller' }, (key) => keys.authenticate(key));
}

const StatementsQuery = z.strictObject({
  period: z.string().optional(),
  status: z.enum(['open', 'closed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * The partners' finance API (docs/settlement.md, "Statements for the partners"): a CPO's or eMSP's
 * finance team reads its own statements (versions, lines, CSV), disputes lines and answers the other
 * side's disputes, and reconciles its invoices. Errors in the admin API's shape.
 */
export function partnerFinanceRouter(deps: { partnerStatements: PartnerStatements }): Router {
  const partner = deps.partnerStatements;
  const router = new Router({ prefix: PARTNER_FINANCE_PREFIX });
  const caller = (ctx: { state: { financeCaller?: FinanceCaller } }) => ctx.state.financeCaller!;

  router.get('/statements', async (ctx) => {
    ctx.body = await partner.list(caller(ctx), parseAdminBody(StatementsQuery, { ...ctx.query }));
  });

  router.get('/statements/:id', async (ctx) => {
    ctx.body = await partner.statement(caller(ctx), statementIdParam(ctx.params.id));
  });

  router.get('/statements/:id/lines', async (ctx) => {
    const query = parseAdminBody(VersionQuery, { ...ctx.query });
    ctx.body = await partner.version(caller(ctx), statementIdParam(ctx.params.id), query.version, query);
  });

  router.get('/statements/:id/versions/:version', async (ctx) => {
    const query = parseAdminBody(VersionQuery.omit({ version: true }), { ...ctx.query });
    ctx.body = await partner.version(caller(ctx), statementIdParam(ctx.params.id), versionParam(ctx.params.version), query);
  });

  router.get('/statements/:id/csv', async (ctx) => {
    const { version } = parseAdminBody(CsvQuery, { ...ctx.query });
    const id = statementIdParam(ctx.params.id);
    ctx.body = await partner.csv(caller(ctx), id, version);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="statement-${id}.csv"`);
  });

  router.get('/statements/:id/pdf', async (ctx) => {
    const { version } = parseAdminBody(CsvQuery, { ...ctx.query });
    const id = statementIdParam(ctx.params.id);
    ctx.body = await statementPdf(await partner.document(caller(ctx), id, version));
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `attachment; filename="statement-${id}.pdf"`);
  });

  router.post('/statements/:id/invoice-reconciliations', async (ctx) => {
    const id = statementIdParam(ctx.params.id);
    ctx.body = await partner.reconcile(caller(ctx), id, invoiceOf(ctx));
    ctx.status = 201;
  });

  router.get('/statements/:id/invoice-reconciliations', async (ctx) => {
    ctx.body = await partner.reconciliations(caller(ctx), statementIdParam(ctx.params.id));
  });

  router.get('/invoice-reconciliations/:id', async (ctx) => {
    ctx.body = await partner.reconciliation(caller(ctx), uuidParam(ctx.params.id, 'invoice reconciliation'));
  });

  router.get('/disputes', async (ctx) => {
    const query = parseAdminBody(DisputesQuery, { ...ctx.query });
    ctx.body = await partner.disputes(caller(ctx), { status: query.status, statementId: query.statement_id, limit: query.limit });
  });

  router.post('/disputes', async (ctx) => {
    const body = parseAdminBody(DisputeBody, ctx.request.body);
    ctx.body = await partner.raise(caller(ctx), {
      statementId: body.statement_id,
      cdrId: body.cdr_id,
      reason: body.reason,
      amountClaimed: body.amount_claimed,
      evidence: body.evidence,
    });
    ctx.status = 201;
  });

  router.get('/disputes/:id', async (ctx) => {
    ctx.body = await partner.dispute(caller(ctx), uuidParam(ctx.params.id, 'dispute'));
  });

  router.post('/disputes/:id/steps', async (ctx) => {
    const body = parseAdminBody(DisputeStepBody, ctx.request.body);
    ctx.body = await partner.answer(caller(ctx), uuidParam(ctx.params.id, 'dispute'), body.message, body.evidence);
    ctx.status = 201;
  });

  return router;
}
