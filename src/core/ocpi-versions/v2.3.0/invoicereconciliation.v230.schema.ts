import { z } from 'zod';
import { CiStringV230, CountryCodeV230, DateTimeV230, PartyIdV230 } from './types.v230.schema';

/**
 * The Invoice Reconciliation module (OCPI 2.3.0-ed2 mod_invoice_reconciliation.asciidoc, "Module
 * Identifier: invoicereconciliation"): the InvoiceReconciliationRecord. The module has no 2.2.1 or
 * 2.1.1 counterpart, so records stay in 2.3.0 form; the hub routes them in
 * src/hub/modules/invoicereconciliation/.
 *
 * Every field has Card. 1 except `cdrs` (Card. +: at least one CDR id). A CDR id is a CiString(36) in
 * this table (the CDR object's own id is CiString(39) in mod_cdrs; the record's limit is the one read here).
 */
export const InvoiceReconciliationRecordV230 = z.looseObject({
  country_code: CountryCodeV230,
  party_id: PartyIdV230,
  id: CiStringV230(36),
  invoice_id: CiStringV230(255),
  cdrs: z.array(CiStringV230(36)).min(1, 'must list at least one CDR id (Card. +)'),
  last_updated: DateTimeV230,
});
export type InvoiceReconciliationRecordV230 = z.infer<typeof InvoiceReconciliationRecordV230>;
