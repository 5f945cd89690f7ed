import { parse as parseCsv } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { HubError } from '../../foundation/hub-errors';
import { type InvoiceBasis, type InvoiceLine, InvoiceRejected, type InvoiceReport, reconcileInvoice } from '../../core/settlement/invoice-reconciliation';
import type { DisputeActor, SettlementService } from './settlement.service';

export interface InvoiceReconciliationView extends InvoiceReport {
  id: string;
  statement_id: string;
  version: number;
  submitted_by: DisputeActor;
  invoice_reference: string | null;
  created_at: Date;
}

/**
 * What an OCPI InvoiceReconciliationRecord (mod_invoice_reconciliation) gives the reports: the pair of
 * the statements, who sent it (CC/PID), its invoice_id and the CDR ids it lists, without amounts.
 */
export interface ReceivedInvoiceRecord {
  cpo: string;
  emsp: string;
  submittedBy: string;
  invoiceId: string;
  cdrIds: readonly string[];
}

/** At most this many invoice lines in one submission (a month of a large CPO/eMSP pair fits). */
export const MAX_INVOICE_LINES = 200_000;

/** A CDR id as an invoice names it: OCPI CDR ids are printable ASCII, at most 39 characters (mod_cdrs.asciidoc). */
const CDR_ID = /^[\x21-\x7e]{1,39}$/;

function checkedLines(lines: InvoiceLine[]): InvoiceLine[] {
  if (lines.length > MAX_INVOICE_LINES) throw new HubError('invalid', `An invoice holds at most ${MAX_INVOICE_LINES} lines; split it`);
  lines.forEach((line, index) => {
    if (!CDR_ID.test(line.cdr_id)) throw new HubError('invalid', `invoice line ${index + 1}: cdr_id ${JSON.stringify(line.cdr_id)} is not a CDR id (1 to 39 printable characters)`);
  });
  return lines;
}

/**
 * An invoice sent as CSV: a header row naming `cdr_id` and `amount` (other columns are ignored, in any
 * order), then one row per CDR. Quoting as RFC 4180; a BOM is allowed.
 */
export function invoiceLinesFromCsv(text: string): InvoiceLine[] {
  const header = (names: string[]) => {
    const columns = names.map((h) => h.trim().toLowerCase());
    if (!columns.includes('cdr_id') || !columns.includes('amount')) throw new HubError('invalid', 'The invoice CSV needs a header row with the columns cdr_id and amount');
    return columns;
  };
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: header, bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError('invalid', `The invoice is not readable CSV: ${(error as Error).message}`);
  }
  if (text.trim() === '') throw new HubError('invalid', 'The invoice CSV needs a header row with the columns cdr_id and amount');
  return checkedLines(rows.map((row) => ({ cdr_id: row.cdr_id, amount: row.amount })));
}

/** An invoice sent as JSON lines (already schema-checked). */
export function invoiceLinesFromJson(lines: { cdr_id: string; amount: string | number }[]): InvoiceLine[] {
  return checkedLines(lines.map((line) => ({ cdr_id: line.cdr_id, amount: String(line.amount) })));
}

/**
 * Reconciles partners' invoices against statements (core/settlement/invoice-reconciliation.ts) and
 * keeps every report, so both sides and the operator see the same one.
 */
export class InvoiceReconciliations {
  constructor(
    private readonly db: DataSource,
    private readonly settlement: SettlementService,
  ) {}

  async reconcile(
    statementId: string,
    submittedBy: DisputeActor,
    invoice: { lines: InvoiceLine[]; basis: InvoiceBasis; reference?: string; version?: number },
  ): Promise<InvoiceReconciliationView> {
    const { statement, version, lines } = await this.settlement.invoiceLines(statementId, invoice.version);
    let report: InvoiceReport;
    try {
      report = reconcileInvoice(statement.currency, invoice.basis, lines, invoice.lines);
    } catch (error) {
      if (error instanceof InvoiceRejected) throw new HubError('invalid', error.message);
      throw error;
    }
    const [row] = await this.db.query(
      `INSERT INTO invoice_reconciliations (statement_id, version, submitted_by, invoice_reference, basis, report)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
      [statementId, version, submittedBy, invoice.reference ?? null, invoice.basis, JSON.stringify(report)],
    );
    return { id: row.id, statement_id: statementId, version, submitted_by: submittedBy, invoice_reference: invoice.reference ?? null, created_at: row.created_at, ...report };
  }

  /**
   * An OCPI InvoiceReconciliationRecord against the pair's statements (of the configured period kind,
   * each at its shown version: closed, else latest): one report per statement that holds one of its
   * CDRs. A report lists the record's CDRs on that statement (matched: on the statement, no amounts
   * compared), those on none of the pair's statements (unknown_to_hub), and that statement's lines the
   * record does not list (missing_from_invoice); CDRs on another of the touched statements are that
   * statement's report's. No statement holds any: no report.
   */
  async reconcileRecord(record: ReceivedInvoiceRecord): Promise<InvoiceReconciliationView[]> {
    const ids = [...new Set(record.cdrIds)];
    const touched: { id: string; listed: string[] }[] = await this.db.query(
      `SELECT s.id, array(SELECT unnest(v.cdr_ids) INTERSECT SELECT unnest($3::text[])) AS listed
         FROM settlement_statements s
         JOIN settlement_statement_versions v ON v.statement_id = s.id AND v.version = coalesce(s.closed_version, s.latest_version)
        WHERE s.cpo = $1 AND s.emsp = $2 AND s.period_kind = $4 AND v.cdr_ids && $3::text[]
        ORDER BY s.period_start, s.currency`,
      [record.cpo, record.emsp, ids, this.settlement.periodKind],
    );
    const onSome = new Set(touched.flatMap((t) => t.listed));
    const reports: InvoiceReconciliationView[] = [];
    for (const statement of touched) {
      const here = new Set(statement.listed);
      const lines = record.cdrIds.filter((id) => here.has(id) || !onSome.has(id)).map((cdr_id) => ({ cdr_id }));
      // Net: a record states no amounts, so the basis only says which statement amounts are shown.
      reports.push(await this.reconcile(statement.id, record.submittedBy, { lines, basis: 'net', reference: record.invoiceId }));
    }
    return reports;
  }

  /** The reports of a statement, newest first, without their lines. */
  async list(statementId: string): Promise<Omit<InvoiceReconciliationView, 'lines'>[]> {
    const rows = await this.db.query(
      `SELECT id, statement_id, version, submitted_by, invoice_reference, created_at, report - 'lines' AS report
         FROM invoice_reconciliations WHERE statement_id = $1 ORDER BY created_at DESC, id`,
      [statementId],
    );
    return rows.map(({ report, ...row }: { report: Omit<InvoiceReport, 'lines'> }) => ({ ...row, ...report }));
  }

  async get(id: string): Promise<InvoiceReconciliationView> {
    const [row] = await this.db.query(
      `SELECT id, statement_id, version, submitted_by, invoice_reference, created_at, report FROM invoice_reconciliations WHERE id = $1`,
      [id],
    );
    if (!row) throw new HubError('not_found', `No invoice reconciliation ${id}`);
    const { report, ...rest } = row;
    return { ...rest, ...report };
  }
}
