import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes for what arrives and leaves in bulk: repeated meter readings kept once, the outbox claimed per partner. */
export class DeliveryIndexes1763701100000 implements MigrationInterface {
  name = 'DeliveryIndexes1763701100000';

  async up(db: QueryRunner): Promise<void> {
    // A reading sent twice (a charger repeating a message whose answer it lost) is kept once.
    await db.query(
      `CREATE UNIQUE INDEX ocpp_meter_values_once ON ocpp_meter_values (charger_id, ocpp_connector, sampled_at, md5(sampled_values::text))`,
    );
    // The outbox claims each partner's oldest due deliveries: one index scan per partner, whatever the backlog.
    await db.query(`CREATE INDEX outbox_party_pending ON outbox (party_uuid, id) WHERE status = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_party_pending`);
    await db.query(`DROP INDEX ocpp_meter_values_once`);
  }
}
