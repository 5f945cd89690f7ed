import { LossRecorder, TranslationRefused, type Translation } from '../loss-report';
import { CDR_PRICE_FIELDS, CdrV230, type CdrV230 as Cdr } from './cdrs.v230.schema';
import { CONNECTOR_TYPES_V221, type JsonObject } from './hub-form-values.v221';
import { priceFromV230, priceToV230, tokenTypeFromV230, type PriceV221 } from './price.v230-translation';
import type { CdrTariffV230 } from './tariffs.v230.schema';
import { cdrTariffFromV230, tariffToV230 } from './tariffs.v230-translation';
import type { PriceV230 } from './types.v230.schema';
import { joinPath, withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * CDRs between OCPI 2.3.0 and the hub form (2.2.1): every cost is a Price (tax lines into incl_vat,
 * price.v230-translation.ts), cdr_token.type as for Tokens, and the embedded Tariffs as Tariffs.
 *  - A CDR whose cdr_location.connector_standard 2.2.1 lacks (MCS, SAE_J3400, …) is refused: the
 *    field is required and a CDR is a financial record, so no standard may be made up.
 *  - An embedded Tariff 2.2.1 cannot express (tax-inclusive without vat) is left out of `tariffs`
 *    (value_dropped, naming why); the CDR's own totals, which are what is billed, are carried.
 * 2.2.1 → 2.3.0 loses nothing.
 */

export function cdrFromV230(cdr: Cdr): Translation<JsonObject> {
  const losses = new LossRecorder('2.3.0', '2.2.1');
  const clean = withoutUndocumentedFields(CdrV230, cdr, '', losses) as JsonObject;
  const location = clean.cdr_location as JsonObject;
  if (!CONNECTOR_TYPES_V221.includes(String(location.connector_standard))) {
    losses.refuse(`cdr_location.connector_standard ${String(location.connector_standard)} does not exist in OCPI 2.2.1`);
  }
  const out: JsonObject = { ...clean };
  for (const field of CDR_PRICE_FIELDS) {
    if (out[field]) out[field] = priceFromV230(out[field] as PriceV230, field, losses);
  }
  const token = out.cdr_token as JsonObject;
  out.cdr_token = { ...token, type: tokenTypeFromV230(String(token.type), 'cdr_token.type', losses) };
  if (Array.isArray(out.tariffs)) {
    // Tariffs already lost their undocumented fields above; the walk below finds none again.
    out.tariffs = (out.tariffs as CdrTariffV230[]).flatMap((tariff, index) => {
      const path = joinPath('tariffs', index);
      const attempt = new LossRecorder('2.3.0', '2.2.1');
      try {
        const value = cdrTariffFromV230(tariff, path, attempt);
        losses.losses.push(...attempt.losses);
        return [value];
      } catch (error) {
        if (!(error instanceof TranslationRefused)) throw error;
        losses.record(path, 'value_dropped', `Tariff ${tariff.id} cannot be expressed in OCPI 2.2.1 (${error.message}); left out of the CDR`);
        return [];
      }
    });
  }
  return { value: out, losses: losses.losses };
}

export function cdrToV230(cdr: JsonObject): Translation<Cdr> {
  const out = structuredClone(cdr);
  for (const field of CDR_PRICE_FIELDS) {
    if (out[field]) out[field] = priceToV230(out[field] as PriceV221);
  }
  if (Array.isArray(out.tariffs)) out.tariffs = (out.tariffs as JsonObject[]).map((tariff) => tariffToV230(tariff).value);
  return { value: out as Cdr, losses: [] };
}
