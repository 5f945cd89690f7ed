/**
 * VAT per rate of a statement's lines, for the statement document: the lines grouped by the VAT rate
 * each CDR states (its `vat ÷ net`), with the sums of each group. Pure, no I/O.
 *
 * A CDR states amounts, not a rate, so the rate is read back from them and shown to one decimal of a
 * percent (19.0 %, 7.7 %); a line whose rounding makes its rate land between two printed rates is in
 * the group of the rate it rounds to. A line without VAT (absent, which is not 0 %) is in its own group.
 */
import Decimal from 'decimal.js';
import { formatMoney } from '../money/currencies';

export interface LineAmounts {
  /** Exact decimal text; negative on credit lines. */
  net: string;
  vat: string | null;
  gross: string | null;
}

export interface VatGroup {
  /** The rate as a percentage with one decimal ("19.0"), or null for lines that state no VAT. */
  rate_percent: string | null;
  lines: number;
  net: string;
  vat: string | null;
  gross: string | null;
}

const stated = (value: string | null): value is string => value !== null && value !== '';

export function vatSummary(lines: readonly LineAmounts[], currency: string): VatGroup[] {
  const groups = new Map<string, { rate: string | null; lines: number; net: Decimal; vat: Decimal; gross: Decimal }>();
  for (const line of lines) {
    const net = new Decimal(line.net);
    let rate: string | null = null;
    if (stated(line.vat) && stated(line.gross)) {
      // A zero net (a 0-cost session) has no readable rate: it joins the 0 % group, adding nothing.
      rate = net.isZero() ? '0.0' : new Decimal(line.vat).div(net).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);
      if (rate === '-0.0') rate = '0.0';
    }
    const key = rate ?? 'none';
    const group = groups.get(key) ?? { rate, lines: 0, net: new Decimal(0), vat: new Decimal(0), gross: new Decimal(0) };
    group.lines += 1;
    group.net = group.net.plus(net);
    if (rate !== null) {
      group.vat = group.vat.plus(line.vat!);
      group.gross = group.gross.plus(line.gross!);
    }
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => (a.rate === null ? 1 : b.rate === null ? -1 : Number(a.rate) - Number(b.rate)))
    .map((g) => ({
      rate_percent: g.rate,
      lines: g.lines,
      net: formatMoney(g.net, currency),
      vat: g.rate === null ? null : formatMoney(g.vat, currency),
      gross: g.rate === null ? null : formatMoney(g.gross, currency),
    }));
}
