/**
 * A statement's lines and totals, and which CDRs a run puts on which statement.
 *
 * Netting: a credit CDR is a line of its own (negative, see lines.ts). When it lands on the same
 * statement version as the CDR it credits, the two lines name each other (`netsAgainst`) and cancel
 * in the totals; when the original was settled on an earlier, closed statement, the credit line
 * alone takes the amount back on the statement it lands on. Nothing is ever dropped or merged, so
 * every total is the plain sum of the lines shown.
 */
import Decimal from 'decimal.js';
import { compareLines, exact, lineOf, type CdrForSettlement, type SettlementLine } from './lines';
import { latePeriodsFor, periodOf, type Period } from './period';

export interface NettedLine extends SettlementLine {
  /** The line this one cancels on the same statement version: a credit's original, or an original's credit. */
  netsAgainst: string | null;
}

/** Marks credit/original pairs that are both on one statement version. */
export function netCredits(lines: readonly SettlementLine[]): NettedLine[] {
  const originals = new Set(lines.filter((l) => !l.credit).map((l) => l.cdrId));
  const creditOf = new Map<string, string>();
  for (const line of [...lines].sort(compareLines)) {
    if (line.credit && line.creditReferenceId && originals.has(line.creditReferenceId) && !creditOf.has(line.creditReferenceId)) {
      creditOf.set(line.creditReferenceId, line.cdrId); // several credits of one CDR: the first (by end time, id) names it
    }
  }
  return lines.map((line) => ({
    ...line,
    netsAgainst: line.credit ? (line.creditReferenceId && originals.has(line.creditReferenceId) ? line.creditReferenceId : null) : (creditOf.get(line.cdrId) ?? null),
  }));
}

export interface StatementTotals {
  lineCount: number;
  creditLineCount: number;
  energy: string;
  time: string;
  parkingTime: string;
  net: string;
  /** Sums over the lines that state VAT; `linesWithoutVat` counts the others. */
  vat: string;
  gross: string;
  linesWithoutVat: number;
}

/** Exact sums of the lines (no rounding: see docs/settlement.md). */
export function statementTotals(lines: readonly SettlementLine[]): StatementTotals {
  const sum = (pick: (l: SettlementLine) => string | null) =>
    lines.reduce((total, l) => (pick(l) === null ? total : total.plus(exact(pick(l)!))), new Decimal(0)).toString();
  return {
    lineCount: lines.length,
    creditLineCount: lines.filter((l) => l.credit).length,
    energy: sum((l) => l.energy),
    time: sum((l) => l.time),
    parkingTime: sum((l) => l.parkingTime),
    net: sum((l) => l.net),
    vat: sum((l) => l.vat),
    gross: sum((l) => l.gross),
    linesWithoutVat: lines.filter((l) => l.gross === null).length,
  };
}

/** Who a statement is between, and in what currency. */
export interface StatementKey {
  cpo: string; // CC/PID
  emsp: string; // CC/PID
  currency: string;
}

export const keyString = (k: StatementKey) => `${k.cpo}|${k.emsp}|${k.currency}`;

export interface StoredCdr {
  /** The owner as stored (`CC/PID`). */
  cpo: string;
  cdr: CdrForSettlement;
}

export interface ComputedStatement {
  key: StatementKey;
  lines: NettedLine[];
  totals: StatementTotals;
}

/** The statement key of a CDR: its owner, its token's eMSP (upper case, as the hub routes it) and its currency. */
export function keyOf({ cpo, cdr }: StoredCdr): StatementKey {
  return { cpo, emsp: `${cdr.cdr_token.country_code}/${cdr.cdr_token.party_id}`.toUpperCase(), currency: cdr.currency };
}

/**
 * What a settlement run of `period` puts on each statement — the rule the SQL of the run implements,
 * and the reference it is tested against:
 * - a CDR already on a closed statement is settled and never appears again;
 * - no statement that is closed for `period` gets anything;
 * - a CDR goes on `period`'s statement if its own period (periodOf end_date_time) is `period`, or if
 *   it is late: its own period's statement is closed, and so is every one after it up to `period`.
 * `closed` holds, per statement key, the starts of its closed periods; `settled` the `CC/PID/cdr id`s
 * on closed statements; `timeZoneOf` the time zone of a statement's CPO/eMSP pair (period.ts).
 */
export function settlePeriod(
  period: Period,
  cdrs: readonly StoredCdr[],
  closed: ReadonlyMap<string, ReadonlySet<string>>,
  settled: ReadonlySet<string>,
  timeZoneOf: (key: StatementKey) => string = () => 'UTC',
): ComputedStatement[] {
  const byKey = new Map<string, { key: StatementKey; lines: SettlementLine[] }>();
  const lateFor = new Map<string, Set<string>>();
  for (const stored of cdrs) {
    if (settled.has(`${stored.cpo}/${stored.cdr.id}`)) continue;
    const key = keyOf(stored);
    const id = keyString(key);
    const closedStarts = closed.get(id) ?? new Set<string>();
    if (closedStarts.has(period.start)) continue;
    if (!lateFor.has(id)) lateFor.set(id, new Set(latePeriodsFor(period, closedStarts)));
    const natural = periodOf(stored.cdr.end_date_time, period.kind, timeZoneOf(key)).start;
    if (natural !== period.start && !lateFor.get(id)!.has(natural)) continue;
    if (!byKey.has(id)) byKey.set(id, { key, lines: [] });
    byKey.get(id)!.lines.push(lineOf(stored.cdr));
  }
  return [...byKey.keys()].sort().map((id) => {
    const { key, lines } = byKey.get(id)!;
    const sorted = netCredits(lines).sort(compareLines);
    return { key, lines: sorted, totals: statementTotals(sorted) };
  });
}
