import { seededRandom } from '../../../src/core/seeded-random';
import type { CdrForSettlement } from '../../../src/core/settlement/settlement-core';

export interface GeneratedCdr {
  owner: { countryCode: string; partyId: string };
  cdr: CdrForSettlement & Record<string, unknown>;
}

const CPOS = [{ countryCode: 'BE', partyId: 'BEC' }, { countryCode: 'NL', partyId: 'CP2' }];
const EMSPS = [{ country_code: 'DE', party_id: 'TNM' }, { country_code: 'nl', party_id: 'em1' }];

/** An amount with up to four decimals, as a JSON number (what a CPO sends). */
const amount = (next: () => number) => Math.round(next() * 5_000_000) / 10_000;

/**
 * CDRs of several CPOs, eMSPs (one written in lower case) and currencies over January to April 2024:
 * end times at period edges and without a zone or with an offset, CDRs without incl_vat, without
 * parking, credits of CDRs in the same and in earlier months, a credit sent with positive amounts.
 */
export function generateCdrs(count: number, seed = 7): GeneratedCdr[] {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const edges = ['2024-01-31T23:59:59.999Z', '2024-02-01T00:00:00Z', '2024-02-29T23:59:59', '2024-03-01T00:30:00+01:00', '2024-03-31T23:00:00-02:00'];
  const out: GeneratedCdr[] = [];
  for (let i = 0; i < count; i++) {
    const owner = pick(CPOS);
    const end = i < edges.length ? edges[i] : new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 120 * 86_400_000)).toISOString();
    const excl = amount(next);
    const cdr: GeneratedCdr['cdr'] = {
      country_code: owner.countryCode,
      party_id: owner.partyId,
      id: `CDR${String(i).padStart(4, '0')}`,
      start_date_time: new Date(Date.parse(/Z|[+-]\d\d:\d\d$/.test(end) ? end : `${end}Z`) - 5_400_000).toISOString(),
      end_date_time: end,
      session_id: `S${i}`,
      cdr_token: { ...pick(EMSPS), uid: `U${i}`, type: 'RFID', contract_id: `C${i}` },
      currency: next() < 0.85 ? 'EUR' : 'USD',
      cdr_location: { id: `LOC${i % 7}`, evse_uid: `E${i % 13}`, evse_id: `BE*BEC*E${i % 13}` },
      charging_periods: next() < 0.9 ? [{ tariff_id: `T${i % 3}` }] : [{}],
      tariffs: [{ id: 'CARRIED' }],
      total_cost: next() < 0.9 ? { excl_vat: excl, incl_vat: Math.round(excl * 12_100) / 10_000 } : { excl_vat: excl },
      total_energy: amount(next),
      total_time: Math.round(next() * 100_000) / 10_000,
      ...(next() < 0.5 && { total_parking_time: Math.round(next() * 10_000) / 10_000 }),
      last_updated: end,
    };
    out.push({ owner, cdr });
    if (next() < 0.12) {
      // A credit CDR: the spec's form (negative total_cost) or, now and then, a sign slip.
      const slip = next() < 0.2;
      const sign = slip ? 1 : -1;
      const credit = {
        ...cdr,
        id: `${cdr.id}-C`,
        credit: true,
        credit_reference_id: cdr.id,
        total_cost: { excl_vat: sign * excl, ...(cdr.total_cost.incl_vat !== undefined && { incl_vat: sign * Number(cdr.total_cost.incl_vat) }) },
      };
      out.push({ owner, cdr: credit });
    }
  }
  return out;
}
