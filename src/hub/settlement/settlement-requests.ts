import { z } from 'zod';
import type { Context } from 'koa';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { InvoiceBasis, InvoiceLine } from '../../core/settlement/invoice-reconciliation';
import { invoiceLinesFromCsv, invoiceLinesFromJson, MAX_INVOICE_LINES } from './invoice-reconciliations';

/** Request shapes of settlement shared by the operator's admin API and the partners' finance API. */

/**
 * Statement ids are md5 digests written as UUIDs (derived from what a statement is, see
 * core/settlement/ids.ts), without RFC 4122 version bits: any 8-4-4-4-12 hex id; others are 404.
 */
export const StatementId = z.guid();
export function statementIdParam(value: string | undefined): string {
  if (!StatementId.safeParse(value).success) throw new AdminError(404, 'not_found', `No settlement statement ${value}`);
  return value!.toLowerCase();
}

export const VersionQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

export const CsvQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

/** A version in a path: anything but a positive integer names no version (404). */
export function versionParam(value: string | undefined): number {
  if (!value || !/^[1-9][0-9]{0,8}$/.test(value)) throw new AdminError(404, 'not_found', `No statement version ${value}`);
  return Number(value);
}

export const DisputeBody = z.strictObject({
  statement_id: StatementId.transform((v) => v.toLowerCase()),
  cdr_id: z.string().min(1).max(39),
  reason: z.string().trim().min(1, 'must say why the line is declined').max(1000),
  /** What the raiser claims back, in the statement's currency (e.g. "3.20"). */
  amount_claimed: z.string().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a non-negative decimal amount such as 3.20').optional(),
  /** Anything that supports the claim, e.g. signed meter data (OCMF) or a photo's URL; kept as sent. */
  evidence: z.unknown().optional(),
});

/** A party's answer to a dispute, or more from the side that raised it. */
export const DisputeStepBody = z.strictObject({
  message: z.string().trim().min(1, 'must say something').max(2000),
  evidence: z.unknown().optional(),
});

const InvoiceOptions = {
  /** What the invoice's amounts are: before VAT (`net`, the default: every line has one) or with VAT (`gross`). */
  basis: z.enum(['net', 'gross']).default('net'),
  /** The partner's own invoice number, kept with the report. */
  invoice_reference: z.string().trim().min(1).max(100).optional(),
  /** The statement version invoiced (default: the shown one, closed else latest). */
  version: z.coerce.number().int().min(1).optional(),
};

/** An invoice as JSON: its lines, one amount per CDR. (As CSV, the options come in the query.) */
export const InvoiceBody = z.strictObject({
  ...InvoiceOptions,
  lines: z
    .array(z.strictObject({ cdr_id: z.string(), amount: z.union([z.string(), z.number()]) }))
    .max(MAX_INVOICE_LINES, `an invoice holds at most ${MAX_INVOICE_LINES} lines`),
});

const InvoiceQuery = z.strictObject(InvoiceOptions);

/** The invoice of a request: a JSON body (InvoiceBody), or `text/csv` with the options in the query. */
export function invoiceOf(ctx: Context): {
  lines: InvoiceLine[];
  basis: InvoiceBasis;
  reference?: string;
  version?: number;
} {
  if (ctx.is(['text/csv'])) {
    const options = parseAdminBody(InvoiceQuery, { ...ctx.query });
    return { lines: invoiceLinesFromCsv((ctx.state.rawBody as string | undefined) ?? ''), basis: options.basis, reference: options.invoice_reference, version: options.version };
  }
  const body = parseAdminBody(InvoiceBody, ctx.request.body);
  return { lines: invoiceLinesFromJson(body.lines), basis: body.basis, reference: body.invoice_reference, version: body.version };
}

export const DisputesQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  statement_id: StatementId.transform((v) => v.toLowerCase()).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

