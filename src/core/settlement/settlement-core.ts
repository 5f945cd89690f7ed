/**
 * Settlement between parties: a pure core with no I/O. It defines the rules (periods, late CDRs,
 * lines, the sign and netting of credit CDRs, exact totals); src/hub/settlement runs them in SQL over
 * millions of stored CDRs and is tested to agree with settlePeriod on the same data.
 */
export { statementId, statementIdText } from './ids';
export { compareLines, exact, isoInstant, lineOf, signed, tariffIdOf, type CdrForSettlement, type SettlementLine } from './lines';
export {
  lastCompletePeriod,
  latePeriodsFor,
  nextPeriod,
  instantMs,
  parsePeriodLabel,
  PERIOD_KINDS,
  periodOf,
  periodStartInstant,
  SQL_TRUNC_UNIT,
  targetPeriod,
  type Period,
  type PeriodKind,
} from './period';
export {
  keyOf,
  keyString,
  netCredits,
  settlePeriod,
  statementTotals,
  type ComputedStatement,
  type NettedLine,
  type StatementKey,
  type StatementTotals,
  type StoredCdr,
} from './statement';
