import { createHash } from 'node:crypto';
import type { Period } from './period';
import type { StatementKey } from './statement';

/**
 * A statement's id is derived from what it is (period, CPO, eMSP, currency): a run that is repeated
 * after a crash, or on another instance, names the same statement the same way. The SQL side computes
 * `md5(text)::uuid` over the same text (see statementIdText).
 */
export function statementIdText(period: Pick<Period, 'kind' | 'start'>, key: StatementKey): string {
  return `${period.kind}|${period.start}|${key.cpo}|${key.emsp}|${key.currency}`;
}

export function statementId(period: Pick<Period, 'kind' | 'start'>, key: StatementKey): string {
  const hex = createHash('md5').update(statementIdText(period, key), 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
