import { isDeepStrictEqual } from 'node:util';
import type { ChargingPeriod, Session } from './sessions.schema';

/**
 * The charging periods after a PATCH: the patch's periods are added to the existing list
 * (mod_sessions.asciidoc, PATCH Method); an omitted or empty list changes nothing. A period equal to
 * one already there is not added again, so a PATCH the CPO retries does not double its periods.
 */
export function appendChargingPeriods(existing: ChargingPeriod[] | undefined, added: ChargingPeriod[] | undefined): ChargingPeriod[] | undefined {
  if (!added?.length) return existing;
  const periods = [...(existing ?? [])];
  for (const period of added) if (!periods.some((p) => isDeepStrictEqual(p, period))) periods.push(period);
  return periods;
}

/**
 * The Session after a PATCH: every named field replaces the stored one, except charging_periods,
 * which are appended. Pure: the caller validated the patch and matched its ids to the URL.
 */
export function applySessionPatch(current: Session, patch: Partial<Session>): Session {
  const { charging_periods: added, ...fields } = patch;
  const periods = appendChargingPeriods(current.charging_periods, added);
  return { ...current, ...fields, ...(periods ? { charging_periods: periods } : {}) };
}
