import { z } from 'zod';
import { CiStringV230, CountryCodeV230, DateTimeV230, GeoLocationV230, NumberV230, PartyIdV230, PriceV230, UrlV230 } from './types.v230.schema';

/**
 * The Payments module (OCPI 2.3.0 mod_payments.asciidoc): Terminal and FinancialAdviceConfirmation.
 * It has no 2.2.1 counterpart, so its objects stay in 2.3.0 form (paymentsObjectFor in modules.v230-translation.ts);
 * the hub routes them in src/hub/modules/payments/.
 */

export const TerminalV230 = z.looseObject({
  terminal_id: CiStringV230(36),
  customer_reference: CiStringV230(36).optional(),
  party_id: PartyIdV230.optional(),
  country_code: CountryCodeV230.optional(),
  address: CiStringV230(45).optional(),
  city: CiStringV230(45).optional(),
  postal_code: CiStringV230(10).optional(),
  state: CiStringV230(20).optional(),
  country: CiStringV230(3).optional(),
  coordinates: GeoLocationV230.optional(),
  invoice_base_url: UrlV230.optional(),
  invoice_creator: z.enum(['CPO', 'PTP']).optional(),
  reference: CiStringV230(36).optional(),
  location_ids: z.array(CiStringV230(36)).optional(),
  evse_uids: z.array(CiStringV230(36)).optional(),
  last_updated: DateTimeV230,
});
export type TerminalV230 = z.infer<typeof TerminalV230>;

/** POST {terminals}/activate: "The terminal_id is optional in the activation request as it will be set by the PTP." */
export const TerminalActivationV230 = TerminalV230.extend({ terminal_id: CiStringV230(36).optional() });

/**
 * POST {terminals} on the CPO side: "The object sent here can be just the terminal id or an object with
 * additional data" (mod_payments, POST Terminal Method; payment_terminal_create_minimal.json has no
 * last_updated). The hub then dates it by its time of receipt.
 */
export const TerminalPostV230 = TerminalV230.extend({ last_updated: DateTimeV230.optional() });

/**
 * PUT {terminals}/{terminal_id}: a whole Terminal, whose terminal_id may be left to the URL (the text's
 * own PUT example, payment_terminal_put_update.json, has none); a different one is refused.
 */
export const TerminalPutV230 = TerminalV230.extend({ terminal_id: CiStringV230(36).optional() });

/**
 * PATCH bodies (payment_terminal_location_assignment.json: location_ids alone) name only some fields,
 * and at least one: an empty PATCH changes nothing and is refused.
 */
export const TerminalFragmentV230 = TerminalV230.partial().refine((patch) => Object.keys(patch).length > 0, 'a PATCH must name at least one field');

/**
 * total_costs is a Price ("This is a consumer price with VAT"). The text's own examples write it in
 * the 2.2.1 form (excl_vat/incl_vat); receivers accept either, and it is passed on as sent.
 */
const PriceV221Form = z.looseObject({ excl_vat: NumberV230, incl_vat: NumberV230.optional() });
export const FinancialAdviceConfirmationV230 = z.looseObject({
  id: CiStringV230(36),
  authorization_reference: CiStringV230(36),
  total_costs: z.union([PriceV230, PriceV221Form]),
  currency: CiStringV230(3),
  // Card. + in the table, yet the text's failure example (a capture that never happened) has none.
  eft_data: z.array(CiStringV230(255)).min(1).optional(),
  capture_status_code: z.enum(['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED']),
  capture_status_message: CiStringV230(255).optional(),
  last_updated: DateTimeV230,
});
export type FinancialAdviceConfirmationV230 = z.infer<typeof FinancialAdviceConfirmationV230>;
