import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { canonicalKey, checkSignedReading, type CheckedReading, type OcpiSignedData, publicKeyOf, signedDataOf, signedReadingsOf, type SignedDataOutcome } from '../../core/charging/signed-meter-values';
import type { TotalDifference } from '../../core/pricing/pricing-core';
import { HubError } from '../../foundation/hub-errors';
import type { CdrsService } from '../../hub/modules/cdrs/cdrs.service';
import type { Cdr } from '../../hub/modules/cdrs/cdrs.schema';
import type { RoleAddress } from '../../hub/ocpi/party-address';
import type { Transaction } from './transactions.service';

/** A key the operator registered for a charger's meters. */
export interface MeterKey {
  publicKey: string;
  label: string | null;
  addedAt: Date;
}

/** What was kept of the check for the CDR's rating (ocpp_transactions.signed_check). */
type KeptCheck = Pick<SignedDataOutcome, 'notes' | 'failures' | 'signedEnergyKwh'>;

/** The energy the signed readings show may differ from the CDR's by this much (both come from one meter: 1 Wh of rounding). */
const ENERGY_TOLERANCE_KWH = 0.001;

/**
 * Signed meter values of the own chargers (docs/own-chargers.md, Signed meter values). The readings
 * stay as the chargers sent them (`ocpp_meter_values.sampled_values`); when a transaction's CDR is made
 * they are read from there, checked (core/charging/signed-meter-values.ts) against the keys registered
 * for the charger or the key sent with them, the outcome kept per reading (`ocpp_signed_readings`),
 * and the signed start and end put into the CDR's `signed_data`. Once the CDR exists, a reading that
 * failed, or signed energy that differs from the CDR's, makes its rating a mismatch; the CDR is sent
 * all the same (the eMSP checks the signatures too, and the CDR is the bill).
 */
export class SignedReadings {
  constructor(private readonly deps: { db: DataSource; log: Logger; cdrs: CdrsService; ownCpo: RoleAddress }) {}

  /** The keys registered for a charger's meters. */
  async keysOf(chargerId: string): Promise<MeterKey[]> {
    const rows: { public_key: string; label: string | null; added_at: Date }[] = await this.deps.db.query(
      `SELECT public_key, label, added_at FROM charger_meter_keys WHERE charger_id = $1 ORDER BY added_at, public_key`,
      [chargerId],
    );
    return rows.map((r) => ({ publicKey: r.public_key, label: r.label, addedAt: r.added_at }));
  }

  /**
   * Replaces the keys registered for a charger (hex or base64 SubjectPublicKeyInfo DER, or PEM; kept
   * as base64 DER). A key that is none of these is refused and nothing changes.
   */
  async setKeys(chargerId: string, keys: { publicKey: string; label?: string | null }[]): Promise<MeterKey[]> {
    const canonical = keys.map((k, i) => {
      const key = publicKeyOf(k.publicKey);
      if (!key || key.asymmetricKeyType !== 'ec') throw new HubError('invalid', `keys[${i}].public_key: not an EC public key (SubjectPublicKeyInfo DER in hex or base64, or PEM)`);
      return { publicKey: canonicalKey(key), label: k.label ?? null };
    });
    const charger: unknown[] = await this.deps.db.query(`SELECT 1 FROM chargers WHERE id = $1`, [chargerId]);
    if (!charger.length) throw new HubError('not_found', `No charger ${chargerId}`);
    await this.deps.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM charger_meter_keys WHERE charger_id = $1`, [chargerId]);
      await tx.query(
        `INSERT INTO charger_meter_keys (charger_id, public_key, label) SELECT $1, k, l FROM unnest($2::text[], $3::text[]) AS u(k, l) ON CONFLICT DO NOTHING`,
        [chargerId, canonical.map((k) => k.publicKey), canonical.map((k) => k.label)],
      );
    });
    return this.keysOf(chargerId);
  }

  /**
   * The CDR's signed_data for a stopped transaction (TransactionsService.finish asks before it builds
   * the CDR); undefined when the charger signed nothing. The outcome of each reading is kept. Safe to
   * repeat: the same readings give the same rows.
   */
  async forCdr(transaction: Transaction): Promise<OcpiSignedData | undefined> {
    const { db } = this.deps;
    const rows: { sampled_values: unknown }[] = await db.query(
      `SELECT sampled_values FROM ocpp_meter_values WHERE transaction_pk = $1 AND sampled_values::text LIKE '%igned%' ORDER BY sampled_at, id`,
      [transaction.pk],
    );
    const readings = rows.flatMap((r) => signedReadingsOf(r.sampled_values));
    if (!readings.length) return undefined;
    const keys = (await this.keysOf(transaction.chargerId)).map((k) => k.publicKey);
    const checked: CheckedReading[] = [];
    for (const reading of readings) checked.push(await checkSignedReading(reading, keys));
    const outcome = signedDataOf(checked);
    await db.transaction(async (tx) => {
      await tx.query(`DELETE FROM ocpp_signed_readings WHERE transaction_pk = $1`, [transaction.pk]);
      await tx.query(
        `INSERT INTO ocpp_signed_readings (transaction_pk, n, sampled_at, context, nature, encoding_method, public_key, key_source, verdict, reason, energy_wh, signed_data)
         SELECT $1, n, at, context, nature, encoding, key, source, verdict, reason, energy, data
           FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::text[]) WITH ORDINALITY
                AS u(at, context, nature, encoding, key, source, verdict, reason, energy, data, n)`,
        [
          transaction.pk,
          checked.map((c) => c.reading.at),
          checked.map((c) => c.reading.context ?? null),
          checked.map((c) => c.nature),
          checked.map((c) => c.encodingMethod),
          checked.map((c) => c.publicKey ?? null),
          checked.map((c) => c.keySource ?? null),
          checked.map((c) => c.verdict),
          checked.map((c) => c.reason ?? null),
          checked.map((c) => c.energyWh ?? null),
          checked.map((c) => c.reading.signedData),
        ],
      );
      const kept: KeptCheck = { notes: outcome.notes, failures: outcome.failures, signedEnergyKwh: outcome.signedEnergyKwh };
      await tx.query(`UPDATE ocpp_transactions SET signed_check = $2 WHERE id = $1`, [transaction.pk, JSON.stringify(kept)]);
    });
    if (outcome.failures.length) {
      this.deps.log.warn({ charger: transaction.chargerId, session: transaction.sessionId, failures: outcome.failures }, 'a signed meter value failed verification; the CDR is sent and its rating flagged');
    }
    return outcome.signedData;
  }

  /** The readings kept for a transaction, as checked (admin). */
  async ofTransaction(transactionPk: string): Promise<Record<string, unknown>[]> {
    return this.deps.db.query(
      `SELECT n, sampled_at, context, nature, encoding_method, public_key, key_source, verdict, reason, energy_wh, signed_data, checked_at
         FROM ocpp_signed_readings WHERE transaction_pk = $1 ORDER BY n`,
      [transactionPk],
    );
  }

  /** The CDR was made (services.ts subscribes this to the transactions' finish): the check goes onto its rating. */
  async finished(transaction: Transaction, cdr: Cdr): Promise<void> {
    const rows: { signed_check: KeptCheck | null }[] = await this.deps.db.query(`SELECT signed_check FROM ocpp_transactions WHERE id = $1`, [transaction.pk]);
    const kept = rows[0]?.signed_check;
    if (!kept) return;
    const differences: TotalDifference[] = [];
    if (kept.signedEnergyKwh !== undefined && Math.abs(kept.signedEnergyKwh - cdr.total_energy) > ENERGY_TOLERANCE_KWH) {
      differences.push({ field: 'signed_data.energy', computed: cdr.total_energy, reported: kept.signedEnergyKwh, difference: Math.round((kept.signedEnergyKwh - cdr.total_energy) * 1000) / 1000 });
    }
    const reasons = [
      ...(kept.failures.length ? [`signed meter values failed verification (${kept.failures.join('; ')})`] : []),
      ...(differences.length ? ['the energy between the signed start and end readings differs from the CDR'] : []),
    ];
    const added = await this.deps.cdrs.addToRating(this.deps.ownCpo, cdr.id, { differences, notes: kept.notes, reason: reasons.join('; '), fails: kept.failures.length > 0 });
    if (!added) this.deps.log.debug({ cdr: cdr.id }, 'no rating to add the signed meter values to (a CDR kept at the hub)');
  }
}
