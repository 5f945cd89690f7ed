/**
 * A driver's receipt from the CDR: one line per priced component (energy, charging time, parking, the
 * session fee) with its net amount, VAT grouped by rate, and the totals. Pure: the lines are the pricing
 * engine's own breakdown of the CDR with its tariff, and the totals are the CDR's, which is what was
 * captured from the card; when a price limit moved the total the difference is its own line, so the
 * lines always add up to what the driver paid.
 */
import Decimal from 'decimal.js';
import { currencyOf } from '../money/currencies';
import { priceSession } from '../pricing/engine';
import { toPricingInput, type CdrForPricing } from '../pricing/input';
import type { Tariff, TariffDimensionType } from '../pricing/tariff.schema';

export interface ReceiptLine {
  dimension: TariffDimensionType | 'PRICE_LIMIT';
  /** kWh for energy, minutes for time and parking, 1 for the session fee. */
  quantity: string;
  netAmount: string;
  vat: number | null;
}

export interface ReceiptVat {
  /** Percent; null for lines without a stated VAT. */
  rate: number | null;
  net: string;
  vat: string;
}

export interface DriverReceipt {
  currency: string;
  lines: ReceiptLine[];
  vat: ReceiptVat[];
  totalExclVat: string;
  totalInclVat: string;
}

export interface ReceiptCdr extends CdrForPricing {
  currency: string;
  total_cost: { excl_vat: number; incl_vat?: number };
}

/** The receipt of `cdr` priced with `tariff` at a location in `timeZone`; without a tariff, one line of the CDR's total. */
export function driverReceipt(cdr: ReceiptCdr, tariff: Tariff | undefined, timeZone: string): DriverReceipt {
  const decimals = currencyOf(cdr.currency).decimals;
  const fixed = (d: Decimal.Value) => new Decimal(d).toFixed(decimals, Decimal.ROUND_HALF_UP);
  const totalExcl = new Decimal(cdr.total_cost.excl_vat);
  const totalIncl = new Decimal(cdr.total_cost.incl_vat ?? cdr.total_cost.excl_vat);
  const lines: ReceiptLine[] = [];
  const groups = new Map<number | null, { net: Decimal; gross: Decimal }>();
  const add = (rate: number | null, net: Decimal, gross: Decimal) => {
    const group = groups.get(rate) ?? { net: new Decimal(0), gross: new Decimal(0) };
    groups.set(rate, { net: group.net.plus(net), gross: group.gross.plus(gross) });
  };
  let linesExcl = new Decimal(0);
  let linesIncl = new Decimal(0);
  if (tariff) {
    const breakdown = priceSession(toPricingInput(tariff, cdr, timeZone));
    for (const line of breakdown.lines) {
      if (line.cost.excl_vat === 0) continue;
      const quantity = line.dimension === 'ENERGY' ? new Decimal(line.billed).toFixed(3) : line.dimension === 'FLAT' ? '1' : new Decimal(line.billed).mul(60).toFixed(0);
      lines.push({ dimension: line.dimension, quantity, netAmount: fixed(line.cost.excl_vat), vat: line.vat ?? null });
      const gross = new Decimal(line.cost.incl_vat ?? line.cost.excl_vat);
      add(line.vat ?? null, new Decimal(line.cost.excl_vat), gross);
      linesExcl = linesExcl.plus(line.cost.excl_vat);
      linesIncl = linesIncl.plus(gross);
    }
  }
  const restExcl = totalExcl.minus(linesExcl);
  const restIncl = totalIncl.minus(linesIncl);
  if (!restExcl.isZero() || !restIncl.isZero()) {
    // A min_price/max_price, or no tariff to break the total down by: the difference is one line.
    const rate = restExcl.isZero() ? null : Number(restIncl.div(restExcl).minus(1).mul(100).toDecimalPlaces(2));
    lines.push({ dimension: 'PRICE_LIMIT', quantity: '1', netAmount: fixed(restExcl), vat: cdr.total_cost.incl_vat === undefined ? null : rate });
    add(cdr.total_cost.incl_vat === undefined ? null : rate, restExcl, restIncl);
  }
  return {
    currency: cdr.currency,
    lines,
    vat: [...groups]
      .sort(([a], [b]) => (a ?? -1) - (b ?? -1))
      .map(([rate, g]) => ({ rate, net: fixed(g.net), vat: fixed(g.gross.minus(g.net)) })),
    totalExclVat: fixed(totalExcl),
    totalInclVat: fixed(totalIncl),
  };
}
