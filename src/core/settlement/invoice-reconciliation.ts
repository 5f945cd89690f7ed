/**
 * Invoice reconciliation: a partner's invoice (one amount per CDR) matched against a settlement
 * statement's lines, as a report a person can act on. Pure, no I/O: the adapter reads the lines and
 * parses the invoice (src/hub/settlement/invoice-reconciliations.ts).
 *
 * Amounts are compared at the statement currency's minor unit (core/money), after rounding both sides
 * the one way money is rounded, so 10.004 EUR on an invoice matches 10.00 on the statement and 1 JPY
 * of difference is a difference.
 *
 * A line may state no amount: an OCPI InvoiceReconciliationRecord (mod_invoice_reconciliation) lists
 * only the CDR ids an invoice covers. Such a line is `matched` when its CDR is on the statement ("on the
 * statement", no amount compared; the statement's amount is given beside it), and the report's invoice
 * total and difference are then null: the invoice's amounts are not known to the hub.
 */
import Decimal from 'decimal.js';
import { decimalAmount, formatMoney, roundMoney } from '../money/currencies';

/** Which amount of a statement line an invoice states: before VAT (`net`) or with it (`gross`). */
export type InvoiceBasis = 'net' | 'gross';

export interface StatementLineForInvoice {
  cdr_id: string;
  credit: boolean;
  /** Exact decimal text, as the statement holds it (negative on credit lines). */
  net: string;
  /** Empty or null when the CDR stated no VAT. */
  gross: string | null;
}

export interface InvoiceLine {
  cdr_id: string;
  /** Absent when the invoice names the CDR without an amount (an OCPI InvoiceReconciliationRecord). */
  amount?: string;
}

export type InvoiceLineOutcome =
  | { cdr_id: string; outcome: 'matched'; amount: string }
  /** On the statement; the invoice line states no amount, so none was compared. */
  | { cdr_id: string; outcome: 'matched'; amount: null; statement_amount: string | null }
  | { cdr_id: string; outcome: 'amount_differs'; statement_amount: string; invoice_amount: string; difference: string }
  | { cdr_id: string; outcome: 'unknown_to_hub'; invoice_amount: string | null }
  | { cdr_id: string; outcome: 'missing_from_invoice'; statement_amount: string }
  | { cdr_id: string; outcome: 'no_amount_on_statement'; invoice_amount: string; reason: string }
  | { cdr_id: string; outcome: 'duplicate_in_invoice'; invoice_amount: string | null };

export interface InvoiceReport {
  currency: string;
  basis: InvoiceBasis;
  counts: Record<InvoiceLineOutcome['outcome'], number>;
  /**
   * Sums at the currency's minor unit; `difference` is invoice minus statement. `invoice` and
   * `difference` are null when a line states no amount; `listed` (only then) is the statement's sum of
   * the CDRs the invoice names, the figure to compare with the invoice document by hand.
   */
  totals: { statement: string; invoice: string | null; difference: string | null; listed?: string };
  /** Every line that needs a person's attention (all but `matched`), then the matched ones. */
  lines: InvoiceLineOutcome[];
}

export class InvoiceRejected extends Error {}

const OUTCOMES: InvoiceLineOutcome['outcome'][] = [
  'amount_differs',
  'unknown_to_hub',
  'missing_from_invoice',
  'no_amount_on_statement',
  'duplicate_in_invoice',
  'matched',
];

/** An invoice amount as a decimal, or a rejection naming the line (nothing is guessed from a bad number). */
function invoiceAmount(line: InvoiceLine & { amount: string }, index: number): Decimal {
  if (!/^-?\d+(\.\d+)?$/.test(line.amount.trim())) {
    throw new InvoiceRejected(`invoice line ${index + 1} (CDR ${JSON.stringify(line.cdr_id)}): amount ${JSON.stringify(line.amount)} is not a decimal number`);
  }
  return decimalAmount(line.amount.trim());
}

/**
 * The report for one invoice against one statement version's lines. A CDR id the invoice names twice
 * is reported as a duplicate beside its first line's outcome; a line whose basis amount the statement
 * does not state (gross on a CDR without VAT) cannot be matched and says so.
 */
export function reconcileInvoice(currency: string, basis: InvoiceBasis, statementLines: readonly StatementLineForInvoice[], invoice: readonly InvoiceLine[]): InvoiceReport {
  const money = (value: Decimal.Value) => roundMoney(value, currency);
  const text = (value: Decimal) => formatMoney(value, currency);
  const byCdr = new Map(statementLines.map((line) => [line.cdr_id, line]));
  const seen = new Set<string>();
  const outcomes: InvoiceLineOutcome[] = [];
  let statementTotal = new Decimal(0);
  let invoiceTotal = new Decimal(0);
  let listedTotal = new Decimal(0);
  let everyAmountStated = true;

  invoice.forEach((line, index) => {
    if (!line.cdr_id) throw new InvoiceRejected(`invoice line ${index + 1} has no CDR id`);
    const amount = line.amount === undefined ? null : money(invoiceAmount({ ...line, amount: line.amount }, index));
    if (amount === null) everyAmountStated = false;
    else invoiceTotal = invoiceTotal.plus(amount);
    if (seen.has(line.cdr_id)) {
      outcomes.push({ cdr_id: line.cdr_id, outcome: 'duplicate_in_invoice', invoice_amount: amount && text(amount) });
      return;
    }
    seen.add(line.cdr_id);
    const held = byCdr.get(line.cdr_id);
    if (!held) {
      outcomes.push({ cdr_id: line.cdr_id, outcome: 'unknown_to_hub', invoice_amount: amount && text(amount) });
      return;
    }
    const stated = basis === 'net' ? held.net : held.gross;
    if (amount === null) {
      // Only "on the statement": there is no invoice amount to compare with.
      const onStatement = stated === null || stated === '' ? null : money(stated);
      if (onStatement) {
        statementTotal = statementTotal.plus(onStatement);
        listedTotal = listedTotal.plus(onStatement);
      }
      outcomes.push({ cdr_id: line.cdr_id, outcome: 'matched', amount: null, statement_amount: onStatement && text(onStatement) });
      return;
    }
    if (stated === null || stated === '') {
      outcomes.push({ cdr_id: line.cdr_id, outcome: 'no_amount_on_statement', invoice_amount: text(amount), reason: 'the CDR states no VAT, so the statement has no gross amount; reconcile on net' });
      return;
    }
    const expected = money(stated);
    statementTotal = statementTotal.plus(expected);
    listedTotal = listedTotal.plus(expected);
    if (expected.equals(amount)) outcomes.push({ cdr_id: line.cdr_id, outcome: 'matched', amount: text(amount) });
    else outcomes.push({ cdr_id: line.cdr_id, outcome: 'amount_differs', statement_amount: text(expected), invoice_amount: text(amount), difference: text(amount.minus(expected)) });
  });

  for (const line of statementLines) {
    if (seen.has(line.cdr_id)) continue;
    const stated = basis === 'net' ? line.net : line.gross;
    if (stated === null || stated === '') continue; // nothing the invoice could have stated on this basis
    statementTotal = statementTotal.plus(money(stated));
    outcomes.push({ cdr_id: line.cdr_id, outcome: 'missing_from_invoice', statement_amount: text(money(stated)) });
  }

  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as InvoiceReport['counts'];
  for (const o of outcomes) counts[o.outcome]++;
  const ordered = OUTCOMES.flatMap((kind) => outcomes.filter((o) => o.outcome === kind));
  return {
    currency,
    basis,
    counts,
    totals: everyAmountStated
      ? { statement: text(statementTotal), invoice: text(invoiceTotal), difference: text(invoiceTotal.minus(statementTotal)) }
      : { statement: text(statementTotal), invoice: null, difference: null, listed: text(listedTotal) },
    lines: ordered,
  };
}
