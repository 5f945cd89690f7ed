import type { DataSource } from 'typeorm';
import type { MeterSample } from '../../core/charging/meter-samples';
import { QueryBatches } from '../../db/query-batches';

/** One MeterValues call (or TransactionEvent Updated) to store. */
export interface MeterValuesWrite {
  chargerId: string;
  ocppConnector: string;
  /** The transaction the charger named; absent: the connector's running transaction, if any. */
  transactionId: string | undefined;
  samples: MeterSample[];
  /** The samples as the charger sent them (kept in `sampled_values`), one per sample. */
  raw: unknown[];
}

/**
 * Writes the meter values of many calls in one statement: each call's transaction is resolved (the
 * one named, else the connector's running one), every sample is inserted with it, and each running
 * transaction gets its latest reading (energy only grows; power and time from the latest sample) —
 * the same rules as one call at a time, applied in arrival order. One statement is one transaction:
 * a batch is stored whole or not at all, and a call is answered only after its batch is committed.
 *
 * Answers, per call, the transaction row after the update when the call belonged to a running
 * transaction (the caller publishes from it), else undefined (kept, changes nothing published).
 */
export async function writeMeterValues(db: DataSource, writes: MeterValuesWrite[], clock: (at: Date) => Date): Promise<(Record<string, unknown> | undefined)[]> {
  const entry = { chargerId: [] as string[], connector: [] as string[], transactionId: [] as (string | null)[], energy: [] as (number | null)[], power: [] as (number | null)[], at: [] as Date[] };
  const sample = { k: [] as number[], at: [] as Date[], energy: [] as (number | null)[], power: [] as (number | null)[], current: [] as (number | null)[], soc: [] as (number | null)[], raw: [] as string[] };
  writes.forEach((write, i) => {
    // The call's latest sample (by the charger's clock, as far as it is believed) updates its transaction.
    const latest = write.samples.reduce((a, b) => (clock(b.at) > clock(a.at) ? b : a));
    entry.chargerId.push(write.chargerId);
    entry.connector.push(write.ocppConnector);
    entry.transactionId.push(write.transactionId ?? null);
    entry.energy.push(latest.energyWh ?? null);
    entry.power.push(latest.powerW ?? null);
    entry.at.push(clock(latest.at));
    write.samples.forEach((s, j) => {
      sample.k.push(i + 1);
      sample.at.push(clock(s.at));
      sample.energy.push(s.energyWh ?? null);
      sample.power.push(s.powerW ?? null);
      sample.current.push(s.currentA ?? null);
      sample.soc.push(s.soc ?? null);
      sample.raw.push(JSON.stringify(write.raw[j] ?? null));
    });
  });
  const rows: ({ k: string; id: string | null } & Record<string, unknown>)[] = await db.query(
    `WITH entry AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[]) WITH ORDINALITY
         AS e(charger_id, ocpp_connector, transaction_id, energy_wh, power_w, sampled_at, k)),
     resolved AS (
       SELECT e.*, t.id AS pk, t.status FROM entry e
       LEFT JOIN LATERAL (
         SELECT id, status FROM ocpp_transactions t
          WHERE t.charger_id = e.charger_id
            AND CASE WHEN e.transaction_id IS NULL THEN t.ocpp_connector = e.ocpp_connector AND t.status = 'ACTIVE'
                     ELSE t.transaction_id = e.transaction_id END
          ORDER BY t.started_at DESC, t.id DESC LIMIT 1) t ON true),
     stored AS (
       INSERT INTO ocpp_meter_values (transaction_pk, charger_id, ocpp_connector, sampled_at, energy_wh, power_w, current_a, soc, sampled_values)
       SELECT r.pk, r.charger_id, r.ocpp_connector, s.sampled_at, s.energy_wh, s.power_w, s.current_a, s.soc, s.sampled_values
         FROM unnest($7::bigint[], $8::timestamptz[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::jsonb[]) WITH ORDINALITY
              AS s(k, sampled_at, energy_wh, power_w, current_a, soc, sampled_values, n)
         JOIN resolved r ON r.k = s.k
        ORDER BY s.n
       ON CONFLICT DO NOTHING -- a reading sent again (a repeated message) is kept once
       RETURNING 1),
     latest AS (
       SELECT pk, max(energy_wh) AS energy_wh, (array_agg(power_w ORDER BY k DESC) FILTER (WHERE power_w IS NOT NULL))[1] AS power_w,
              max(sampled_at) AS sampled_at
         FROM resolved WHERE status = 'ACTIVE' GROUP BY pk),
     metered AS (
       UPDATE ocpp_transactions t
          SET last_energy_wh = GREATEST(COALESCE(t.last_energy_wh, 0), COALESCE(l.energy_wh, 0)), last_power_w = COALESCE(l.power_w, t.last_power_w),
              last_sample_at = GREATEST(t.last_sample_at, l.sampled_at), updated_at = now()
         FROM latest l WHERE t.id = l.pk
       RETURNING t.*)
     SELECT r.k, m.* FROM resolved r LEFT JOIN metered m ON m.id = r.pk ORDER BY r.k`,
    [entry.chargerId, entry.connector, entry.transactionId, entry.energy, entry.power, entry.at, sample.k, sample.at, sample.energy, sample.power, sample.current, sample.soc, sample.raw],
  );
  return rows.map((row) => (row.id === null ? undefined : row));
}

/**
 * The write-behind queue of MeterValues: calls arriving together are written together (up to 500 per
 * statement, two statements in flight); a quiet hub writes each call at once, alone.
 */
export function meterValueWrites(db: () => DataSource, clock: (at: Date) => Date): QueryBatches<MeterValuesWrite, Record<string, unknown> | undefined> {
  return new QueryBatches((writes) => writeMeterValues(db(), writes, clock), { maxItems: 500, maxWaitMs: 0, concurrency: 2 });
}
