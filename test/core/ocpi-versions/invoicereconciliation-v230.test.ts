// The InvoiceReconciliationRecord of OCPI 2.3.0-ed2 (mod_invoice_reconciliation.asciidoc, Object
// description): every field Card. 1, cdrs Card. +, ids CiString(36), invoice_id CiString(255). The text
// has no example files for the module, so the record here is built from its table. The module exists
// only in 2.3.0: no version step translates it.
import { translateObject } from '../../../src/core/ocpi-versions/translate';
import { BRIDGE_V221_V230 } from '../../../src/core/ocpi-versions/v2.3.0/bridge-v221-v230.v230';
import { InvoiceReconciliationRecordV230 } from '../../../src/core/ocpi-versions/v2.3.0/invoicereconciliation.v230.schema';

const record = { country_code: 'BE', party_id: 'BEC', id: 'IR-2024-03', invoice_id: 'INV/2024/03-0001', cdrs: ['CDR-1', 'CDR-2'], last_updated: '2024-04-01T08:00:00Z' };
const issues = (value: unknown) => {
  const result = InvoiceReconciliationRecordV230.safeParse(value);
  return result.success ? [] : [...new Set(result.error.issues.map((i) => i.path.join('.')))];
};

describe('InvoiceReconciliationRecordV230', () => {
  it('accepts a record with every field of the table, and keeps fields the text does not document', () => {
    expect(InvoiceReconciliationRecordV230.parse({ ...record, x_vendor: 1 })).toEqual({ ...record, x_vendor: 1 });
  });

  it('requires every field (Card. 1) and at least one CDR id (Card. +)', () => {
    for (const field of Object.keys(record)) {
      const { [field as keyof typeof record]: _left, ...without } = record;
      expect({ field, issues: issues(without) }).toEqual({ field, issues: [field] });
    }
    expect(issues({ ...record, cdrs: [] })).toEqual(['cdrs']);
  });

  it('holds the lengths and types of the table', () => {
    expect(issues({ ...record, id: 'x'.repeat(36) })).toEqual([]);
    expect(issues({ ...record, id: 'x'.repeat(37) })).toEqual(['id']);
    expect(issues({ ...record, invoice_id: 'x'.repeat(255) })).toEqual([]);
    expect(issues({ ...record, invoice_id: 'x'.repeat(256) })).toEqual(['invoice_id']);
    expect(issues({ ...record, cdrs: ['C1', 'x'.repeat(37)] })).toEqual(['cdrs.1']);
    expect(issues({ ...record, country_code: 'BEL', party_id: 'BE' })).toEqual(['country_code', 'party_id']);
    expect(issues({ ...record, last_updated: 'April 1st' })).toEqual(['last_updated']);
    expect(issues({ ...record, cdrs: 'CDR-1' })).toEqual(['cdrs']);
  });

  it('is never translated: 2.2.1 and 2.1.1 have no such module', () => {
    expect(translateObject([BRIDGE_V221_V230], 'invoicereconciliation', record, '2.3.0', '2.3.0')).toEqual({ value: record, losses: [] });
    expect(() => translateObject([BRIDGE_V221_V230], 'invoicereconciliation', record, '2.3.0', '2.2.1')).toThrow(/no invoicereconciliation module/);
  });
});
