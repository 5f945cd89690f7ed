import type { DataSource } from 'typeorm';
import { updatedRows } from '../../../db/updated-rows';
import { isValidTimeZone, mapCdrTotals, rateCdr, ratingTimeZone, type CdrTotals, type InputNote, type TotalDifference } from '../../../core/pricing/pricing-core';
import type { ObjectStore } from '../../routing/object-store';
import type { Cdr } from './cdrs.schema';
import type { PartyAddress } from '../../ocpi/party-address';

export interface CdrRating {
  status: 'match' | 'mismatch' | 'unrated';
  /** Why a CDR could not be rated, or what differs. */
  reason: string | null;
  tariffId: string | null;
  currency: string | null;
  timeZone: string | null;
  computed: CdrTotals | null;
  differences: TotalDifference[];
  notes: { code: string; message: string }[];
}

export const unratedBecause = (reason: string): CdrRating => ({
  status: 'unrated',
  reason,
  tariffId: null,
  currency: null,
  timeZone: null,
  computed: null,
  differences: [],
  notes: [],
});

/**
 * The hub's re-rating of a CDR a CPO pushed: finds the tariff and the time zone, then rates with
 * the one pure rateCdr (core/pricing/rate.ts). The tariff carried in the CDR (`tariffs`), else the one the CPO pushed to the hub; times in the Location's time zone (the
 * stored Location of `cdr_location.id`), else the zone of a single-zone `cdr_location.country`, else UTC,
 * the last two with a note (core/pricing/real-world-input.ts). A difference beyond `tolerance` makes
 * it a mismatch, with each differing total named.
 */
export async function rateReceivedCdr(deps: { store: ObjectStore }, owner: PartyAddress, cdr: Cdr, tolerance: number): Promise<CdrRating> {
  const namedIds = [...new Set(cdr.charging_periods.map((p) => p.tariff_id).filter((id): id is string => !!id))];
  if (namedIds.length > 1) return unratedBecause(`The CDR's periods name several tariffs (${namedIds.join(', ')}); rating one session across tariffs is not supported`);
  const carried = (cdr.tariffs ?? []) as { id?: string }[];
  let tariffJson: unknown = carried.find((t) => !namedIds[0] || t.id === namedIds[0]);
  if (!tariffJson && namedIds[0]) {
    tariffJson = (await deps.store.get({ module: 'tariffs', ...owner, objectId: namedIds[0] }))?.data;
  }
  if (!tariffJson) return unratedBecause(namedIds[0] ? `Tariff ${namedIds[0]} is neither in the CDR nor known to the hub` : 'The CDR names no tariff');
  const notes: { code: string; message: string }[] = [];
  const zoneNotes: InputNote[] = [];
  const location = await deps.store.get<{ time_zone?: string }>({ module: 'locations', ...owner, objectId: cdr.cdr_location.id as string });
  const stored = location?.data.time_zone;
  const { timeZone, source } = ratingTimeZone({ zone: stored && isValidTimeZone(stored) ? stored : undefined, source: 'location' }, cdr.cdr_location.country, zoneNotes);
  notes.push(...zoneNotes);
  // A credit CDR carries the original's periods with its totals negated: it is checked by their size.
  if (cdr.credit) notes.push({ code: 'CREDIT_CDR', message: `A credit CDR (for ${cdr.credit_reference_id}): its totals are compared by their absolute value` });
  const rating = rateCdr(tariffJson, cdr.credit ? mapCdrTotals(cdr, Math.abs) : cdr, timeZone, tolerance, { timeZoneSource: source });
  if (!rating.ok) return unratedBecause(`The tariff is invalid: ${rating.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const { differences } = rating;
  return {
    status: differences.length ? 'mismatch' : 'match',
    reason: differences.length ? `Differs from the tariff in ${differences.map((d) => d.field).join(', ')}` : null,
    tariffId: rating.tariffId,
    currency: rating.currency,
    timeZone,
    computed: rating.computed,
    differences,
    notes: [...notes, ...rating.notes],
  };
}

/** Stores (or replaces) a CDR's rating. */
export async function saveRating(db: DataSource, owner: PartyAddress, cdrId: string, rating: CdrRating): Promise<void> {
  await db.query(
    `INSERT INTO cdr_ratings (country_code, party_id, cdr_id, status, reason, tariff_id, currency, time_zone, computed, differences, notes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (country_code, party_id, cdr_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
       tariff_id = EXCLUDED.tariff_id, currency = EXCLUDED.currency, time_zone = EXCLUDED.time_zone,
       computed = EXCLUDED.computed, differences = EXCLUDED.differences, notes = EXCLUDED.notes, rated_at = now()`,
    [
      owner.countryCode,
      owner.partyId,
      cdrId,
      rating.status,
      rating.reason,
      rating.tariffId,
      rating.currency,
      rating.timeZone,
      rating.computed && JSON.stringify(rating.computed),
      JSON.stringify(rating.differences),
      JSON.stringify(rating.notes),
    ],
  );
}

/**
 * Adds a check made outside the re-rating to a CDR's stored rating (the own CPO's charger-reported
 * cost, its signed meter values): its differences make the rating a mismatch, and so does a check
 * that `fails` without a figure to compare (a signature that does not hold); its notes are appended.
 * Answers whether a rating was there to add to.
 */
export async function addToRating(
  db: DataSource,
  owner: PartyAddress,
  cdrId: string,
  check: { differences: TotalDifference[]; notes: { code: string; message: string }[]; reason: string; fails?: boolean },
): Promise<boolean> {
  const rows = await updatedRows(
    db,
    `UPDATE cdr_ratings SET differences = differences || $4::jsonb, notes = notes || $5::jsonb,
            status = CASE WHEN jsonb_array_length($4::jsonb) > 0 OR $7::boolean THEN 'mismatch' ELSE status END,
            reason = CASE WHEN jsonb_array_length($4::jsonb) > 0 OR $7::boolean THEN concat_ws('; ', reason, $6::text) ELSE reason END
      WHERE country_code = $1 AND party_id = $2 AND cdr_id = $3 RETURNING 1`,
    [owner.countryCode, owner.partyId, cdrId, JSON.stringify(check.differences), JSON.stringify(check.notes), check.reason, check.fails ?? false],
  );
  return rows.length > 0;
}
