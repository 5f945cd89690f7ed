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

/**
 * The receipt of `cdr` priced with `tariff` at a location in `timeZone`; without a tariff, one line of the CDR's total.
 * Lines are rounded to the currency, VAT is computed per rate on the rounded nets; the cents that rounding leaves
 * against the CDR's own totals go to the largest line and its VAT group, so the receipt adds up to what was paid.
 * A larger difference (a min_price or max_price that moved the total) is a line of its own.
 */
export function driverReceipt(cdr: ReceiptCdr, tariff: Tariff | undefined, timeZone: string): DriverReceipt {
  const { decimals } = currencyOf(cdr.currency);
  const round = (d: Decimal.Value) => new Decimal(d).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  const fixed = (d: Decimal.Value) => round(d).toFixed(decimals);
  const totalExcl = round(cdr.total_cost.excl_vat);
  const totalIncl = round(cdr.total_cost.incl_vat ?? cdr.total_cost.excl_vat);
  const lines: { dimension: ReceiptLine['dimension']; quantity: string; net: Decimal; vat: number | null }[] = [];
  if (tariff) {
    for (const line of priceSession(toPricingInput(tariff, cdr, timeZone)).lines) {
      if (line.cost.excl_vat === 0) continue;
      const quantity = line.dimension === 'ENERGY' ? new Decimal(line.billed).toFixed(3) : line.dimension === 'FLAT' ? '1' : new Decimal(line.billed).mul(60).toFixed(0);
      lines.push({ dimension: line.dimension, quantity, net: round(line.cost.excl_vat), vat: cdr.total_cost.incl_vat === undefined ? null : (line.vat ?? null) });
    }
  }
  // The order the price was shown in (ad-hoc-price-display.ts): energy, time, the session fee, parking.
  const order = ['ENERGY', 'TIME', 'FLAT', 'PARKING_TIME'];
  lines.sort((a, b) => order.indexOf(a.dimension) - order.indexOf(b.dimension));
  const groupsOf = () => {
    const groups = new Map<number | null, { net: Decimal; vat: Decimal }>();
    for (const line of lines) {
      const group = groups.get(line.vat) ?? { net: new Decimal(0), vat: new Decimal(0) };
      groups.set(line.vat, { net: group.net.plus(line.net), vat: new Decimal(0) });
    }
    for (const [rate, group] of groups) group.vat = rate === null ? new Decimal(0) : round(group.net.mul(rate).div(100));
    return groups;
  };
  let groups = groupsOf();
  const sum = (values: Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));
  const diffNet = totalExcl.minus(sum(lines.map((l) => l.net)));
  const diffIncl = totalIncl.minus(totalExcl).minus(sum([...groups.values()].map((g) => g.vat)));
  const minor = new Decimal(1).div(new Decimal(10).pow(decimals));
  const tolerance = minor.mul(lines.length + groups.size);
  if (lines.length > 0 && diffNet.abs().lte(tolerance) && diffIncl.abs().lte(tolerance)) {
    const largest = lines.reduce((a, b) => (b.net.gt(a.net) ? b : a));
    largest.net = largest.net.plus(diffNet);
    groups = groupsOf();
    const group = groups.get(largest.vat)!;
    group.vat = totalIncl.minus(totalExcl).minus(sum([...groups.entries()].filter(([rate]) => rate !== largest.vat).map(([, g]) => g.vat)));
  } else if (!diffNet.isZero() || !diffIncl.isZero()) {
    const restIncl = diffNet.plus(diffIncl);
    const rate = diffNet.isZero() || cdr.total_cost.incl_vat === undefined ? null : Number(restIncl.div(diffNet).minus(1).mul(100).toDecimalPlaces(2));
    lines.push({ dimension: 'PRICE_LIMIT', quantity: '1', net: diffNet, vat: rate });
    groups = groupsOf();
    if (rate !== null) groups.get(rate)!.vat = totalIncl.minus(totalExcl).minus(sum([...groups.entries()].filter(([r]) => r !== rate).map(([, g]) => g.vat)));
  }
  return {
    currency: cdr.currency,
    lines: lines.map((l) => ({ dimension: l.dimension, quantity: l.quantity, netAmount: fixed(l.net), vat: l.vat })),
    vat: [...groups]
      .sort(([a], [b]) => (a ?? -1) - (b ?? -1))
      .map(([rate, g]) => ({ rate, net: fixed(g.net), vat: fixed(g.vat) })),
    totalExclVat: fixed(totalExcl),
    totalInclVat: fixed(totalIncl),
  };
}
