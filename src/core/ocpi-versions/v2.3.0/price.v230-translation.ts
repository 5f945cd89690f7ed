import Decimal from 'decimal.js';
import type { LossRecorder } from '../loss-report';
import { TOKEN_TYPES_V221 } from './hub-form-values.v221';
import type { PriceV230 } from './types.v230.schema';

/** Price in the hub form (2.2.1 types.asciidoc, Price). */
export interface PriceV221 {
  excl_vat: number;
  incl_vat?: number;
}

/** PriceLimit (2.3.0 mod_tariffs.asciidoc). */
export interface PriceLimitV230 {
  before_taxes: number;
  after_taxes?: number;
}

/** The one tax line a 2.2.1 Price stands for: incl_vat is "Price/Cost including VAT". */
const HUB_FORM_TAX_NAME = 'VAT';

/**
 * 2.3.0 Price → 2.2.1 Price: excl_vat = before_taxes; incl_vat = before_taxes + the sum of the tax
 * amounts (exact decimal arithmetic), present only when the Price lists at least one tax line (an
 * absent list says nothing about taxes, so no incl_vat is made up). A single line named "VAT" with
 * no percentage or account number is carried whole (it is what incl_vat means); anything more —
 * several lines, other names, percentages, account numbers — is narrowed into the one sum and named.
 */
export function priceFromV230(price: PriceV230, path: string, losses: LossRecorder): PriceV221 {
  const { before_taxes, taxes, ...rest } = price;
  const out: PriceV221 = { ...rest, excl_vat: before_taxes };
  if (!taxes || taxes.length === 0) return out;
  const sum = taxes.reduce((acc, tax) => acc.plus(tax.amount), new Decimal(0));
  out.incl_vat = sum.plus(before_taxes).toNumber();
  const carriedWhole =
    taxes.length === 1 && taxes[0].name === HUB_FORM_TAX_NAME && taxes[0].percentage === undefined && taxes[0].account_number === undefined;
  if (!carriedWhole) {
    const lines = taxes
      .map((t) => `${t.name}${t.percentage !== undefined ? ` ${t.percentage}%` : ''}${t.account_number ? ` (account ${t.account_number})` : ''}: ${t.amount}`)
      .join('; ');
    losses.record(
      `${path}.taxes`,
      'value_narrowed',
      `${taxes.length} tax line(s) [${lines}] carried as incl_vat = before_taxes + sum of amounts = ${out.incl_vat}; names, percentages and account numbers are not carried`,
    );
  }
  return out;
}

/** 2.2.1 Price → 2.3.0 Price: before_taxes = excl_vat; incl_vat − excl_vat becomes one "VAT" line. */
export function priceToV230(price: PriceV221): PriceV230 {
  const { excl_vat, incl_vat, ...rest } = price;
  const out: PriceV230 = { ...rest, before_taxes: excl_vat };
  if (incl_vat !== undefined && incl_vat !== null) {
    out.taxes = [{ name: HUB_FORM_TAX_NAME, amount: new Decimal(incl_vat).minus(excl_vat).toNumber() }];
  }
  return out;
}

/** PriceLimit and the 2.2.1 Price it replaces name the same two amounts: no loss either way. */
export function priceLimitFromV230(limit: PriceLimitV230): PriceV221 {
  const { before_taxes, after_taxes, ...rest } = limit;
  return after_taxes === undefined || after_taxes === null ? { ...rest, excl_vat: before_taxes } : { ...rest, excl_vat: before_taxes, incl_vat: after_taxes };
}

export function priceLimitToV230(price: PriceV221): PriceLimitV230 {
  const { excl_vat, incl_vat, ...rest } = price;
  return incl_vat === undefined || incl_vat === null ? { ...rest, before_taxes: excl_vat } : { ...rest, before_taxes: excl_vat, after_taxes: incl_vat };
}

/**
 * TokenType: 2.2.1 knows AD_HOC_USER, APP_USER, OTHER, RFID. EMAID (and any custom value of the
 * 2.3.0 OpenEnum) is carried as OTHER, 2.2.1's own "Other type of token": a coarser class, not an
 * invented one; uid and contract_id, which identify the driver, are carried unchanged.
 */
export function tokenTypeFromV230(type: string, path: string, losses: LossRecorder): string {
  if (TOKEN_TYPES_V221.includes(type)) return type;
  losses.record(path, 'value_narrowed', `token type ${type} does not exist in OCPI 2.2.1; carried as OTHER`);
  return 'OTHER';
}
