// Invoice reconciliation (core/settlement/invoice-reconciliation.ts): a partner's invoice against a
// statement's lines.
import { InvoiceRejected, reconcileInvoice, type StatementLineForInvoice } from '../../../src/core/settlement/invoice-reconciliation';

const lines: StatementLineForInvoice[] = [
  { cdr_id: 'A', credit: false, net: '10.00', gross: '12.10' },
  { cdr_id: 'B', credit: false, net: '5.125', gross: '6.20' },
  { cdr_id: 'C', credit: false, net: '3.00', gross: null },
  { cdr_id: 'A-CR', credit: true, net: '-10.00', gross: '-12.10' },
];

describe('reconcileInvoice', () => {
  it('sorts every line into matched, differs, unknown, missing and duplicate, with totals', () => {
    const report = reconcileInvoice('EUR', 'net', lines, [
      { cdr_id: 'A', amount: '10.004' },
      { cdr_id: 'B', amount: '5.12' },
      { cdr_id: 'Z', amount: '1' },
      { cdr_id: 'A', amount: '10' },
      { cdr_id: 'A-CR', amount: '-10.00' },
    ]);
    expect(report.counts).toEqual({ matched: 2, amount_differs: 1, unknown_to_hub: 1, missing_from_invoice: 1, no_amount_on_statement: 0, duplicate_in_invoice: 1 });
    expect(report.lines[0]).toEqual({ cdr_id: 'B', outcome: 'amount_differs', statement_amount: '5.13', invoice_amount: '5.12', difference: '-0.01' });
    expect(report.lines).toContainEqual({ cdr_id: 'C', outcome: 'missing_from_invoice', statement_amount: '3.00' });
    expect(report.lines).toContainEqual({ cdr_id: 'Z', outcome: 'unknown_to_hub', invoice_amount: '1.00' });
    expect(report.lines).toContainEqual({ cdr_id: 'A', outcome: 'duplicate_in_invoice', invoice_amount: '10.00' });
    // statement: 10 + 5.13 - 10 + 3 = 8.13; invoice: 10 + 5.12 + 1 + 10 - 10 = 16.12
    expect(report.totals).toEqual({ statement: '8.13', invoice: '16.12', difference: '7.99' });
  });

  it('cannot match gross on a line that states no VAT, and says why', () => {
    const report = reconcileInvoice('EUR', 'gross', lines, [{ cdr_id: 'C', amount: '3.63' }, { cdr_id: 'A', amount: '12.10' }]);
    expect(report.lines.find((l) => l.cdr_id === 'C')).toMatchObject({ outcome: 'no_amount_on_statement', reason: expect.stringMatching(/no VAT/) });
    expect(report.counts.missing_from_invoice).toBe(2); // B and A-CR; C has no gross to miss
  });

  it('compares at the currency’s minor unit: JPY whole yen, KWD three decimals', () => {
    const jpy = reconcileInvoice('JPY', 'net', [{ cdr_id: 'J', credit: false, net: '1500', gross: '1650' }], [{ cdr_id: 'J', amount: '1501' }]);
    expect(jpy.lines[0]).toMatchObject({ outcome: 'amount_differs', difference: '1' });
    const kwd = reconcileInvoice('KWD', 'net', [{ cdr_id: 'K', credit: false, net: '1.2345', gross: null }], [{ cdr_id: 'K', amount: '1.235' }]);
    expect(kwd.lines[0]).toEqual({ cdr_id: 'K', outcome: 'matched', amount: '1.235' });
  });

  it('rejects an amount that is not a decimal number, naming the line', () => {
    expect(() => reconcileInvoice('EUR', 'net', lines, [{ cdr_id: 'A', amount: '10,00' }])).toThrow(InvoiceRejected);
    expect(() => reconcileInvoice('EUR', 'net', lines, [{ cdr_id: 'A', amount: '1e3' }])).toThrow(/line 1 .*"1e3"/);
    expect(() => reconcileInvoice('EUR', 'net', lines, [{ cdr_id: '', amount: '1' }])).toThrow(/no CDR id/);
  });

  describe('lines without an amount (an OCPI InvoiceReconciliationRecord lists CDR ids only)', () => {
    it('matches a CDR on the statement without comparing amounts, showing the statement amount, and leaves invoice totals null', () => {
      const report = reconcileInvoice('EUR', 'net', lines, [{ cdr_id: 'A' }, { cdr_id: 'B' }, { cdr_id: 'Z' }, { cdr_id: 'A' }]);
      expect(report.counts).toEqual({ matched: 2, amount_differs: 0, unknown_to_hub: 1, missing_from_invoice: 2, no_amount_on_statement: 0, duplicate_in_invoice: 1 });
      expect(report.lines).toContainEqual({ cdr_id: 'A', outcome: 'matched', amount: null, statement_amount: '10.00' });
      expect(report.lines).toContainEqual({ cdr_id: 'B', outcome: 'matched', amount: null, statement_amount: '5.13' });
      expect(report.lines).toContainEqual({ cdr_id: 'Z', outcome: 'unknown_to_hub', invoice_amount: null });
      expect(report.lines).toContainEqual({ cdr_id: 'A', outcome: 'duplicate_in_invoice', invoice_amount: null });
      // statement: A 10 + B 5.13 + C 3 + A-CR -10 = 8.13; listed: A + B = 15.13, the figure to hold against the invoice document.
      expect(report.totals).toEqual({ statement: '8.13', invoice: null, difference: null, listed: '15.13' });
    });

    it('matches on the statement even where the basis amount is not stated (no VAT on gross), with no amount shown', () => {
      const report = reconcileInvoice('EUR', 'gross', lines, [{ cdr_id: 'C' }]);
      expect(report.lines).toContainEqual({ cdr_id: 'C', outcome: 'matched', amount: null, statement_amount: null });
      expect(report.counts.no_amount_on_statement).toBe(0);
    });

    it('still compares the lines that do state an amount; one line without makes the invoice totals null', () => {
      const report = reconcileInvoice('EUR', 'net', lines, [{ cdr_id: 'A', amount: '9.99' }, { cdr_id: 'B' }]);
      expect(report.lines[0]).toEqual({ cdr_id: 'A', outcome: 'amount_differs', statement_amount: '10.00', invoice_amount: '9.99', difference: '-0.01' });
      expect(report.lines).toContainEqual({ cdr_id: 'B', outcome: 'matched', amount: null, statement_amount: '5.13' });
      expect(report.totals).toEqual({ statement: '8.13', invoice: null, difference: null, listed: '15.13' });
    });
  });
});
